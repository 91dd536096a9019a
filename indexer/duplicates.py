"""Near-duplicate articles: MinHash signatures at index time, groups in a sidecar file.

- `signature(text)` is a one-permutation MinHash (64 bins, densified) over the
  normalized word 2-shingles of an article: the same wire story at two outlets, with one
  sentence reworded, still shares most of its shingles. Each bin keeps only the low
  `HASH_BITS` of its minimum (b-bit MinHash: 128 bytes an article, not 256). A
  shingle's hash is mixed from its two words' (`shingle_hashes`), so indexing hashes
  each word once and signs a whole segment in a few numpy passes (`signatures`);
- `group(...)` finds candidate pairs with LSH (16 bands of 4 bins, which catches pairs
  above a Jaccard of about 0.5) and keeps those whose estimated Jaccard is at least
  `THRESHOLD`; each group is a star around its leader (the first article offered, the
  earliest by date in `write_groups`), so groups never chain through a series of small
  edits; records with the same URL are one group whatever their text;
- `write_groups(ix, index_dir, articles)` takes every live article's signature, URL and
  day after a run (as the postings files hold them, `postings_groups.live_articles`) and
  replaces `groups.json` in the index folder; searching reads that file, so grouping
  costs nothing at query time. Only articles sharing a band or a URL with another are
  offered (`_group_all`), and after a run that only added articles, only those, to the
  groups recorded (`_regroup`, which finds the recorded articles by the document
  numbers the file keeps): the same groups, without grouping the archive again.
"""

from __future__ import annotations

import gc
import re
import struct
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import blake2b
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from arshif.indexer.analysis import chars
from arshif.indexer.analysis.normalize import normalize
from arshif.indexer.analysis.stopwords import stopwords
from arshif.indexer.storage import stops
from arshif.indexer.storage.jsonfiles import read_json, write_json
from arshif.indexer.storage.sorted_sets import members, stable_order
from arshif.indexer.storage.wordlist import term_key

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
# A band's bins read as one number (`_band_keys`).
_BANDS_FORMAT = f"<{BANDS}Q"
assert BAND_ROWS * HASH_BITS == 64
SIGNATURE_BYTES = BINS * HASH_BITS // 8
# LSH buckets larger than this are checked against their first members only.
_MAX_BUCKET_PAIRS = 64
Doc = TypeVar("Doc", bound=Hashable)

# Shingling needs words, not offsets: marks go first, so a vocalized word stays one word
# (the analyzer's tokenizer does the same with offsets, at three times the cost).
_IN_WORD = re.compile(f"[{chars.ARABIC_MARKS}{chars.INVISIBLE}]")
_WORD = re.compile(r"[^\W_]+")
# What `_IN_WORD` drops that `str.isalnum` takes for a letter (the rest are marks).
_LETTERS_IN_WORD = chars.TATWEEL


def shingle_words(text: str) -> list[str]:
    """The normalized words of `text` its shingles are made of, stopwords left out.

    >>> shingle_words("خفضَ صندوقُ النقدِ في 3.5")
    ['خفض', 'صندوق', 'النقد', '3', '5']
    """
    stop = stopwords()
    return [n for n in map(normalize, _WORD.findall(_IN_WORD.sub("", text))) if n not in stop]


def word_shingle_words(word: str, normalized: str) -> list[str]:
    """`shingle_words(word)` for one word whose normalized form is known: a word of
    letters and digits only (most are) has that form as its one shingle word.

    >>> word_shingle_words("النقد", "النقد"), word_shingle_words("في", "في")
    (['النقد'], [])
    """
    if word.isalnum() and _LETTERS_IN_WORD not in word:
        return [] if normalized in stopwords() else [normalized]
    return shingle_words(word)


def word_hashes(words: Iterable[str]) -> np.ndarray:
    """Each word's 64-bit hash, its key as a term (`term_key`), as an array: a
    shingle's hash is made of its two words' (`shingle_hashes`), so a word is hashed
    once however many shingles hold it, and indexing hashes it once as a term too."""
    return np.fromiter(map(term_key, words), np.uint64)


