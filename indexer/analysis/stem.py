"""Light stemming of normalized Arabic words, for news search.

Rules, for a word already normalized (ة is ه, أ is ا):

- definite-article prefixes are removed, the longest first, when at least two letters
  remain: وبال وكال فبال فكال ولل فلل وال بال كال فال لل ال (وللتحالف → تحالف);
- a proclitic conjunction و/ف and preposition ل/ب cannot be told from a first letter of
  the word by rule (لداعش is ل + داعش, لبنان is not), so such a word keeps its own stem
  *and* gets the stem of each proclitic-free remainder of three or more letters as an
  alternative at the same position; both sides of the search do this, so لداعش and
  داعش find each other; words listed in `no_proclitic.txt` (وزير, لبنان) get none;
- suffixes are removed repeatedly, the longest first: وا ها ان ات ون ين يه (two letters,
  leaving at least three), ا (leaving at least three: سوريا → سوري, امريكا → امريك) and
  ه ي (leaving at least two); so سوريا, سورية, السوري and السوريين all meet as سور;
- overrides (`stem_overrides.txt`) fix what rules cannot: الله stays الله, broken plurals
  join their singular (قواعد → قاعد, like قاعدة).
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

from arshif.indexer.analysis.normalize import normalize

_ARTICLE_PREFIXES = (
    *("وبال", "وكال", "فبال", "فكال"),
    *("ولل", "فلل", "وال", "بال", "كال", "فال"),
    *("لل", "ال"),
)
_CONJUNCTIONS = "وف"
_PREPOSITIONS = "لب"
# The prefixes of each length, longest first: at most one of each length can match.
_PREFIXES_BY_SIZE = tuple(
    (size, frozenset(p for p in _ARTICLE_PREFIXES if len(p) == size)) for size in (4, 3, 2)
)
_TWO_LETTER_SUFFIXES = frozenset(("وا", "ها", "ان", "ات", "ون", "ين", "يه"))
_ONE_LETTER_SUFFIXES = frozenset("هي")
_MIN_REMAINDER = 3


def _data_lines(name: str) -> list[list[str]]:
    text = resources.files(__package__).joinpath(name).read_text("utf-8")
    rows = (line.split() for line in text.splitlines() if not line.startswith("#"))
    return [[normalize(w) for w in row] for row in rows if row]


@cache
def stem_overrides() -> dict[str, str]:
    """Normalized form → stem, for the forms the rules get wrong."""
    return {form: stem for form, stem in _data_lines("stem_overrides.txt")}


@cache
def no_proclitic_stems() -> frozenset[str]:
    """Stems whose first letter is never split off as a proclitic."""
    return frozenset(_finish(row[0]) for row in _data_lines("no_proclitic.txt"))


def _is_arabic(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"


def _strip_article(word: str) -> tuple[str, bool]:
    """The word without its longest article prefix that leaves two letters, if any."""
    for size, prefixes in _PREFIXES_BY_SIZE:
        if word[:size] in prefixes and len(word) - size >= 2:
            return word[size:], True
    return word, False


def _strip_suffix(word: str) -> str:
    """Remove one suffix, or return the word unchanged."""
    size = len(word)
    if size >= 5 and word[-2:] in _TWO_LETTER_SUFFIXES:
        return word[:-2]
    last = word[-1:]
    if (last == "ا" and size >= 4) or (last in _ONE_LETTER_SUFFIXES and size >= 3):
        return word[:-1]
    return word


def _finish(word: str) -> str:
    """Overrides, else suffixes removed until none is left (then overrides again)."""
    overrides = stem_overrides()
    if word in overrides:
        return overrides[word]
    while (shorter := _strip_suffix(word)) != word:
        word = shorter
    return overrides.get(word, word)


def _proclitic_remainders(word: str) -> list[str]:
    """The word without a leading و/ف, ل/ب, or both, where enough letters remain."""
    remainders = []
    rest = word
    if rest[0] in _CONJUNCTIONS and len(rest) - 1 >= _MIN_REMAINDER:
        rest = rest[1:]
        remainders.append(rest)
    if rest[0] in _PREPOSITIONS and len(rest) - 1 >= _MIN_REMAINDER:
        remainders.append(rest[1:])
    return remainders


@lru_cache(maxsize=500_000)
def stems(word: str) -> tuple[str, ...]:
    """The stems of a normalized word: its own first, then proclitic-free alternatives.

    >>> stems("وللتحالف"), stems("لداعش"), stems("والله"), stems("وزير")
    (('تحالف',), ('لداعش', 'داعش'), ('الله',), ('وزير',))
    """
    if len(word) < 3 or not _is_arabic(word):
        return (word,)
    overrides = stem_overrides()
    for form in (word, *_proclitic_remainders(word)):
        if form in overrides:
            return (overrides[form],)
    stripped, had_article = _strip_article(word)
    if had_article:
        return (_finish(stripped),)
    own = _finish(word)
    result = [own]
    if own in no_proclitic_stems():
        return tuple(result)
    for rest in _proclitic_remainders(word):
        stripped, _ = _strip_article(rest)
        stem = _finish(stripped)
        if stem not in result:
            result.append(stem)
    return tuple(result)


def stem(word: str) -> str:
    """The primary stem of a normalized word (`stems(word)[0]`).

    >>> stem("مسءولياتها"), stem("السوريين"), stem("تحدثوا"), stem("قواعد")
    ('مسءول', 'سور', 'تحدث', 'قاعد')
    """
    return stems(word)[0]
