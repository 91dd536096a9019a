"""The index on disk: Whoosh's segments beside arshif's own arrays, and writing them."""
