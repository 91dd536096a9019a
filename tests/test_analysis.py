"""The analyzer's rules, one case per orthographic rule, plus properties on any text."""

from __future__ import annotations

import gc
import json
import weakref
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arshif.indexer.analysis import tokenize
from arshif.indexer.analysis.analyzer import ArabicAnalyzer, analyze_new_word, analyze_word
from arshif.indexer.analysis.normalize import normalize
from arshif.indexer.analysis.stem import stems
from arshif.indexer.analysis.stopwords import is_stopword, stopwords
from arshif.indexer.analysis.tokenize import spans_of, words
from arshif.indexer.article import Article
from arshif.indexer.storage.collect import SegmentPostings, Vocabulary
from arshif.indexer.storage.writer import update_index
from arshif.search.engine import Archive

NORMALIZATION = [
    ("alef-madda", "آحمد", "احمد"),
    ("alef-hamza-above", "أحمد", "احمد"),
    ("alef-hamza-below", "إحمد", "احمد"),
    ("alef-wasla", "ٱلحمد", "الحمد"),
    ("alef-maksura", "مصطفى", "مصطفي"),
    ("teh-marbuta", "مدرسة", "مدرسه"),
    ("waw-hamza", "مسؤول", "مسءول"),
    ("yeh-hamza", "مسئول", "مسءول"),
    ("harakat", "مُحَمَّدٌ", "محمد"),
    ("shadda", "الدّولي", "الدولي"),
    ("sukun", "قُلْ", "قل"),
    ("tanween", "كتابًا", "كتابا"),
    ("superscript-alef", "هٰذا", "هذا"),
    ("quranic-marks", "ٱلرَّحِيمِۖ", "الرحيم"),
    ("tatweel", "الدولــــي", "الدولي"),
    ("zwnj", "عبد\u200cالله", "عبدالله"),
    ("zwj", "عبد\u200dالله", "عبدالله"),
    ("bidi-marks", "\u200fمرحبا\u200e", "مرحبا"),
    ("persian-yeh", "الذی", "الذي"),
    ("persian-keheh", "کتاب", "كتاب"),
    ("persian-heh", "ھذا", "هذا"),
    ("arabic-indic-digits", "٢٠١١", "2011"),
    ("persian-digits", "۲۰۱۱", "2011"),
    ("arabic-decimal-separator", "٣٫٥", "3.5"),
    ("latin-lowercase", "OPEC", "opec"),
    ("nfkc-presentation-forms", "ﺍﻟﻌﺮﺑﻴﺔ", "العربيه"),
    ("nfkc-lam-alef-ligature", "ﻷن", "لان"),
]


@pytest.mark.parametrize(
    ("rule", "word", "expected"), NORMALIZATION, ids=[r[0] for r in NORMALIZATION]
)
def test_normalization_rule(rule: str, word: str, expected: str) -> None:
    assert normalize(word) == expected


TOKENIZATION = [
    ("diacritics-inside-word", "يَكْتُبُ الدرس", ["يَكْتُبُ", "الدرس"]),
    ("shadda-inside-word", "الدَّوْلِيّ", ["الدَّوْلِيّ"]),
    ("tatweel-inside-word", "الدولــــي", ["الدولــــي"]),
    ("zwnj-inside-word", "عبد\u200cالله", ["عبد\u200cالله"]),
    ("arabic-decimal-number", "نما ٣٫٥ بالمئة", ["نما", "٣٫٥", "بالمئة"]),
    ("ascii-decimal-number", "نما 3.5 بالمئة", ["نما", "3.5", "بالمئة"]),
    ("thousands-separator", "1,000 دولار", ["1,000", "دولار"]),
    ("arabic-comma-separates", "أولا،ثانيا", ["أولا", "ثانيا"]),
    ("arabic-question-mark-separates", "أين شيرين؟", ["أين", "شيرين"]),
    ("nbsp-separates", "كلمة\u00a0أخرى", ["كلمة", "أخرى"]),
    ("sentence-period-separates", "انتهى.بدأ", ["انتهى", "بدأ"]),
]


@pytest.mark.parametrize(
    ("rule", "text", "expected"), TOKENIZATION, ids=[r[0] for r in TOKENIZATION]
)
def test_tokenization_rule(rule: str, text: str, expected: list[str]) -> None:
    assert [w for w, _, _ in words(text)] == expected


