"""Names typed in Latin letters, found as the archive spells them in Arabic: Trump → ترامب.

Wire copy prints a foreign name in Arabic letters, and a reader types it in Latin ones.
No list of names is kept: a Latin word becomes a pattern of the Arabic spellings it may
have (`pattern`), read letter group by letter group with the rules of `RULES` (each with
an id), and the archive's own words that fit the pattern are its spellings:

- consonants map to the Arabic letters that write them (g → ج/غ, p → ب, v → ف, th →
  ث/ت/ذ, sh/ch → ش), a doubled consonant to one letter;
- vowels inside the word are written as a long vowel letter or not at all (o/u → و,
  e/i → ي, a → ا), a first vowel as ا (or ع) and a last one as its letter (a → ا/ه);
- a spelling is one of the archive's words that fits the pattern whole, is frequent and
  bare by the tests of `search.variants` and mostly written without the article, and is
  at least a tenth as frequent as the commonest spelling found.

The Latin word is then searched as itself or its Arabic spellings, when the archive
prints it in Arabic more often than in Latin; an Arabic name likewise finds the Latin
words of the archive whose pattern it fits and that the articles capitalize, as names
are (ترامب → trump, where the archive has it; شارك is no church).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from arshif.search.scoring import ArrayIndex
from arshif.search.variants import VariantFinder

MIN_LATIN = 4
# Articles a Latin word must be in to be taken for an Arabic name's spelling: wire copy
# prints few names in Latin letters, so twice is enough.
MIN_LATIN_ARTICLES = 2
# Letters of an Arabic name that pick the Latin words to compare it with.
LATIN_KEY = 2
# A Latin word is a name when at least this share of its uses, in the first
# CAPITAL_SAMPLE articles holding it, start with a capital.
CAPITAL_SHARE = 0.9
CAPITAL_SAMPLE = 5
# Letters an Arabic spelling needs besides its long vowels (ميسي: م س).
MIN_SKELETON = 2
# Share of its articles in which an Arabic spelling of a Latin word may take the article:
# the pattern already pins the word down, and البريكست، الآرسنال are written.
ARTICLE_RATIO = 0.7
MAX_LATIN = 20
# A further spelling must be in at least 1/RIVAL_SHARE as many articles as the commonest.
RIVAL_SHARE = 10
# Words read from the lexicon per prefix, at most.
MAX_SCAN = 5_000
_LATIN = re.compile(r"[a-z]+")
VOWELS = "aeiouy"
EXACT_FIELD = "exact"


@dataclass(frozen=True)
class Rule:
    id: str
    latin: str
    arabic: tuple[str, ...]  # "" where the letters may be left unwritten


# Longest letter groups first; a rule applies inside a word. Consonants:
CONSONANTS = (
    Rule("sch", "sch", ("ش",)),
    Rule("sh", "sh", ("ش",)),
    Rule("ch", "ch", ("ش", "تش", "ك")),
    Rule("th", "th", ("ث", "ت", "ذ")),
    Rule("kh", "kh", ("خ",)),
    Rule("gh", "gh", ("غ", "ج")),
    Rule("ph", "ph", ("ف",)),
    Rule("dh", "dh", ("ذ", "ض", "د")),
    Rule("ck", "ck", ("ك",)),
    Rule("qu", "qu", ("ك", "كو", "ق")),
    Rule("b", "b", ("ب",)),
    Rule("c", "c", ("ك", "س", "ق", "تش")),
    Rule("d", "d", ("د", "ض")),
    Rule("f", "f", ("ف",)),
    Rule("g", "g", ("ج", "غ", "ق")),
    Rule("h", "h", ("ه", "ح", "")),
    Rule("j", "j", ("ج", "ي")),
    Rule("k", "k", ("ك", "ق")),
    Rule("l", "l", ("ل",)),
    Rule("m", "m", ("م",)),
    Rule("n", "n", ("ن",)),
    Rule("p", "p", ("ب",)),
    Rule("q", "q", ("ق", "ك")),
    Rule("r", "r", ("ر",)),
    Rule("s", "s", ("س", "ص", "ز")),
    Rule("t", "t", ("ت", "ط")),
    Rule("v", "v", ("ف",)),
    Rule("w", "w", ("و",)),
    Rule("x", "x", ("كس",)),
    Rule("z", "z", ("ز",)),
)
# Vowels inside a word: a long vowel letter, or nothing.
INNER_VOWELS = (
    Rule("ou", "ou", ("و",)),
    Rule("oo", "oo", ("و",)),
    Rule("ee", "ee", ("ي",)),
    Rule("ea", "ea", ("ي", "يا")),
    Rule("ie", "ie", ("ي", "يي")),
    Rule("ai", "ai", ("اي", "ي", "ا")),
    Rule("ay", "ay", ("اي", "ي")),
    Rule("ei", "ei", ("اي", "ي")),
    Rule("ey", "ey", ("اي", "ي")),
    Rule("au", "au", ("او", "و")),
    Rule("ia", "ia", ("يا", "ي")),
    Rule("io", "io", ("يو",)),
    Rule("a", "a", ("ا", "ي", "")),
    Rule("e", "e", ("ي", "ا", "")),
    Rule("i", "i", ("ي", "")),
    Rule("o", "o", ("و", "")),
    Rule("u", "u", ("و", "ا", "")),
    Rule("y", "y", ("ي",)),
)
# A word's first vowel: an alef (or ain) carrying it.
FIRST_VOWELS = (
    Rule("first-a", "a", ("ا", "ع")),
    Rule("first-e", "e", ("ا", "اي")),
    Rule("first-i", "i", ("ا", "اي")),
    Rule("first-o", "o", ("او", "ا", "عو")),
    Rule("first-u", "u", ("او", "ا")),
)
# A word's last vowel: written.
LAST_VOWELS = (
    Rule("last-eau", "eau", ("و",)),
    Rule("last-ea", "ea", ("ي", "يا")),
    Rule("last-ey", "ey", ("ي",)),
    Rule("last-ei", "ei", ("ي", "ءي", "اي")),
    Rule("last-a", "a", ("ا", "ه")),
    Rule("last-e", "e", ("ي", "")),
    Rule("last-i", "i", ("ي",)),
    Rule("last-y", "y", ("ي",)),
    Rule("last-o", "o", ("و",)),
    Rule("last-u", "u", ("و",)),
)
RULES = CONSONANTS + INNER_VOWELS + FIRST_VOWELS + LAST_VOWELS


def _match(rules: tuple[Rule, ...], word: str, at: int) -> Rule | None:
    for rule in sorted(rules, key=lambda r: -len(r.latin)):
        if word.startswith(rule.latin, at):
            return rule
    return None


def slots(latin: str) -> list[Rule]:
    """The rules that read a lowercase Latin word, letter group by letter group; a
    doubled consonant is read once.

    >>> [r.id for r in slots("trump")]
    ['t', 'r', 'u', 'm', 'p']
    >>> [r.id for r in slots("obama")], [r.id for r in slots("messi")]
    (['first-o', 'b', 'a', 'm', 'last-a'], ['m', 'e', 's', 'last-i'])
    """
    found: list[Rule] = []
    at = 0
    while at < len(latin):
        if at and latin[at] == latin[at - 1] and latin[at] not in VOWELS:
            at += 1  # messi: one س
            continue
        rule = None
        if at == 0:
            rule = _match(FIRST_VOWELS, latin, at)
        if rule is None and latin[at] in VOWELS:
            last = _match(LAST_VOWELS, latin, at)
            ends = last is not None and at + len(last.latin) == len(latin)
            rule = last if ends else _match(INNER_VOWELS, latin, at)
        if rule is None:
            rule = _match(CONSONANTS, latin, at)
        if rule is None:
            return []
        found.append(rule)
        at += len(rule.latin)
    return found


@cache
def pattern(latin: str) -> re.Pattern[str] | None:
    """The Arabic spellings (normalized) a Latin word may have, as a regular expression;
    None for a word the rules cannot read.

    >>> p = pattern("trump")
    >>> [bool(p.fullmatch(w)) for w in ("ترامب", "ترمب", "تراب")]
    [True, True, False]
    >>> [bool(pattern("macron").fullmatch(w)) for w in ("ماكرون", "مكرون", "ماكينه")]
    [True, True, False]
    """
    rules = slots(latin)
    if not rules:
        return None
    parts = []
    for rule in rules:
        options = sorted({re.escape(a) for a in rule.arabic}, key=lambda a: (-len(a), a))
        parts.append(f"(?:{'|'.join(options)})")
    return re.compile("".join(parts))


def prefixes(latin: str, length: int = 3) -> set[str]:
    """Every start of `length` letters an Arabic spelling of `latin` can have, for
    reading the lexicon around them only.

    >>> sorted(prefixes("trump"))[:4]
    ['ترا', 'ترم', 'ترو', 'طرا']
    """
    starts = {""}
    done: set[str] = set()
    for rule in slots(latin):
        grown = {s + a for s in starts for a in rule.arabic}
        done |= {s[:length] for s in grown if len(s) >= length}
        starts = {s for s in grown if len(s) < length}
        if not starts:
            break
    return done | {s for s in starts if s}


@dataclass(frozen=True)
class Spelling:
    word: str  # normalized
    df: int


class NameFinder:
    """The Arabic spellings of Latin names, and the Latin spellings of Arabic ones, in
    one opened archive; each word worked out once per archive and process."""

    def __init__(self, arrays: ArrayIndex, variants: VariantFinder) -> None:
        self.arrays = arrays
        self.variants = variants
        self._arabic: dict[str, list[Spelling]] = {}
        self._latin_words: dict[str, list[tuple[str, int]]] | None = None
        self._capitals: dict[str, bool] = {}

    def spellings(self, word: str) -> list[Spelling]:
        """The normalized `word`'s spellings in the other script."""
        return self.arabic(word) if word.isascii() else self.latin(word)

    def arabic(self, latin: str) -> list[Spelling]:
        """The archive's Arabic spellings of the Latin word `latin` (normalized: lower
        case), commonest first; none when the archive prints it in Latin as often."""
        if latin not in self._arabic:
            self._arabic[latin] = self._find_arabic(latin)
        return self._arabic[latin]

    def _find_arabic(self, latin: str) -> list[Spelling]:
        if not (MIN_LATIN <= len(latin) <= MAX_LATIN and _LATIN.fullmatch(latin)):
            return []
        fits = pattern(latin)
        if fits is None:
            return []
        words = [
            w
            for start in sorted(prefixes(latin))
            for w in self.arrays.words_with_prefix(start, MAX_SCAN)
            if fits.fullmatch(w)
        ]
        found = [
            Spelling(w, df)
            for w in words
            if (df := self.variants.name_df(w, MIN_SKELETON, ARTICLE_RATIO))
        ]
        if not found:
            return []
        found.sort(key=lambda s: (-s.df, s.word))
        top = found[0].df
        found = [s for s in found if s.df * RIVAL_SHARE >= top]
        if sum(s.df for s in found) <= self.arrays.doc_frequency(EXACT_FIELD, latin):
            return []
        return found

    def latin(self, arabic: str) -> list[Spelling]:
        """The archive's Latin words (in `MIN_LATIN_ARTICLES` articles or more) whose
        pattern the Arabic name fits."""
        if not self.variants.name_df(arabic, MIN_SKELETON):
            return []
        return [
            Spelling(w, df)
            for w, df in self._latin_lexicon().get(arabic[:LATIN_KEY], ())
            if (fits := pattern(w)) is not None and fits.fullmatch(arabic) and self._capital(w)
        ]

    def _capital(self, latin: str) -> bool:
        """Whether the articles write the Latin word with a capital, as a name is (Google,
        Trump), nearly every time: church, burst, fest fit Arabic words by sound too."""
        if latin not in self._capitals:
            written = re.compile(rf"\b{latin}\b", re.IGNORECASE)
            seen = capital = 0
            for docnum in self.arrays.docs(EXACT_FIELD, latin)[:CAPITAL_SAMPLE].tolist():
                for field in ("title", "body"):
                    for m in written.finditer(self.arrays.hit_text(field, docnum)):
                        seen += 1
                        capital += m.group()[0].isupper()
            self._capitals[latin] = seen > 0 and capital >= CAPITAL_SHARE * seen
        return self._capitals[latin]

    def _latin_lexicon(self) -> dict[str, list[tuple[str, int]]]:
        """The archive's Latin words that may be a name's spelling, with their articles,
        by the first letters their Arabic spellings can have."""
        if self._latin_words is None:
            words = [
                w
                for w in self.arrays.words_between(EXACT_FIELD, "a", "z" * MAX_LATIN)
                if MIN_LATIN <= len(w) <= MAX_LATIN and _LATIN.fullmatch(w)
            ]
            dfs = self.arrays.doc_frequencies(EXACT_FIELD, words)
            self._latin_words = {}
            for w, df in zip(words, dfs, strict=True):
                if df >= MIN_LATIN_ARTICLES:
                    for start in prefixes(w, LATIN_KEY):
                        self._latin_words.setdefault(start, []).append((w, df))
        return self._latin_words
