"""Each article's shown texts, kept once, headline and body compressed in blocks.

A search hit, `show`, `similar`, snippets and the re-analysis of merged segments read an
article's id, headline, body, URL and path from here; Whoosh keeps only ids, paths,
dates and outlets. Short news compress poorly one by one, so consecutive articles'
headlines, bodies and paths are compressed together (zstandard) in blocks of about
`BLOCK_BYTES`: reading one article decompresses its block only, and joining files copies
the blocks as they are. Ids and URLs stay uncompressed: ranking reads them for every
article it considers (evaluation's top 100, the copies of one story dropped from a page),
and a `url:` query every URL (Whoosh does not index them: `search.unindexed`); the other
texts are read only for the page's hits.

In a postings file (`indexer.storage.postings`):

- `texts.lengths`: each article's `BLOCK_FIELDS` lengths in UTF-8 bytes, article after
  article (one dimension: an empty segment's array has no shape to lose);
- `texts.firsts`: each block's first article, then the article count;
- `texts.frames`: the blocks, zstandard frames one after another; `texts.frame_starts`:
  where each begins, then the end. A block is its articles' fields, article by article;
- `<field>.utf8`, `<field>.starts` for each of `RAW_FIELDS`: the texts one after
  another, and where each begins (and the end of the last).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from itertools import pairwise
from pathlib import Path

import numpy as np
import zstandard

from arshif.indexer.storage.arrayfile import read_arrays

RAW_FIELDS = ("id", "url")
BLOCK_FIELDS = ("title", "body", "path")
HIT_FIELDS = ("id", "title", "body", "url", "path")
# A block closes once its texts reach this many bytes (about four news articles): on
# news_ant, 16 KB blocks compress to a third, 32 KB ones 5% better but open twice slower.
BLOCK_BYTES = 16 * 1024
# Level 3 compresses news_ant's blocks at 279 MB/s where level 6 took 98 (a twentieth
# of indexing's time), into 5% more: on the mixed set 34.2 MB against 32.5 (level 19:
# 30.4, at 75 times the compressing time). Blocks decompress as fast.
LEVEL = 3
# Blocks a reader keeps decompressed: a page of hits often shares blocks.
CACHED_BLOCKS = 16


def _utf8(value: object) -> bytes:
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else b""


def _starts(lengths: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))


class TextsCollector:
    """One segment's texts, in document order, compressed block by block."""

    def __init__(self) -> None:
        self._compressor = zstandard.ZstdCompressor(level=LEVEL)
        self._raw: dict[str, list[bytes]] = {name: [] for name in RAW_FIELDS}
        self._lengths: list[list[int]] = []
        self._frames: list[bytes] = []
        self._firsts: list[int] = []
        self._block: list[bytes] = []
        self._block_bytes = 0

    @property
    def count(self) -> int:
        return len(self._lengths)

    def add(self, fields: Mapping[str, object]) -> None:
        for name, values in self._raw.items():
            values.append(_utf8(fields.get(name)))
        texts = [_utf8(fields.get(name)) for name in BLOCK_FIELDS]
        if not self._block:
            self._firsts.append(self.count)
        self._lengths.append([len(t) for t in texts])
        self._block.extend(texts)
        self._block_bytes += sum(self._lengths[-1])
        if self._block_bytes >= BLOCK_BYTES:
            self._close_block()

    def _close_block(self) -> None:
        if self._block:
            self._frames.append(self._compressor.compress(b"".join(self._block)))
            self._block, self._block_bytes = [], 0

    def arrays(self) -> dict[str, np.ndarray]:
        self._close_block()
        frame_lengths = np.fromiter(map(len, self._frames), np.int64, len(self._frames))
        arrays = {
            "texts.lengths": np.array(self._lengths, np.uint32).reshape(-1),
            "texts.firsts": np.array([*self._firsts, self.count], np.int64),
            "texts.frames": np.frombuffer(b"".join(self._frames), np.uint8),
            "texts.frame_starts": _starts(frame_lengths),
        }
        for name, values in self._raw.items():
            arrays[f"{name}.utf8"] = np.frombuffer(b"".join(values), np.uint8)
            arrays[f"{name}.starts"] = _starts(np.fromiter(map(len, values), np.int64))
        return arrays


