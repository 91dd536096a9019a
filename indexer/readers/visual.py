"""Arabic text taken from PDFs, put back into reading order.

PDF text layers hold glyphs, often in visual order (left to right as drawn, so Arabic
words come out reversed) and as presentation forms (ﻻ, ﺍﻟ). A line is judged by how
Arabic its words look each way round: known function words (في, من, على), the article
"ال" at a word's start, ة and ى at its end. Read the other way round and those cues turn
up at the wrong end, so a line scoring higher reversed is reversed; digits and Latin
words inside it keep their left-to-right order. A line that scores the same both ways
follows the majority of the document's lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from arshif.indexer.analysis.normalize import normalize
from arshif.indexer.analysis.stopwords import stopwords

# Arabic presentation forms A and B: NFKC maps them to the letters they draw.
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]+")
_ARABIC_WORD = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufefc]+")
# Runs that stay left to right when a line is reversed: numbers and Latin words.
_LTR_RUN = re.compile(
    r"[A-Za-z0-9\u0660-\u0669\u06f0-\u06f9]+(?:[.,:/%-][A-Za-z0-9\u0660-\u0669]+)*"
)
_MIRRORED = str.maketrans("()[]{}<>«»", ")(][}{><»«")
# A vowel or shadda the text layer set apart from its letter, after a space: which letter
# it sat on is lost, so it is dropped with the space ("عما ّن" -> "عمان").
_STRAY_MARKS = re.compile("\\s+[\u064b-\u065f\u0670]+(?=\\S)")


def logical_lines(lines: Sequence[str]) -> list[str]:
    """The lines in reading order, presentation forms replaced by letters.

    >>> logical_lines(["ةرهاقلا يف باتكلا ضرعم"])
    ['معرض الكتاب في القاهرة']
    """
    judged = [(_score(line), _score(_reverse(line))) for line in lines]
    majority_reversed = sum(rev for _, rev in judged) > sum(fwd for fwd, _ in judged)
    out = []
    for line, (forward, backward) in zip(lines, judged, strict=True):
        reverse = backward > forward or (backward == forward and majority_reversed)
        out.append(_STRAY_MARKS.sub("", letters(_reverse(line) if reverse else line)))
    return out


def letters(text: str) -> str:
    """Presentation forms (ﻻ, ﺍﻟ) replaced by the letters they stand for."""
    return _PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def _score(line: str) -> int:
    """How much `line` reads as Arabic in logical order: one point per cue met."""
    known = stopwords()
    score = 0
    for word in _ARABIC_WORD.findall(letters(line)):
        normalized = normalize(word)
        score += normalized in known
        score += len(word) > 3 and word.startswith("ال")
        score += len(word) > 2 and word.endswith(("ة", "ى"))
    return score


def _reverse(line: str) -> str:
    """`line` read from its other end, numbers and Latin words kept left to right."""
    flipped = line[::-1].translate(_MIRRORED)
    return _LTR_RUN.sub(lambda m: m.group()[::-1], flipped)