def test_token_offsets_point_into_the_original_text() -> None:
    text = "قال: التَّحالُف الدولــي"
    assert [text[s:e] for _, s, e in words(text)] == ["قال", "التَّحالُف", "الدولــي"]


STEMMING = [
    ("definite-article", "الكتاب", ("كتاب",)),
    ("article-after-waw", "والكتاب", ("كتاب",)),
    ("article-after-beh", "بالاتفاق", ("اتفاق",)),
    ("article-after-kaf", "كالعادة", ("عاد",)),
    ("article-after-feh", "فالحكومة", ("حكوم",)),
    ("lam-lam-contraction", "للتحالف", ("تحالف",)),
    ("stacked-waw-lam-lam", "وللتحالف", ("تحالف",)),
    ("stacked-waw-beh-article", "وبالاتفاق", ("اتفاق",)),
    ("ambiguous-lam-proclitic", "لداعش", ("لداعش", "داعش")),
    ("ambiguous-beh-proclitic", "بدمشق", ("بدمشق", "دمشق")),
    ("ambiguous-waw-conjunction", "وقال", ("وقال", "قال")),
    ("stacked-waw-lam-proclitics", "ولداعش", ("ولداعش", "لداعش", "داعش")),
    ("no-proclitic-list-waw", "وزير", ("وزير",)),
    ("no-proclitic-list-inflected", "وزارة", ("وزار",)),
    ("no-proclitic-list-lam", "لبنان", ("لبن",)),
    ("short-remainder-keeps-word", "ولد", ("ولد",)),
    ("suffix-masculine-plural", "المسؤولين", ("مسءول",)),
    ("suffix-masculine-plural-egyptian-hamza", "مسئولين", ("مسءول",)),
    ("suffix-stacked", "مسؤولياتها", ("مسءول",)),
    ("suffix-verb-plural", "تحدثوا", ("تحدث",)),
    ("suffix-teh-marbuta", "جديدة", ("جديد",)),
    ("suffix-nisba-plural", "السوريين", ("سور",)),
    ("suffix-country-alef", "سوريا", ("سور",)),
    ("suffix-nisba-feminine", "سورية", ("سور",)),
    ("suffix-nisba-adjective", "الأمريكيين", ("امريك",)),
    ("suffix-pronoun", "خلاياه", ("خلا",)),
    ("suffix-leaves-three-letters", "عمان", ("عمان",)),
    ("override-allah", "الله", ("الله",)),
    ("override-allah-with-waw", "والله", ("الله",)),
    ("override-allah-with-lam", "لله", ("الله",)),
    ("override-broken-plural", "قواعد", ("قاعد",)),
    ("broken-plural-singular", "قاعدة", ("قاعد",)),
    ("latin-untouched", "opec", ("opec",)),
    ("number-untouched", "2011", ("2011",)),
]


@pytest.mark.parametrize(("rule", "word", "expected"), STEMMING, ids=[r[0] for r in STEMMING])
def test_stemming_rule(rule: str, word: str, expected: tuple[str, ...]) -> None:
    assert stems(normalize(word)) == expected


# Light10's known misses (ARABIC.md): forms that must meet, and forms that must not.
SAME_STEM = [
    ("lam-proclitic", "لداعش", "داعش"),
    ("stacked-proclitics", "وللتحالف", "التحالف"),
    ("country-and-adjective", "سوريا", "السوري"),
    ("verb-suffix", "تحدثوا", "تحدث"),
    ("broken-plural", "القواعد", "قاعدة"),
    ("hamza-spellings", "مسئولين", "المسؤولين"),
    ("nisba-chain", "فلسطين", "الفلسطينيين"),
    ("country-nisba", "ايران", "الإيرانية"),
]


@pytest.mark.parametrize(("case", "a", "b"), SAME_STEM, ids=[c[0] for c in SAME_STEM])
def test_forms_meet(case: str, a: str, b: str) -> None:
    assert set(stems(normalize(a))) & set(stems(normalize(b)))


NOT_CONFLATED = [
    ("wazir-not-zir", "وزير", "زير"),
    ("allah-not-lahu", "الله", "له"),
    ("court-not-government", "المحكمة", "الحكومة"),
    ("trump-kept", "ترامب", "رمب"),
    ("america-not-amr", "أمريكا", "أمر"),
]


