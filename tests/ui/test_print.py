"""A citizen prints a scan: page count, copies, progress, paper out and back, the result."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.devices.catalog import DeviceClass
from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.ui.screens.print import PrintScreen
from kiosk.ui.screens.scan import CopyScreen, ScanScreen
from kiosk.ui.window import KioskWindow


@pytest.fixture
def config(make_config: Callable[..., Config], tmp_path: Path) -> Config:
    """The simulated printer keeps what it prints here, so the tests can count it."""
    return make_config(printer_output_dir=tmp_path / "printed")


def scan_a_page(qtbot: QtBot, window: KioskWindow, tile: str, language: str) -> ScanScreen:
    """Start a session, open `tile` (Scan or Copy), capture and keep a page, tap Finish."""
    qtbot.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles[tile], Qt.MouseButton.LeftButton)
    scan = frame.service_screen
    assert isinstance(scan, ScanScreen)
    qtbot.waitUntil(lambda: not scan.picture.pixmap().isNull(), timeout=10_000)
    qtbot.mouseClick(scan.capture_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: scan.buttons.currentWidget() is scan.review_row, timeout=10_000)
    qtbot.mouseClick(scan.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: scan.done_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(scan.done_button, Qt.MouseButton.LeftButton)
    return scan


def scan_one_page(qtbot: QtBot, window: KioskWindow) -> ScanScreen:
    scan = scan_a_page(qtbot, window, "scan", "en")
    qtbot.waitUntil(lambda: scan.buttons.currentWidget() is scan.ready_row, timeout=10_000)
    return scan


def printed_files(window: KioskWindow) -> list[Path]:
    out = window.kiosk.config.printer_output_dir
    assert out is not None, "these tests configure devices.printer.output_dir"
    return sorted(out.iterdir()) if out.exists() else []


def test_scan_then_print_two_copies(qtbot: QtBot, window: KioskWindow) -> None:
    scan = scan_one_page(qtbot, window)
    qtbot.mouseClick(scan.print_button, Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None and frame.service_id == "print"
    screen = frame.service_screen
    assert isinstance(screen, PrintScreen)
    qtbot.waitUntil(lambda: screen.message.text() == "Your scan: 1 page")
    qtbot.mouseClick(screen.more_button, Qt.MouseButton.LeftButton)
    assert screen.copies_label.text() == "2 copies"
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Printed 2 pages" in screen.message.text(), timeout=20_000)
    assert len(printed_files(window)) == 1


def test_paper_out_holds_the_job_and_it_finishes_once_paper_is_back(
    qtbot: QtBot, window: KioskWindow
) -> None:
    printer = window.kiosk.device(DeviceClass.PRINTER)
    assert isinstance(printer, SimulatedPrinter)
    scan = scan_one_page(qtbot, window)
    printer.set_fault("paper_out", True)
    qtbot.mouseClick(scan.print_button, Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    screen = frame.service_screen
    assert isinstance(screen, PrintScreen)
    # A printer out of paper cannot take a new job: the citizen is told so, in words.
    qtbot.waitUntil(lambda: "not available" in screen.message.text())
    assert not screen.print_button.isEnabled()

    printer.set_fault("paper_out", False)
    qtbot.waitUntil(lambda: screen.print_button.isEnabled())
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.job_id is not None)
    printer.set_fault("paper_out", True)  # the tray runs empty while printing
    qtbot.waitUntil(lambda: "out of paper" in screen.message.text(), timeout=20_000)
    printer.set_fault("paper_out", False)
    qtbot.waitUntil(lambda: "Printed 1 page" in screen.message.text(), timeout=20_000)
    assert len(printed_files(window)) == 1  # once, not twice


def test_nothing_to_print_leads_to_scan(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["print"], Qt.MouseButton.LeftButton)
    screen = frame.service_screen
    assert isinstance(screen, PrintScreen)
    assert "nothing to print" in screen.message.text()
    assert not screen.print_button.isVisible()
    qtbot.mouseClick(screen.scan_button, Qt.MouseButton.LeftButton)
    assert frame.service_id == "scan"


def copy_a_page(qtbot: QtBot, window: KioskWindow, language: str) -> PrintScreen:
    """Copy: scan and keep a page, tap Finish; the copying step comes up under Copy."""
    copy = scan_a_page(qtbot, window, "copy", language)
    assert isinstance(copy, CopyScreen)
    qtbot.waitUntil(lambda: copy.printing is not None, timeout=10_000)
    screen = copy.printing
    assert isinstance(screen, PrintScreen)
    qtbot.waitUntil(lambda: screen.pages == 1, timeout=10_000)
    return screen


def test_copy_scans_then_copies_under_its_own_title(qtbot: QtBot, window: KioskWindow) -> None:
    screen = copy_a_page(qtbot, window, "sv")
    frame = window.frame
    assert frame is not None
    # Copy's screens are Copy's throughout: the title never turns into Print.
    assert frame.service_id == "copy" and frame.title.text() == "Kopiera"
    assert screen.message.text() == "Att kopiera: 1 sida"
    assert screen.print_button.text() == "Gör kopiorna"
    for _ in range(12):  # at most 10 copies
        qtbot.mouseClick(screen.more_button, Qt.MouseButton.LeftButton)
    assert screen.copies_label.text() == "10 kopior"
    qtbot.waitUntil(screen.print_button.isEnabled)  # once the pages are counted
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Kopierade 10 sidor" in screen.message.text(), timeout=30_000)
    assert frame.service_id == "copy" and frame.title.text() == "Kopiera"
    assert screen.again_button.text() == "Kopiera igen, avgiftsfritt"
    # Done: back home.
    qtbot.mouseClick(screen.done_button, Qt.MouseButton.LeftButton)
    assert frame.service_id is None
