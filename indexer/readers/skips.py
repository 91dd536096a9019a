"""What a run passes over, by kind, so nothing is skipped in silence.

Files found in a folder that are no archive format are named by what they most likely
are (an image, a video, a spreadsheet); records inside a web archive that are no article
(a revisit, a 404, a stylesheet) are counted the same way. The run's summary lists both:
"skipped 12 files: 9 images (.jpg), 2 unknown (.xyz), 1 empty".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from arshif.indexer.article import Skipped

# Kind -> suffixes of files that are never articles.
_KINDS: dict[str, tuple[str, ...]] = {
    "image": (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".svg",
              ".ico", ".heic", ".avif"),
    "audio or video": (".mp3", ".mp4", ".m4a", ".wav", ".ogg", ".oga", ".flac", ".avi",
                       ".mov", ".mkv", ".webm", ".wmv"),
    "compressed archive": (".gz", ".zip", ".tar", ".tgz", ".7z", ".rar", ".bz2", ".xz", ".zst"),
    "unsupported document": (".doc", ".rtf", ".xls", ".xlsx", ".ods", ".ppt", ".pptx",
                             ".odp", ".epub"),
    "web asset": (".css", ".js", ".woff", ".woff2", ".ttf", ".otf", ".map"),
}  # fmt: skip
_KIND_OF = {suffix: kind for kind, suffixes in _KINDS.items() for suffix in suffixes}
_PLURAL = {
    "image": "images",
    "compressed archive": "compressed archives",
    "unsupported document": "unsupported documents",
    "web asset": "web assets",
    "hidden": "hidden",
}


def unsupported_file(path: Path) -> Skipped:
    """The skip for a file of no supported format, named by its suffix."""
    suffix = _suffix(path)
    kind = _KIND_OF.get(suffix) or _KIND_OF.get(path.suffix.lower(), "unknown")
    return Skipped(str(path), kind, suffix or "no suffix")


def summarize(skipped: Iterable[Skipped]) -> str:
    """One phrase for everything skipped, files first, then records, the most frequent
    kinds first; "" if nothing was.

    >>> summarize([Skipped("a.jpg", "image", ".jpg"), Skipped("b.jpg", "image", ".jpg"),
    ...            Skipped("c.xyz", "unknown", ".xyz"), Skipped("d.txt", "empty")])
    'skipped 4 files: 2 images (.jpg), 1 empty, 1 unknown (.xyz)'
    """
    files: list[Skipped] = []
    records: list[Skipped] = []
    for skip in skipped:
        (records if skip.locator else files).append(skip)
    parts = [_phrase(files, "file"), _phrase(records, "record")]
    return "; ".join(part for part in parts if part)


def _phrase(skipped: list[Skipped], noun: str) -> str:
    if not skipped:
        return ""
    counts = Counter(skip.kind for skip in skipped)
    details: dict[str, list[str]] = {}
    for skip in skipped:
        if skip.detail and skip.detail not in details.setdefault(skip.kind, []):
            details[skip.kind].append(skip.detail)
    items = []
    for kind, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        name = _PLURAL.get(kind, kind) if count > 1 else kind
        listed = ", ".join(sorted(details.get(kind, [])))
        items.append(f"{count} {name}" + (f" ({listed})" if listed else ""))
    total = len(skipped)
    return f"skipped {total} {noun}{'s' * (total != 1)}: " + ", ".join(items)


def _suffix(path: Path) -> str:
    """`.jpg`; `.tar.gz` for a compressed file whose inner suffix looks like a format's."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if len(suffixes) == 2 and suffixes[-1] in (".gz", ".bz2", ".xz") and len(suffixes[0]) <= 5:
        return "".join(suffixes)
    return suffixes[-1] if suffixes else ""
