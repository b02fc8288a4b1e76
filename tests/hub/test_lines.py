"""Opening hours: open or closed at a moment, and when a closed line opens next."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.calls.lines import DEFAULT_LINES, ServiceLine
from hub.hours import HELSINKI, parse_day

VIRKA = DEFAULT_LINES["virka-info"]


def helsinki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (helsinki(2025, 1, 13, 9, 0), True),  # Monday, at opening
        (helsinki(2025, 1, 13, 15, 59), True),
        (helsinki(2025, 1, 13, 16, 0), False),  # closing time is not open
        (helsinki(2025, 1, 13, 8, 59), False),
        (helsinki(2025, 1, 18, 12, 0), False),  # Saturday
        (helsinki(2025, 7, 14, 9, 30), True),  # summer time too
        # 07:30 UTC on a winter Monday is 09:30 in Helsinki.
        (datetime(2025, 1, 13, 7, 30, tzinfo=UTC), True),
        (datetime(2025, 1, 13, 6, 30, tzinfo=UTC), False),
    ],
)
def test_open_at(moment: datetime, is_open: bool) -> None:
    assert VIRKA.open_at(moment) is is_open


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (helsinki(2025, 1, 13, 7, 0), helsinki(2025, 1, 13, 9, 0)),  # later today
        (helsinki(2025, 1, 13, 10, 0), helsinki(2025, 1, 14, 9, 0)),  # open now: the next one
        (helsinki(2025, 1, 17, 16, 30), helsinki(2025, 1, 20, 9, 0)),  # Friday evening
        (helsinki(2025, 1, 19, 23, 0), helsinki(2025, 1, 20, 9, 0)),  # Sunday night
        # Across the spring change to summer time (Sunday 30 March 2025).
        (helsinki(2025, 3, 28, 17, 0), helsinki(2025, 3, 31, 9, 0)),
    ],
)
def test_next_opening(moment: datetime, expected: datetime) -> None:
    found = VIRKA.next_opening(moment)
    assert found == expected
    assert found is not None and found.utcoffset() == expected.utcoffset()


def test_a_line_without_hours_is_never_open() -> None:
    closed = ServiceLine(id="x", name_fi="X")
    assert not closed.open_at(helsinki(2025, 1, 13, 10, 0))
    assert closed.next_opening(helsinki(2025, 1, 13, 10, 0)) is None


def test_several_ranges_a_day() -> None:
    ranges = parse_day("12:30-16:00, 08:00-11:30")
    assert ranges == ((480, 690), (750, 960))
    line = ServiceLine(id="x", name_fi="X", hours={"mon": ranges})
    assert not line.open_at(helsinki(2025, 1, 13, 12, 0))
    assert line.next_opening(helsinki(2025, 1, 13, 12, 0)) == helsinki(2025, 1, 13, 12, 30)
    assert parse_day("00:00-24:00") == ((0, 1440),)
    assert parse_day("10:00-10:00") is None


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        VIRKA.open_at(datetime(2025, 1, 13, 10, 0))
