"""Near-duplicate signatures and groups (indexer/duplicates.py), spelling variants'
building blocks (search/variants.py) and suggestion edits (search/suggest.py)."""

from __future__ import annotations

import gzip
import json
import random
import struct
from hashlib import blake2b
from itertools import islice, pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arshif.indexer.analysis.analyzer import analyze_word
from arshif.indexer.analysis.tokenize import word_list
from arshif.indexer.duplicates import (
    _IN_WORD,
    _LETTERS_IN_WORD,
    BAND_ROWS,
    BINS,
    SIGNATURE_BYTES,
    Articles,
    _group_all,
    _Order,
    _regroup,
    group,
    shingle_words,
    signature,
    signature_bytes,
    similarity,
    word_shingle_words,
)
from arshif.indexer.storage.arrayfile import read_arrays, write_arrays
from arshif.indexer.storage.collect import SegmentPostings, Vocabulary
from arshif.indexer.storage.docvalues import DocValuesCollector, read_doc_values, signature_of
from arshif.indexer.storage.postings_groups import live_articles
from arshif.search.filters import name_key, split_query
from arshif.search.suggest import edits1
from arshif.search.variants import skeleton, vowel_edits
from tests.conftest import DATA, ArticleRow, all_groups, articles_of, corpus_path

LEAD = (
    "خفض صندوق النقد الدولي توقعاته لنمو اقتصادات منطقة الشرق الأوسط وشمال أفريقيا خلال "
    "العام الجاري، مرجعاً ذلك إلى تراجع إنتاج النفط في عدد من الدول المصدرة، وتصاعد "
    "التوترات التجارية العالمية، وتشديد الأوضاع المالية."
)
OTHER = (
    "فاز المنتخب الوطني بكأس البطولة بعد مباراة مثيرة أمام جمهور كبير في الملعب الأولمبي، "
    "وسجل المهاجم هدفين في الشوط الثاني قبل أن يقلص الضيوف الفارق في الدقائق الأخيرة."
)


def wire_pair() -> tuple[str, str]:
    lines = (DATA / "jsonl" / "wire.jsonl").read_text("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    by_id = {r["id"]: r["body"] for r in rows}
    return by_id["ana-2019-04-0602"], by_id["manar-2019-04-3150"]


def test_shingle_words_are_normalized_words_without_stopwords() -> None:
    assert shingle_words("خفضَ صندوقُ النقدِ في توقعاتِه") == ["خفض", "صندوق", "النقد", "توقعاته"]


def test_signature_shape() -> None:
    assert len(signature(LEAD)) == SIGNATURE_BYTES == 128
    assert signature(LEAD) == signature(LEAD)
    assert signature("خبر قصير جدا") == b""  # too short to be evidence


def test_vocalization_and_tatweel_do_not_change_the_signature() -> None:
    assert signature(LEAD) == signature(LEAD.replace("صندوق", "صُنْدُوق").replace("النفط", "النـفط"))


def test_planted_wire_pair_is_similar_and_others_are_not() -> None:
    a, b = wire_pair()
    assert similarity(signature(a), signature(b)) >= 0.6
    assert similarity(signature(a), signature(OTHER)) < 0.1
    assert similarity(signature(a), b"") == 0.0


def test_group_is_a_star_around_the_first_article() -> None:
    a, b = wire_pair()
    found = group([("first", signature(a)), ("copy", signature(b)), ("other", signature(OTHER))])
    assert found == {"first": "first", "copy": "first"}


def test_group_joins_records_of_one_url_whatever_their_text() -> None:
    found = group(
        [("x", signature(LEAD)), ("y", signature(OTHER)), ("z", b"")],
        same={"x": "u1", "y": "u2", "z": "u1"},
    )
    assert found == {"x": "x", "z": "x"}


def synthetic_rows(seed: int, count: int) -> list[ArticleRow]:
    """Articles made of a few stories: copies with some bins changed (more or less like
    their story than `THRESHOLD`), a first band shared across stories (buckets longer than
    `_MAX_BUCKET_PAIRS`), shared URLs, undated ones, ones without a signature."""
    rng = random.Random(seed)
    stories = [[rng.randrange(1 << 16) for _ in range(BINS)] for _ in range(rng.randint(1, 30))]
    for story in stories[: rng.randrange(len(stories))]:
        story[:BAND_ROWS] = [rng.randrange(2)] * BAND_ROWS
    rows = []
    for n in range(count):
        bins = list(rng.choice(stories))
        changed = rng.choice([0, 0, 0, 4, 24, 30, 34, 40, 60])
        for at in rng.sample(range(BAND_ROWS, BINS), changed):
            bins[at] = rng.randrange(1 << 16)
        sig = b"" if rng.random() < 0.05 else struct.pack(f"<{BINS}H", *bins)
        url = rng.choice(["", "", "", f"https://news.example/{rng.randrange(count // 4 + 1)}"])
        rows.append((f"a{rng.randrange(10**6):06d}-{n}", sig, url, rng.randint(-1, 6), n))
    return rows


def added_last(rows: list[ArticleRow], added: np.ndarray) -> tuple[Articles, int, list[list[int]]]:
    """The articles as a run adding those `added` marks numbers them (the others first,
    in their order, then those), the first number it adds, and the groups (document
    numbers) a run before it recorded."""
    before = [row for row, new in zip(rows, added.tolist(), strict=True) if not new]
    after = [row for row, new in zip(rows, added.tolist(), strict=True) if new]
    numbered = [(*row[:4], docnum) for docnum, row in enumerate(before + after)]
    recorded = _Order(articles_of(numbered[: len(before)]))
    return articles_of(numbered), len(before), recorded.groups(_group_all(recorded))[1]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.integers(2, 180), st.floats(0.01, 0.3))
