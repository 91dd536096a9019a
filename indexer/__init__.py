"""Reading Arabic news archives and writing them into a search index."""
