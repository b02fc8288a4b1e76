"""A PDF from an e-service, and an e-service page saved for printing, print on a real CUPS
printer (cupsd with a virtual IPP printer) from the Print service, as the citizen is told."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.ui.screens.print import PrintScreen
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.peers.cups import CupsPeer, cups_peer_fixture, cups_session_fixture  # noqa: F401
from tests.peers.websites import Websites, websites_fixture  # noqa: F401 - used by name
from tests.ui.conftest import open_window
from tests.ui.eservices import (
    BROWSER_TOML,
    cache_catalogue,
    go,
    open_eservices,
    open_service,
    start_session,
)


@pytest.fixture(name="cups_window")
def cups_window_fixture(
    qtbot: QtBot,
    make_config: Callable[..., Config],
    websites: Websites,
    cups_peer: CupsPeer,
    clock: FakeClock,
) -> Iterator[KioskWindow]:
    config = make_config(BROWSER_TOML)
    printer = replace(
        config.devices.printer, backend="cups", queue=cups_peer.queue, server=cups_peer.server
    )
    config = replace(config, devices=replace(config.devices, printer=printer))
    cache_catalogue(config.data_dir, websites.catalogue())
    yield from open_window(qtbot, config, clock)


def print_document(qtbot: QtBot, window: KioskWindow, label: str) -> PrintScreen:
    frame = window.frame
    assert frame is not None
    frame.show_home()
    qtbot.mouseClick(frame.home.tiles["print"], Qt.MouseButton.LeftButton)
    screen = frame.service_screen
    assert isinstance(screen, PrintScreen)
    chooser = screen.chooser
    qtbot.waitUntil(lambda: any(label in row.name.text() for row in chooser.rows), timeout=20_000)
    [index] = [n for n, row in enumerate(chooser.rows) if label in row.name.text()]
    chooser.choose(index)
    qtbot.waitUntil(screen.print_button.isEnabled, timeout=20_000)
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Printed" in screen.message.text(), timeout=30_000)
    return screen


def test_a_downloaded_pdf_and_a_saved_page_print_on_the_cups_printer(
    qtbot: QtBot, cups_window: KioskWindow, websites: Websites, cups_peer: CupsPeer
) -> None:
    start_session(qtbot, cups_window)
    screen = open_eservices(qtbot, cups_window)
    open_service(qtbot, screen)
    page = screen.browser.page
    go(qtbot, page, websites.url("/done"))
    visit = cups_window.kiosk.session.current.visit  # type: ignore[union-attr]
    page.runJavaScript("location.href = '/receipt.pdf'", 0)
    qtbot.waitUntil(lambda: len(visit.downloads) == 1, timeout=20_000)

    qtbot.mouseClick(screen.browser.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(visit.downloads) == 2, timeout=20_000)
    saved = visit.downloads[1]
    assert saved.pdf.read_bytes().startswith(b"%PDF-")
    assert "is now among your documents" in screen.browser.banner.text()

    # The printer names each document it receives after the job (the kiosk's jobs: "kiosk-…").
    print_document(qtbot, cups_window, "receipt.pdf, from an e-service")
    qtbot.waitUntil(lambda: len(cups_peer.documents("kiosk")) == 1, timeout=30_000)
    print_document(qtbot, cups_window, f"{saved.name}, from an e-service")
    qtbot.waitUntil(lambda: len(cups_peer.documents("kiosk")) == 2, timeout=30_000)
    assert all(p.read_bytes().startswith(b"%PDF-") for p in cups_peer.documents("kiosk"))