@pytest.mark.parametrize(("case", "a", "b"), NOT_CONFLATED, ids=[c[0] for c in NOT_CONFLATED])
def test_forms_stay_apart(case: str, a: str, b: str) -> None:
    assert stems(normalize(a))[0] != stems(normalize(b))[0]


STOPWORDS = [
    ("preposition", "في"),
    ("preposition-hamza-variant", "إلى"),
    ("preposition-normalized", "الى"),
    ("ala-normalized", "على"),
    ("relative-pronoun", "الذي"),
    ("question-word", "لماذا"),
    ("question-word-where", "أين"),
    ("conjunction-with-waw", "وفي"),
    ("stray-article", "ال"),
    ("relative-pronoun-with-waw", "والتي"),
    ("demonstrative-with-lam", "لهذه"),
    ("demonstrative-with-beh", "بذلك"),
    ("question-word-with-lam", "لمن"),
    ("question-word-with-beh", "بماذا"),
    ("question-word-run-together", "ماهي"),
    ("passive-auxiliary", "يتم"),
]


@pytest.mark.parametrize(("rule", "word"), STOPWORDS, ids=[s[0] for s in STOPWORDS])
def test_stopword(rule: str, word: str) -> None:
    assert is_stopword(normalize(word))


# Content words that look like proclitic + stopword (ف + تحت, ل + له, ب + لدي) stay words.
@pytest.mark.parametrize(
    "word", ["داعش", "التحالف", "واشنطن", "قواعد", "سوريا", "فتحت", "لله", "بلدي", "فهم"]
)
def test_content_words_are_not_stopwords(word: str) -> None:
    assert not is_stopword(normalize(word))


def test_stopword_list_is_normalized() -> None:
    assert all(normalize(w) == w for w in stopwords())


def test_analyzer_pipeline_on_a_sentence() -> None:
    analyzer = ArabicAnalyzer()
    tokens = [(t.text, t.pos) for t in analyzer("وللتحالف الدَّوْلِيّ في لداعش", positions=True)]
    assert tokens == [("تحالف", 0), ("دول", 1), ("لداعش", 2), ("داعش", 2)]


def test_exact_analyzer_does_not_stem() -> None:
    exact = ArabicAnalyzer(stemming=False)
    assert [t.text for t in exact("وللتحالف الدَّوْلِيّ")] == ["وللتحالف", "الدولي"]


def test_whoosh_tokens_equal_terms() -> None:
    analyzer = ArabicAnalyzer()
    text = "قالت الصحف إن المسؤولين الأمريكيين يخشون عودة داعش، وللتحالف ٣٫٥ مليار."
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True)
    ]
    assert tokens == [tuple(t) for t in analyzer.terms(text)]


# Properties on open-ended input.
arabic_text = st.text(
    alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
    | st.sampled_from(" .،؟\u200c\u200f\u00a0ـ"),
    max_size=80,
)


@given(st.text(max_size=40) | arabic_text)
def test_normalization_is_idempotent(word: str) -> None:
    once = normalize(word)
    assert normalize(once) == once


@given(st.text(max_size=40) | arabic_text)
def test_indexing_analyzes_a_new_word_as_the_cached_analysis_does(text: str) -> None:
    """Indexing analyzes each word once, without the caches (`analyze_new_word`)."""
    for word in tokenize.word_list(text) or [text]:
        assert analyze_new_word(word) == analyze_word(word)


@given(st.text() | arabic_text)
def test_analyzer_never_raises_and_offsets_are_valid(text: str) -> None:
    analyzer = ArabicAnalyzer()
    for term in analyzer.terms(text):
        assert term.text
        assert 0 <= term.start < term.end <= len(text)


@given(arabic_text)
def test_stems_are_nonempty(text: str) -> None:
    for word, _, _ in words(text):
        norm = normalize(word)
        if norm:
            assert all(stems(norm))


def test_empty_input_gives_no_tokens() -> None:
    assert list(ArabicAnalyzer()("")) == []
    assert list(ArabicAnalyzer()("  ،؟ ")) == []


