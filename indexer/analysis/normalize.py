"""Orthographic normalization: the spellings of one Arabic word meet in one form.

Rules, applied in this order to a single word:

- NFKC: presentation forms and ligatures become plain letters (ﻷ → لأ, ﺍﻟﻌﺮﺑﻴﺔ → العربية);
- delete harakat, shadda, sukun, tanween, superscript alef, Quranic marks, tatweel,
  ZWNJ/ZWJ, zero-width spaces, bidi marks, soft hyphen and BOM (مُحَمَّدٌ → محمد);
- alef forms آ أ إ ٱ → ا (أحمد → احمد);
- alef maksura ى → ي (مصطفى → مصطفي);
- teh marbuta ة → ه (مدرسة → مدرسه);
- hamza on waw or yeh → bare hamza ء, so the Egyptian مسئول and the Levantine مسؤول
  meet as مسءول (mapping ؤ → و and ئ → ي instead would keep them apart);
- Persian letters ی → ي, ک → ك, ھ ۀ ہ → ه;
- Arabic-Indic and Persian digits → ASCII, the Arabic decimal separator ٫ → . (٣٫٥ → 3.5);
- Latin lowercased.

`normalize_chars` does the same to a whole text at once, character by character, where
that gives every word its own normalized form (snippets search texts for terms with it).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import numpy as np

from arshif.indexer.analysis import chars as c
from arshif.indexer.analysis.chartable import KNOWN_RANGES, TABLE_SIZE, code_points

_DELETED = re.compile(f"[{c.ARABIC_MARKS}{c.INVISIBLE}]")

_MAPPED = str.maketrans(
    {
        c.ALEF_MADDA: c.ALEF,
        c.ALEF_HAMZA_ABOVE: c.ALEF,
        c.ALEF_HAMZA_BELOW: c.ALEF,
        c.ALEF_WASLA: c.ALEF,
        c.ALEF_MAKSURA: c.YEH,
        c.TEH_MARBUTA: c.HEH,
        c.WAW_HAMZA: c.HAMZA,
        c.YEH_HAMZA: c.HAMZA,
        c.FARSI_YEH: c.YEH,
        c.KEHEH: c.KAF,
        c.HEH_DOACHASHMEE: c.HEH,
        c.HEH_WITH_YEH_ABOVE: c.HEH,
        c.HEH_GOAL: c.HEH,
        c.ARABIC_DECIMAL_SEPARATOR: ".",
        c.ARABIC_THOUSANDS_SEPARATOR: ",",
        **{d: str(i) for i, d in enumerate(c.ARABIC_INDIC_DIGITS)},
        **{d: str(i) for i, d in enumerate(c.PERSIAN_DIGITS)},
    }
)


@lru_cache(maxsize=500_000)
def normalize(word: str) -> str:
    """Return the normalized form of one word.

    >>> normalize("الدَّوْلِيّ"), normalize("مسئول") == normalize("مسؤول"), normalize("٢٠١١")
    ('الدولي', True, '2011')
    """
    if not word.isascii():
        # NFKC before deleting: it can decompose a presentation form into letter + mark.
        word = unicodedata.normalize("NFKC", word)
        word = _DELETED.sub("", word).translate(_MAPPED)
    return word.lower()


# How `_char_forms` marks a character whose normalized form is no single character of
# its own (several, or one that depends on its neighbours), and one `normalize` deletes.
COMPLEX = -1
DELETED = -2


@cache
def _char_forms() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per code point: its normalized form where `normalize` maps it to one character or
    none (that character's code point, DELETED, or COMPLEX: several characters, a
    capital sigma whose case depends on the next letter, a code point not known);
    whether it decomposes (canonically or for compatibility); whether it combines."""
    forms = np.full(TABLE_SIZE, COMPLEX, np.int32)
    decomposes = np.zeros(TABLE_SIZE, bool)
    combines = np.zeros(TABLE_SIZE, bool)
    for codes in KNOWN_RANGES:
        text = "".join(map(chr, codes))
        forms[codes.start : codes.stop] = codes
        decomposes[codes.start : codes.stop] = [bool(unicodedata.decomposition(ch)) for ch in text]
        combines[codes.start : codes.stop] = [unicodedata.combining(ch) != 0 for ch in text]
        special = {m.start() for m in _DELETED.finditer(text)}
        special |= {i for i, ch in enumerate(text) if ch != ch.lower()}
        special |= {code - codes.start for code in _MAPPED if code in codes}
        special |= set(np.flatnonzero(decomposes[codes.start : codes.stop]).tolist())
        for i in special:
            form = normalize.__wrapped__(text[i])  # not through the word cache
            one = ord(form) if len(form) == 1 else COMPLEX
            forms[codes.start + i] = one if form else DELETED
    forms[ord("Σ")] = COMPLEX
    return forms, decomposes, combines


def normalize_chars(text: str) -> tuple[str, np.ndarray] | None:
    """`text` normalized character by character, and where each of its characters was
    in `text`: the normalized form of each of its words stands in it, so a word's
    search terms can be looked for in a whole text at once.

    None where a word's form may depend on its neighbouring characters: a text not in
    NFC, a character that decomposes followed by one that combines (their marks can
    merge or reorder), or a character `_char_forms` calls COMPLEX.

    >>> normalize_chars("قالَ أحمد\u00a0مسئول")[0]
    'قال احمد مسءول'
    """
    codes = code_points(text)
    if codes is None:
        return None
    all_forms, decomposes, combines = _char_forms()
    forms = all_forms[codes]
    if (forms == COMPLEX).any() or not unicodedata.is_normalized("NFC", text):
        return None
    if np.any(decomposes[codes[:-1]] & combines[codes[1:]]):
        return None
    kept = np.flatnonzero(forms != DELETED)
    return forms[kept].astype(np.uint32).tobytes().decode("utf-32-le"), kept
