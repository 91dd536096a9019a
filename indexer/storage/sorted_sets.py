"""Looking values up in a sorted array of distinct values: one binary search each, in numpy.

Searching (a phrase's candidates, the articles two words share) and grouping (the
articles sharing a band with those added) both ask this of document numbers or keys.
"""

from __future__ import annotations

import numpy as np


def positions_in(sorted_set: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Where each of `values` stands in `sorted_set` (ascending, distinct), -1 where it
    is not.

    >>> positions_in(np.array([1, 5, 9]), np.array([3, 5, 9])).tolist()
    [-1, 1, 2]
    """
    if not len(sorted_set):
        return np.full(len(values), -1, np.int64)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return np.where(sorted_set[at] == values, at, -1)


def members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which `values` are in `sorted_set` (a sorted array): a mask.

    >>> members(np.array([3, 5, 9]), np.array([1, 5, 9])).tolist()
    [False, True, True]
    """
    return positions_in(sorted_set, values) >= 0
