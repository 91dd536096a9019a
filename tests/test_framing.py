"""The framed files: what is written reads back the same, and any change to the bytes
of a file is found (DamagedIndexError naming it) or harmless, never a different value."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arshif.indexer.errors import DamagedIndexError
from arshif.indexer.storage.arrayfile import read_arrays, verify_arrays, write_arrays
from arshif.indexer.storage.jsonfiles import read_json, write_json

_DTYPES = st.sampled_from([np.int64, np.int32, np.int16, np.float64, np.float32])
_ARRAYS = st.dictionaries(
    st.text(alphabet="abcdefghij.", min_size=1, max_size=6),
    st.tuples(_DTYPES, st.lists(st.integers(-1000, 1000), max_size=40)),
    min_size=1,
    max_size=4,
)
_CHANGES = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1, exclude_max=True), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.floats(0, 1, exclude_max=True), st.just(0)),
)


def _changed(data: bytes, change: tuple[str, float, int]) -> bytes:
    kind, where, mask = change
    at = int(where * len(data))
    if kind == "cut":
        return data[:at]
    return data[:at] + bytes([data[at] ^ mask]) + data[at + 1 :]


@settings(max_examples=80)
@given(arrays=_ARRAYS, change=_CHANGES)
def test_a_changed_array_file_is_refused(
    arrays: dict[str, tuple[type, list[int]]], change: tuple[str, float, int]
) -> None:
    values = {name: np.array(items, dtype) for name, (dtype, items) in arrays.items()}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "MAIN_x.arr"
        write_arrays(path, values.items())
        read = read_arrays(path)
        assert set(read) == set(values)
        assert all(np.array_equal(read[n], values[n]) for n in values)
        verify_arrays(path)
        del read
        path.write_bytes(_changed(path.read_bytes(), change))
        with pytest.raises(DamagedIndexError, match=r"MAIN_x\.arr"):
            verify_arrays(path)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


@settings(max_examples=80)
@given(value=_JSON, change=_CHANGES)
def test_a_changed_json_file_is_refused_or_reads_the_same(
    value: object, change: tuple[str, float, int]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "groups.json"
        write_json(path, value)
        assert read_json(path, None) == value
        path.write_bytes(_changed(path.read_bytes(), change))
        try:
            assert read_json(path, None) == value  # e.g. a hex digit's case in the header
        except DamagedIndexError as exc:
            assert exc.path == path


def test_the_json_header_names_format_version_checksum_and_length(tmp_path: Path) -> None:
    write_json(tmp_path / "files.json", {"a.txt": {"articles": 3}})
    header, body = (tmp_path / "files.json").read_bytes().split(b"\n", 1)
    magic, crc, length = header.split(b" ")
    assert magic == b"ARSHIFJ1" and int(length) == len(body) and len(crc) == 8
    assert read_json(tmp_path / "missing.json", "default") == "default"
