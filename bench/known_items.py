"""Known-item queries as people type them (issue #15), built from news_ant with a fixed seed.

- **Headline words**: for `ARTICLES` articles drawn with `SEED`, three content words of
  the headline (Arabic letters, four or more, no stopword) in headline order; the
  article, and every article filed under the same headline, should come back. Each query
  is also typed with one, then two, of its words misspelled in each way of `KINDS`: two
  neighbouring letters swapped, a neighbouring key of the Arabic keyboard, a letter
  dropped, a letter doubled, a confusion of written Arabic (ض/ظ د/ذ س/ص ت/ط) and an
  orthographic variant (ة/ه ى/ي أ/إ/آ/ا). A query counts as found when one of its
  articles is in the top 10.
- **Latin names**: `latin_names.tsv` lists international names with the Arabic spellings
  news_ant prints them in; a name is kept when the archive holds one of its spellings in
  `MIN_NAME_ARTICLES` articles or more, and counts as found when a top-10 article holds
  one of them. The list is benchmark data only: search itself keeps no list of names.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from arshif.indexer.analysis.normalize import normalize
from arshif.indexer.analysis.stem import stem
from arshif.indexer.analysis.stopwords import is_stopword
from arshif.search.engine import Archive
from arshif.search.typos import CONFUSIONS, keyboard_neighbours

SEED = 15
ARTICLES = 200
QUERY_WORDS = 3
MIN_LETTERS = 4
MIN_NAME_ARTICLES = 5
TOP = 10
NAMES_FILE = Path(__file__).resolve().parent / "latin_names.tsv"
_ARABIC_WORD = re.compile("[\u0621-\u064a]+")
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
ORTHOGRAPHY = {"ة": "ه", "ه": "ة", "ى": "ي", "ي": "ى", "أ": "ا", "إ": "ا", "آ": "ا", "ا": "أ"}


KEYBOARD = {key: sorted(near) for key, near in keyboard_neighbours(str).items()}
# The confusions the issue names: ض/ظ د/ذ س/ص ت/ط.
ISSUE_CONFUSIONS = {"dad-zah", "dal-thal", "seen-sad", "teh-tah"}
CONFUSED = {
    a: b for c in CONFUSIONS if c.id in ISSUE_CONFUSIONS for a, b in (c.letters, c.letters[::-1])
}


def _swap(word: str, rng: random.Random) -> str | None:
    spots = [i for i in range(len(word) - 1) if word[i] != word[i + 1]]
    if not spots:
        return None
    i = rng.choice(spots)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _replace(table: dict[str, list[str]] | dict[str, str]) -> Callable[..., str | None]:
    def typo(word: str, rng: random.Random) -> str | None:
        spots = [i for i, ch in enumerate(word) if ch in table]
        if not spots:
            return None
        i = rng.choice(spots)
        options = table[word[i]]
        new = rng.choice(options) if isinstance(options, list) else options
        return word[:i] + new + word[i + 1 :]

    return typo


def _drop(word: str, rng: random.Random) -> str | None:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :]


def _double(word: str, rng: random.Random) -> str | None:
    i = rng.randrange(len(word))
    return word[: i + 1] + word[i] + word[i + 1 :]


KINDS: dict[str, Callable[[str, random.Random], str | None]] = {
    "swap": _swap,
    "keyboard": _replace(KEYBOARD),
    "dropped": _drop,
    "doubled": _double,
    "confusion": _replace(CONFUSED),
    "orthography": _replace(ORTHOGRAPHY),
}


@dataclass(frozen=True)
class KnownItem:
    kind: str  # "clean", a key of KINDS with the count of misspelled words, or "latin"
    query: str
    answers: frozenset[str]  # ids


def _records(corpus: Path) -> Iterator[dict[str, str]]:
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def _content_words(title: str) -> list[str]:
    words = [_MARKS.sub("", w) for w in title.split()]
    return [
        w
        for w in words
        if _ARABIC_WORD.fullmatch(w) and len(w) >= MIN_LETTERS and not is_stopword(normalize(w))
    ]


def headline_items(corpus: Path) -> list[KnownItem]:
    """The headline-word queries, clean and misspelled, with their answers."""
    by_title: dict[str, set[str]] = defaultdict(set)
    usable = []
    for record in _records(corpus):
        title = " ".join(record["title"].split())
        by_title[title].add(record["id"])
        if len(_content_words(title)) >= QUERY_WORDS:
            usable.append(title)
    rng = random.Random(SEED)
    titles = rng.sample(sorted(set(usable)), ARTICLES)
    items = []
    for title in titles:
        answers = frozenset(by_title[title])
        words = _content_words(title)
        chosen = sorted(rng.sample(range(len(words)), QUERY_WORDS))
        query = [words[i] for i in chosen]
        items.append(KnownItem("clean", " ".join(query), answers))
        for kind, typo in KINDS.items():
            for count in (1, 2):
                typed = _misspell(query, count, typo, rng)
                if typed is not None:
                    items.append(KnownItem(f"{kind} ×{count}", " ".join(typed), answers))
    return items


def _misspell(
    query: list[str],
    count: int,
    typo: Callable[[str, random.Random], str | None],
    rng: random.Random,
) -> list[str] | None:
    """`query` with `count` of its words misspelled by `typo` (None if it cannot)."""
    typed = {i: t for i, w in enumerate(query) if (t := typo(w, rng)) and t != w}
    if len(typed) < count:
        return None
    keep = rng.sample(sorted(typed), count)
    return [typed[i] if i in keep else w for i, w in enumerate(query)]


def latin_items(archive: Archive) -> list[KnownItem]:
    """The Latin-name queries: each with the articles that spell the name in Arabic."""
    items = []
    for line in NAMES_FILE.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        latin, _, arabic = line.partition("\t")
        answers: set[str] = set()
        for spelling in arabic.split():
            for docnum in archive.arrays.docs("text", stem(normalize(spelling))).tolist():
                answers.add(archive.arrays.hit_text("id", docnum))
        if len(answers) >= MIN_NAME_ARTICLES:
            items.append(KnownItem("latin", latin, frozenset(answers)))
    return items


def found(archive: Archive, items: list[KnownItem], **options: bool) -> dict[str, list[bool]]:
    """Per kind, whether each query brought an answer back in the top 10."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for item in items:
        top = {docid for docid, _ in archive.run_topics(item.query, TOP, **options)}
        hits[item.kind].append(bool(top & item.answers))
    return dict(hits)


def counts(items: list[KnownItem]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for item in items:
        out[item.kind] += 1
    return dict(out)
