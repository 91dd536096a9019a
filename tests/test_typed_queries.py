"""Queries as people type them (#15): the rule tables of typing mistakes, of Latin names
read into Arabic spellings, and of Arabic operators; searched end to end in
test_newsdesk.py."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arshif.indexer.analysis.analyzer import analyze_word
from arshif.indexer.analysis.normalize import normalize
from arshif.indexer.storage.writer import update_index
from arshif.search.correct import Correction, Corrector, correctable, rewrite, score
from arshif.search.engine import Archive
from arshif.search.names import RULES, pattern, prefixes, slots
from arshif.search.query import arabic_syntax, is_question
from arshif.search.suggest import Candidate, Suggester, Suggestion, edits1
from arshif.search.typos import CONFUSIONS, KEYBOARD_NEIGHBOURS, MISTAKES, cost, mistake

# -- typing mistakes ------------------------------------------------------------------

# (rule id, typed, meant): each kind of mistake of search.typos, on real words.
MISTAKE_TABLE = [
    ("swap", "طفوان", "طوفان"),
    ("swap", "تتسحيل", "تستحيل"),
    ("keyboard", "ترانب", "ترامب"),  # ن is next to م
    ("keyboard", "سوريت", "سوريا"),  # ت is next to ا
    ("confusion", "منضمه", "منظمه"),  # dad-zah
    ("confusion", "الاستاد", "الاستاذ"),  # dal-thal
    ("confusion", "الصيف", "السيف"),  # seen-sad
    ("confusion", "التقس", "الطقس"),  # teh-tah
    ("dropped", "الحكمه", "الحكومه"),
    ("doubled", "الرئيسس", "الرئيس"),
    ("edit", "بيت", "كتاب"),
    ("edit", "حلب", "حلم"),  # ب and م are not neighbours
]


@pytest.mark.parametrize(("rule", "typed", "meant"), MISTAKE_TABLE)
def test_each_kind_of_mistake_is_told(rule: str, typed: str, meant: str) -> None:
    assert mistake(normalize(typed), normalize(meant)) == rule


def test_likely_mistakes_cost_less_than_any_edit() -> None:
    assert cost("طفوان", "طوفان", 1) < cost("حلب", "حلم", 1) < cost("ترانبب", "ترامب", 2)
    assert set(MISTAKES) == {"swap", "keyboard", "confusion", "dropped", "doubled", "edit"}


def test_keyboard_neighbours_are_symmetric_and_local() -> None:
    for key, near in KEYBOARD_NEIGHBOURS.items():
        assert all(key in KEYBOARD_NEIGHBOURS[n] for n in near)
        assert len(near) <= 8  # ي and ى (two keys) are one letter once normalized
    assert KEYBOARD_NEIGHBOURS["ص"] == {"ض", "ث", "ش", "س"}  # Q E A S around W


def test_confusions_have_ids_and_two_letters() -> None:
    assert len({c.id for c in CONFUSIONS}) == len(CONFUSIONS)
    assert all(len(c.letters) == 2 for c in CONFUSIONS)


@given(st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي", min_size=3, max_size=8))
def test_every_single_edit_is_some_mistake(word: str) -> None:
    for other in list(edits1(word))[:40]:
        assert mistake(other, word) in MISTAKES


# -- corrections ----------------------------------------------------------------------


def test_only_arabic_words_are_correctable() -> None:
    assert [correctable(w) for w in ("طوفان", "bbc", "2018", "ف16", "")] == [
        True, False, False, False, False,
    ]  # fmt: skip


def test_fit_with_the_other_words_outweighs_frequency() -> None:
    # طفلان is more frequent, but طوفان stands beside دماء in the archive.
    frequent = Candidate("طفلان", 300, 1, 1.0)
    fitting = Candidate("طوفان", 120, 1, 0.5)
    assert score(fitting, fit=12) > score(frequent, fit=0)
    assert score(frequent, fit=0) > score(fitting, fit=0) - 2 * 0.5 - 1


def test_rewrite_replaces_whole_words_only() -> None:
    fix = Correction("منضمة", "منضمه", Suggestion("منظمه", 40, 1, 0.5, lambda _: "منظمة"))
    assert rewrite("منضمة الصحة ومنضمة", [fix]) == "منظمة الصحة ومنضمة"


# -- Latin names ----------------------------------------------------------------------

# (Latin name, Arabic spellings the rules must accept (normalized), ones they must not).
NAME_TABLE = [
    ("trump", ["ترامب", "ترمب"], ["تراب", "ترام"]),
    ("putin", ["بوتين", "بوتن"], ["بيتين"]),
    ("macron", ["ماكرون", "مكرون"], ["ماكينه"]),
    ("netanyahu", ["نتنياهو", "نتانياهو"], ["نتنياه"]),
    ("messi", ["ميسي"], ["موسي", "مس"]),
    ("erdogan", ["اردوغان", "اردغان"], ["اردن"]),
    ("obama", ["اوباما"], ["اوبام"]),
    ("merkel", ["ميركل"], ["مركز"]),
    ("chelsea", ["تشيلسي", "تشلسي"], ["تشيلس"]),
    ("khamenei", ["خامنئي", "خامنءي"], []),
    ("zuckerberg", ["زوكربيرغ", "زوكربيرج"], []),
    ("facebook", ["فيسبوك"], ["فيسبو"]),
]


@pytest.mark.parametrize(("latin", "spelled", "not_spelled"), NAME_TABLE)
def test_latin_names_read_into_their_arabic_spellings(
    latin: str, spelled: list[str], not_spelled: list[str]
) -> None:
    fits = pattern(latin)
    assert fits is not None
    for arabic in spelled:
        assert fits.fullmatch(normalize(arabic)), arabic
        assert normalize(arabic)[:3] in prefixes(latin)
    for arabic in not_spelled:
        assert not fits.fullmatch(arabic), arabic


def test_rules_have_unique_ids_and_slots_name_them() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert [r.id for r in slots("sharapova")] == ["sh", "a", "r", "a", "p", "o", "v", "last-a"]
    assert [r.id for r in slots("ozil")] == ["first-o", "z", "i", "l"]


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=15))
def test_every_latin_word_reads_into_arabic_letters(latin: str) -> None:
    fits = pattern(latin)
    assert fits is not None
    assert not re.search("[a-z]", fits.pattern)


# -- Arabic operators and fields --------------------------------------------------------

OPERATOR_TABLE = [
    ("and", "النفط و الغاز", "النفط AND الغاز"),
    ("or", "النفط أو الغاز", "النفط OR الغاز"),
    ("or-plain-alef", "النفط او الغاز", "النفط OR الغاز"),
    ("not", "سوريا ليس التحالف", "سوريا AND NOT التحالف"),
    ("and-not", "سوريا و ليس التحالف", "سوريا AND NOT التحالف"),
    ("source", "المصدر: BBC ترامب", "source:BBC ترامب"),
    ("category", "القسم:sport", "category:sport"),
    ("date", "التاريخ:2018-03 قمة", "date:2018-03 قمة"),
    ("title", "العنوان: قمة", "title:قمة"),
    ("not-source", "قمة ليس المصدر: BBC", "قمة AND NOT source:BBC"),
    ("edge-first", "و النفط", "و النفط"),
    ("edge-last", "النفط و", "النفط و"),
    ("question-mark", "النفط أو الغاز؟", "النفط أو الغاز؟"),
    ("question-word", "هل النفط أو الغاز أغلى", "هل النفط أو الغاز أغلى"),
    ("joined-waw", "النفط والغاز", "النفط والغاز"),
]


@pytest.mark.parametrize(("rule", "typed", "meant"), OPERATOR_TABLE)
def test_arabic_operators_and_fields(rule: str, typed: str, meant: str) -> None:
    assert arabic_syntax(typed) == meant


def test_questions_are_recognized() -> None:
    assert is_question("كيف تعمل الخلية") and is_question("الخلية؟")
    assert not is_question("الخلية و النواة")


@given(st.lists(st.sampled_from(["و", "أو", "ليس", "النفط", "الغاز", "المصدر:", "x"]), max_size=8))
def test_arabic_syntax_is_stable(tokens: list[str]) -> None:
    once = arabic_syntax(" ".join(tokens))
    assert arabic_syntax(once) == once


# -- names across scripts, on a small archive ------------------------------------------

WIRE = [
    ("w1", "غوغل تطلق خدمة جديدة", "أعلنت شركة غوغل عن خدمة جديدة للبحث."),
    ("w2", "غوغل تشتري شركة ناشئة", "اشترت غوغل شركة ناشئة في لندن."),
    ("w3", "Google opens an office", "Google said it opens an office in Dubai."),
    ("w4", "Google and the courts", "A court fined Google on Monday."),
    ("w5", "تقرير عن الطقس", "طقس حار في الخليج اليوم."),
    ("w6", "غوغل والمحاكم", "غرمت محكمة أوروبية غوغل."),
    ("w7", "طقوس الربيع", "طقوس قديمة في استقبال الربيع، والطقس معتدل."),
]
GOOGLE = {"w1", "w2", "w3", "w4", "w6"}


@pytest.fixture(scope="module")
def wire_archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    root = tmp_path_factory.mktemp("wire")
    lines = [
        json.dumps({"id": i, "title": t, "body": b, "date": "2018-05-01"}, ensure_ascii=False)
        for i, t, b in WIRE
    ]
    (root / "wire.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    update_index(root / "index", [root / "wire.jsonl"], jobs=1)
    archive = Archive(root / "index")
    yield archive
    archive.close()


def test_an_arabic_name_finds_its_latin_spelling(wire_archive: Archive) -> None:
    result = wire_archive.search("غوغل")
    assert {h.id for h in result.hits} == GOOGLE
    assert [n.word for n in result.words[0].names] == ["google"]


def test_a_latin_name_printed_mostly_in_arabic_finds_its_arabic_spelling(
    wire_archive: Archive,
) -> None:
    assert {h.id for h in wire_archive.search("Google").hits} == GOOGLE
    assert {h.id for h in wire_archive.search("Google", names=False).hits} == {"w3", "w4"}


def test_an_ordinary_word_gets_no_other_script(wire_archive: Archive) -> None:
    assert wire_archive.search("الطقس").words[0].names == []


def test_a_word_the_archive_holds_is_not_corrected(wire_archive: Archive) -> None:
    # طقوس (one article) is one letter from طقس (three): a word, not a typo.
    result = wire_archive.search("طقوس")
    assert result.corrected is None
    assert [h.id for h in result.hits] == ["w7"]


def test_a_word_no_article_holds_is_corrected_to_the_archive_spelling(
    wire_archive: Archive,
) -> None:
    result = wire_archive.search("غوغا")  # ا is the key next to ل
    assert result.corrected == ("غوغا", "غوغل")
    assert {h.id for h in result.hits} == GOOGLE
    assert wire_archive.search("غوغا", exact=True).hits == []


def test_a_deleted_article_does_not_count_toward_a_candidates_fit(tmp_path) -> None:
    """The other query words' articles are read with the deleted ones (no pass over a
    common word's articles to drop them); only live articles of the candidate count."""
    folder = tmp_path / "wire"
    folder.mkdir()
    for name, article_id in (("kept.jsonl", "k1"), ("gone.jsonl", "g1")):
        record = {"id": article_id, "title": "غوغل", "body": "غوغل تطلق خدمة جديدة"}
        (folder / name).write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    update_index(tmp_path / "index", [folder], jobs=1)
    (folder / "gone.jsonl").unlink()
    update_index(tmp_path / "index", [folder], jobs=1)
    archive = Archive(tmp_path / "index")
    try:
        arrays = archive.arrays
        corrector = Corrector(Suggester(arrays))
        [context] = corrector.context([analyze_word("خدمة").terms[-1]])
        assert sorted(arrays.live[context].tolist()) == [False, True]
        assert corrector.fit(arrays.docs("exact", "غوغل"), [context]) == 1
    finally:
        archive.close()


def test_batch_search_corrects_as_search_does_without_reading_the_archive_spelling(
    wire_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spelling articles use is only shown: batch search, which shows nothing,
    searches the normalized correction, finding the same articles, and reads none."""
    shown = [(h.id, h.score) for h in wire_archive.search("غوغا", limit=100).hits]

    def read(*args: object) -> str:
        raise AssertionError("batch search read articles for a spelling nobody sees")

    monkeypatch.setattr(Suggester, "surface", read)
    assert wire_archive.run_topics("غوغا", 100) == shown