def test_grouping_only_the_articles_added_finds_what_grouping_all_finds(
    seed: int, count: int, share: float
) -> None:
    rows = synthetic_rows(seed, count)
    rng = random.Random(seed)
    added = np.array([rng.random() < share for _ in range(count)])
    order = _Order(articles_of(rows))
    everything = order.groups(_group_all(order))[0]
    articles, first_new, recorded = added_last(rows, added)
    order = _Order(articles)
    found = _regroup(order, first_new, recorded)
    if found is not None:  # None: an article added comes before one it changes
        assert order.groups(found)[0] == everything
    # Articles of later days than all the others (a day's news; undated ones come
    # last) never change a group.
    days = np.array([row[3] for row in rows])
    articles, first_new, recorded = added_last(rows, (days > 4) | (days < 0))
    order = _Order(articles)
    found = _regroup(order, first_new, recorded)
    assert found is not None
    assert order.groups(found)[0] == everything


def test_a_recorded_article_gone_since_is_grouped_with_all() -> None:
    """A recorded article replaced by the run (its number no longer live) changes the
    groups: everything is grouped again."""
    rows = [("a", signature(LEAD), "", 3, 0), ("b", signature(LEAD + " اليوم"), "", 4, 1)]
    order = _Order(articles_of([rows[0], ("b", *rows[1][1:4], 2)]))
    assert _regroup(order, 2, [[0, 1]]) is None
    assert _regroup(order, 3, [[0, 2]]) is not None  # b numbered 2 when recorded


URL = "https://news.example/1"


@pytest.mark.parametrize(
    ("recorded", "added"),
    [
        # The article added comes first: it is the URL's first article, not the other.
        (("old", b"", URL, 5, 0), ("new", b"", URL, 3, 1)),
        # The article added comes first: it leads the story, not the other.
        (("old", signature(LEAD), "", 5, 0), ("new", signature(LEAD + " اليوم"), "", 3, 1)),
    ],
    ids=["url-first", "leader-first"],
)
def test_an_article_added_before_one_it_changes_is_grouped_with_all(
    recorded: ArticleRow, added: ArticleRow
) -> None:
    order = _Order(articles_of([recorded, added]))
    assert all_groups(articles_of([recorded])) == []
    assert _regroup(order, 1, []) is None
    assert order.groups(_group_all(order))[0] == [["new", "old"]]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32), st.integers(2, 180))
def test_articles_sharing_nothing_are_left_out_of_grouping_and_change_nothing(
    seed: int, count: int
) -> None:
    order = _Order(articles_of(synthetic_rows(seed, count)))
    every_one = group(
        ((row, order.signature(row)) for row in range(count)),
        {row: url for row in range(count) if (url := order.url(row))},
    )
    assert order.groups(_group_all(order)) == order.groups(order.leaders(every_one))


