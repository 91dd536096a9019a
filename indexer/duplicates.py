"""Near-duplicate articles: MinHash signatures at index time, groups in a sidecar file.

- `signature(text)` is a one-permutation MinHash (64 bins, densified) over the
  normalized word 2-shingles of an article: the same wire story at two outlets, with one
  sentence reworded, still shares most of its shingles. Each bin keeps only the low
  `HASH_BITS` of its minimum (b-bit MinHash: 128 bytes an article, not 256);
- `group(...)` finds candidate pairs with LSH (16 bands of 4 bins, which catches pairs
  above a Jaccard of about 0.5) and keeps those whose estimated Jaccard is at least
  `THRESHOLD`; each group is a star around its leader (the first article offered, the
  earliest by date in `write_groups`), so groups never chain through a series of small
  edits; records with the same URL are one group whatever their text;
- `write_groups(ix, index_dir, articles)` takes every live article's signature, URL and
  day after a run (as the postings files hold them, `postings_groups.live_articles`) and
  replaces `groups.json` in the index folder; searching reads that file, so grouping
  costs nothing at query time.
"""

from __future__ import annotations

import re
import struct
import sys
from array import array
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from hashlib import blake2b
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from arshif.indexer.analysis import chars
from arshif.indexer.analysis.normalize import normalize
from arshif.indexer.analysis.stopwords import stopwords
from arshif.indexer.storage import stops
from arshif.indexer.storage.jsonfiles import read_json, write_json

GROUPS_FILE = "groups.json"
GROUPS_VERSION = 1
BINS = 64
BAND_ROWS = 4
BANDS = BINS // BAND_ROWS
# Estimated Jaccard similarity of 2-shingle sets from which two articles are one story.
THRESHOLD = 0.5
# Texts with fewer shingles than this get no signature: a headline alone is no evidence.
MIN_SHINGLES = 8

_BIN_SHIFT = 64 - (BINS.bit_length() - 1)  # the top bits of a 64-bit hash choose the bin
_MASK32 = 0xFFFFFFFF
_EMPTY = _MASK32 + 1
# Rotation densification offset: an empty bin borrows its right neighbour's value plus
# distance × offset, so borrowed values rarely equal real ones.
_OFFSET = 0x9E3779B1
# b-bit MinHash: the minimum is taken over 32-bit hashes, then only its low 16 bits are
# kept. Two different minima then agree by chance 1 time in 65,536, which raises the
# expected count of equal bins by at most 64 / 65,536 of a bin, far below one bin (the
# estimate's step): the fraction of equal bins stays the estimate, uncorrected, and
# news_ant groups exactly as with whole hashes (8 bits would add 7 false groups of 2,371).
HASH_BITS = 16
_FORMAT = f"<{BINS}H"
SIGNATURE_BYTES = BINS * HASH_BITS // 8
# LSH buckets larger than this are checked against their first members only.
_MAX_BUCKET_PAIRS = 64
Doc = TypeVar("Doc", bound=Hashable)

# Shingling needs words, not offsets: marks go first, so a vocalized word stays one word
# (the analyzer's tokenizer does the same with offsets, at three times the cost).
_IN_WORD = re.compile(f"[{chars.ARABIC_MARKS}{chars.INVISIBLE}]")
_WORD = re.compile(r"[^\W_]+")


def shingle_words(text: str) -> list[str]:
    """The normalized words of `text` its shingles are made of, stopwords left out.

    >>> shingle_words("خفضَ صندوقُ النقدِ في 3.5")
    ['خفض', 'صندوق', 'النقد', '3', '5']
    """
    stop = stopwords()
    return [n for n in map(normalize, _WORD.findall(_IN_WORD.sub("", text))) if n not in stop]


def shingles(text: str) -> set[str]:
    """The normalized word 2-shingles of `text`, stopwords left out.

    >>> sorted(shingles("خفضَ صندوقُ النقدِ توقعاتِه"))
    ['النقد توقعاته', 'خفض صندوق', 'صندوق النقد']
    """
    return set(map(" ".join, pairwise(shingle_words(text))))


def signature(text: str) -> bytes:
    """The MinHash signature of `text` (`SIGNATURE_BYTES`), or b"" for a very short text.

    >>> len(signature("خفض صندوق النقد الدولي توقعاته لنمو اقتصادات منطقة الشرق الأوسط "
    ...     "وشمال أفريقيا خلال العام الجاري مرجعا ذلك إلى تراجع إنتاج النفط"))
    128
    >>> signature("خبر قصير")
    b''
    """
    return shingles_signature(shingles(text))


