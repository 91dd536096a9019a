"""The ways a typed Arabic word goes wrong, and what each costs a correction.

A misspelling one edit from the word meant is told apart by kind (`MISTAKES`, each with an
id): two neighbouring letters swapped (طفوان for طوفان), a key next to the one meant on
the Arabic keyboard (`KEYBOARD_ROWS`), a letter dropped or doubled, or one of the
confusions of written Arabic (`CONFUSIONS`; ه/ة, ي/ى and the hamzated alefs are one
letter after normalization already, so they are no mistake at all). These are how people
actually mistype, so they cost half an ordinary edit: between a candidate reached by a
swap and one reached by an arbitrary letter, the swap is the likelier.

Works on normalized words (`indexer.analysis.normalize`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from arshif.indexer.analysis.normalize import normalize

# The standard Arabic keyboard (PC layout), row by row from Q, A and Z; a key's
# neighbours are its left and right keys and the keys touching it above and below
# (a row starts half a key right of the one above it). لا (key B) is two letters: "-".
KEYBOARD_ROWS = ("ضصثقفغعهخحجد", "شسيبلاتنمكط", "ئءؤر-ىةوزظ")


@dataclass(frozen=True)
class Confusion:
    id: str
    letters: str


# Letters written Arabic confuses (sound or shape), beyond what normalization merges.
CONFUSIONS = (
    Confusion("dad-zah", "ضظ"),
    Confusion("dal-thal", "دذ"),
    Confusion("seen-sad", "سص"),
    Confusion("teh-tah", "تط"),
    Confusion("zain-thal", "زذ"),
    Confusion("heh-hah", "هح"),
)

# What each kind of mistake costs, in edits.
MISTAKES = {
    "swap": 0.5,
    "keyboard": 0.5,
    "confusion": 0.5,
    "dropped": 0.5,
    "doubled": 0.5,
    "edit": 1.0,
}


def keyboard_neighbours(form: Callable[[str], str] = normalize) -> dict[str, frozenset[str]]:
    """Each key's neighbouring keys, the letters written as `form` gives them (the
    normalized letter by default; `str` for the letters on the keys)."""
    rows = [[form(ch) for ch in row] for row in KEYBOARD_ROWS]
    near: dict[str, set[str]] = {}

    def touch(a: str, b: str) -> None:
        if a != "-" and b != "-" and a != b:
            near.setdefault(a, set()).add(b)
            near.setdefault(b, set()).add(a)

    for r, row in enumerate(rows):
        for i, key in enumerate(row):
            if i + 1 < len(row):
                touch(key, row[i + 1])
            if r + 1 < len(rows):
                below = rows[r + 1]
                for j in (i - 1, i):  # the row below starts half a key to the right
                    if 0 <= j < len(below):
                        touch(key, below[j])
    return {k: frozenset(v) for k, v in near.items()}


KEYBOARD_NEIGHBOURS = keyboard_neighbours()
_CONFUSED = {frozenset(c.letters) for c in CONFUSIONS}


def mistake(typed: str, meant: str) -> str:
    """The kind of mistake (a key of `MISTAKES`) that turns `meant` into `typed`, for
    words one edit apart; "edit" for any other difference.

    >>> mistake("طفوان", "طوفان"), mistake("منضمه", "منظمه"), mistake("ترانب", "ترامب")
    ('swap', 'confusion', 'keyboard')
    >>> mistake("تستحل", "تستحيل"), mistake("دماءء", "دماء"), mistake("بيت", "كتاب")
    ('dropped', 'doubled', 'edit')
    """
    if len(typed) == len(meant):
        diff = [i for i, (a, b) in enumerate(zip(typed, meant, strict=True)) if a != b]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            i = diff[0]
            if typed[i] == meant[i + 1] and typed[i + 1] == meant[i]:
                return "swap"
        if len(diff) == 1:
            a, b = typed[diff[0]], meant[diff[0]]
            if frozenset((a, b)) in _CONFUSED:
                return "confusion"
            if b in KEYBOARD_NEIGHBOURS.get(a, ()):
                return "keyboard"
        return "edit"
    if len(typed) + 1 == len(meant):
        for i in range(len(meant)):
            if meant[:i] + meant[i + 1 :] == typed:
                return "dropped"
    if len(typed) == len(meant) + 1:
        for i in range(1, len(typed)):
            if typed[i] == typed[i - 1] and typed[:i] + typed[i + 1 :] == meant:
                return "doubled"
    return "edit"


def cost(typed: str, meant: str, edits: int) -> float:
    """What correcting `typed` to `meant` costs: by kind for one edit, else the edits."""
    return MISTAKES[mistake(typed, meant)] if edits == 1 else float(edits)