def _reference_hash(first: str, second: str) -> int:
    """A shingle's hash as `duplicates` defines it, in plain integers: each word's
    BLAKE2b (little-endian), the second rotated left by one, XORed, then SplitMix64's
    finalizer."""
    a, b = (
        int.from_bytes(blake2b(w.encode(), digest_size=8).digest(), "little")
        for w in (first, second)
    )
    x = a ^ (((b << 1) | (b >> 63)) & 0xFFFFFFFFFFFFFFFF)
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


def _reference_signature(text: str) -> list[int]:
    """b-bit MinHash: each bin's minimum over whole 32-bit hashes (the top 6 bits of a
    shingle's 64-bit hash choose its bin, the next 32 are its hash), of which only the
    low 16 bits are kept; an empty bin borrows from the next filled one to its right."""
    mins: dict[int, int] = {}
    for pair in set(pairwise(shingle_words(text))):
        value = _reference_hash(*pair)
        bin_, hash32 = value >> 58, (value >> 16) & 0xFFFFFFFF
        mins[bin_] = min(mins.get(bin_, hash32), hash32)
    out = []
    for b in range(BINS):
        t = next(t for t in range(BINS) if (b + t) % BINS in mins)
        out.append((mins[(b + t) % BINS] + t * 0x9E3779B1) & 0xFFFF)
    return out


def _wire_text() -> str:
    lines = (DATA / "jsonl" / "wire.jsonl").read_text("utf-8").splitlines()
    return " ".join(json.loads(line)["body"] for line in lines)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_wire_text(), id="every-bin-filled"),
        pytest.param(LEAD, id="empty-bins-borrowed"),
        pytest.param(LEAD + " " + LEAD, id="repeated-shingles-count-once"),
    ],
)
def test_signature_matches_a_plain_reference(text: str) -> None:
    assert list(struct.unpack(f"<{BINS}H", signature(text))) == _reference_signature(text)


def test_the_reference_cases_hold_what_they_are_named_for() -> None:
    assert len(set(pairwise(shingle_words(LEAD)))) < BINS  # some bins are empty
    wire_pairs = set(pairwise(shingle_words(_wire_text())))
    assert len({_reference_hash(*pair) >> 58 for pair in wire_pairs}) == BINS


def test_a_signature_needs_eight_distinct_shingles_however_often_repeated() -> None:
    words = ["خفض", "صندوق", "النقد", "الدولي", "توقعاته", "لنمو", "اقتصادات", "منطقة"]
    assert signature(" ".join(words[:7] * 20)) == b""  # 7 distinct: 6, and the last to the first
    assert len(signature(" ".join(words * 2))) == SIGNATURE_BYTES  # 8 distinct
    assert signature(" ".join(words)) == b""  # 7 shingles once


@given(st.text(max_size=300))
def test_signature_never_raises(text: str) -> None:
    sig = signature(text)
    assert sig == b"" or len(sig) == SIGNATURE_BYTES


def test_groups_on_the_sample_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner
    from whoosh import index as whoosh_index

    from arshif.search.cli import main

    result = CliRunner().invoke(main, ["index", "--index", str(tmp_path / "ix"), str(DATA)])
    assert result.exit_code == 0, result.output
    segments = whoosh_index.open_dir(str(tmp_path / "ix"))._segments()
    groups = all_groups(live_articles(tmp_path / "ix", segments))
    assert groups == [["ana-2019-04-0602", "manar-2019-04-3150"]]


@pytest.mark.corpus
def test_news_ant_refiled_records_are_grouped() -> None:
    path = corpus_path("news_ant", "corpus.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in islice(f, 3000)]
    by_url: dict[str, list[str]] = {}
    for r in rows:
        by_url.setdefault(r["url"], []).append(r["id"])
    refiled = [ids for ids in by_url.values() if len(ids) > 1]
    found = group(
        ((r["id"], signature(r["body"] or r["title"])) for r in rows),
        same={r["id"]: r["url"] for r in rows},
    )
    for ids in refiled:
        assert len({found[i] for i in ids}) == 1
    sizes: dict[str, int] = {}
    for leader in found.values():
        sizes[leader] = sizes.get(leader, 0) + 1
    assert max(sizes.values()) < 20  # stars: no chaining into giant groups


# -- spelling variants and suggestions ------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [("ترامب", "ترمب"), ("بوتين", "بوتن"), ("واشنطن", "واشنطون")],
    ids=["trump", "putin", "washington"],
)
def test_spellings_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


