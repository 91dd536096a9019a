"""Bytes to text for Arabic archives, whatever tool wrote them.

- A byte-order mark wins; then strict UTF-8, which almost never decodes anything else.
- HTML may declare its charset; UTF-16 without a BOM (common from Windows tools) shows
  as a NUL-byte pattern; otherwise `charset-normalizer` chooses among the Arabic code pages.
- Text that is cp1256 shown as Latin-1 ("ÇáÍßæãÉ") is repaired to "الحكومة".
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Restricting the detector to these makes it right on short Arabic inputs too.
_CANDIDATES = ["cp1256", "iso8859_6", "utf_16_le", "utf_16_be"]
_FALLBACK = "cp1256"

_SAMPLE = 8192
# High bytes of UTF-16 code units in Arabic text: 00 (ASCII, spaces) and 06 (Arabic block).
_UTF16_HIGH_BYTES = (0x00, 0x06)
# C0 controls other than tab, newlines, form feed and escape: rare in any real text.
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x1B), 0x1C, 0x1D, 0x1E, 0x1F])
_MAX_CONTROL_SHARE = 0.1
_LATIN1_LETTER = re.compile("[\u00c0-\u00ff]")

_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")


class NotTextError(ValueError):
    """The bytes are no text in any encoding: an image, an archive, a database file."""


def decode(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """Decode `data` and name the encoding used; raise NotTextError for binary data.

    >>> decode("الحكومة".encode("cp1256"))
    ('الحكومة', 'cp1256')
    >>> decode("الحكومة".encode("utf-16-le"))
    ('الحكومة', 'utf-16-le')
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name.removesuffix("-sig"), errors="replace"), name
    if utf16 := _utf16_without_bom(data):
        return data.decode(utf16, errors="replace"), utf16
    if _looks_binary(data[:_SAMPLE]):
        raise NotTextError("binary file, not text")
    try:
        return repair_mojibake(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    name = (_declared_charset(data) if html else None) or _detect(data)
    return repair_mojibake(data.decode(name, errors="replace")), name


@dataclass(frozen=True)
class Choice:
    """The encoding chosen for a file from its first bytes, for decoding it piece by piece.

    `name` is what is recorded; `codec` decodes; `utf8_first` (no BOM, ASCII-compatible
    codec) means each line is tried as strict UTF-8 before `codec`, and `repair` that
    mojibake is repaired, as `decode` does for a whole file.
    """

    name: str
    codec: str
    utf8_first: bool = False
    repair: bool = False

    @property
    def ascii_compatible(self) -> bool:
        return not self.codec.startswith("utf-16")


def choose(head: bytes, *, complete: bool, html: bool = False) -> Choice:
    """Choose a file's encoding from its first bytes, by the same steps as `decode`.

    `complete` says whether `head` is the whole file (else a character may be cut at
    its end). Raises NotTextError for binary data.

    >>> choose("الحكومة".encode("cp1256"), complete=True)
    Choice(name='cp1256', codec='cp1256', utf8_first=True, repair=True)
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return Choice(name, name.removesuffix("-sig"))
    if utf16 := _utf16_without_bom(head):
        return Choice(utf16, utf16)
    if _looks_binary(head[:_SAMPLE]):
        raise NotTextError("binary file, not text")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        pass
    else:
        return Choice("utf-8", "utf-8", utf8_first=True, repair=True)
    name = (_declared_charset(head) if html else None) or _detect(head)
    if name.startswith("utf-16"):
        return Choice(name, name)
    return Choice(name, name, utf8_first=True, repair=True)


def repair_mojibake(text: str) -> str:
    """Undo cp1256 bytes that were shown as Latin-1 and saved again.

    Kept only when the text had no Arabic letter and most letters of the result are
    Arabic, so a French or Spanish text is left as it is. Such mojibake always shows
    Latin-1 letters (Ç á Í…): a stray C1 control character alone is no evidence.

    >>> repair_mojibake("ÇáÍßæãÉ ÇáÌÏíÏÉ")
    'الحكومة الجديدة'
    >>> repair_mojibake("Café à Paris"), repair_mojibake("\x8d")
    ('Café à Paris', '\x8d')
    """
    # An Arabic letter first: found within a few characters of an Arabic text, where
    # looking for a Latin-1 letter first read all of it (every line of every file).
    if _ARABIC_LETTER.search(text) or not _LATIN1_LETTER.search(text):
        return text
    for shown_as in ("latin-1", "cp1252"):
        try:
            repaired = text.encode(shown_as).decode("cp1256")
        except UnicodeError:
            continue
        letters = sum(char.isalpha() for char in repaired)
        if 2 * len(_ARABIC_LETTER.findall(repaired)) > letters:
            return repaired
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """Spot BOM-less UTF-16 by where its high bytes sit: 00/06 at every other position."""
    sample = data[: _SAMPLE & ~1]
    if len(sample) < 2:
        return None
    for name, high, low in (
        ("utf-16-le", sample[1::2], sample[0::2]),
        ("utf-16-be", sample[0::2], sample[1::2]),
    ):
        arabic_or_ascii = sum(map(high.count, _UTF16_HIGH_BYTES)) >= 0.9 * len(high)
        if arabic_or_ascii and low.count(0) <= 0.1 * len(low):
            try:
                data[: len(data) & ~1].decode(name)
            except UnicodeDecodeError:
                continue
            return name
    return None


def _looks_binary(sample: bytes) -> bool:
    if b"\0" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > _MAX_CONTROL_SHARE * len(sample)


def _declared_charset(data: bytes) -> str | None:
    """The `<meta charset>` or http-equiv charset, when Python knows that codec."""
    match = _META_CHARSET.search(data[:_SAMPLE])
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    # A UTF-8 declaration is wrong here: strict UTF-8 decoding has already failed.
    return None if name == "utf-8" else name


def detect_codepage(data: bytes) -> str:
    """The Arabic single-byte code page `data` is most likely in (cp1256 when unsure).

    >>> detect_codepage("الحكومة الجديدة".encode("iso8859_6"))
    'iso8859-6'
    """
    name = _detect(data)
    return _FALLBACK if name.startswith("utf-16") else name


def _detect(data: bytes) -> str:
    best = charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATES).best()
    return codecs.lookup(best.encoding).name if best else _FALLBACK