class Texts:
    """One postings file's texts (see the module docstring), decompressed on demand."""

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.lengths = arrays["texts.lengths"]
        self.firsts = arrays["texts.firsts"]
        self.frames = arrays["texts.frames"]
        self.frame_starts = arrays["texts.frame_starts"]
        self.raw = {name: (arrays[f"{name}.utf8"], arrays[f"{name}.starts"]) for name in RAW_FIELDS}
        self._decompressor = zstandard.ZstdDecompressor()
        self._blocks: OrderedDict[int, tuple[bytes, list[int]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self.lengths) // len(BLOCK_FIELDS)

    def id(self, docnum: int) -> str:
        return self.text("id", docnum)

    def fields(self, docnum: int) -> dict[str, str]:
        """The article's `HIT_FIELDS`, "" for none."""
        return {name: self.text(name, docnum) for name in HIT_FIELDS}

    def raw_texts(self, name: str, first: int, end: int) -> list[str]:
        """One of `RAW_FIELDS` of the articles [first, end), "" for none."""
        utf8, starts = self.raw[name]
        bounds = (starts[first : end + 1] - starts[first]).tolist()
        data = utf8[starts[first] : starts[end]].tobytes()
        return [data[a:b].decode("utf-8", "surrogatepass") for a, b in pairwise(bounds)]

    def find_raw(self, name: str, value: str, first: int, end: int) -> list[int]:
        """The articles of [first, end) whose `RAW_FIELDS` text is exactly `value`: its
        bytes searched for in the field's (in C), each place kept if an article's text
        begins and ends there."""
        utf8, starts = self.raw[name]
        wanted = _utf8(value)
        if not wanted:
            return []
        base = int(starts[first])
        data = utf8[base : starts[end]].tobytes()
        found = []
        at = data.find(wanted)
        while at >= 0:
            # The last article beginning there: those before it, if any, are empty.
            docnum = int(np.searchsorted(starts, base + at, side="right")) - 1
            if starts[docnum] == base + at and starts[docnum + 1] == base + at + len(wanted):
                found.append(docnum)
            at = data.find(wanted, at + 1)
        return found

    def text(self, name: str, docnum: int) -> str:
        if name in self.raw:
            utf8, starts = self.raw[name]
            start, end = starts[docnum : docnum + 2].tolist()
            return utf8[start:end].tobytes().decode("utf-8", "surrogatepass")
        block = int(np.searchsorted(self.firsts, docnum, side="right")) - 1
        data, starts = self._block(block)
        at = (docnum - int(self.firsts[block])) * len(BLOCK_FIELDS) + BLOCK_FIELDS.index(name)
        return data[starts[at] : starts[at + 1]].decode("utf-8", "surrogatepass")

    def _block(self, block: int) -> tuple[bytes, list[int]]:
        """A block's texts and where each field of each of its articles begins."""
        cached = self._blocks.get(block)
        if cached is not None:
            self._blocks.move_to_end(block)
            return cached
        start, end = self.frame_starts[block : block + 2].tolist()
        data = self._decompressor.decompress(self.frames[start:end].tobytes())
        first, last = self.firsts[block : block + 2].tolist()
        width = len(BLOCK_FIELDS)
        starts = _starts(self.lengths[first * width : last * width]).tolist()
        cached = self._blocks[block] = (data, starts)
        if len(self._blocks) > CACHED_BLOCKS:
            self._blocks.popitem(last=False)
        return cached


def joined_texts(parts: list[tuple[Path, int, int]]) -> Iterator[tuple[str, np.ndarray]]:
    """The texts arrays of the articles [first, end) of each file, one after another: the
    blocks are copied, not recompressed. A range starts and ends on block bounds (a
    segment's articles always do: its blocks are its own)."""
    width = len(BLOCK_FIELDS)
    lengths, firsts, frames, frame_starts = [], [], [], []
    docs = frame_bytes = 0
    for path, first, end in parts:
        arrays = read_arrays(path)
        own_firsts, own_starts = arrays["texts.firsts"], arrays["texts.frame_starts"]
        lo, hi = np.searchsorted(own_firsts, [first, end]).tolist()
        f0, f1 = int(own_starts[lo]), int(own_starts[hi])
        lengths.append(arrays["texts.lengths"][first * width : end * width])
        firsts.append(own_firsts[lo:hi] - first + docs)
        frames.append(arrays["texts.frames"][f0:f1])
        frame_starts.append(own_starts[lo:hi] - f0 + frame_bytes)
        docs, frame_bytes = docs + end - first, frame_bytes + f1 - f0
    yield "texts.lengths", np.concatenate([np.zeros(0, np.uint32), *lengths])
    yield "texts.firsts", np.concatenate([*firsts, [docs]]).astype(np.int64)
    yield "texts.frames", np.concatenate([np.zeros(0, np.uint8), *frames])
    yield "texts.frame_starts", np.concatenate([*frame_starts, [frame_bytes]]).astype(np.int64)
    for name in RAW_FIELDS:
        utf8, starts, at = [], [], 0
        for path, first, end in parts:
            arrays = read_arrays(path)
            own = arrays[f"{name}.starts"]
            s0, s1 = int(own[first]), int(own[end])
            utf8.append(arrays[f"{name}.utf8"][s0:s1])
            starts.append(own[first:end] - s0 + at)
            at += s1 - s0
        yield f"{name}.utf8", np.concatenate([np.zeros(0, np.uint8), *utf8])
        yield f"{name}.starts", np.concatenate([*starts, [at]]).astype(np.int64)
