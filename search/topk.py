"""The best matches of a query in order, checking its phrases only where the order needs it.

A question is scored as an OR of its words' terms and of phrases of neighbouring words
(`search.query`); a phrase adds its words' scores to the articles where they stand in
order. Finding where they do reads positions, and doing it for every article holding a
phrase's words was half of a question's scoring, growing with the archive. Yet only the
order of the best articles needs it: without its phrases an article's score is a lower
bound, with every phrase whose words it holds an upper bound (a phrase's score is known
before its positions are read). `Ranking.ranked(depth)` reads positions only for the
articles whose upper bound can still reach the best `depth`, best upper bounds first,
as MaxScore-style top-k retrieval in Lucene and tantivy skips what cannot make the top.
The matches themselves (their number, facets, story counts) need no phrase checked: a
phrase only scores articles one of its words already matched.

>>> r = Ranking(np.array([3, 5, 8]), np.array([1.0, 2.0, 0.5]))
>>> r.ranked(2)
[(5, 2.0), (3, 1.0)]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# The exact scores of some matched documents (ascending), with every phrase checked.
ExactScores = Callable[[np.ndarray], np.ndarray]
# Documents whose phrases are checked at a time, at least: each round reads positions
# once per phrase, and the best bounds are mostly the best scores.
_ROUND = 128


class Ranking:
    """A query's matches (ascending) with a score each, exact or a lower bound; `ranked`
    makes the best of them exact and orders them, ties in document order (as Whoosh)."""

    def __init__(
        self,
        docs: np.ndarray,
        scores: np.ndarray,
        bonus: np.ndarray | None = None,
        exact: ExactScores | None = None,
    ) -> None:
        """`scores` are exact where `bonus` (what unchecked phrases may add) is 0;
        `exact` gives the others'."""
        self.docs = docs
        self._bonus = np.array(bonus, np.float64) if bonus is not None and exact else None
        # A copy only when some are bounds: they are made exact in place.
        self.scores = scores if self._bonus is None else np.array(scores, np.float64)
        self._exact = exact

    def subset(self, keep: np.ndarray) -> Ranking:
        """The matches where `keep` (a mask over them) is set."""
        bonus = self._bonus[keep] if self._bonus is not None else None
        return Ranking(self.docs[keep], self.scores[keep], bonus, self._exact)

    def ranked(self, depth: int) -> list[tuple[int, float | None]]:
        """The best `depth` documents by score, each score exact."""
        self._settle(depth)
        docs, scores = self.docs, self.scores
        if len(docs) > depth:  # those tied with the last place too: ties go by document
            best = scores >= -np.partition(-scores, depth - 1)[depth - 1]
            docs, scores = docs[best], scores[best]
        order = np.lexsort((docs, -scores))[:depth]
        return list(zip(docs[order].tolist(), scores[order].tolist(), strict=True))

    def _settle(self, depth: int) -> None:
        """Check phrases, best upper bounds first, until no unchecked document can reach
        the best `depth`: its upper bound is below the `depth`-th best lower bound (which
        no exact score is below)."""
        bonus = self._bonus
        if bonus is None or self._exact is None:
            return
        while True:
            open_ = np.flatnonzero(bonus > 0)
            if len(self.scores) > depth:
                floor = -np.partition(-self.scores, depth - 1)[depth - 1]
                open_ = open_[self.scores[open_] + bonus[open_] >= floor]
            if not len(open_):
                return
            size = max(2 * depth, _ROUND)
            if len(open_) > size:
                upper = self.scores[open_] + bonus[open_]
                open_ = np.sort(open_[np.argpartition(-upper, size - 1)[:size]])
            self.scores[open_] = self._exact(self.docs[open_])
            bonus[open_] = 0.0