def test_query_tokens_equal_index_tokens_after_reopening(tmp_path: Path) -> None:
    """Every rule-table word, indexed and then searched through an index read back from
    disk: the analyzer comes back unpickled, and must give the query the indexed terms."""
    table_words = [w for _, w, _ in NORMALIZATION] + [w for _, w, _ in STEMMING]
    folder = tmp_path / "words"
    folder.mkdir()
    lines = [
        json.dumps({"id": f"w{i}", "body": w}, ensure_ascii=False)
        for i, w in enumerate(table_words)
    ]
    (folder / "words.jsonl").write_text("\n".join(lines), "utf-8")
    update_index(tmp_path / "ix", [folder], jobs=1)

    with Archive(tmp_path / "ix") as archive:
        indexed: dict[int, set[str]] = defaultdict(set)
        for part in archive.arrays.parts:
            for word in part.fields["text"].words.tolist():
                for docnum in archive.arrays.docs("text", word.decode("utf-8")).tolist():
                    indexed[docnum].add(word.decode("utf-8"))
        for i, word in enumerate(table_words):
            docnum = archive.searcher.document_number(id=f"w{i}")
            analyzed = {t.text for t in archive.analyzer(word, mode="query")}
            parsed = {
                text.decode("utf-8") if isinstance(text, bytes) else text
                for fieldname, text in archive.parse(word).iter_all_terms()
                if fieldname == "text"
            }
            assert analyzed == parsed == indexed[docnum], word


_SPAN_ALPHABET = [*"قالإنداعشوَّ ـ،.3٫5٣\u200c\u064e \n_x,-", "\U0001f600", "\u4e2d"]
# Long texts too: past 200 characters words are found by a table, not by the regex.
_SPAN_TEXT = st.text(st.sampled_from(_SPAN_ALPHABET), max_size=60) | st.text(
    st.sampled_from(_SPAN_ALPHABET), min_size=200, max_size=400
)


@given(_SPAN_TEXT | st.text(min_size=190, max_size=300))
def test_words_are_the_tokenizer_rules_runs(text: str) -> None:
    """The table and the regular expression that states the rules split text alike."""
    expected = [(m.group(), m.start(), m.end()) for m in tokenize._WORD.finditer(text)]
    assert list(words(text)) == expected


@given(_SPAN_TEXT, st.sets(st.sampled_from(["قال", "إن", "داعش", "قالوا", "3", "5", "٣٫٥", "ـ"])))
def test_spans_of_finds_exactly_the_wanted_words(text: str, wanted: set[str]) -> None:
    """`spans_of` agrees with reading the words one by one."""
    expected = [(start, end) for word, start, end in words(text) if word in wanted]
    assert spans_of(text, wanted.__contains__) == expected


@given(title=_SPAN_TEXT | arabic_text, body=_SPAN_TEXT | arabic_text)
def test_one_reading_of_an_article_gives_each_fields_own_analysis(title: str, body: str) -> None:
    """Indexing analyzes an article once for its three searched fields: that must be what
    each field's analyzer gives on its own, whatever stands at the headline's end, also
    for words the worker's vocabulary already knows."""
    text = Article("x", title, body).text
    segment = SegmentPostings(Vocabulary())
    segment.add(title, text)
    segment.add(title, text)
    vocabulary = segment.vocabulary
    for docnum in (0, 1):
        found: dict[str, dict[str, list[int]]] = {}
        for name, field in segment.fields().items():
            found[name] = defaultdict(list)
            mine = field.docs == docnum
            for term, position in zip(field.terms[mine], field.positions[mine], strict=True):
                found[name][vocabulary.term_bytes[term].decode()].append(int(position))
        assert found["text"] == ArabicAnalyzer().positions(text)
        assert found["title"] == ArabicAnalyzer().positions(title)
        assert found["exact"] == ArabicAnalyzer(stemming=False).positions(text)


def test_a_forgotten_vocabulary_is_freed_at_once() -> None:
    """A worker forgets its vocabulary once it is large (`collect.forget_words`): it must
    go when the last reference does, not wait in a reference cycle for the collector."""
    vocabulary = Vocabulary()
    assert vocabulary.numbers_of(["قال", "التحالف", "قال"]) == [0, 1, 0]
    gone = weakref.ref(vocabulary)
    gc.disable()
    try:
        del vocabulary
        assert gone() is None
    finally:
        gc.enable()
