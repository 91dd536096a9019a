"""How matches are scored: BM25F over the fields of the schema, headline weighted.

Each query word is looked up in `text` (headline + body, stemmed), `title` (headline,
stemmed) and `exact` (unstemmed); their BM25 scores add up, so a headline match and an
exact-form match both lift an article above one that only shares a stem.
"""

from __future__ import annotations

from whoosh import scoring

# Field weights for a query word. Tuned on the judged questions (bench/quality.py).
FIELD_BOOSTS = {"text": 1.0, "title": 0.5, "exact": 0.3}

# Bonus factor for each additional query word an article matches (coordination):
# every word counts, and articles with all of them come first.
COORDINATION = 0.1

BM25_B = 0.75
BM25_K1 = 1.2


def weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=BM25_B, K1=BM25_K1)
