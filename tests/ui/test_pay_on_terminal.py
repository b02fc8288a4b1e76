"""A citizen pays a fee on the nexo terminal simulator, a real separate process, for each way a
terminal can end a payment: what the screen tells them, what the journal holds, and that the
terminal charged at most once and nothing stays charged without being delivered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.devices.catalog import DeviceClass
from kiosk.payments.journal import PaymentState
from kiosk.ui.screens.fee import FeeScreen
from kiosk.ui.window import KioskWindow
from tests.peers.nexo import (  # noqa: F401 - the fixtures are used by name
    NexoSimulator,
    notify_port_fixture,
    sim_fixture,
)
from tests.ui.conftest import off_ui

FEE = '[fees.lost-card]\nname_fi = "Kadonnut kortti"\nname_en = "Lost card"\namount = "3.00"\n'
WAIT = 30_000


def on_terminal(base: Config, sim: NexoSimulator, notify_port: int) -> Config:
    """`base` with the nexo backend on the simulator peer, with short timeouts."""
    payment = replace(
        base.devices.payment,
        backend="nexo",
        terminal_url=sim.url,
        notify_port=notify_port,
        timeout_seconds=5.0,
        request_timeout_seconds=5.0,
    )
    return replace(base, devices=replace(base.devices, payment=payment))


@pytest.fixture
def config(make_config: Callable[..., Config], sim: NexoSimulator, notify_port: int) -> Config:
    return on_terminal(make_config(FEE), sim, notify_port)


def charged(sim: NexoSimulator, sale: str) -> int:
    """How many times the terminal's own journal charged for `sale` (and did not reverse it)."""
    started = {p["poi_tx"] for p in sim.payments(sale)}
    approved = [
        r
        for r in sim.journal()
        if r["record"] == "result" and r["poi_tx"] in started and r["result"] == "Success"
    ]
    reversed_ = [r for r in sim.journal() if r["record"] == "reversal" and r["poi_tx"] in started]
    return len(approved) - len(reversed_)


def pay_the_fee(qtbot: QtBot, window: KioskWindow) -> FeeScreen:
    terminal = window.kiosk.device(DeviceClass.PAYMENT)
    assert terminal is not None
    qtbot.waitUntil(lambda: terminal.health().state.usable, timeout=WAIT)
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    qtbot.waitUntil(lambda: frame.home.tiles["fee"].isEnabled(), timeout=WAIT)
    qtbot.mouseClick(frame.home.tiles["fee"], Qt.MouseButton.LeftButton)
    screen = frame.service_screen
    assert isinstance(screen, FeeScreen)
    qtbot.mouseClick(screen.fee_buttons["lost-card"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.confirm_page.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.payment.paying, timeout=WAIT)
    return screen


def journal(window: KioskWindow) -> list[tuple[str, PaymentState]]:
    assert window.kiosk.ledger is not None
    return [(e.sale_reference, e.state) for e in off_ui(window.kiosk.ledger.journal.entries)]


@pytest.mark.parametrize(
    "mode", ["approve", "busy_before_login", "no_answer", "drop_after_approve"]
)
def test_the_fee_is_paid_once_and_a_receipt_given(
    qtbot: QtBot, window: KioskWindow, sim: NexoSimulator, mode: str
) -> None:
    sim.control(mode=mode)
    screen = pay_the_fee(qtbot, window)
    sim.control(mode="approve")
    # However the answer came (at once, after a new Login, or from TransactionStatus after it
    # was lost), the citizen is told it is paid and gets the receipt.
    qtbot.waitUntil(lambda: screen.steps.currentWidget() is screen.done_page, timeout=WAIT)
    assert screen.heading.text() == "Thank you, the fee has been paid."
    qtbot.waitUntil(lambda: [s for _, s in journal(window)] == [PaymentState.DELIVERED])
    [(sale, _)] = journal(window)
    assert charged(sim, sale) == 1


@pytest.mark.parametrize(
    ("mode", "told", "state"),
    [
        ("decline", "The card was declined. Nothing was charged.", PaymentState.DECLINED),
        (
            "customer_cancel",
            "The payment was cancelled. Nothing was charged.",
            PaymentState.CANCELLED,
        ),
    ],
)
def test_a_refused_payment_charges_nothing_and_may_be_tried_again(
    qtbot: QtBot,
    window: KioskWindow,
    sim: NexoSimulator,
    mode: str,
    told: str,
    state: PaymentState,
) -> None:
    sim.control(mode=mode)
    screen = pay_the_fee(qtbot, window)
    assert told in screen.payment.message.text()
    assert screen.payment.again_button.isVisible()
    [(sale, found)] = journal(window)
    assert found is state and charged(sim, sale) == 0

    sim.control(mode="approve")
    qtbot.mouseClick(screen.payment.again_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.steps.currentWidget() is screen.done_page, timeout=WAIT)
    qtbot.waitUntil(lambda: [s for _, s in journal(window)] == [state, PaymentState.DELIVERED])
    assert charged(sim, journal(window)[1][0]) == 1


def test_a_terminal_that_dies_mid_payment_is_settled_when_it_is_back(
    qtbot: QtBot, window: KioskWindow, sim: NexoSimulator
) -> None:
    sim.control(mode="die_mid_payment")
    screen = pay_the_fee(qtbot, window)
    assert "We could not confirm your payment" in screen.payment.message.text()
    [(sale, state)] = journal(window)
    assert state is PaymentState.UNKNOWN
    assert sim.wait_exit() == 3

    sim.start()  # the terminal reboots; the kiosk logs in again and settles what was open
    sim.control(mode="approve")
    qtbot.waitUntil(lambda: journal(window) == [(sale, PaymentState.FAILED)], timeout=WAIT)
    assert charged(sim, sale) == 0


def test_a_terminal_in_maintenance_is_not_offered_and_charges_nothing(
    qtbot: QtBot, window: KioskWindow, sim: NexoSimulator
) -> None:
    terminal = window.kiosk.device(DeviceClass.PAYMENT)
    assert terminal is not None
    qtbot.waitUntil(lambda: terminal.health().state.usable, timeout=WAIT)
    sim.control(mode="offline")
    qtbot.waitUntil(lambda: not terminal.health().state.usable, timeout=WAIT)
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    tile = frame.home.tiles["fee"]
    qtbot.waitUntil(lambda: not tile.isEnabled(), timeout=WAIT)
    assert "Not available at the moment" in " ".join(w.text() for w in tile.findChildren(QLabel))
    assert journal(window) == []
