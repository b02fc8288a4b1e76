"""No word is cut in the Print, Copy, Pay a fee and receipt screens, in Finnish, Swedish and
English, with larger text: every label's and button's words fit the room its style leaves them,
on one line or wrapped onto lines that fit."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.devices.catalog import DeviceClass
from kiosk.devices.payment.simulated import SimulatedPaymentTerminal
from kiosk.ui.screens.fee import FeeScreen
from kiosk.ui.screens.print import PrintScreen
from kiosk.ui.screens.scan import CopyScreen
from kiosk.ui.window import KioskWindow
from tests.ui.conftest import flush_deletes
from tests.ui.test_print import scan_a_page
from tests.ui.test_print_documents import go_home, open_service, scan_again

SETUP = """
[prices]
print_page = "0.20"
copy_page = "0.20"
payee_name = "Demo City Library"
business_id = "1234567-1"
[fees.lost-card]
name_fi = "Kadonnut kirjastokortti"
name_sv = "Förlorat bibliotekskort"
name_en = "Lost library card"
amount = "3.00"
reference = "KIRJASTOKORTTI"
ask_reference_fi = "Uuden kirjastokortin numero"
ask_reference_sv = "Det nya bibliotekskortets nummer"
ask_reference_en = "Your new library card's number"
ask_reference_length = "10"
[fees.interlibrary-loan]
name_fi = "Kaukolainan varausmaksu"
name_sv = "Reservationsavgift för fjärrlån"
name_en = "Interlibrary loan reservation"
amount = "5.00"
"""
CASES = [("fi", True), ("sv", True), ("en", True), ("sv", False)]


@pytest.fixture
def config(make_config: Callable[..., Config], tmp_path: Path) -> Config:
    return make_config(SETUP, printer_output_dir=tmp_path / "printed")


def _button_room(button: QPushButton, focused: bool) -> tuple[int, int]:
    option = QStyleOptionButton()
    button.initStyleOption(option)
    if focused:
        option.state |= QStyle.StateFlag.State_HasFocus
    else:
        option.state &= ~QStyle.StateFlag.State_HasFocus
    room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    icon = button.iconSize().width() + 4 if not button.icon().isNull() else 0
    return room.width() - icon, room.height()


def cut(widget: QWidget) -> str | None:
    """How `widget`'s words are cut, or None when they all show."""
    if isinstance(widget, QLabel):
        text = widget.text()
        if not text or not widget.pixmap().isNull():
            return None
        metrics = widget.fontMetrics()
        room = widget.contentsRect().width() - 2 * widget.margin()
        if widget.wordWrap():
            # Qt breaks lines between words and after a hyphen.
            parts = [p for p in re.split(r"\s+|(?<=-)", text) if p]
            widest = max(metrics.horizontalAdvance(p) for p in parts)
            if widest > room:
                return f"a word of {text!r} needs {widest} px, has {room}"
            if widget.heightForWidth(widget.width()) > widget.height() + 1:
                return f"{text!r} needs {widget.heightForWidth(widget.width())} px of height"
            return None
        # The ink, not only the advance: a bold letter's overhang is cut off too.
        big = QRect(0, 0, 1 << 20, 1 << 20)
        widest = metrics.boundingRect(big, int(widget.alignment()), text).width()
        return f"{text!r} needs {widest} px, has {room}" if widest > room else None
    if isinstance(widget, QPushButton) and widget.text():
        metrics = widget.fontMetrics()
        for focused in (False, True):
            width, height = _button_room(widget, focused)
            wraps = getattr(widget, "lines", None)
            lines = wraps(widget.width()) if callable(wraps) else widget.text().split("\n")
            widest = max(metrics.horizontalAdvance(line) for line in lines)
            if widest > width:
                return f"{widget.text()!r} needs {widest} px, has {width}"
            if len(lines) > 1 and len(lines) * metrics.lineSpacing() > height:
                return f"{len(lines)} lines of {widget.text()!r} do not fit {height} px"
    return None


