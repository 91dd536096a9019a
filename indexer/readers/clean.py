"""Text hygiene every reader applies, and removal of scraped page chrome.

Characters are kept as published (diacritics, tatweel, NBSP, ZWNJ are the analyzer's
business); only what no article means is removed: control characters, stray BOMs, CR line
ends, and the lines a scraper copied from the page around the article.
"""

from __future__ import annotations

import re

from pyarabic import araby

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BOM = "\ufeff"

# Comparison form for chrome lines: hamza-carrying alefs, alef maqsura and teh marbuta
# folded, bidi and zero-width marks dropped, so "أقرأ أيضاً" and "اقرا ايضا" compare equal.
_FOLD = str.maketrans(
    {
        araby.ALEF_HAMZA_ABOVE: araby.ALEF,
        araby.ALEF_HAMZA_BELOW: araby.ALEF,
        araby.ALEF_MADDA: araby.ALEF,
        araby.ALEF_WASLA: araby.ALEF,
        araby.ALEF_MAKSURA: araby.YEH,
        araby.TEH_MARBUTA: araby.HEH,
        **dict.fromkeys(map(chr, [*range(0x200B, 0x2010), *range(0x202A, 0x202F)])),
    }
)
_EDGE = " \t:：-–—|•·»«<>›‹←→▶◀►*#.،؛!…\u00a0"
# `chrome_key` does the same as `_FOLD` plus deleting harakat and tatweel, by a regex and
# six replaces: 4 times faster than `str.translate` with a dict, 5 than pyarabic's strip_*
# (it runs on every line of every article when boilerplate lines are learned).
_MARKS = re.compile("[" + "".join(araby.TASHKEEL) + araby.TATWEEL + "\u200b-\u200f\u202a-\u202e]")
_LETTER_FOLDS = tuple(
    (chr(source), target) for source, target in _FOLD.items() if target is not None
)


def clean_text(text: str) -> str:
    r"""Make decoded text safe to index: LF line ends, no control characters, no stray BOM.

    >>> clean_text("الحكومة\x02 الجديدة\r\n")
    'الحكومة  الجديدة\n'
    """
    if text.removesuffix("\n").isprintable():
        # No CR, BOM or control character: all are unprintable. Nine lines of news in
        # ten (a JSON line each) are; scanning for each took three times as long.
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace(_BOM, "")
    return _CONTROL.sub(" ", text)


def one_line(text: str) -> str:
    """A title: whitespace runs collapsed to one space."""
    return " ".join(text.split())


def tidy_body(text: str) -> str:
    """A body: each line trimmed, blank lines dropped (how the ANT corpus stores bodies)."""
    return "\n".join(stripped for line in text.split("\n") if (stripped := line.strip()))


def chrome_key(line: str) -> str:
    """The form chrome lines are compared in: no marks, folded letters, trimmed, casefolded.

    >>> chrome_key("  اقرأ أيضاً: ")
    'اقرا ايضا'
    """
    line = _MARKS.sub("", line)
    for letter, folded in _LETTER_FOLDS:
        line = line.replace(letter, folded)
    if "  " in line or not line.isprintable():
        # Whitespace to collapse (a space is the only printable one). Splitting each line
        # into words was half of keying the lines of news articles, which need none.
        line = " ".join(line.split())
    return line.strip(_EDGE).casefold()


def _keys(*phrases: str) -> frozenset[str]:
    return frozenset(map(chrome_key, phrases))


def _pattern(regex: str) -> re.Pattern[str]:
    """A regex written in plain Arabic, folded like the lines it is matched against."""
    return re.compile(regex.translate(_FOLD))


