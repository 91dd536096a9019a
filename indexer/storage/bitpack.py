"""Non-negative integers bit-packed in blocks of `BLOCK`, each block as wide as its largest.

Postings are mostly small numbers once delta-encoded (gaps between a term's documents,
term frequencies less one, gaps between a posting's positions), with a few large ones:
one bit width for a whole array would be the widest value's. Each block of `BLOCK`
values takes the bits its largest value needs (none for a block of zeros). On the mixed
set, blocks of 32 took 12% less than blocks of 128 (a large gap widens fewer values),
for a width byte per 32 values.

An array is stored as two arrays:

- `widths`: each block's bit width, one byte per block (at most 32 bits: values below
  2³²);
- `bits`: the blocks one after another, each `BLOCK · width / 8` bytes (a whole number of
  bytes), values least significant bit first, then 8 zero bytes, so that reading any
  value reads 8 bytes inside the array.

Any value is read without the others: its block's byte offset (the widths summed, once
per opened array, kept for every eighth block and as a byte's offset from it for the
others) and its place in the block give its bits, so a query decodes only the
values it asks for, whichever blocks they are in.

>>> widths, bits = pack(np.array([3, 0, 5]))
>>> Packed(widths, bits, 3).take(np.array([2, 0])).tolist()
[5, 3]
"""

from __future__ import annotations

import numpy as np

BLOCK = 32
MAX_WIDTH = 32
_PADDING = 8
# Blocks whose start is kept; those between are placed from it (`Packed._block_starts`).
_SPAN = 8
# Blocks packed at a time: bounds the bit matrix (blocks × BLOCK × width bytes).
_PACK_CHUNK = 1024
# Values decoded at a time by `Packed.all`: bounds the temporary index arrays.
_DECODE_CHUNK = 1 << 20
_MASKS = (np.uint64(1) << np.arange(MAX_WIDTH + 1, dtype=np.uint64)) - np.uint64(1)
# Where a value's bits begin in its block, by block width and place in the block: the
# byte, and the bit in it (blocks begin on whole bytes).
_BIT_IN_BLOCK = np.outer(np.arange(MAX_WIDTH + 1), np.arange(BLOCK)).astype(np.int64)
_BYTE_IN_BLOCK = _BIT_IN_BLOCK >> 3
_SHIFT_IN_BLOCK = (_BIT_IN_BLOCK & 7).astype(np.uint64)


def bit_widths(maxima: np.ndarray) -> np.ndarray:
    """The bits each value needs (0 for 0).

    >>> bit_widths(np.array([0, 1, 2, 255, 256])).tolist()
    [0, 1, 2, 8, 9]
    """
    values = maxima.astype(np.uint64)
    widths = np.zeros(len(values), np.uint8)
    for bit in range(MAX_WIDTH + 1):
        widths += (values >> np.uint64(bit)) > 0
    return widths