def shingles_signature(grams: set[str]) -> bytes:
    """The MinHash signature of a text whose `shingles` are `grams`."""
    if len(grams) < MIN_SHINGLES:
        return b""
    digests = [blake2b(gram.encode("utf-8"), digest_size=8).digest() for gram in grams]
    hashes = np.frombuffer(b"".join(digests), ">u8")  # each digest as a big-endian number
    mins = np.full(BINS, _EMPTY, np.uint64)
    np.minimum.at(mins, (hashes >> _BIN_SHIFT).astype(np.intp), (hashes >> 16) & _MASK32)
    low_bits = (1 << HASH_BITS) - 1
    return struct.pack(_FORMAT, *(value & low_bits for value in _densify(mins.tolist())))


def _densify(mins: list[int]) -> list[int]:
    """Fill empty bins from the next filled bin to the right (circularly)."""
    if _EMPTY not in mins:
        return mins
    out = list(mins)
    for i, value in enumerate(mins):
        if value != _EMPTY:
            continue
        for t in range(1, BINS):
            source = mins[(i + t) % BINS]
            if source != _EMPTY:
                out[i] = (source + t * _OFFSET) & _MASK32
                break
    return out


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    if not a or not b or len(a) != len(b):
        return 0.0
    va, vb = struct.unpack(_FORMAT, a), struct.unpack(_FORMAT, b)
    return sum(x == y for x, y in zip(va, vb, strict=True)) / BINS


def _bands(sig: bytes) -> Iterator[int]:
    """One key per LSH band: a hash of the band's number and bins. (A hash, not the
    bins themselves: an archive's leaders hold ~16 buckets each, and a colliding hash
    only adds a candidate that `similarity` then turns down.)"""
    width = BAND_ROWS * HASH_BITS // 8
    for band in range(BANDS):
        yield hash((band, sig[band * width : (band + 1) * width]))


def group(
    signatures: Iterable[tuple[Doc, bytes]],
    same: Mapping[Doc, Hashable] | None = None,
    threshold: float = THRESHOLD,
) -> dict[Doc, Doc]:
    """Map each article that has copies to its group's leader (a leader maps to itself).

    `signatures` are (id, signature) pairs, the preferred leaders first; `same` maps an
    id to a key (its URL) shared by records of one article, which are grouped whatever
    their text. Articles without copies are left out. (Ids are any hashable values:
    indexing passes row numbers.)

    >>> text = "خفض صندوق النقد الدولي توقعاته لنمو اقتصادات منطقة الشرق الأوسط وشمال أفريقيا"
    >>> found = group([("a", signature(text)), ("b", signature(text + " اليوم")), ("c", b"")])
    >>> sorted(found.items())
    [('a', 'a'), ('b', 'a')]
    """
    same = same or {}
    leader_of: dict[Doc, Doc] = {}
    key_owner: dict[Hashable, Doc] = {}
    leader_sig: dict[Doc, bytes] = {}
    buckets: dict[int, Doc | list[Doc]] = {}  # most hold one leader: no list for it
    for doc_id, sig in signatures:
        key = same.get(doc_id)
        if key and key in key_owner:
            leader_of[doc_id] = leader_of.get(key_owner[key], key_owner[key])
            continue
        if key:
            key_owner[key] = doc_id
        leader = _best_leader(sig, buckets, leader_sig, threshold) if sig else None
        if leader is not None:
            leader_of[doc_id] = leader
            continue
        if sig:
            leader_sig[doc_id] = sig
            for band in _bands(sig):
                held = buckets.setdefault(band, doc_id)
                if isinstance(held, list):
                    held.append(doc_id)
                elif held != doc_id:
                    buckets[band] = [held, doc_id]
    members = set(leader_of.values())
    for leader in members:
        leader_of[leader] = leader
    return leader_of


def _best_leader(
    sig: bytes,
    buckets: Mapping[int, Doc | list[Doc]],
    leader_sig: Mapping[Doc, bytes],
    threshold: float,
) -> Doc | None:
    seen: set[Doc] = set()
    best, best_score = None, threshold
    for band in _bands(sig):
        if (held := buckets.get(band)) is None:
            continue
        for candidate in held[:_MAX_BUCKET_PAIRS] if isinstance(held, list) else (held,):
            if candidate in seen:
                continue
            seen.add(candidate)
            score = similarity(sig, leader_sig[candidate])
            if score >= best_score:
                best, best_score = candidate, score
    return best


def _url_key(url: str) -> str:
    return url.strip().rstrip("/").lower()


# What grouping reads of each live article: id, signature, URL, day number (-1 for an
# undated article) and document number.
ArticleRow = tuple[str, bytes, str, int, int]


