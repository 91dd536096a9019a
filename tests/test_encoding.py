"""Bytes to text: BOMs, UTF-8, UTF-16 without BOM, cp1256, mojibake, binary data."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arshif.indexer.readers.encoding import NotTextError, decode, repair_mojibake

SENTENCE = "قالت الحكومة إن المسؤولين يخشون عودة داعش إلى المناطق الحدودية، وفق بيان رسمي 2018."


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(SENTENCE.encode("utf-8"), "utf-8", id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + SENTENCE.encode(), "utf-8-sig", id="utf-8-bom"),
        pytest.param(SENTENCE.encode("cp1256"), "cp1256", id="cp1256"),
        pytest.param(
            codecs.BOM_UTF16_LE + SENTENCE.encode("utf-16-le"), "utf-16-le", id="utf-16-le-bom"
        ),
        pytest.param(
            codecs.BOM_UTF16_BE + SENTENCE.encode("utf-16-be"), "utf-16-be", id="utf-16-be-bom"
        ),
        pytest.param(SENTENCE.encode("utf-16-le"), "utf-16-le", id="utf-16-le-no-bom"),
        pytest.param(SENTENCE.encode("utf-16-be"), "utf-16-be", id="utf-16-be-no-bom"),
    ],
)
def test_decode_round_trips_arabic(data: bytes, name: str) -> None:
    assert decode(data) == (SENTENCE, name)


@pytest.mark.parametrize("name", ["cp1256", "utf-16-le", "utf-16-be"])
def test_decode_reads_a_single_word(name: str) -> None:
    assert decode("حكومة".encode(name)) == ("حكومة", name)


def test_decode_follows_the_html_meta_charset() -> None:
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
    data = page.encode() + f"<p>{SENTENCE}</p>".encode("cp1256")
    text, name = decode(data, html=True)
    assert name == "cp1256"
    assert SENTENCE in text


def test_decode_ignores_a_false_utf8_declaration() -> None:
    data = b'<meta charset="utf-8">' + SENTENCE.encode("cp1256")
    assert decode(data, html=True)[0].endswith(SENTENCE)


def test_decode_repairs_mojibake_saved_as_utf8() -> None:
    mojibake = SENTENCE.encode("cp1256").decode("latin-1")
    assert decode(mojibake.encode("utf-8")) == (SENTENCE, "utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ÇáÍßæãÉ", "الحكومة"),
        ("ÇáÍßæãÉ ÇáÌÏíÏÉ", "الحكومة الجديدة"),
        ("Café à Paris, déjà vu", "Café à Paris, déjà vu"),
        ("España: el niño y la señora", "España: el niño y la señora"),
        ("الحكومة Ç", "الحكومة Ç"),
        ("plain ASCII", "plain ASCII"),
    ],
)
def test_repair_mojibake(text: str, expected: str) -> None:
    assert repair_mojibake(text) == expected


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), id="png"),
        pytest.param(b"PK\x03\x04\x14\x00\x00\x00\x08\x00", id="zip"),
        pytest.param(bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 50 + b"text", id="control-bytes"),
    ],
)
def test_decode_refuses_binary_data(data: bytes) -> None:
    with pytest.raises(NotTextError):
        decode(data)


@given(st.binary(max_size=2000), st.booleans())
def test_decode_returns_text_or_refuses_binary(data: bytes, html: bool) -> None:
    try:
        text, name = decode(data, html=html)
    except NotTextError:
        return
    assert isinstance(text, str)
    assert codecs.lookup(name)


# Text as files hold it: any characters but C0/C1 controls other than tab and newlines.
# (With controls allowed, "0\x06" is as much the UTF-16 letter ذ as it is UTF-8.)
_FILE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r"), max_size=500
)


@given(_FILE_TEXT)
def test_decode_round_trips_any_utf8_text(text: str) -> None:
    text = text.lstrip("\ufeff")
    try:
        decoded, name = decode(text.encode("utf-8"))
    except NotTextError:  # mostly control characters
        return
    assert name == "utf-8"
    assert decoded == repair_mojibake(text)
