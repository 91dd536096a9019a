"""Named Arabic characters and character classes the analysis rules are written in.

Letters come from pyarabic's constants; the classes below are the Unicode ranges that
the rules delete or keep inside a word.
"""

from __future__ import annotations

from pyarabic import araby

ALEF = araby.ALEF
ALEF_MADDA = araby.ALEF_MADDA
ALEF_HAMZA_ABOVE = araby.ALEF_HAMZA_ABOVE
ALEF_HAMZA_BELOW = araby.ALEF_HAMZA_BELOW
ALEF_WASLA = araby.ALEF_WASLA
ALEF_MAKSURA = araby.ALEF_MAKSURA
YEH = araby.YEH
TEH_MARBUTA = araby.TEH_MARBUTA
HEH = araby.HEH
HAMZA = araby.HAMZA
WAW_HAMZA = araby.WAW_HAMZA
YEH_HAMZA = araby.YEH_HAMZA
WAW = araby.WAW
FEH = araby.FEH
LAM = araby.LAM
BEH = araby.BEH
KAF = araby.KAF
TATWEEL = araby.TATWEEL

FARSI_YEH = "\u06cc"  # ی
KEHEH = "\u06a9"  # ک
HEH_DOACHASHMEE = "\u06be"  # ھ
HEH_WITH_YEH_ABOVE = "\u06c0"  # ۀ
HEH_GOAL = "\u06c1"  # ہ

ARABIC_DECIMAL_SEPARATOR = "\u066b"  # ٫
ARABIC_THOUSANDS_SEPARATOR = "\u066c"  # ٬

ZWNJ = "\u200c"
ZWJ = "\u200d"

# Combining marks written on Arabic letters: harakat, shadda, sukun, tanween (U+064B–U+065F),
# Quranic annotation signs (U+0610–U+061A, U+06D6–U+06ED) and the superscript alef (U+0670).
ARABIC_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"

# Invisible format characters that live inside words in real text: tatweel, zero-width
# (non-)joiners and spaces, bidi marks and embeddings, the Arabic letter mark, soft hyphen, BOM.
INVISIBLE = "\u0640\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"

# Arabic-Indic (٠–٩) and extended/Persian (۰–۹) digits, mapped to ASCII.
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
