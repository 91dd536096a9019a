"""The browser page and the HTTP API of `arshif serve`.

- `params`: a search's query-string parameters, their limits, and links between pages;
- `live`: the archive as last committed, reopened when an index run commits;
- `app`: the routes, each view rendered as JSON under `/api/` and as a page elsewhere;
- `pages`: templates (autoescaped) and the coverage chart; `server`: listening, uvicorn.
"""
