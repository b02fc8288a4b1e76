"""Times of the hub: Helsinki wall-clock opening hours, weekdays, languages, and the one UTC
timestamp format. Opening hours are one or more ranges per weekday; a day with no ranges is
closed. Times are compared in Helsinki time, so daylight saving needs no care.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LANGUAGES = ("fi", "sv", "en")
#: One day's opening hours: "09:00-16:00", or several ranges: "08:00-11:30, 12:30-16:00".
HOURS_PATTERN = re.compile(
    r"\s*(?:[01]\d|2[0-3]):[0-5]\d-(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)\s*"
    r"(?:,\s*(?:[01]\d|2[0-3]):[0-5]\d-(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)\s*)*"
)

#: A day's ranges as minutes since midnight, [start, end).
DayRanges = tuple[tuple[int, int], ...]


def parse_day(text: str) -> DayRanges | None:
    """The ranges of one day's hours text, sorted; None when it is not valid or a range is empty."""
    if not HOURS_PATTERN.fullmatch(text):
        return None
    ranges = []
    for part in text.split(","):
        start, end = (_minutes(piece.strip()) for piece in part.split("-"))
        if start >= end:
            return None
        ranges.append((start, end))
    return tuple(sorted(ranges))


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def helsinki_time(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime is ambiguous here; give it a time zone")
    return moment.astimezone(HELSINKI)


def clock_time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def utc_iso(moment: datetime) -> str:
    """ISO 8601 UTC to the millisecond, the one timestamp format of the hub."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime is ambiguous here; give it a time zone")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
