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
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from indexer.analysis import chars as c

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