def _block_byte_starts(widths: np.ndarray) -> np.ndarray:
    """Where each block begins in `bits`, then where the last ends."""
    sizes = widths.astype(np.int64) * (BLOCK // 8)
    return np.concatenate(([0], np.cumsum(sizes)))


def pack(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`values` (non-negative, below 2³²) as block widths and packed bits."""
    values = np.asarray(values)
    if len(values) and (values.min() < 0 or int(values.max()) >= 1 << MAX_WIDTH):
        raise ValueError(f"bit-packed values must lie in [0, 2**{MAX_WIDTH})")
    full = len(values) // BLOCK
    rows = values[: full * BLOCK].reshape(full, BLOCK)  # a view: no copy of a large array
    tail = np.zeros((1 if len(values) % BLOCK else 0, BLOCK), np.int64)
    tail[:, : len(values) % BLOCK] = values[full * BLOCK :]
    widths = bit_widths(np.concatenate([rows.max(axis=1), tail.max(axis=1)]))
    starts = _block_byte_starts(widths)
    bits = np.zeros(int(starts[-1]) + _PADDING, np.uint8)
    _pack_blocks(bits, rows, widths[:full], starts[:full])
    _pack_blocks(bits, tail, widths[full:], starts[full:-1])
    return widths, bits


def _pack_blocks(
    bits: np.ndarray, rows: np.ndarray, widths: np.ndarray, starts: np.ndarray
) -> None:
    """Write the blocks `rows` (of `widths`) into `bits` at their `starts`."""
    for width in np.unique(widths[widths > 0]).tolist():
        chosen = np.flatnonzero(widths == width)
        for at in range(0, len(chosen), _PACK_CHUNK):
            some = chosen[at : at + _PACK_CHUNK]
            place = starts[some, None] + np.arange(BLOCK * width // 8)
            bits[place] = _pack_rows(rows[some], width)


def _pack_rows(rows: np.ndarray, width: int) -> np.ndarray:
    """Blocks of the same width, each as its `BLOCK · width / 8` bytes: each place of the
    blocks shifted into 64-bit words at once (splitting a value into a byte per bit
    first, for `np.packbits`, moved `width` times more memory: 3-10 times slower)."""
    values = rows.astype(np.uint64)
    words = np.zeros((len(rows), -(-BLOCK * width // 64)), np.uint64)
    for place in range(BLOCK):
        word, shift = divmod(place * width, 64)
        words[:, word] |= values[:, place] << np.uint64(shift)
        if shift + width > 64:  # the value's high bits begin the next word
            words[:, word + 1] |= values[:, place] >> np.uint64(64 - shift)
    return words.astype("<u8", copy=False).view(np.uint8)[:, : BLOCK * width // 8]


class Packed:
    """A packed array of `count` values, read value by value (`take`) or whole (`all`)."""

    def __init__(self, widths: np.ndarray, bits: np.ndarray, count: int) -> None:
        if len(bits) < _PADDING or -(-count // BLOCK) != len(widths):
            raise ValueError("packed array's widths, bits and count disagree")
        self.widths = widths
        self.bits = bits
        self.count = count
        self._starts: np.ndarray | None = None
        self._offsets = np.zeros(0, np.uint8)
        # Every byte offset read as a little-endian 64-bit word: one gather reads a value.
        self._words = np.ndarray((len(bits) - _PADDING + 1,), "<u8", buffer=bits, strides=(1,))

    def __len__(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        return self.widths.nbytes + self.bits.nbytes

    def _block_starts(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each `_SPAN`-th block begins, and each block's offset from it in 4-byte
        units (one byte: the `_SPAN` - 1 blocks before it take at most 7 · 32 units), summed
        once, at the first read. An opened index keeps them for every packed array it
        reads: a block's start as 1.5 bytes, not 4 (48 MB → 18 MB on the ×10 archive)."""
        if self._starts is None:
            units = np.concatenate(([0], np.cumsum(self.widths, dtype=np.int64)))[:-1]
            spans = units[::_SPAN]
            offsets = (units - np.repeat(spans, _SPAN)[: len(units)]).astype(np.uint8)
            starts = spans * (BLOCK // 8)
            self._starts = starts.astype(np.uint32) if len(self.bits) < 1 << 32 else starts
            self._offsets = offsets
        return self._starts, self._offsets

    def _starts_of(self, blocks: np.ndarray | slice) -> np.ndarray:
        """Where the blocks `blocks` begin in `bits` (int64)."""
        starts, offsets = self._block_starts()
        if isinstance(blocks, slice):
            blocks = np.arange(blocks.start, blocks.stop)
        return starts[blocks // _SPAN].astype(np.int64) + offsets[blocks].astype(np.int64) * (
            BLOCK // 8
        )

    def take(self, indexes: np.ndarray) -> np.ndarray:
        """The values at `indexes` (each below `count`), as int64."""
        indexes = np.asarray(indexes, np.int64)
        blocks = indexes // BLOCK
        widths = self.widths[blocks]
        place = indexes % BLOCK
        at = self._starts_of(blocks) + _BYTE_IN_BLOCK[widths, place]
        return self._read(at, _SHIFT_IN_BLOCK[widths, place], _MASKS[widths])

    def slice(self, start: int, end: int) -> np.ndarray:
        """The values [start, end), as int64: per-block sums once, not per value."""
        if end <= start:
            return np.zeros(0, np.int64)
        first, last = start // BLOCK, (end - 1) // BLOCK + 1
        if last == first + 1:  # most terms' postings: one block, read without 2-d arrays
            width = int(self.widths[first])
            places = slice(start - first * BLOCK, end - first * BLOCK)
            starts, offsets = self._block_starts()
            begins = int(starts[first // _SPAN]) + int(offsets[first]) * (BLOCK // 8)
            at = begins + _BYTE_IN_BLOCK[width, places]
            return self._read(at, _SHIFT_IN_BLOCK[width, places], _MASKS[width])
        widths = self.widths[first:last]
        at = _BYTE_IN_BLOCK[widths]
        at += self._starts_of(slice(first, last))[:, None]
        values = self._read(at, _SHIFT_IN_BLOCK[widths], _MASKS[widths][:, None]).reshape(-1)
        return values[start - first * BLOCK : end - first * BLOCK]

    def _read(self, at: np.ndarray, shifts: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """The values whose bits begin `shifts` bits into the bytes `at`, `masks` wide."""
        # Signed offsets: numpy gathers with them several times faster than unsigned.
        values = self._words[at]
        values >>= shifts
        values &= masks
        return values.view(np.int64)

    def all(self, dtype: type = np.uint32) -> np.ndarray:
        """Every value, as `dtype`."""
        out = np.empty(self.count, dtype)
        for start in range(0, self.count, _DECODE_CHUNK):
            end = min(start + _DECODE_CHUNK, self.count)
            out[start:end] = self.slice(start, end)
        return out
