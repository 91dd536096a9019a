"""Lines a source repeats under many of its articles (footers, slogans, app promotions).

The fixed list of UI phrases (`readers.clean`) knows "شارك" and "اقرأ أيضا"; it cannot know
that BBC Arabic ends 12% of its articles with "يمكنكم استلام إشعارات بأهم الموضوعات…" or
that Al Arabiya signs its opinion pages "جميع المقالات المنشورة تمثل رأي كتابها فقط".
Those are learned from the archive itself:

- `observe(source, body)` counts each distinct line of an article under its source, in
  the comparison form of `readers.clean.chrome_key` (marks dropped, letters folded) with
  digits folded too, so "© 2017" and "© 2018" footers count as one line;
- a line is boilerplate for a source when it stands in at least `min_articles` (20) of
  its articles AND in at least `min_share` (5%) of them, and is at most `max_chars`
  (200) characters long: a footer, never a paragraph of news;
- `clean(source, body)` drops those lines anywhere in the body, unless nothing would be
  left (an article is never emptied by this).

Why these thresholds (measured on news_ant, 41,686 articles of 6 outlets): at 5% the
lines found are pure furniture (a disclaimer, an app promotion); between 1% and 5% stand
attributions ("نقلا عن الرؤية الإماراتية", "فرانس24/ أ ف ب") that are part of the story;
20 articles keep a wire story filed ten times (CNN Arabic has many) from counting as a
footer in a small source; and at 200 characters a repeated *paragraph* (a duplicate
article) is never taken for a footer.

Counting is Manku–Motwani lossy counting per source (error `epsilon` = 0.5% of the
articles), so memory stays bounded whatever the archive's size: every line at or above
the thresholds is found, and a line found stands in at least 4.5% of the articles. The
state is plain JSON (`save`/`load` in the index folder), so an incremental run adds its
new articles to what earlier runs counted.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from arshif.indexer.article import Article
from arshif.indexer.readers import read_file
from arshif.indexer.readers.clean import chrome_key
from arshif.indexer.storage.jsonfiles import read_json, write_json
from arshif.indexer.storage.store import BOILERPLATE_FILE

STATE_VERSION = 1

MIN_ARTICLES = 20
MIN_SHARE = 0.05
MAX_CHARS = 200
EPSILON = 0.005

_DIGIT = re.compile("[0-9\u0660-\u0669\u06f0-\u06f9]")


def line_key(line: str) -> str:
    """The form lines are counted and compared in (`chrome_key` with digits folded).

    >>> line_key("جميع المقالات المنشورة تمثل رأي كتّابها فقط © ٢٠١٨")
    'جميع المقالات المنشوره تمثل راي كتابها فقط © 0000'
    """
    return chrome_key(_DIGIT.sub("0", line))


def line_keys(body: str, max_chars: int = MAX_CHARS) -> list[str]:
    """The distinct keys (`line_key`) of the lines of `body` short enough to count.

    >>> line_keys("تابعونا على تويتر\\n\\nتابعونا على تويتر")
    ['تابعونا علي تويتر']
    """
    # A raw line may carry marks the key drops: measure the key, but skip long raw
    # lines before computing it (most paragraphs are), as that is the costly part.
    limit = 2 * max_chars
    return list(
        dict.fromkeys(
            key
            for line in body.split("\n")
            if len(line) <= limit and 0 < len(key := line_key(line)) <= max_chars
        )
    )


def file_line_keys(path: Path, id_base: str, max_chars: int) -> list[tuple[str, list[str]]]:
    """(source, `line_keys` of the body) of each article of one file, in order."""
    return [
        (article.source, line_keys(article.body, max_chars))
        for article in read_file(path, id_base)
        if isinstance(article, Article)
    ]


@dataclasses.dataclass
class _SourceCounts:
    """Lossy counts of one source's lines: key -> [count, maximal undercount]."""

    articles: int = 0
    lines: dict[str, list[int]] = dataclasses.field(default_factory=dict)


