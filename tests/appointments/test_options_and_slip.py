"""What the hub offers for callbacks and bookings, read from its answer; when a line is a dead
end; slots by day in Helsinki; and the booking's slip as words and as a printable PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.appointments.booking import Booking, by_day, format_code, parse_slots
from kiosk.appointments.options import AppointmentOptions, dead_end, parse_options
from kiosk.appointments.slip import Slip, write_slip_pdf
from kiosk.video.advice import AdviceLine, LineState

LINES = {
    "lines": [],
    "callback_topics": [
        {"id": "housing", "name": {"fi": "Asuminen", "sv": "Boende", "en": "Housing"}},
        {"id": "broken"},
        "not an object",
    ],
    "times_of_day": [{"id": "morning", "name": {"fi": "Aamupäivä (8–12)", "en": "Morning"}}],
    "long_wait_s": 900,
    "home_calls": True,
}


def line(state: LineState, *, open_now: bool = True, wait: int | None = None) -> AdviceLine:
    return AdviceLine(
        "virka-info", {"fi": "Virka-info"}, {}, "09 310 11111", ("fi",), open_now,
        state=state, estimated_wait_s=wait,
    )  # fmt: skip


def test_the_hubs_topics_times_and_long_wait_are_read() -> None:
    options = parse_options(LINES, "https://hub.example.fi/")
    assert [t.id for t in options.topics] == ["housing", "broken"]
    assert options.topics[0].name("sv") == "Boende"
    assert options.topics[1].name("fi") == "broken"
    assert options.times_of_day[0].name("sv") == "Morning"  # no Swedish name: English
    assert options.long_wait_s == 900
    assert options.home_url == "https://hub.example.fi/call"
    assert options.known


def test_an_answer_of_another_shape_offers_nothing() -> None:
    assert parse_options(["no"]) == AppointmentOptions()
    options = parse_options({"callback_topics": "x", "long_wait_s": "long", "home_calls": False})
    assert not options.known and options.long_wait_s is None and options.home_url == ""


@pytest.mark.parametrize(
    ("shown", "dead"),
    [
        (line(LineState.CLOSED, open_now=False), True),
        (line(LineState.UNSTAFFED), True),
        (line(LineState.BUSY, wait=901), True),
        (line(LineState.BUSY, wait=900), False),
        (line(LineState.BUSY, wait=None), False),
        (line(LineState.AVAILABLE), False),
    ],
)
def test_a_line_is_a_dead_end_when_closed_unstaffed_or_the_wait_is_long(
    shown: AdviceLine, dead: bool
) -> None:
    assert dead_end(shown, parse_options(LINES)) is dead


def test_slots_are_grouped_by_their_day_in_helsinki() -> None:
    # 22.30 UTC on Monday is 0.30 on Tuesday in Helsinki (winter time, UTC+2).
    def slot(id: str, starts: str, ends: str) -> dict[str, str]:
        day = "2026-12-07T"
        return {"id": id, "starts_at": f"{day}{starts}.000Z", "ends_at": f"{day}{ends}.000Z"}

    slots = parse_slots(
        {
            "slots": [
                slot("b", "22:30:00", "22:50:00"),
                slot("a", "08:00:00", "08:20:00"),
                {"id": "bad", "starts_at": "yesterday"},
            ]
        }
    )
    days = by_day(slots)
    assert [(d.isoformat(), [s.id for s in group]) for d, group in days] == [
        ("2026-12-07", ["a"]),
        ("2026-12-08", ["b"]),
    ]


def test_a_code_is_shown_in_two_groups() -> None:
    assert format_code("48210937") == "4821 0937"
    assert format_code("4821") == "4821"


def booking() -> Booking:
    starts = datetime(2026, 12, 9, 8, 0, tzinfo=UTC)
    return Booking(
        "bk1", "48210937", "virka-info", starts, starts + timedelta(minutes=20),
        starts - timedelta(minutes=10), starts + timedelta(minutes=15),
    )  # fmt: skip


def test_the_slip_says_where_when_and_the_code() -> None:
    slip = Slip(booking(), "Virka-info", "https://hub.example.fi/call")
    words = slip.lines(lambda m: m, "en")
    assert words[0] == "Video appointment"
    assert "Service: Virka-info" in words
    assert "Time: Wednesday 9.12.2026 at 10:00–10:20" in words
    assert "4821 0937" in words
    assert any("https://hub.example.fi/call" in w for w in words)
    assert "The code works from 9:50 to 10:15." in words
    finnish = slip.lines(lambda m: m, "fi")
    assert "Time: Wednesday 9.12.2026 at 10.00–10.20" in finnish


def test_the_slip_is_a_one_page_pdf(tmp_path: Path) -> None:
    path = write_slip_pdf(Slip(booking(), "Virka-info"), lambda m: m, "fi", tmp_path / "s.pdf")
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 210  # A4
