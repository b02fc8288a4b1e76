"""Real-time text as T.140 blocks (RFC 8865): what to send when a text field changes, and what
the other side's blocks add up to. Pure functions and one small reader; no I/O.

docs/call-help.md gives the rules: characters append to the current line, U+0008 erases the
current line's last character, U+2028 ends the line.
"""

from __future__ import annotations

import unicodedata

BACKSPACE = "\u0008"
LINE_SEPARATOR = "\u2028"
#: T.140's "zero width no-break space", sent to keep a session alive: ignored.
BOM = "\ufeff"
#: A line longer than this is ended by the reader itself: a writer that never ends a line must
#: not grow one without bound in the other side's memory.
MAX_LINE = 2000
#: Ended lines kept for showing; older ones are dropped.
MAX_LINES = 200


def edits(old: str, new: str) -> str:
    """The T.140 block that turns the line `old` into `new`: backspaces back to where they
    part, then the rest of `new`. Empty when nothing changed."""
    common = 0
    for a, b in zip(old, new, strict=False):
        if a != b:
            break
        common += 1
    return BACKSPACE * (len(old) - common) + new[common:]


def clean(text: str) -> str:
    """What of a writer's text may go on the wire: control characters (a pasted tab or line
    break included) become spaces, so that only our own U+0008 and U+2028 steer the reader."""
    return "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") or c == BOM else c for c in text
    )


class RttReader:
    """The other side's text: its ended lines and the line it is writing now."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current = ""

    def feed(self, block: str) -> None:
        current = list(self.current)
        for char in block:
            if char == BACKSPACE:
                if current:
                    current.pop()
            elif char == LINE_SEPARATOR:
                self._end("".join(current))
                current = []
            elif char == BOM or unicodedata.category(char) in ("Cc", "Zl", "Zp"):
                continue
            else:
                current.append(char)
                if len(current) >= MAX_LINE:
                    self._end("".join(current))
                    current = []
        self.current = "".join(current)

    def _end(self, line: str) -> None:
        self.lines.append(line)
        del self.lines[:-MAX_LINES]

    def clear(self) -> None:
        self.lines.clear()
        self.current = ""
