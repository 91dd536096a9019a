"""The texts a hit shows, kept once and compressed in blocks: what is written is read
back, article by article, from a file of its own and from files joined in ranges."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from arshif.indexer.storage import texts as texts_module
from arshif.indexer.storage.arrayfile import read_arrays, write_arrays
from arshif.indexer.storage.texts import HIT_FIELDS, Texts, TextsCollector, joined_texts

ARABIC = st.text(st.characters(min_codepoint=0x0600, max_codepoint=0x06FF) | st.just(" "))
ARTICLE = st.fixed_dictionaries({name: ARABIC | st.text() for name in HIT_FIELDS})


def write(path: Path, articles: list[dict[str, str]]) -> Path:
    collector = TextsCollector()
    for article in articles:
        collector.add(article)
    write_arrays(path, collector.arrays().items())
    return path


@settings(max_examples=40)
@given(st.lists(ARTICLE, max_size=30), st.integers(min_value=1, max_value=200))
def test_texts_read_back_as_written(
    tmp_path_factory, articles: list[dict[str, str]], block_bytes: int
) -> None:
    texts_module.BLOCK_BYTES, saved = block_bytes, texts_module.BLOCK_BYTES  # many blocks
    try:
        path = write(tmp_path_factory.mktemp("texts") / "a.arr", articles)
    finally:
        texts_module.BLOCK_BYTES = saved
    texts = Texts(read_arrays(path))
    assert len(texts) == len(articles)
    for docnum in reversed(range(len(articles))):  # out of order: blocks from the cache too
        assert texts.fields(docnum) == articles[docnum]
    middle = len(articles) // 2  # a range's URLs at once, as `url:` queries read them
    assert texts.raw_texts("url", middle, len(articles)) == [a["url"] for a in articles[middle:]]
    for url in {a["url"] for a in articles}:  # as `url:` finds one URL exactly
        expected = [d for d in range(middle, len(articles)) if url and articles[d]["url"] == url]
        assert texts.find_raw("url", url, middle, len(articles)) == expected


def test_joined_ranges_copy_the_blocks_of_each(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(texts_module, "BLOCK_BYTES", 40)
    first = [{"id": f"a{n}", "title": "عنوان " * n, "body": "نص " * (3 * n)} for n in range(9)]
    second = [{"id": f"b{n}", "url": f"https://example.com/{n}", "path": "x"} for n in range(4)]
    a, b = write(tmp_path / "a.arr", first), write(tmp_path / "b.arr", second)
    a_texts = Texts(read_arrays(a))
    # A range starts on a block's first article, as a segment's range does.
    start = int(a_texts.firsts[2])
    path = tmp_path / "joined.arr"
    write_arrays(path, joined_texts([(a, start, len(first)), (b, 0, len(second))]))
    joined = Texts(read_arrays(path))
    expected = [*first[start:], *second]
    assert len(joined) == len(expected)
    for docnum, article in enumerate(expected):
        assert joined.fields(docnum) == {name: article.get(name, "") for name in HIT_FIELDS}
    arrays = read_arrays(path)
    assert len(arrays["texts.frames"]) < sum(len(str(v)) for v in expected)


def test_a_segment_without_articles_has_texts_too(tmp_path: Path) -> None:
    texts = Texts(read_arrays(write(tmp_path / "empty.arr", [])))
    assert len(texts) == 0


def test_a_url_is_found_exactly_not_inside_another(tmp_path: Path) -> None:
    urls = ["https://a.example/1", "", "https://a.example/1", "https://a.example/10", "ر"]
    urls.append("ينظر https://a.example/1")
    texts = Texts(read_arrays(write(tmp_path / "a.arr", [{"url": url} for url in urls])))
    assert texts.find_raw("url", "https://a.example/1", 0, len(urls)) == [0, 2]
    assert texts.find_raw("url", "https://a.example/1", 1, len(urls)) == [2]
    assert texts.find_raw("url", "ر", 0, len(urls)) == [4]
    assert texts.find_raw("url", "", 0, len(urls)) == []
