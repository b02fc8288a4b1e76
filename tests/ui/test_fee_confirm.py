"""Before the card terminal is asked, a citizen sees what the fee is for, who is paid (with the
business ID), the amount and its VAT, and types a reference where the fee asks for one; the
reference goes on the receipt and nowhere that outlives the session. The words of each payment
outcome name the buttons shown with them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from pytestqt.qtbot import QtBot

from kiosk.devices.catalog import DeviceClass
from kiosk.devices.payment.simulated import SimulatedPaymentTerminal
from kiosk.payments.journal import PaymentState
from kiosk.ui.screens.fee import FeeScreen
from kiosk.ui.window import KioskWindow
from tests.ui.conftest import off_ui
from tests.ui.test_fee import open_fees

FEES = """
[prices]
payee_name = "Demo City Library"
business_id = "1234567-1"
[fees.lost-card]
name_fi = "Kadonnut kirjastokortti"
name_sv = "Förlorat bibliotekskort"
name_en = "Lost library card"
amount = "3.00"
ask_reference_fi = "Uuden kirjastokortin numero"
ask_reference_sv = "Det nya bibliotekskortets nummer"
ask_reference_en = "Your new library card's number"
ask_reference_length = "10"
[fees.parking]
name_fi = "Pysäköinti"
name_en = "Parking"
amount = "2.00"
payee_name = "Parking Company Ltd"
business_id = "0201256-6"
vat_percent = "25.5"
"""
CARD = "1234567890"


def shown(screen: FeeScreen) -> dict[str, str]:
    page = screen.confirm_page
    return {
        label.text(): value.text()
        for label, value in page.rows.values()
        if label.isVisible() and value.isVisible()
    }


def journal(window: KioskWindow) -> list[PaymentState]:
    assert window.kiosk.ledger is not None
    return [e.state for e in off_ui(window.kiosk.ledger.journal.entries)]


@pytest.mark.kiosk_config(FEES)
def test_the_payment_is_shown_and_confirmed_before_the_terminal(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_fees(qtbot, window, "en")
    qtbot.mouseClick(screen.fee_buttons["parking"], Qt.MouseButton.LeftButton)
    assert screen.steps.currentWidget() is screen.confirm_page
    assert shown(screen) == {
        "For": "Parking",
        "Payee": "Parking Company Ltd",
        "Business ID": "0201256-6",
        "Amount": "€2.00",
        "VAT 25.5 %": "€0.41",
    }
    assert screen.confirm_page.pay_button.text() == "Pay on the card terminal"
    assert not screen.confirm_page.reference.isVisible()
    assert not screen.payment.paying and journal(window) == []

    # Back: nothing was asked of the terminal.
    qtbot.mouseClick(screen.confirm_page.back_button, Qt.MouseButton.LeftButton)
    assert screen.steps.currentWidget() is screen.choose_page
    assert journal(window) == []

    # In Finnish, the words of the public services: Y-tunnus and ALV.
    window.ui.set_language("fi")
    qtbot.mouseClick(screen.fee_buttons["parking"], Qt.MouseButton.LeftButton)
    assert shown(screen)["Y-tunnus"] == "0201256-6"
    assert shown(screen)["ALV 25,5 %"] == "0,41\N{NO-BREAK SPACE}€"
    qtbot.mouseClick(screen.confirm_page.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.steps.currentWidget() is screen.done_page, timeout=10_000)
    receipt = screen.receipt.receipt
    assert receipt is not None
    rows = dict(receipt.lines(window.ui.t, "fi"))
    assert rows["Maksun saaja"] == "Parking Company Ltd" and rows["Y-tunnus"] == "0201256-6"
    assert rows["ALV 25,5 %"] == "0,41\N{NO-BREAK SPACE}€"
    # Done goes home.
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(screen.done_button, Qt.MouseButton.LeftButton)
    assert frame.service_id is None


@pytest.mark.kiosk_config(FEES)
def test_a_library_card_number_is_checked_and_kept_only_on_the_receipt(
    qtbot: QtBot, window: KioskWindow, tmp_path: Path
) -> None:
    screen = open_fees(qtbot, window, "en")
    qtbot.mouseClick(screen.fee_buttons["lost-card"], Qt.MouseButton.LeftButton)
    page = screen.confirm_page
    assert page.reference_label.text() == "Your new library card's number"
    assert page.reference.isVisible() and page.pay_button.isVisible()
    # Touching the field brings up the on-screen keyboard with its numbers.
    assert not screen.keyboard.isVisible()
    qtbot.mouseClick(page.reference, Qt.MouseButton.LeftButton)
    assert screen.keyboard.isVisible()
    for digit in "12345":
        qtbot.mouseClick(screen.keyboard.key(digit), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
    # Too short: said plainly, and the terminal is not asked.
    assert screen.steps.currentWidget() is page
    assert page.error.isVisible()
    assert page.error.text() == "⚠ Type 10 digits, numbers 0–9 only."
    assert journal(window) == [] and not screen.payment.paying

    page.reference.clear()
    qtbot.keyClicks(page.reference, "1234 567 890")  # people type long numbers in groups
    assert not page.error.isVisible()
    qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.steps.currentWidget() is screen.done_page, timeout=10_000)
    qtbot.waitUntil(lambda: journal(window) == [PaymentState.DELIVERED], timeout=10_000)

    receipt = screen.receipt.receipt
    assert receipt is not None
    rows = dict(receipt.lines(window.ui.t, "en"))
    assert rows["Your new library card's number"] == CARD
    assert rows["Payee"] == "Demo City Library" and rows["Business ID"] == "1234567-1"
    assert rows["VAT 0 %"] == "€0.00"
    assert CARD in receipt.text(window.ui.t, "en")  # the QR code the citizen keeps
    # The field is emptied once paid.
    assert page.reference.text() == ""

    # The journal has what the ledger needs (the fee, the amount), not the card number: no
    # file of the kiosk's data holds it, the database and its write-ahead log included.
    [entry] = off_ui(window.kiosk.ledger.journal.entries)  # type: ignore[union-attr]
    assert (entry.purpose, entry.amount_cents) == ("fee:lost-card", 300)
    data_dir = window.kiosk.config.data_dir
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert CARD.encode() not in path.read_bytes(), path


@pytest.mark.kiosk_config(FEES)
@pytest.mark.parametrize("fault", ["decline", "customer_cancel", "offline"])
def test_every_payment_outcome_names_only_the_buttons_shown(
    qtbot: QtBot, window: KioskWindow, fault: str
) -> None:
    terminal = window.kiosk.device(DeviceClass.PAYMENT)
    assert isinstance(terminal, SimulatedPaymentTerminal)
    screen = open_fees(qtbot, window, "en")
    qtbot.mouseClick(screen.fee_buttons["parking"], Qt.MouseButton.LeftButton)
    terminal.set_fault(fault, True)
    qtbot.mouseClick(screen.confirm_page.pay_button, Qt.MouseButton.LeftButton)
    panel = screen.payment
    qtbot.waitUntil(lambda: not panel.paying, timeout=10_000)
    for language in ("en", "fi", "sv"):
        window.ui.set_language(language)
        text = panel.message.text()
        buttons = [b.text() for b in (panel.again_button, panel.cancel_button) if b.isVisible()]
        named = re.findall(r"[“”\"]([^“”\"]+)[“”\"]", text)
        assert set(named) <= set(buttons), (language, text, buttons)
        if fault == "decline":
            # Try again or stop: both ways out are named, by the words on their buttons.
            assert set(named) == set(buttons) and len(buttons) == 2, (language, text)
        assert "or cancel" not in text


@pytest.mark.kiosk_config(FEES)
@pytest.mark.parametrize("large", [False, True])
def test_pay_and_back_stay_in_sight_above_the_keyboard(
    qtbot: QtBot, window: KioskWindow, large: bool
) -> None:
    screen = open_fees(qtbot, window, "fi")
    window.ui.set_large_text(large)
    qtbot.mouseClick(screen.fee_buttons["lost-card"], Qt.MouseButton.LeftButton)
    page = screen.confirm_page
    qtbot.mouseClick(page.reference, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(screen.keyboard.isVisible)
    qtbot.wait(50)  # the keyboard takes its room
    keyboard = QRect(screen.keyboard.mapTo(window, QPoint(0, 0)), screen.keyboard.size())
    for button in (page.pay_button, page.back_button):
        assert button.isVisible()
        where = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        assert window.rect().contains(where), f"{button.text()!r} is off the screen at {where}"
        assert not where.intersects(keyboard), f"{button.text()!r} is under the keyboard"
    # Leaving the check page takes its buttons with it.
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert screen.steps.currentWidget() is screen.choose_page
    assert not page.pay_button.isVisible() and not page.back_button.isVisible()


@pytest.mark.kiosk_config(FEES)
def test_the_reference_field_is_whole_above_the_keyboard_with_large_text(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_fees(qtbot, window, "fi")
    window.ui.set_large_text(True)
    qtbot.mouseClick(screen.fee_buttons["lost-card"], Qt.MouseButton.LeftButton)
    page = screen.confirm_page
    qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)  # empty: told, and typed into
    qtbot.waitUntil(screen.keyboard.isVisible)
    viewport = screen.area.viewport()

    def whole() -> bool:
        seen = QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())
        field = QRect(page.reference.mapTo(window, QPoint(0, 0)), page.reference.size())
        return seen.contains(field)

    # Once the keyboard has taken its room, the field is brought wholly into sight.
    qtbot.waitUntil(whole, timeout=3000)
