"""The maintenance window: a pure function of the local time and the window, midnight included."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from kiosk.updates.window import parse_window


@pytest.mark.parametrize(
    ("window", "inside", "outside"),
    [
        ("02:00-05:00", ["02:00", "03:30", "04:59"], ["01:59", "05:00", "12:00", "23:59"]),
        ("23:30-04:00", ["23:30", "23:59", "00:00", "03:59"], ["23:29", "04:00", "12:00"]),
        ("00:00-00:10", ["00:00", "00:09"], ["00:10", "23:59"]),
        ("22:00-00:00", ["22:00", "23:59"], ["00:00", "21:59"]),
    ],
)
def test_the_window_holds_its_start_not_its_end(
    window: str, inside: list[str], outside: list[str]
) -> None:
    span = parse_window(window)
    for moment in inside:
        assert span.contains(time.fromisoformat(moment)), (window, moment)
    for moment in outside:
        assert not span.contains(time.fromisoformat(moment)), (window, moment)


def test_seconds_count_too() -> None:
    span = parse_window("02:00-05:00")
    assert span.contains(time(4, 59, 59))
    assert not span.contains(time(1, 59, 59))


def test_length_and_times_after_the_start_pass_midnight() -> None:
    span = parse_window("23:00-02:00")
    assert span.length == timedelta(hours=3)
    assert span.after_start(timedelta(minutes=90)) == time(0, 30)
    assert str(span) == "23:00-02:00"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2:00-5:00", "is not a time span"),
        ("02:00 - 05:00", "is not a time span"),
        ("24:00-05:00", "is not a time span"),
        ("02:60-05:00", "is not a time span"),
        ("02:00", "is not a time span"),
        ("03:00-03:00", "start and end are the same time"),
    ],
)
def test_a_malformed_window_is_refused(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_window(text)
