"""The examples in the docstrings are true: each module's doctests run here."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import arshif.indexer
import arshif.search

MODULES = sorted(
    info.name
    for package in (arshif.indexer, arshif.search)
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