class _Rows:
    """Every live article's id, signature, URL key and document number as columns, in
    the order leaders are preferred (earliest day first, undated last, then by id): an
    archive's hundreds of thousands of rows as a few arrays, not a tuple each."""

    def __init__(self, articles: Iterable[ArticleRow]) -> None:
        ids: list[str] = []
        signatures: list[bytes] = []
        urls = array("Q")  # each URL key's first 8 bytes of blake2b; 0: no URL key
        days = array("q")
        docnums = array("q")
        for doc_id, sig, url, day, docnum in articles:
            ids.append(doc_id)
            signatures.append(sig)
            key = _url_key(url) if url else ""
            urls.append(_url_hash(key) if key else 0)
            days.append(day if day >= 0 else sys.maxsize)
            docnums.append(docnum)
        order = sorted(range(len(ids)), key=lambda i: (days[i], ids[i]))
        self.ids = [ids[i] for i in order]
        self.signatures = [signatures[i] for i in order]
        picked = np.array(order, np.int64)
        self.urls = np.frombuffer(urls, np.uint64)[picked] if len(urls) else np.zeros(0, np.uint64)
        self.docnums = np.frombuffer(docnums, np.int64)[picked] if len(docnums) else picked

    def url_keys(self) -> dict[int, int]:
        """Row → its URL key (hashed), for the rows that have one."""
        having = np.flatnonzero(self.urls)
        return dict(zip(having.tolist(), self.urls[having].tolist(), strict=True))


def _url_hash(key: str) -> int:
    """A URL key as a number (1 to 2⁶⁴ - 1): two keys share one at 2⁻⁶⁴ odds."""
    return int.from_bytes(blake2b(key.encode("utf-8"), digest_size=8).digest(), "little") or 1


def _compute(articles: Iterable[ArticleRow]) -> tuple[list[list[str]], dict[str, int]]:
    rows = _Rows(articles)
    signatures = rows.signatures
    leader_of = group(((row, signatures[row]) for row in range(len(signatures))), rows.url_keys())
    rows.signatures = []
    groups: dict[int, list[int]] = defaultdict(list)
    for row, leader in leader_of.items():
        groups[leader].append(row)
    ordered = sorted((sorted(members) for members in groups.values()), key=lambda m: m[0])
    docnums = {rows.ids[row]: int(rows.docnums[row]) for row in leader_of}
    return [[rows.ids[row] for row in members] for members in ordered], docnums


def compute_groups(articles: Iterable[ArticleRow]) -> list[list[str]]:
    """The groups of these articles: lists of ids, the leader (earliest article) first."""
    return _compute(articles)[0]


def write_groups(ix: Any, index_dir: Path, articles: Iterable[ArticleRow]) -> int:
    """Group the live `articles` of the index `ix` and replace `groups.json`; return the
    number of groups.

    The file also records the grouped articles' document numbers, valid for the index
    generation it names: searching counts stories without looking ids up one by one.
    """
    groups, docnums = _compute(articles)
    stops.reached("groups")
    write_json(
        Path(index_dir) / GROUPS_FILE,
        {
            "version": GROUPS_VERSION,
            "threshold": THRESHOLD,
            "generation": ix.latest_generation(),
            "groups": groups,
            "docnums": [[docnums[i] for i in ids] for ids in groups],
        },
    )
    return len(groups)


def keep_groups(index_dir: Path, old: int, new: int) -> bool:
    """Whether the groups on disk hold for index generation `new`, after a run that
    changed no article and no segment (the same document numbers): recorded for `new`,
    or for `old` and then recorded again as `new`'s. Grouping a 418,624-article archive
    again took seconds."""
    data = _recorded_groups(index_dir)
    if _docnums(data, new) is not None:
        return True
    if _docnums(data, old) is None:
        return False
    write_json(Path(index_dir) / GROUPS_FILE, {**data, "generation": new})
    return True


def read_docnums(index_dir: Path, generation: int) -> list[list[int]] | None:
    """The groups as document numbers, if recorded for this index generation."""
    return _docnums(_recorded_groups(index_dir), generation)


def _recorded_groups(index_dir: Path) -> dict[str, Any]:
    """What `groups.json` holds, or nothing when it is absent or foreign."""
    data = read_json(Path(index_dir) / GROUPS_FILE, {})
    return data if isinstance(data, dict) and data.get("version") == GROUPS_VERSION else {}


def _docnums(data: dict[str, Any], generation: int) -> list[list[int]] | None:
    return data["docnums"] if data.get("generation") == generation and "docnums" in data else None


def read_groups(index_dir: Path) -> list[list[str]]:
    """The groups recorded in an index folder; none when the file is absent or foreign."""
    return [list(ids) for ids in _recorded_groups(index_dir).get("groups", []) if len(ids) > 1]
