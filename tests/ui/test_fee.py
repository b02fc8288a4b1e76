"""A citizen pays a library fee: the fee list, the terminal, the receipt on screen (its QR code
reads back as the receipt) and on paper, and the journal says delivered."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.payments.journal import PaymentState
from kiosk.ui.screens.fee import FeeScreen
from kiosk.ui.widgets.receipt import qr_image
from kiosk.ui.window import KioskWindow
from tests.ui.conftest import off_ui

FEES = """
[fees.lost-card]
name_fi = "Kadonnut kirjastokortti"
name_sv = "Förlorat bibliotekskort"
name_en = "Lost library card"
amount = "3.00"
reference = "LIB-CARD"
[fees.reservation]
name_fi = "Varausmaksu"
amount = "0.50"
"""


def read_qr(image: QImage) -> str:
    import cv2

    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = gray.width(), gray.height(), gray.bytesPerLine()
    pixels = np.frombuffer(gray.constBits(), np.uint8).reshape(height, stride)[:, :width]
    plain = np.ascontiguousarray(pixels)
    # OpenCV's detectors each miss the odd code: both are asked, at two sizes, before the code
    # is taken as unreadable (a phone's reader is no less forgiving).
    larger = cv2.resize(plain, (width * 2, height * 2), interpolation=cv2.INTER_NEAREST)
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        for picture in (plain, larger):
            text, _, _ = detector.detectAndDecode(picture)
            if text:
                return str(text)
    return ""


def open_fees(qtbot: QtBot, window: KioskWindow, language: str) -> FeeScreen:
    qtbot.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["fee"], Qt.MouseButton.LeftButton)
    screen = frame.service_screen
    assert isinstance(screen, FeeScreen)
    return screen


@pytest.mark.kiosk_config(FEES)
def test_pay_a_fee_and_get_a_receipt(qtbot: QtBot, window: KioskWindow) -> None:
    screen = open_fees(qtbot, window, "en")
    buttons = screen.fee_buttons
    assert buttons["lost-card"].text() == "Lost library card — €3.00"
    # No English name: the Finnish one stands in.
    assert buttons["reservation"].text() == "Varausmaksu — €0.50"

    qtbot.mouseClick(buttons["lost-card"], Qt.MouseButton.LeftButton)
    # Nothing is asked of the terminal before the citizen has seen what they pay, and to whom.
    assert screen.steps.currentWidget() is screen.confirm_page
    assert not screen.payment.paying and off_ui(window.kiosk.ledger.journal.entries) == []  # type: ignore[union-attr]
    qtbot.mouseClick(screen.confirm_page.pay_button, Qt.MouseButton.LeftButton)
    assert screen.heading.text() == "You are paying: Lost library card"
    assert screen.payment.amount.text() == "To pay: €3.00"
    qtbot.waitUntil(lambda: screen.steps.currentWidget() is screen.done_page, timeout=10_000)
    assert screen.heading.text() == "Thank you, the fee has been paid."

    ledger = window.kiosk.ledger
    assert ledger is not None
    qtbot.waitUntil(
        lambda: [e.state for e in off_ui(ledger.journal.entries)] == [PaymentState.DELIVERED]
    )
    entry = off_ui(ledger.journal.entries)[0]
    assert (entry.purpose, entry.amount_cents) == ("fee:lost-card", 300)

    receipt = screen.receipt.receipt
    assert receipt is not None
    shown = dict(receipt.lines(window.ui.t, "en"))
    assert shown["Amount"] == "€3.00"
    assert shown["Card"] == f"•••• {entry.card_last4}"
    assert shown["Reference"] == "LIB-CARD"
    assert shown["Receipt number"] == entry.sale_reference
    # The code on screen carries the same receipt, for a phone to keep.
    pixmap = screen.receipt.qr.pixmap()
    assert read_qr(pixmap.toImage()) == receipt.text(window.ui.t, "en")

    qtbot.mouseClick(screen.receipt.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "take your receipt" in screen.receipt.status.text(), timeout=20_000)
    qtbot.mouseClick(screen.another_button, Qt.MouseButton.LeftButton)
    assert screen.steps.currentWidget() is screen.choose_page


def test_without_fees_there_is_no_fee_tile(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    assert "fee" not in frame.home.tiles


def test_a_long_receipt_text_still_reads_back() -> None:
    text = "Kuitti\n" + "\n".join(f"Rivi {n}: ääkköset ja € {n}" for n in range(12))
    assert read_qr(qr_image(text)) == text


@pytest.mark.kiosk_config(FEES)
def test_ending_the_session_while_paying_charges_nothing(qtbot: QtBot, window: KioskWindow) -> None:
    from kiosk.devices.catalog import DeviceClass
    from kiosk.devices.payment.simulated import SimulatedPaymentTerminal

    terminal = window.kiosk.device(DeviceClass.PAYMENT)
    assert isinstance(terminal, SimulatedPaymentTerminal)
    terminal.delay_seconds = 3.0  # the citizen is slow at the terminal
    screen = open_fees(qtbot, window, "en")
    qtbot.mouseClick(screen.fee_buttons["lost-card"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.confirm_page.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Insert your card" in screen.payment.message.text(), timeout=10_000)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.end_button, Qt.MouseButton.LeftButton)
    assert window.kiosk.session.current is None

    ledger = window.kiosk.ledger
    assert ledger is not None

    def settled() -> bool:
        entries = off_ui(ledger.journal.entries)
        return len(entries) == 1 and not entries[0].state.open

    qtbot.waitUntil(settled, timeout=10_000)
    assert off_ui(ledger.journal.entries)[0].state in (
        PaymentState.CANCELLED,
        PaymentState.REVERSED,
    )
