"""Searching an arshif index: queries, ranking, snippets, output and the command line."""
