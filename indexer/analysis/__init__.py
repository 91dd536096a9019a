"""Arabic text analysis: one analyzer, shared by indexing and querying."""
