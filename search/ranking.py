"""How matches are scored: BM25F over the fields of the schema, headline weighted.

Each query word is looked up in `text` (headline + body, stemmed), `title` (headline,
stemmed) and `exact` (unstemmed); their BM25 scores add up, so a headline match and an
exact-form match both lift an article above one that only shares a stem. Adjacent query
words found next to each other in `text` add a proximity bonus (`search.query`).

Every figure here was measured on the judged questions of `bench/quality.py` (mixed-dev);
`bench/results/quality.md` logs what each change did.
"""

from __future__ import annotations

from whoosh import scoring

# Field weights for a query word. Tuned on the judged questions (bench/quality.py): the
# headline is already inside `text`, so a further 0.2 is enough; 0.5 let news headlines
# sharing one query word outrank the paragraph that answers the question.
FIELD_BOOSTS = {"text": 1.0, "title": 0.2, "exact": 0.3}

# Bonus factor for each additional query word an article matches (coordination):
# every word counts, and articles with all of them come first.
COORDINATION = 0.1

# Proximity: a phrase clause per pair of adjacent query words, at most PROXIMITY_SLOP
# positions apart, weighted PROXIMITY_BOOST (a share of the two words' own scores).
PROXIMITY_BOOST = 0.2
PROXIMITY_SLOP = 2

# Full length normalization (b = 1) and a later tf saturation (k1 = 1.6) beat Whoosh's
# defaults (0.75 / 1.2): a long news article must not win on repeated common words.
BM25_B = 1.0
BM25_K1 = 1.6


def weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=BM25_B, K1=BM25_K1)
