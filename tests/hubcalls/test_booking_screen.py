"""A citizen at a line nobody answers books a video appointment on the kiosk's screen, in
Finnish, Swedish and English, against the hub as it runs: the advisor's free times by day, a
topic and a contact for the advisor, the code shown large, printed free on the simulated printer
and sent by e-mail through the outbox. A time someone else took meanwhile sends the citizen
back to the times with a word; with the hub away nothing is booked and the page says so."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from eforms import validators
from kiosk.outbox import open_sealed
from kiosk.ui.screens.video import appointment_texts as T
from kiosk.ui.screens.video.booking import BookingForm, BookingPage
from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from tests.conftest import HUB_KEY
from tests.hubcalls.appointment_screens import (
    LEFT,
    WAIT_MS,
    activate,
    click,
    offer_at_a_dead_end,
    open_advice,
    shoot,
)
from tests.hubcalls.conftest import LINE, Site
from tests.hubcalls.test_callback_hub import as_staff
from tests.ui.conftest import open_window


@pytest.fixture
def window(qtbot: QtBot, site: Site) -> Iterator[KioskWindow]:
    yield from open_window(qtbot, site.config)


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def add_slots(site: Site, *hours: int) -> list[str]:
    """The advisor's free slots `hours` from now (on the hour); their ids."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    calls = [
        (
            "POST",
            "/api/schedule/slots",
            {"line": LINE, "starts_at": utc_iso(now + timedelta(hours=h))},
        )
        for h in hours
    ]
    answers = asyncio.run(as_staff(site, calls))
    assert [status for status, _ in answers] == [201] * len(hours), answers
    return [slot["id"] for _, slot in answers]


def open_booking(
    qtbot: QtBot, window: KioskWindow, language: str
) -> tuple[AdviceScreen, BookingPage]:
    screen = open_advice(qtbot, window, language)
    desk = offer_at_a_dead_end(qtbot, screen)
    click(qtbot, desk.offers[screen.sorry_page].booking_button)
    page = desk.booking_page
    assert page is not None and screen.pages.currentWidget() is page
    return screen, page


def fill_in(qtbot: QtBot, window: KioskWindow, page: BookingPage, contact: str = "") -> BookingForm:
    form = page.form
    assert isinstance(form, BookingForm)
    click(qtbot, form.fields["topic"].buttons["housing"])  # type: ignore[attr-defined]
    if contact:
        activate(qtbot, window)
        qtbot.mouseClick(form.fields["contact"].editor, LEFT)
        qtbot.keyClicks(form.fields["contact"].editor, contact)
    click(qtbot, form.next_button)
    assert form.on_summary
    return form