class BoilerplateDetector:
    """Learns each source's repeated lines, then drops them from bodies.

    >>> detector = BoilerplateDetector(min_articles=2, min_share=0.5)
    >>> for topic in ("الاقتصاد", "الرياضة", "الطقس"):
    ...     detector.observe("BBC", f"خبر عن {topic}.\\nتابعونا على تطبيق بي بي سي")
    >>> detector.clean("BBC", "خبر آخر.\\nتابعونا على تطبيق بي بي سي")
    'خبر آخر.'
    """

    def __init__(
        self,
        *,
        min_articles: int = MIN_ARTICLES,
        min_share: float = MIN_SHARE,
        max_chars: int = MAX_CHARS,
        epsilon: float = EPSILON,
    ) -> None:
        if not 0 < epsilon < min_share <= 1:
            raise ValueError("need 0 < epsilon < min_share <= 1")
        self.min_articles = min_articles
        self.min_share = min_share
        self.max_chars = max_chars
        self.epsilon = epsilon
        self._bucket_width = max(1, round(1 / epsilon))
        self._sources: dict[str, _SourceCounts] = {}
        self._found: dict[str, frozenset[str]] | None = None

    # --- learning ---------------------------------------------------------------------

    def observe(self, source: str, body: str) -> None:
        """Count the distinct short lines of one article's body under its source."""
        self.count(source, line_keys(body, self.max_chars))

    def count(self, source: str, keys: Iterable[str]) -> None:
        """Count one article's distinct line keys (`line_keys`) under its source."""
        counts = self._sources.setdefault(source, _SourceCounts())
        counts.articles += 1
        bucket = (counts.articles - 1) // self._bucket_width
        for key in keys:
            entry = counts.lines.get(key)
            if entry is None:
                counts.lines[key] = [1, bucket]
            else:
                entry[0] += 1
        if counts.articles % self._bucket_width == 0:
            # End of a bucket: forget lines too rare to ever reach the threshold.
            counts.lines = {k: e for k, e in counts.lines.items() if e[0] + e[1] > bucket + 1}
        self._found = None

    def observe_files(
        self,
        files: Sequence[tuple[Path, str]],
        map_files: Callable[..., Iterable[list[tuple[str, list[str]]]]] = map,
    ) -> int:
        """A run's first pass: observe the articles of each `(path, id_base)` file.

        Files are streamed like the indexing pass reads them; problems are left for that
        pass to report. Reading them and keying their lines (`file_line_keys`) is done
        by `map_files` (another process's pool's `map`, to read in parallel); the
        counting stays here, in file order. Returns the number of articles observed.
        """
        paths = [path for path, _ in files]
        id_bases = [id_base for _, id_base in files]
        observed = 0
        for articles in map_files(file_line_keys, paths, id_bases, [self.max_chars] * len(paths)):
            for source, keys in articles:
                self.count(source, keys)
            observed += len(articles)
        return observed

    # --- what was learned --------------------------------------------------------------

    def found(self) -> dict[str, frozenset[str]]:
        """The boilerplate line keys of each source that has any."""
        if self._found is None:
            self._found = {}
            for source, counts in self._sources.items():
                needed = max(self.min_articles, (self.min_share - self.epsilon) * counts.articles)
                keys = frozenset(k for k, (count, _) in counts.lines.items() if count >= needed)
                if keys:
                    self._found[source] = keys
        return self._found

    def report(self) -> dict[str, list[tuple[str, int, int]]]:
        """(line key, articles counted, articles of the source) per source, most frequent
        first: what a verbose run shows, and what explains a line missing from a body."""
        rows: dict[str, list[tuple[str, int, int]]] = {}
        for source, keys in self.found().items():
            counts = self._sources[source]
            found = [(key, counts.lines[key][0], counts.articles) for key in keys]
            rows[source] = sorted(found, key=lambda row: (-row[1], row[0]))
        return rows

    # --- applying it -------------------------------------------------------------------

    def clean(self, source: str, body: str) -> str:
        """`body` without its source's boilerplate lines (unchanged if all would go)."""
        keys = self.found().get(source)
        if not keys or not body:
            return body
        limit = 2 * self.max_chars
        lines = body.split("\n")
        kept = [line for line in lines if len(line) > limit or line_key(line) not in keys]
        if len(kept) == len(lines) or not kept:
            return body
        return "\n".join(kept)

    def clean_article(self, article: Article) -> Article:
        body = self.clean(article.source, article.body)
        return article if body is article.body else dataclasses.replace(article, body=body)

    # --- keeping it with the index ---------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "min_articles": self.min_articles,
            "min_share": self.min_share,
            "max_chars": self.max_chars,
            "epsilon": self.epsilon,
            "sources": {
                source: {"articles": c.articles, "lines": c.lines}
                for source, c in self._sources.items()
            },
        }

    @classmethod
    def from_json(cls, state: dict[str, Any]) -> BoilerplateDetector:
        """A detector from `to_json`'s output; a fresh one if the state is unusable."""
        try:
            if state.get("version") != STATE_VERSION:
                raise ValueError(state.get("version"))
            detector = cls(
                min_articles=int(state["min_articles"]),
                min_share=float(state["min_share"]),
                max_chars=int(state["max_chars"]),
                epsilon=float(state["epsilon"]),
            )
            for source, counts in state["sources"].items():
                lines = {str(k): [int(c), int(d)] for k, (c, d) in counts["lines"].items()}
                detector._sources[str(source)] = _SourceCounts(int(counts["articles"]), lines)
        except (AttributeError, KeyError, TypeError, ValueError):
            return cls()
        return detector

    def save(self, index_dir: Path) -> None:
        """Write the counts to the index folder; a crash leaves the old or the new file."""
        write_json(Path(index_dir) / BOILERPLATE_FILE, self.to_json())

    @classmethod
    def load(cls, index_dir: Path) -> BoilerplateDetector:
        """The counts saved in the index folder, or a fresh detector if there are none
        (a damaged file is a DamagedIndexError: its counts would be lost unseen)."""
        state = read_json(Path(index_dir) / BOILERPLATE_FILE, None)
        return cls.from_json(state) if isinstance(state, dict) else cls()
