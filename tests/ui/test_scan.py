"""A citizen scans two pages, retaking one, and gets a two-page PDF that the session wipes."""

from __future__ import annotations

from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.devices.catalog import DeviceClass
from kiosk.session import EndReason
from kiosk.ui.screens.scan import ScanScreen
from kiosk.ui.window import KioskWindow


def open_scan(qtbot: QtBot, window: KioskWindow) -> ScanScreen:
    qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["scan"], Qt.MouseButton.LeftButton)
    screen = frame.service_screen
    assert isinstance(screen, ScanScreen)
    return screen


def test_scan_two_pages_with_a_retake_into_one_pdf(qtbot: QtBot, window: KioskWindow) -> None:
    screen = open_scan(qtbot, window)
    camera = window.kiosk.device(DeviceClass.CAMERA)
    assert camera is not None
    # The live preview shows the camera's pictures.
    qtbot.waitUntil(lambda: not screen.picture.pixmap().isNull(), timeout=10_000)
    assert not screen.done_button.isEnabled()  # nothing to finish yet

    for retake_first in (False, True):
        qtbot.mouseClick(screen.capture_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: screen.buttons.currentWidget() is screen.review_row, timeout=10_000)
        if retake_first:
            qtbot.mouseClick(screen.retake_button, Qt.MouseButton.LeftButton)
            assert screen.buttons.currentWidget() is screen.aim_row
            qtbot.mouseClick(screen.capture_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(
                lambda: screen.buttons.currentWidget() is screen.review_row, timeout=10_000
            )
        qtbot.mouseClick(screen.keep_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: screen.buttons.currentWidget() is screen.aim_row, timeout=10_000)
    assert screen.count.text() == "2 sivua skannattu"

    qtbot.mouseClick(screen.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.buttons.currentWidget() is screen.ready_row, timeout=10_000)
    assert "2 sivua" in screen.instruction.text()
    session = window.kiosk.session.current
    assert session is not None
    pdf = session.folder / "scan.pdf"
    assert len(PdfReader(pdf).pages) == 2
    assert session.visit.scans == [pdf]
    # The camera is off once the scan is finished.
    qtbot.waitUntil(lambda: camera.latest() is None)  # type: ignore[attr-defined]

    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.end_button, Qt.MouseButton.LeftButton)
    assert not session.folder.exists()


def test_leaving_the_screen_turns_the_camera_off(qtbot: QtBot, window: KioskWindow) -> None:
    screen = open_scan(qtbot, window)
    camera = window.kiosk.device(DeviceClass.CAMERA)
    assert camera is not None
    qtbot.waitUntil(lambda: camera.latest() is not None, timeout=10_000)  # type: ignore[attr-defined]
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: camera.latest() is None)  # type: ignore[attr-defined]
    assert not screen.isVisible()


def test_a_session_that_times_out_while_aiming_stops_the_camera(
    qtbot: QtBot, window: KioskWindow
) -> None:
    open_scan(qtbot, window)
    camera = window.kiosk.device(DeviceClass.CAMERA)
    assert camera is not None
    qtbot.waitUntil(lambda: camera.latest() is not None, timeout=10_000)  # type: ignore[attr-defined]
    window.end_session(EndReason.TIMEOUT)
    qtbot.waitUntil(lambda: camera.latest() is None)  # type: ignore[attr-defined]


def _scan_one_page(qtbot: QtBot, screen: ScanScreen) -> None:
    qtbot.waitUntil(lambda: not screen.picture.pixmap().isNull(), timeout=10_000)
    qtbot.mouseClick(screen.capture_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.buttons.currentWidget() is screen.review_row, timeout=10_000)
    qtbot.mouseClick(screen.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.buttons.currentWidget() is screen.aim_row, timeout=10_000)
    qtbot.mouseClick(screen.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.buttons.currentWidget() is screen.ready_row, timeout=10_000)


def test_scanning_again_in_the_same_visit_keeps_the_first_document(
    qtbot: QtBot, window: KioskWindow
) -> None:
    first = open_scan(qtbot, window)
    _scan_one_page(qtbot, first)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(frame.home.tiles["scan"], Qt.MouseButton.LeftButton)
    second = frame.service_screen
    assert isinstance(second, ScanScreen) and second is not first
    _scan_one_page(qtbot, second)
    session = window.kiosk.session.current
    assert session is not None
    documents = [session.folder / "scan.pdf", session.folder / "scan-2.pdf"]
    assert session.visit.scans == documents
    assert all(len(PdfReader(pdf).pages) == 1 for pdf in documents)