def test_skeleton_keeps_the_first_letter() -> None:
    assert skeleton("اوباما") == "ابم"
    assert skeleton("يقوم") == "يقم"


def test_vowel_edits_reach_other_spellings_only() -> None:
    edits = vowel_edits("ترمب")
    assert {"ترامب", "تريمب", "تراميب"} <= edits
    assert "ترامبو" not in edits and "تارمب" in edits  # never last; first letter kept
    assert all(skeleton(e) == "ترمب" for e in edits)
    assert "ترمب" not in edits


def test_edits1_replace_delete_insert_and_swap() -> None:
    assert "ترامب" in edits1("ترانب")  # replaced
    assert "منظمه" in edits1("منضمه")
    assert "ترمب" in edits1("ترامب") and "ترامب" in edits1("ترمب")  # deleted, inserted
    assert "ترماب" in edits1("ترامب")  # two letters swapped
    assert "ترامب" not in edits1("ترامب") and "مكتبه" not in edits1("كتاب")


def test_filter_clauses_leave_the_words() -> None:
    rest, found = split_query('قمة AND source:"BBC Arabic" OR category:sport -date:2018')
    assert rest == "قمة"
    assert found.include.sources == ("BBC Arabic",)
    assert found.include.categories == ("sport",)
    assert found.exclude[0].date_from.isoformat() == "2018-01-01"
    assert name_key("  Sky  News ARABIA ") == "sky news arabia"


def test_signatures_kept_with_the_doc_values_round_trip_whole(tmp_path: Path) -> None:
    """A signature can end in zero bytes (numpy's bytes dtype would drop them), and an
    article without one reads back as b""."""
    ending_in_zero = bytes(range(1, SIGNATURE_BYTES)) + b"\0"
    collector = DocValuesCollector()
    sigs = (ending_in_zero, b"", signature(LEAD))
    for _ in sigs:
        collector.add({"id": "x"})
    rows = np.array([list(s or bytes(SIGNATURE_BYTES)) for s in sigs], np.uint8)
    write_arrays(tmp_path / "values.arr", collector.arrays(rows).items())
    values = read_doc_values(read_arrays(tmp_path / "values.arr"))
    assert [signature_of(values, d) for d in range(3)] == [ending_in_zero, b"", signature(LEAD)]


# Words and what may stand between them, numbers with separators and letters touching
# them included (3.5م), marks, tatweel and stopwords.
_PIECES = ["3.5", "٣٫٥", "1,000", "م", "في", "قال", "الدَّوْلِيّ", "ـ", "\u200c", "x_y", "7", "داعش"]
_BETWEEN = [" ", "", ".", "،", "\n"]
# Enough shingles for a signature whatever follows.
_WIRE_STORY = "خفض صندوق النقد الدولي توقعاته لنمو اقتصادات منطقة الشرق الأوسط وشمال أفريقيا "


def test_tatweel_is_the_one_letter_shingle_words_drop_inside_words() -> None:
    """`word_shingle_words` checks a word for tatweel only: of the characters dropped
    inside words, the others are no letters or digits to `str.isalnum`."""
    dropped = [chr(c) for c in range(0x110000) if _IN_WORD.match(chr(c))]
    assert [ch for ch in dropped if ch.isalnum()] == [_LETTERS_IN_WORD]


@given(st.lists(st.sampled_from([*"قالدوِيّـًٰىةأإ٣3x_ .،\u200c\u200f", "في "]), max_size=40))
def test_a_words_shingle_words_come_from_its_normalized_form_as_from_its_text(
    pieces: list[str],
) -> None:
    """A worker takes a word's shingle words from the form it normalized (a word of
    letters and digits), else from the word: the same as `shingle_words` finds."""
    for word in word_list("".join(pieces)):
        assert word_shingle_words(word, analyze_word(word).normalized) == shingle_words(word)


@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_BETWEEN)), max_size=80))
def test_indexing_signs_an_article_as_its_text_is_signed(pieces: list[tuple[str, str]]) -> None:
    """Indexing makes each article's signature from the words it analyzes (each word's
    shingle words, known to the worker's vocabulary): it must be `signature(text)`."""
    text = _WIRE_STORY + "".join(word + between for word, between in pieces)
    segment = SegmentPostings(Vocabulary())
    segment.add("", "")
    segment.add("", text)
    segment.add("", text)  # words known from the first
    assert [signature_bytes(row) for row in segment.signatures()] == [b"", *[signature(text)] * 2]
