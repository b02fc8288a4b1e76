"""A citizen pays for printing on the card terminal: the price before, the terminal's prompts,
a declined card tried again, and the money back when the printing fails after payment."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.devices.catalog import DeviceClass
from kiosk.devices.payment.simulated import SimulatedPaymentTerminal
from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.payments.journal import PaymentState
from kiosk.ui.screens.print import PrintScreen
from kiosk.ui.window import KioskWindow
from tests.ui.conftest import off_ui
from tests.ui.test_print import scan_one_page

PRICED = '[prices]\nprint_page = "0.20"\ncopy_page = "0.10"\nfree_pages = 1\n'


def open_print(qtbot: QtBot, window: KioskWindow) -> PrintScreen:
    scan = scan_one_page(qtbot, window)
    qtbot.mouseClick(scan.print_button, Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    screen = frame.service_screen
    assert isinstance(screen, PrintScreen)
    qtbot.waitUntil(lambda: screen.pages == 1)
    return screen


def journal_states(window: KioskWindow) -> list[PaymentState]:
    assert window.kiosk.ledger is not None
    return [e.state for e in off_ui(window.kiosk.ledger.journal.entries)]


@pytest.mark.kiosk_config(PRICED)
def test_the_free_page_prints_without_paying_and_more_cost_money(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_print(qtbot, window)
    assert screen.price_label.text() == "Free of charge. After this you have 0 free pages left."
    assert screen.print_button.text() == "Print"
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Printed 1 page" in screen.message.text(), timeout=20_000)
    assert journal_states(window) == []

    # The free page is used: two more copies cost 2 × 0.20 €.
    qtbot.mouseClick(screen.more_button, Qt.MouseButton.LeftButton)
    assert screen.price_label.text() == "Price: €0.40"
    assert screen.print_button.text() == "Pay and print"


@pytest.mark.kiosk_config(PRICED.replace("free_pages = 1", "free_pages = 0"))
def test_pay_then_print_and_the_sale_is_delivered(qtbot: QtBot, window: KioskWindow) -> None:
    screen = open_print(qtbot, window)
    assert screen.price_label.text() == "Price: €0.20"
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert screen.payment.isVisible()
    assert screen.payment.amount.text() == "To pay: €0.20"
    qtbot.waitUntil(lambda: "Printed 1 page" in screen.message.text(), timeout=20_000)
    qtbot.waitUntil(lambda: journal_states(window) == [PaymentState.DELIVERED], timeout=10_000)
    assert not screen.payment.isVisible()

    # The receipt, on request: what, how much, the card's last four digits only.
    assert screen.receipt_button.isVisible() and not screen.receipt.isVisible()
    qtbot.mouseClick(screen.receipt_button, Qt.MouseButton.LeftButton)
    assert screen.receipt.isVisible()
    receipt = screen.receipt.receipt
    assert receipt is not None
    shown = dict(receipt.lines(window.ui.t, "en"))
    assert (shown["For"], shown["Amount"]) == ("Printing, 1 page", "€0.20")
    entry = off_ui(window.kiosk.ledger.journal.entries)[0]  # type: ignore[union-attr]
    assert shown["Card"] == f"•••• {entry.card_last4}"


@pytest.mark.kiosk_config(PRICED.replace("free_pages = 1", "free_pages = 0"))
def test_a_declined_card_is_tried_again_and_charged_once(qtbot: QtBot, window: KioskWindow) -> None:
    terminal = window.kiosk.device(DeviceClass.PAYMENT)
    assert isinstance(terminal, SimulatedPaymentTerminal)
    screen = open_print(qtbot, window)
    terminal.set_fault("decline", True)
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "declined" in screen.payment.message.text(), timeout=10_000)
    assert screen.payment.again_button.isVisible()
    assert screen.payment.message.property("role") == "warning"
    assert screen.job_id is None

    terminal.set_fault("decline", False)
    qtbot.mouseClick(screen.payment.again_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Printed 1 page" in screen.message.text(), timeout=20_000)
    qtbot.waitUntil(
        lambda: journal_states(window) == [PaymentState.DECLINED, PaymentState.DELIVERED],
        timeout=10_000,
    )


@pytest.mark.kiosk_config(PRICED.replace("free_pages = 1", "free_pages = 0"))
def test_cancelling_at_the_screen_charges_nothing_and_goes_back(
    qtbot: QtBot, window: KioskWindow
) -> None:
    terminal = window.kiosk.device(DeviceClass.PAYMENT)
    assert isinstance(terminal, SimulatedPaymentTerminal)
    terminal.delay_seconds = 5.0  # a slow customer, so there is time to cancel
    screen = open_print(qtbot, window)
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Insert your card" in screen.payment.message.text(), timeout=10_000)
    qtbot.mouseClick(screen.payment.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in screen.payment.message.text(), timeout=10_000)
    assert journal_states(window) == [PaymentState.CANCELLED]
    qtbot.mouseClick(screen.payment.cancel_button, Qt.MouseButton.LeftButton)  # "Back"
    assert not screen.payment.isVisible()
    assert screen.print_button.isVisible() and screen.job_id is None


@pytest.mark.kiosk_config(PRICED.replace("free_pages = 1", "free_pages = 0"))
def test_a_paid_job_that_fails_is_refunded_and_the_citizen_told(
    qtbot: QtBot, window: KioskWindow
) -> None:
    printer = window.kiosk.device(DeviceClass.PRINTER)
    assert isinstance(printer, SimulatedPrinter)
    screen = open_print(qtbot, window)
    for _ in range(4):
        qtbot.mouseClick(screen.more_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.job_id is not None, timeout=10_000)
    job = screen.job_id
    assert job is not None
    printer.cancel(job)  # staff stop the printer mid-job
    qtbot.waitUntil(lambda: "returned to your card" in screen.message.text(), timeout=10_000)
    qtbot.waitUntil(lambda: journal_states(window) == [PaymentState.REVERSED], timeout=10_000)
