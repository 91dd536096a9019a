"""Named points where a test can stop an indexing run, to kill it exactly there.

Crash tests used to kill a run after a delay, and a fast machine finished first. With
`ARSHIF_STOP_AT=POINT` (or `POINT:N`, the Nth time the run reaches it) the run stops
itself with SIGSTOP at that point: the test sees it stopped, may act while it is paused
(a second run, a search), then SIGKILLs it, whatever the machine's speed.

The points, in the order a run reaches them:
- `article`: an article was accepted for indexing (N counts articles);
- `commit`: the segments are written, the table of contents not yet;
- `committed`: the table of contents is written, `files.json` not yet;
- `join`: a joined postings file is written, `postings.json` not yet;
- `groups`: the copies of each story are computed, `groups.json` not yet written;
- `swap`: a rebuild moved the previous index aside, the new one is not in place yet.

And `input:N`, a byte offset of the input: the run stops once the files it has read
hold N bytes or more (checked as each file is done). Tests draw random moments from
these with a fixed seed, so a "random" kill is the same on every machine and run.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

STOP_ENV = "ARSHIF_STOP_AT"
POINTS = ("article", "commit", "committed", "join", "groups", "swap")
INPUT = "input"

_reached: Counter[str] = Counter()


def _spec() -> tuple[str, int]:
    name, _, number = os.environ.get(STOP_ENV, "").partition(":")
    return name, int(number or 1)


def reached(point: str) -> None:
    """Stop this process if `ARSHIF_STOP_AT` names `point` and this is its Nth time."""
    name, nth = _spec()
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] == nth:
        os.kill(os.getpid(), signal.SIGSTOP)


def input_read(done: int) -> None:
    """Stop this process the first time the input read reaches `ARSHIF_STOP_AT=input:N`."""
    name, offset = _spec()
    if name == INPUT and done >= offset and not _reached[INPUT]:
        _reached[INPUT] += 1
        os.kill(os.getpid(), signal.SIGSTOP)