def can_tap(page: BookingPage, slot: str) -> bool:
    """The time's button is on screen and takes a tap (the list is shown once it is built)."""
    button = page.time_buttons.get(slot)
    return button is not None and button.isVisible() and button.isEnabled()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_time_is_booked_and_its_code_shown_printed_and_e_mailed(
    qtbot: QtBot, window: KioskWindow, site: Site, language: str
) -> None:
    first, _second = add_slots(site, 3, 27)
    screen, page = open_booking(qtbot, window, language)
    qtbot.waitUntil(lambda: can_tap(page, first), timeout=WAIT_MS)
    assert len(page.time_buttons) == 2
    shoot(window, "advice-booking-times", page._show_times)
    click(qtbot, page.time_buttons[first])
    assert page.chosen is not None and page.chosen.id == first
    shoot(window, "advice-booking-details")
    form = fill_in(qtbot, window, page, "040 765 4321")
    shoot(window, "advice-booking-check")
    click(qtbot, form.next_button)

    qtbot.waitUntil(lambda: page.booking is not None, timeout=WAIT_MS)
    booking = page.booking
    assert booking is not None
    assert re.fullmatch(r"\d{4} \d{4}", page.code_label.text())
    assert page.code_label.text() == booking.shown_code
    assert page.booked_view.isVisible()
    shoot(window, "advice-booking-code")

    # Printed free, as a receipt is: the visit's pages are not counted.
    click(qtbot, page.print_button)
    qtbot.waitUntil(
        lambda: page.print_status.text() == window.ui.t(T.SLIP_PRINTED), timeout=WAIT_MS
    )
    assert screen.ctx.visit.pages_printed == 0

    activate(qtbot, window)
    qtbot.mouseClick(page.email_field, LEFT)
    assert page.keyboard.isVisible()
    qtbot.keyClicks(page.email_field, "maija@example")
    click(qtbot, page.email_button)
    assert page.email_status.text() == window.ui.t(validators.EMAIL)
    qtbot.keyClicks(page.email_field, ".fi")
    click(qtbot, page.email_button)
    qtbot.waitUntil(lambda: bool(page.email_field.text() == ""), timeout=WAIT_MS)
    assert page.email_status.text() == window.ui.t(T.EMAIL_SENT).format(address="maija@example.fi")
    shoot(window, "advice-booking-sent")
    outbox = screen.ctx.root.outbox
    assert outbox is not None
    pending = screen.ctx.run_blocking(outbox.pending).result(30)
    [mail] = [open_sealed(r.sealed, bytes(HUB_KEY)) for r in pending if r.kind == "email"]
    assert mail["to"] == ["maija@example.fi"]
    assert booking.shown_code in mail["message"]
    assert mail["language"] == language

    [stored] = site.hub.rows("SELECT slot_id, language, topic, status FROM bookings")
    assert stored == {
        "slot_id": first,
        "language": language,
        "topic": "housing",
        "status": "booked",
    }

    click(qtbot, page.done_button)
    assert window.frame is not None and window.frame.advice_screen is None


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_time_taken_meanwhile_or_a_hub_away_books_nothing_and_says_so(
    qtbot: QtBot, window: KioskWindow, site: Site, language: str
) -> None:
    first, second = add_slots(site, 5, 6)
    _screen, page = open_booking(qtbot, window, language)
    qtbot.waitUntil(lambda: can_tap(page, first) and can_tap(page, second), timeout=WAIT_MS)
    click(qtbot, page.time_buttons[first])
    # Another kiosk books the same time while this citizen is choosing the topic.
    taken = page.appointments.book(page.slots[0], language="fi", topic="taxes").result(30)
    assert taken.code
    form = fill_in(qtbot, window, page)
    click(qtbot, form.next_button)
    qtbot.waitUntil(lambda: page.times_warning.isVisible(), timeout=WAIT_MS)
    assert page.times_warning.text() == "⚠ " + window.ui.t(T.SLOT_TAKEN)
    qtbot.waitUntil(
        lambda: list(page.time_buttons) == [second] and can_tap(page, second), timeout=WAIT_MS
    )
    shoot(window, "advice-booking-taken")

    # The hub goes away: the next time cannot be booked, and the choice stays on screen.
    click(qtbot, page.time_buttons[second])
    form = fill_in(qtbot, window, page)
    site.hub.stop()
    click(qtbot, form.next_button)
    qtbot.waitUntil(form.notice.isVisible, timeout=WAIT_MS)
    assert form.notice.text() == "⚠ " + window.ui.t(T.BOOKING_UNAVAILABLE)
    assert page.booking is None and form.on_summary and form.next_button.isEnabled()
    shoot(window, "advice-booking-unavailable")
    click(qtbot, form.back_button)  # to the topic
    click(qtbot, form.back_button)  # to the times, asked again
    page.load_slots()
    qtbot.waitUntil(lambda: page.retry_button.isVisible(), timeout=WAIT_MS)
    assert page.times_warning.text() == "⚠ " + window.ui.t(T.BOOKING_UNAVAILABLE)
    shoot(window, "advice-booking-times-unavailable")
