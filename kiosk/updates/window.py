"""The maintenance window: a span of local time, "HH:MM-HH:MM", that may pass midnight."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta

_WINDOW = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class Window:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, moment: time) -> bool:
        """Whether a local time of day is in the window (its start in, its end out)."""
        moment = moment.replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    @property
    def length(self) -> timedelta:
        start = timedelta(hours=self.start.hour, minutes=self.start.minute)
        end = timedelta(hours=self.end.hour, minutes=self.end.minute)
        return (end - start) % timedelta(days=1)

    def after_start(self, offset: timedelta) -> time:
        """The time of day `offset` after the window opens."""
        minutes = self.start.hour * 60 + self.start.minute + int(offset.total_seconds() // 60)
        minutes %= 24 * 60
        return time(minutes // 60, minutes % 60)


def parse_window(text: str) -> Window:
    """ "02:00-05:00" as a Window; ValueError says what is wrong."""
    found = _WINDOW.fullmatch(text)
    if found is None:
        raise ValueError(f'{text!r} is not a time span "HH:MM-HH:MM"')
    start = time(int(found[1]), int(found[2]))
    end = time(int(found[3]), int(found[4]))
    if start == end:
        raise ValueError(f"{text!r}: the window's start and end are the same time")
    return Window(start, end)