def cuts(screen: QWidget) -> Iterator[str]:
    # What a citizen sees once the screen has settled: a page just shown (a receipt whose rows
    # were just made) may take more than one pass of events to be laid out.
    for _ in range(5):
        flush_deletes()
        QTest.qWait(20)
    for widget in screen.findChildren(QWidget):
        if isinstance(widget, QLabel | QAbstractButton) and widget.isVisible():
            problem = cut(widget)
            if problem is not None:
                yield f"{type(widget).__name__} {widget.objectName()}: {problem}"


def start(qtbot: QtBot, window: KioskWindow, language: str, large: bool) -> None:
    qtbot.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
    window.ui.set_large_text(large)


@pytest.mark.parametrize(("language", "large"), CASES)
def test_print_and_copy_cut_no_words(
    qtbot: QtBot, window: KioskWindow, language: str, large: bool
) -> None:
    found: list[str] = []
    scan = scan_a_page(qtbot, window, "scan", language)
    window.ui.set_large_text(large)
    qtbot.waitUntil(lambda: scan.buttons.currentWidget() is scan.ready_row, timeout=10_000)
    go_home(window)
    scan_again(qtbot, window)
    go_home(window)
    screen = open_service(qtbot, window, "print")
    assert isinstance(screen, PrintScreen)
    chooser = screen.chooser
    qtbot.waitUntil(lambda: all(d.pages for d in chooser.documents), timeout=10_000)
    for _ in range(9):  # the widest count: 10 copies
        qtbot.mouseClick(screen.more_button, Qt.MouseButton.LeftButton)
    found += [f"choice: {c}" for c in cuts(screen)]
    qtbot.mouseClick(chooser.rows[0].preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chooser.preview.pictures is not None, timeout=20_000)
    found += [f"preview: {c}" for c in cuts(screen)]
    qtbot.mouseClick(chooser.preview.close_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)  # pays on the terminal
    qtbot.waitUntil(lambda: screen.done_button.isVisible(), timeout=30_000)
    found += [f"done: {c}" for c in cuts(screen)]
    qtbot.mouseClick(screen.receipt_button, Qt.MouseButton.LeftButton)
    found += [f"receipt: {c}" for c in cuts(screen)]
    go_home(window)

    copy = open_service(qtbot, window, "copy")
    assert isinstance(copy, CopyScreen)
    qtbot.waitUntil(lambda: not copy.picture.pixmap().isNull(), timeout=10_000)
    qtbot.mouseClick(copy.capture_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: copy.buttons.currentWidget() is copy.review_row, timeout=10_000)
    qtbot.mouseClick(copy.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: copy.done_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(copy.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: copy.printing is not None, timeout=10_000)
    printing = copy.printing
    assert isinstance(printing, PrintScreen)
    qtbot.waitUntil(lambda: printing.pages > 0, timeout=10_000)
    for _ in range(9):
        qtbot.mouseClick(printing.more_button, Qt.MouseButton.LeftButton)
    found += [f"copy: {c}" for c in cuts(copy)]
    assert found == []


@pytest.mark.parametrize(("language", "large"), CASES)
def test_fees_and_their_receipt_cut_no_words(
    qtbot: QtBot, window: KioskWindow, language: str, large: bool
) -> None:
    terminal = window.kiosk.device(DeviceClass.PAYMENT)
    assert isinstance(terminal, SimulatedPaymentTerminal)
    start(qtbot, window, language, large)
    screen = open_service(qtbot, window, "fee")
    assert isinstance(screen, FeeScreen)
    found = [f"list: {c}" for c in cuts(screen)]
    qtbot.mouseClick(screen.fee_buttons["lost-card"], Qt.MouseButton.LeftButton)
    found += [f"confirm: {c}" for c in cuts(screen)]
    qtbot.mouseClick(screen.confirm_page.pay_button, Qt.MouseButton.LeftButton)
    screen.keyboard.hide()
    found += [f"error: {c}" for c in cuts(screen)]
    QTest.keyClicks(screen.confirm_page.reference, "1234567890")
    terminal.set_fault("decline", True)
    qtbot.mouseClick(screen.confirm_page.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.payment.again_button.isVisible(), timeout=10_000)
    found += [f"declined: {c}" for c in cuts(screen)]
    terminal.set_fault("decline", False)
    qtbot.mouseClick(screen.payment.again_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.steps.currentWidget() is screen.done_page, timeout=10_000)
    found += [f"receipt: {c}" for c in cuts(screen)]
    assert found == []