def shingle_hashes(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The 64-bit hashes of the shingles "first second", from their words' hashes: the
    second rotated (so the order counts), then mixed by SplitMix64's finalizer."""
    x = first ^ ((second << np.uint64(1)) | (second >> np.uint64(63)))
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def signatures(hashes: np.ndarray, docs: np.ndarray, count: int) -> np.ndarray:
    """The signatures of `count` texts, one row of `SIGNATURE_BYTES` each (zeros: none),
    from their shingle words' hashes (`word_hashes`), text after text, `docs` giving
    each word's text: every text of a segment at once, in a few numpy passes.

    >>> hashes = word_hashes("خفض صندوق النقد الدولي توقعاته لنمو اقتصادات منطقة الشرق".split())
    >>> rows = signatures(np.concatenate([hashes, hashes[:3]]), np.repeat([0, 1], [9, 3]), 2)
    >>> rows.shape, bool(rows[0].any()), bool(rows[1].any())
    ((2, 128), True, False)
    """
    pair = docs[1:] == docs[:-1]
    doc = docs[1:][pair].astype(np.int64)
    grams = shingle_hashes(hashes[:-1][pair], hashes[1:][pair])
    by_gram = np.argsort(grams)  # then stably by text (a radix sort): by text, then gram
    order = by_gram[stable_order(doc[by_gram], count)]
    doc, grams = doc[order], grams[order]
    distinct = np.ones(len(grams), bool)
    distinct[1:] = (doc[1:] != doc[:-1]) | (grams[1:] != grams[:-1])
    signed = np.bincount(doc[distinct], minlength=count) >= MIN_SHINGLES
    mins = np.full((count, BINS), _EMPTY, np.uint64)
    bins = (grams >> np.uint64(_BIN_SHIFT)).astype(np.int64)
    np.minimum.at(mins.reshape(-1), doc * BINS + bins, (grams >> np.uint64(16)) & _MASK32)
    rows = _densified(mins[signed])
    out = np.zeros((count, BINS), "<u2")
    out[signed] = rows & ((1 << HASH_BITS) - 1)
    return out.view(np.uint8)


def _densified(mins: np.ndarray) -> np.ndarray:
    """Each empty bin filled from the next filled bin to its right (circularly), `t`
    bins away, as its value plus `t` × `_OFFSET`: borrowed values rarely equal real
    ones. Every row has a filled bin."""
    filled = mins != _EMPTY
    if filled.all():
        return mins
    around = np.concatenate((filled, filled), axis=1)
    places = np.where(around, np.arange(2 * BINS), 2 * BINS)
    nearest = np.minimum.accumulate(places[:, ::-1], axis=1)[:, ::-1][:, :BINS]
    source = np.take_along_axis(np.concatenate((mins, mins), axis=1), nearest, axis=1)
    distance = (nearest - np.arange(BINS)).astype(np.uint64)
    return np.where(filled, mins, (source + distance * np.uint64(_OFFSET)) & _MASK32)


def signature(text: str) -> bytes:
    """The MinHash signature of `text` (`SIGNATURE_BYTES`), or b"" for a very short text.

    >>> len(signature("خفض صندوق النقد الدولي توقعاته لنمو اقتصادات منطقة الشرق الأوسط "
    ...     "وشمال أفريقيا خلال العام الجاري مرجعا ذلك إلى تراجع إنتاج النفط"))
    128
    >>> signature("خبر قصير")
    b''
    """
    words = shingle_words(text)
    return signature_bytes(signatures(word_hashes(words), np.zeros(len(words), np.int64), 1)[0])


def signature_bytes(row: np.ndarray) -> bytes:
    """A row of `signatures` as a signature, b"" for none."""
    return row.tobytes() if row.any() else b""


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    if not a or not b or len(a) != len(b):
        return 0.0
    va, vb = struct.unpack(_FORMAT, a), struct.unpack(_FORMAT, b)
    return sum(x == y for x, y in zip(va, vb, strict=True)) / BINS


def _band_keys(sig: bytes) -> list[int]:
    """One exact key per LSH band: its `BAND_ROWS` bins read as one 64-bit number, and
    the band's number (exact, so that grouping some articles again finds the same
    candidates as grouping all: `_regroup`)."""
    return [value * BANDS + band for band, value in enumerate(struct.unpack(_BANDS_FORMAT, sig))]


class _Grouping:
    """What `group` knows as it is offered articles in order: each member's leader, the
    first article of each URL key, the leaders' signatures and their LSH buckets (each
    a leader, or a list of leaders in the order offered)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.leader_of: dict[Any, Any] = {}
        self.key_owner: dict[Hashable, Any] = {}
        self.leader_sig: dict[Any, bytes] = {}
        self.buckets: dict[int, Any] = {}  # most hold one leader: no list for it

    def join_owner(self, doc_id: Any, key: Hashable | None) -> bool:
        """Join the group of the first article with the URL key, if there is one;
        else become that first article."""
        if not key:
            return False
        if key in self.key_owner:
            owner = self.key_owner[key]
            self.leader_of[doc_id] = self.leader_of.get(owner, owner)
            return True
        self.key_owner[key] = doc_id
        return False

    def best_leader(self, sig: bytes, keys: list[int], before: Any = None) -> Any:
        """The leader most like `sig` from `_MAX_BUCKET_PAIRS` at most of each bucket
        (those offered before `before`, if given), the last seen among equals; or None."""
        seen: set[Any] = set()
        best, best_score = None, self.threshold
        for key in keys:
            if (held := self.buckets.get(key)) is None:
                continue
            if not isinstance(held, list):
                held = [held]
            if before is not None:
                held = held[: bisect_left(held, before)]
            for candidate in held[:_MAX_BUCKET_PAIRS]:
                if candidate in seen:
                    continue
                seen.add(candidate)
                score = similarity(sig, self.leader_sig[candidate])
                if score >= best_score:
                    best, best_score = candidate, score
        return best

    def lead(self, doc_id: Any, sig: bytes, keys: list[int]) -> None:
        """Make `doc_id` a leader, in its buckets in the order of articles offered."""
        self.leader_sig[doc_id] = sig
        for key in keys:
            held = self.buckets.get(key)
            if held is None:
                self.buckets[key] = doc_id
                continue
            if not isinstance(held, list):
                held = self.buckets[key] = [held]
            if held[-1] > doc_id:
                insort(held, doc_id)
            else:
                held.append(doc_id)

    def offer(self, doc_id: Any, sig: bytes, key: Hashable | None) -> None:
        if self.join_owner(doc_id, key) or not sig:
            return
        keys = _band_keys(sig)
        leader = self.best_leader(sig, keys)
        if leader is None:
            self.lead(doc_id, sig, keys)
        else:
            self.leader_of[doc_id] = leader

    def result(self) -> dict[Any, Any]:
        """Each grouped article's leader (a leader maps to itself)."""
        leader_of = dict(self.leader_of)
        for leader in set(leader_of.values()):
            leader_of[leader] = leader
        return leader_of


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
    grouping = _Grouping(threshold)
    for doc_id, sig in signatures:
        grouping.offer(doc_id, sig, same.get(doc_id))
    return grouping.result()


def url_keys(urls: Iterable[str]) -> np.ndarray:
    """Each URL as grouping compares them (trimmed, without its final slash, in lower
    case) as a 64-bit number (BLAKE2b), 0 for none: two URLs share one at 2⁻⁶⁴ odds.
    Indexing keeps each article's (`docvalues`), so grouping reads no URL.

    >>> keys = url_keys(["https://a.example/x/", " HTTPS://A.example/x", "", "https://b"])
    >>> bool(keys[0] == keys[1] != keys[3]), int(keys[2])
    (True, 0)
    """
    keys = [url.strip().rstrip("/").lower() for url in urls]
    digests = b"".join(blake2b(key.encode("utf-8"), digest_size=8).digest() for key in keys)
    found = np.frombuffer(digests, "<i8").copy()
    named = np.fromiter(map(bool, keys), bool, len(keys))
    found[named & (found == 0)] = 1  # 0 is no URL
    found[~named] = 0
    return found


@dataclass
class Articles:
    """What grouping reads of the live articles, as columns in document order: an
    archive's hundreds of thousands of articles as a few arrays, not a tuple each."""

    ids: list[str]
    signatures: np.ndarray  # (articles, BANDS) uint64: each band's bins; zeros for none
    urls: np.ndarray  # `url_keys`
    days: np.ndarray  # day numbers, -1 for undated
    docnums: np.ndarray

    @classmethod
    def join(cls, parts: list[Articles]) -> Articles:
        def joined(arrays: list[np.ndarray], empty: np.ndarray) -> np.ndarray:
            return np.concatenate(arrays) if arrays else empty

        return cls(
            [i for part in parts for i in part.ids],
            joined([p.signatures for p in parts], np.zeros((0, BANDS), np.uint64)),
            joined([p.urls for p in parts], np.zeros(0, np.int64)),
            joined([p.days for p in parts], np.zeros(0, np.int64)),
            joined([p.docnums for p in parts], np.zeros(0, np.int64)),
        )


class _Order:
    """The articles in the order leaders are preferred: earliest day first, undated
    last, then by id (rows, here). Signatures stay in the articles' order, each band read
    through the order when asked: a copy would be 128 bytes an article."""

    def __init__(self, articles: Articles) -> None:
        days = np.where(articles.days >= 0, articles.days, np.iinfo(np.int64).max)
        # Ids ranked by Python's sort: a numpy array of them took twice as long to make
        # and sort (418,624 ids of up to 41 characters: 4 bytes each).
        ids = articles.ids
        by_id = np.empty(len(ids), np.int64)
        by_id[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
        order = np.lexsort((by_id, days))
        self.ids = [ids[i] for i in order.tolist()]
        self._order = order
        self._signatures = articles.signatures
        self.signed = articles.signatures.any(axis=1)[order]
        self.urls = articles.urls[order]
        self.docnums = articles.docnums[order]

    def band(self, band: int, rows: np.ndarray | None = None) -> np.ndarray:
        """One band of every row's signature (or of `rows`)."""
        at = self._order if rows is None else self._order[rows]
        return self._signatures[at, band]

    def signature(self, row: int) -> bytes:
        return self._signatures[self._order[row]].tobytes() if self.signed[row] else b""

    def url(self, row: int) -> int | None:
        return int(self.urls[row]) or None

    def leaders(self, leader_of: Mapping[int, int], known: np.ndarray | None = None) -> np.ndarray:
        """Each row's leader (-1: in no group), from `group`'s map (over `known` leaders)."""
        leaders = np.full(len(self.ids), -1, np.int64) if known is None else known
        leaders[np.fromiter(leader_of.keys(), np.int64)] = np.fromiter(leader_of.values(), np.int64)
        return leaders

    def groups(self, leaders: np.ndarray) -> tuple[list[list[str]], list[list[int]]]:
        """The groups as ids and as document numbers, each led by its earliest article,
        in the order of their leaders."""
        grouped = np.flatnonzero(leaders >= 0)
        rows = grouped[np.lexsort((grouped, leaders[grouped]))]
        starts = np.flatnonzero(np.diff(leaders[rows], prepend=-1)).tolist()
        ends = [*starts[1:], len(rows)] if starts else []
        ids, docnums = self.ids, self.docnums[rows].tolist()
        rows_list = rows.tolist()
        return (
            [[ids[row] for row in rows_list[a:b]] for a, b in zip(starts, ends, strict=True)],
            [docnums[a:b] for a, b in zip(starts, ends, strict=True)],
        )


def _repeated(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Which of the rows `among` marks hold a value another of them holds."""
    rows = np.flatnonzero(among)
    order = np.argsort(values[rows], kind="stable")
    ranked = values[rows][order]
    same = ranked[1:] == ranked[:-1]
    repeated = np.zeros(len(values), bool)
    repeated[rows[order[1:][same]]] = True
    repeated[rows[order[:-1][same]]] = True
    return repeated


def _group_all(order: _Order) -> np.ndarray:
    """Each row's leader (-1: none), as `group` finds them over every article. One that
    shares no band and no URL key with another can neither join nor lead anyone: only the
    others are offered (a few percent of a real archive)."""
    may_group = _repeated(order.urls, order.urls != 0)
    for band in range(BANDS):
        may_group |= _repeated(order.band(band), order.signed)
    grouping = _Grouping(THRESHOLD)
    for row in np.flatnonzero(may_group).tolist():
        grouping.offer(row, order.signature(row), order.url(row))
    return order.leaders(grouping.result())


def _regroup(order: _Order, first_new: int, recorded: list[list[int]]) -> np.ndarray | None:
    """What `_group_all` finds, from the groups `recorded` (document numbers) before the
    articles numbered `first_new` and after were added, offering only those: each is
    offered what grouping all would offer it, the articles sharing a band or a URL key
    with it. The recorded articles must have kept their numbers. None when an article
    added would change what a recorded article found: it leads, or is the URL key's
    first, before a recorded article sharing a band or the key with it."""
    is_new = order.docnums >= first_new
    new = np.flatnonzero(is_new)
    row_of = np.full(int(order.docnums.max(initial=-1)) + 1, -1, np.int64)
    row_of[order.docnums] = np.arange(len(order.docnums))
    grouped = np.fromiter(chain.from_iterable(recorded), np.int64)
    if len(grouped) and not 0 <= grouped.min() <= grouped.max() < len(row_of):
        return None
    rows = row_of[grouped]
    sizes = np.fromiter(map(len, recorded), np.int64, len(recorded))
    if (rows < 0).any() or is_new[rows].any():
        return None
    leaders = np.full(len(order.ids), -1, np.int64)
    leaders[rows] = np.repeat(rows[np.cumsum(sizes) - sizes], sizes)

    urls = order.urls[new]
    touched = members(order.urls, np.unique(urls[urls != 0])) & (order.urls != 0)
    signed = new[order.signed[new]]
    for band in range(BANDS):
        touched |= members(order.band(band), np.unique(order.band(band, signed))) & order.signed
    grouping = _Grouping(THRESHOLD)
    sharing: dict[int, list[int]] = defaultdict(list)  # band key → recorded articles
    for row in np.flatnonzero(touched & ~is_new).tolist():
        leader = int(leaders[row])
        if leader not in (-1, row):
            grouping.leader_of[row] = leader
        if (key := order.url(row)) and key not in grouping.key_owner:
            grouping.key_owner[key] = row
        if sig := order.signature(row):
            keys = _band_keys(sig)
            for band_key in keys:
                sharing[band_key].append(row)
            if leader in (-1, row):
                grouping.lead(row, sig, keys)
    for row in new.tolist():
        key, sig = order.url(row), order.signature(row)
        if key and grouping.key_owner.get(key, row) > row:
            return None
        if grouping.join_owner(row, key) or not sig:
            continue
        keys = _band_keys(sig)
        leader = grouping.best_leader(sig, keys, before=row)
        if leader is not None:
            grouping.leader_of[row] = leader
        elif any(other > row for band_key in keys for other in sharing.get(band_key, ())):
            return None
        else:
            grouping.lead(row, sig, keys)
    return order.leaders(grouping.result(), leaders)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while grouping makes and reads lists by the hundred
    thousand (the groups file of the ×10 archive holds 39,324 lists of 421,108 ids):
    each of its full passes walked every object alive, 0.2 s of a run adding 1% more
    articles. Grouping makes no cycles; reference counting frees what it lets go."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
def write_groups(
    ix: Any, index_dir: Path, articles: Articles, added: tuple[int, int] | None = None
) -> int:
    """Group the live `articles` of the index `ix` and replace `groups.json`; return the
    number of groups.

    `added` (a generation, a document number): the run only added articles to that
    generation, numbered from this one on, and the others kept their numbers. If its
    groups are recorded, only the articles added are offered (`_regroup`): grouping the
    ×10 archive again took 3 s of the 7 s adding 1% more articles.

    The file also records the grouped articles' document numbers, valid for the index
    generation it names: searching counts stories without looking ids up one by one,
    and a run that only adds articles finds the recorded ones by them.
    """
    order = _Order(articles)
    leaders = None
    if added is not None:
        generation, first_new = added
        recorded = read_docnums(index_dir, generation)
        if recorded is not None:
            leaders = _regroup(order, first_new, recorded)
    if leaders is None:
        leaders = _group_all(order)
    groups, docnums = order.groups(leaders)
    stops.reached("groups")
    write_json(
        Path(index_dir) / GROUPS_FILE,
        {
            "version": GROUPS_VERSION,
            "threshold": THRESHOLD,
            "generation": ix.latest_generation(),
            "groups": groups,
            "docnums": docnums,
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
