"""Each article's day, source and category as arrays, in the postings files.

Facets, `--sort newest`, `stats` and the spelling variants' outlet distributions need
these values for every article. Read back from Whoosh they cost a Python call per article
and field (a second on a large archive, in every `arshif search` process); kept beside
the postings, written by the same workers and joined with them, they are a memory map.
The texts a hit shows are kept beside them too (`indexer.storage.texts`).

- `doc.day`: the date as a day number (`date.toordinal()`), -1 for an undated article;
- `doc.minhash`: the near-duplicate signature (`indexer.duplicates`: 64 hashes of 16
  bits, `SIGNATURE_BYTES`), zero bytes for none (no real signature is: it would need 64
  hashes of 0), read by the grouping after each run (from Whoosh's stored fields that
  took seconds); a void dtype, as numpy's bytes dtype would drop a signature's trailing
  zero bytes;
- `doc.url_key`: the URL as grouping compares them (`duplicates.url_keys`), 0 for none,
  so that grouping after each run reads no URL;
- `<field>.names`: the field's distinct values, UTF-8, sorted; `<field>.codes`: each
  article's value as an index into them, -1 for none.

Whoosh indexes sources and categories (`source:`, `category:` restrictions), not dates
(`search.unindexed` answers `date:` from `doc.day`), and stores none of them: these
arrays are the only copy of the values (`stored_values`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from arshif.indexer.duplicates import SIGNATURE_BYTES, url_keys

VALUE_FIELDS = ("source", "category")
DAY, SIGNATURES, URL_KEYS = "doc.day", "doc.minhash", "doc.url_key"


class DocValuesCollector:
    """The values of one segment's articles, in document order."""

    def __init__(self) -> None:
        self.days: list[int] = []
        self.urls: list[str] = []
        self.values: dict[str, list[str]] = {name: [] for name in VALUE_FIELDS}

    def add(self, fields: Mapping[str, object]) -> None:
        date = fields.get("date")
        self.days.append(date.toordinal() if isinstance(date, dt.date) else -1)
        url = fields.get("url")
        self.urls.append(url if isinstance(url, str) else "")
        for name, values in self.values.items():
            value = fields.get(name)
            values.append(value if isinstance(value, str) else "")

    def arrays(self, signatures: np.ndarray) -> dict[str, np.ndarray]:
        """The arrays, with the articles' `signatures` (`duplicates.signatures` rows)."""
        arrays = {
            DAY: np.array(self.days, np.int32),
            SIGNATURES: signatures.view(_SIGNATURE).reshape(len(signatures)),
            URL_KEYS: url_keys(self.urls),
        }
        for name, values in self.values.items():
            encoded = np.array([v.encode("utf-8") for v in values], dtype=bytes)
            names, codes = np.unique(encoded, return_inverse=True)
            codes = codes.astype(np.int32)
            if len(names) and names[0] == b"":  # "" is no value
                names, codes = names[1:], codes - 1
            arrays[f"{name}.names"] = names.astype(bytes)
            arrays[f"{name}.codes"] = codes
        return arrays


@dataclass
class DocValues:
    """One postings file's article values (see the module docstring)."""

    days: np.ndarray
    names: dict[str, np.ndarray]
    codes: dict[str, np.ndarray]
    signatures: np.ndarray
    url_keys: np.ndarray


_SIGNATURE = np.dtype(f"V{SIGNATURE_BYTES}")
_NO_SIGNATURE = bytes(SIGNATURE_BYTES)


def signature_of(values: DocValues, docnum: int) -> bytes:
    """An article's signature, b"" for none."""
    signature = values.signatures[docnum].tobytes()
    return b"" if signature == _NO_SIGNATURE else signature


def stored_values(values: DocValues, docnum: int) -> dict[str, object]:
    """An article's date (a datetime), source and category, as Whoosh's stored fields
    held them (empty values left out).

    >>> names = {"source": np.array([b"BBC"]), "category": np.array([], "S1")}
    >>> day = np.array([dt.date(2018, 11, 14).toordinal()])
    >>> values = DocValues(day, names, {"source": np.array([0]), "category": np.array([-1])},
    ...                    np.array([b""], "V1"), np.zeros(1, np.int64))
    >>> stored_values(values, 0)
    {'date': datetime.datetime(2018, 11, 14, 0, 0), 'source': 'BBC'}
    """
    found: dict[str, object] = {}
    day = int(values.days[docnum])
    if day >= 0:
        found["date"] = dt.datetime.combine(dt.date.fromordinal(day), dt.time())
    for name in VALUE_FIELDS:
        code = int(values.codes[name][docnum])
        if code >= 0:
            found[name] = values.names[name][code].decode("utf-8")
    return found


def read_doc_values(arrays: Mapping[str, np.ndarray]) -> DocValues:
    return DocValues(
        arrays[DAY],
        {name: arrays[f"{name}.names"] for name in VALUE_FIELDS},
        {name: arrays[f"{name}.codes"] for name in VALUE_FIELDS},
        arrays[SIGNATURES],
        arrays[URL_KEYS],
    )


def slice_doc_values(values: DocValues, first: int, end: int) -> DocValues:
    """The values of articles [first, end)."""
    return DocValues(
        values.days[first:end],
        values.names,
        {name: codes[first:end] for name, codes in values.codes.items()},
        values.signatures[first:end],
        values.url_keys[first:end],
    )


def join_doc_values(parts: Iterable[DocValues]) -> DocValues:
    """The values of consecutive files' articles (one file at least) as one, each
    field's names united.

    >>> sigs, urls = np.array([b"a", b"", b"b"], "V1"), np.array([7, 0, 9])
    >>> a = DocValues(np.array([1]), {"s": np.array([b"x"])}, {"s": np.array([0])}, sigs[:1],
    ...               urls[:1])
    >>> b = DocValues(np.array([2, 3]), {"s": np.array([b"w"])}, {"s": np.array([0, -1])},
    ...               sigs[1:], urls[1:])
    >>> joined = join_doc_values([a, b])
    >>> joined.days.tolist(), joined.names["s"].tolist(), joined.codes["s"].tolist()
    ([1, 2, 3], [b'w', b'x'], [1, 0, -1])
    """
    parts = list(parts)
    names, codes = {}, {}
    for name in parts[0].names:
        united = np.unique(np.concatenate([p.names[name] for p in parts]))
        pieces = [np.full(0, -1, np.int32)]
        for part in parts:
            own = part.codes[name]
            renumbered = np.full(len(own), -1, np.int32)
            if len(part.names[name]):
                at = np.searchsorted(united, part.names[name]).astype(np.int32)
                renumbered[own >= 0] = at[own[own >= 0]]
            pieces.append(renumbered)
        names[name], codes[name] = united, np.concatenate(pieces)
    days = np.concatenate([np.full(0, -1, np.int32)] + [p.days for p in parts])
    signatures = np.concatenate([p.signatures for p in parts])
    urls = np.concatenate([p.url_keys for p in parts])
    return DocValues(days.astype(np.int32), names, codes, signatures, urls)


def doc_values_arrays(values: DocValues) -> dict[str, np.ndarray]:
    arrays = {DAY: values.days, SIGNATURES: values.signatures, URL_KEYS: values.url_keys}
    for name in VALUE_FIELDS:
        arrays[f"{name}.names"] = values.names[name]
        arrays[f"{name}.codes"] = values.codes[name]
    return arrays
