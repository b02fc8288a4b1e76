"""A video appointment booked at one kiosk, its code entered on the pad of another: the call
goes first to the advisor who holds the slot, who is told the citizen has arrived; the kiosk
says the citizen has an appointment while the advisor finishes another call, and a chime and
words when she answers. A code that is not one is said so, and the pad comes back.

The hub is the real one, as its own process (`kiosk-hub serve`) with a code that works from an
hour before its slot; the advisor and the kiosk that booked are WebSockets and HTTP as the
console and the kiosk app use them. The kiosk is the app's own window with its own client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from hub.config import load_config
from hub.hours import HELSINKI, utc_iso
from hub.store import open_configured
from kiosk.config import Config
from kiosk.engine import Engine
from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from kiosk.video.hub_wire import parse_time
from tests.conftest import FakeClock
from tests.hub.conftest import add_kiosk, add_user, log_in
from tests.peers.hub import Hub
from tests.peers.smtp import free_port
from tests.ui.conftest import open_window
from tests.ui.speech_double import HeardEngine
from tests.video.conftest import DEADLINE
from tests.video.line_states import ALL_WEEK, KioskSocket
from tests.video.resilience_peers import Advisor

WAIT = 60_000
#: The kiosk under test, the one the booking is made at, and one whose call keeps Anna busy.
KIOSK, BOOKER, OTHER = "demo-kiosk", "kallio-1", "lippulaiva-1"


@dataclass
class BookingHub:
    hub: Hub
    tokens: dict[str, str]


@pytest.fixture
def booking_hub(tmp_path: Path) -> Iterator[BookingHub]:
    folder = tmp_path / "hub"
    folder.mkdir()
    port = free_port()
    config = folder / "hub.toml"
    config.write_text(
        f'[hub]\nlisten_host = "127.0.0.1"\nlisten_port = {port}\n'
        f'data_dir = "{folder / "hub"}"\ncookie_secure = false\n'
        "\n[appointments]\nearly_minutes = 60\n"
        f'\n[lines.virka-info]\nadvisors = ["anna"]\n[lines.virka-info.hours]\n{ALL_WEEK}\n'
    )
    hub = Hub(config, port)
    hub.cli("keys", "generate")
    store = open_configured(load_config(config))
    try:
        add_user(store, "anna", "advisor")
        tokens = {kiosk_id: add_kiosk(store, kiosk_id) for kiosk_id in (KIOSK, BOOKER, OTHER)}
    finally:
        store.close()
    hub.start()
    try:
        yield BookingHub(hub, tokens)
    finally:
        hub.stop()


@pytest.fixture
def window(
    qtbot: QtBot, make_config: Callable[..., Config], clock: FakeClock, booking_hub: BookingHub
) -> Iterator[KioskWindow]:
    base = make_config()
    config = replace(
        base,
        kiosk=replace(base.kiosk, hub_url=booking_hub.hub.url, hub_token=booking_hub.tokens[KIOSK]),
    )
    yield from open_window(qtbot, config, clock)


async def book_anna(booking_hub: BookingHub, minutes: int = 40) -> dict[str, Any]:
    """Anna opens a slot `minutes` from now; the other kiosk books it."""
    starts_at = (datetime.now(UTC) + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    url = booking_hub.hub.url
    async with aiohttp.ClientSession(base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
        csrf = await log_in(s, "anna")
        response = await s.post(
            "/api/schedule/slots",
            json={"line": "virka-info", "starts_at": utc_iso(starts_at)},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status == 201, await response.text()
        slot = await response.json()
    headers = {"Authorization": f"Bearer {booking_hub.tokens[BOOKER]}", "X-Kiosk-Id": BOOKER}
    async with aiohttp.ClientSession(base_url=url, headers=headers) as kiosk:
        response = await kiosk.post(
            "/api/kiosk/bookings",
            json={"slot": slot["id"], "language": "en", "topic": "housing"},
        )
        assert response.status == 201, await response.text()
        booked: dict[str, Any] = await response.json()
    return booked


async def keep_busy(booking_hub: BookingHub, anna: Advisor) -> KioskSocket:
    """Another kiosk calls Virka-info and Anna answers it."""
    other = await KioskSocket.open(booking_hub.hub.url, OTHER, booking_hub.tokens[OTHER])
    await other.call("virka-info")
    ringing = await anna.expect("ringing")
    await anna.send({"type": "accept", "call": ringing["call"]})
    await other.expect("connected")
    return other


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def enter(qtbot: QtBot, screen: AdviceScreen, code: str) -> None:
    while screen.code:
        click(qtbot, screen.erase_button)
    for digit in code:
        click(qtbot, screen.digit_buttons[digit])
    click(qtbot, screen.code_call_button)


def test_a_code_entered_at_the_kiosk_reaches_the_advisor_who_holds_the_slot(
    qtbot: QtBot, window: KioskWindow, booking_hub: BookingHub, engine: Engine
) -> None:
    booked = engine.submit(book_anna(booking_hub)).result(DEADLINE)
    code = booked["code"]
    later = engine.submit(book_anna(booking_hub, minutes=180)).result(DEADLINE)
    speech = HeardEngine()
    window.start_speech(speech)
    anna = engine.submit(Advisor.log_in(booking_hub.hub.url, "anna")).result(DEADLINE)
    other = engine.submit(keep_busy(booking_hub, anna)).result(DEADLINE)
    try:
        click(qtbot, window.attract.language_buttons["en"])
        frame = window.frame
        assert frame is not None
        click(qtbot, frame.home.tiles["advice"])
        screen = frame.service_screen
        assert isinstance(screen, AdviceScreen)
        qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.lines_page, timeout=WAIT)
        click(qtbot, screen.code_button)

        # A code whose time is hours ahead: when it starts to work, in Helsinki time.
        enter(qtbot, screen, later["code"])
        qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.sorry_page, timeout=WAIT)
        starts, valid_from = parse_time(later["starts_at"]), parse_time(later["valid_from"])
        assert starts is not None and valid_from == starts - timedelta(minutes=60)
        opens = valid_from.astimezone(HELSINKI)
        assert screen.sorry.text().startswith(
            "Your appointment has not started yet. The code works from "
        )
        assert f"{opens.hour}:{opens.minute:02d}." in screen.sorry.text()
        click(qtbot, screen.code_again_button)

        # A code that is no booking's: said so, and the pad again.
        wrong = "".join(str((int(c) + 1) % 10) for c in code)
        enter(qtbot, screen, wrong)
        qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.sorry_page, timeout=WAIT)
        assert screen.sorry.text() == (
            "This booking code was not found. Check the code and try again."
        )
        click(qtbot, screen.code_again_button)
        assert screen.pages.currentWidget() is screen.code_page

        # The code: Anna is told at once; the kiosk says the citizen has an appointment.
        enter(qtbot, screen, code)
        arrived = engine.submit(anna.expect("appointment_arrived")).result(DEADLINE)
        assert arrived["booking"] == booked["booking"]
        assert (arrived["line"], arrived["channel"]) == ("virka-info", "kiosk")
        qtbot.waitUntil(lambda: screen.status.booked, timeout=WAIT)
        assert screen.position.text() == (
            "You have an appointment: your advisor will answer as soon as they are free."
        )
        assert screen.heading.text() == "Calling Virka-info…"

        # Anna's other call ends: hers is the booked call, and she answers it.
        engine.submit(other.close()).result(DEADLINE)
        ringing = engine.submit(anna.expect("ringing")).result(DEADLINE)
        assert ringing["call"] == arrived["call"]
        engine.submit(anna.send({"type": "accept", "call": ringing["call"]})).result(DEADLINE)
        qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.call_page, timeout=WAIT)
        qtbot.waitUntil(
            lambda: "It's your turn: an advisor is answering." in speech.texts(), timeout=WAIT
        )
    finally:
        engine.submit(other.close()).result(DEADLINE)
        engine.submit(anna.close()).result(DEADLINE)