# Buttons and labels of the page itself. A line that is exactly one of these is no prose
# anywhere in the body ("شارك" alone is a button; "شارك الآلاف في المسيرة" is news).
_UI_LINES = _keys(
    # "show more" / "back to top" buttons at the foot of a page
    "اظهر المزيد", "أظهر المزيد", "عرض المزيد", "تحميل المزيد", "المزيد",
    "زر الذهاب إلى الأعلى", "الذهاب إلى الأعلى", "العودة إلى الأعلى", "إلى الأعلى",
    # share and print bars
    "شارك", "شارك المقال", "شارك الخبر", "شارك هذا المقال", "شارك هذا الخبر", "مشاركة",
    "تغريد", "غرد", "طباعة", "اطبع", "إرسال", "أرسل لصديق", "نسخ الرابط", "تم نسخ الرابط",
    "Share", "Tweet", "Print", "Email", "Facebook", "Twitter", "WhatsApp", "Telegram",
    # ad slot labels
    "إعلان", "Advertisement",
)  # fmt: skip

# Headers of "related stories" boxes. At the end of a page, the short lines after one are
# links to other stories, not part of this one.
_RELATED_HEADERS = _keys(
    "اقرأ أيضا", "اقرأ أيضاً", "اقرأ المزيد", "طالع أيضا", "شاهد أيضا", "قد يهمك أيضا",
    "أخبار ذات صلة", "مواضيع ذات صلة", "مقالات ذات صلة", "المزيد من الأخبار",
    "Related", "Read more", "Related articles",
)  # fmt: skip

# "اقرأ أيضاً: <another headline>" inside the text is a cross-link wherever it stands.
_CROSS_LINK = _pattern(r"(?:اقرا|طالع|شاهد) (?:ايضا|كذلك)[\s:\-–—]+\S.{0,150}")

# "شارك على فيسبوك": a share button naming its platform; a verb plus a platform is no sentence.
_SHARE = _pattern(
    r"(?:شارك|مشاركه|share)(?: (?:هذا )?(?:المقال|الخبر))? (?:على|عبر|في|on|via) "
    r"(?:فيسبوك|فيس بوك|تويتر|واتساب|واتس اب|تلغرام|تليجرام|تيليجرام|لينكد ان|"
    r"البريد الالكتروني|facebook|twitter|whatsapp|telegram|linkedin|email|x)"
)

# Footer lines: dropped only in the trailing block, where nothing of the article follows.
# "المصدر: …" is not here: an attribution is part of the published story.
_FOOTER = _pattern(
    r"(?:تابعونا|تابعوا) (?:على|عبر|في) .{1,80}"  # "follow us on …"
    r"|(?:جميع الحقوق محفوظه|©|copyright|all rights reserved).{0,100}"
)
_MAX_RELATED_LINKS = 10
_MAX_LINK_WORDS = 25


def strip_chrome(body: str) -> str:
    """Drop the page furniture a scraper copied along with the article.

    >>> strip_chrome("شارك الآلاف في المسيرة.\\nشارك\\nاظهر المزيد\\nزر الذهاب إلى الأعلى")
    'شارك الآلاف في المسيرة.'
    """
    lines = body.split("\n")
    keys = [chrome_key(line) for line in lines]
    end = len(lines)
    while True:
        while end and (not keys[end - 1] or _is_chrome(keys[end - 1], trailing=True)):
            end -= 1
        box = _related_box(keys, end)
        if box is None:
            break
        end = box
    kept = (line for line, key in zip(lines[:end], keys[:end], strict=True) if not _is_chrome(key))
    return "\n".join(kept)


def _is_chrome(key: str, *, trailing: bool = False) -> bool:
    return (
        key in _UI_LINES
        or key in _RELATED_HEADERS
        or bool(_SHARE.fullmatch(key) or _CROSS_LINK.fullmatch(key))
        or (trailing and bool(_FOOTER.fullmatch(key)))
    )


def _related_box(keys: list[str], end: int) -> int | None:
    """Where a trailing "اقرأ أيضا" box starts: its header, then only short link lines."""
    links = 0
    for index in range(end - 1, -1, -1):
        key = keys[index]
        if key in _RELATED_HEADERS:
            return index
        if key:
            links += 1
            if links > _MAX_RELATED_LINKS or len(key.split()) > _MAX_LINK_WORDS:
                return None
    return None
