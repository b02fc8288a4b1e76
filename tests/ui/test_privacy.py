"""Nothing personal outlives a session: a canary put in everywhere is found nowhere after."""

from __future__ import annotations

import io
import logging
import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.devices.cardreader.fineid import CardHolder
from kiosk.logs import setup_logging
from kiosk.ui.window import KioskWindow
from kiosk.visit import SentForm
from tests.ui.conftest import flush_deletes

CANARY = "Kanarialintu-7f3a9c-Meikäläinen-010190-123A"


def all_widget_text() -> str:
    parts: list[str] = []
    for top in QApplication.allWidgets():
        for attr in (
            "text",
            "toolTip",
            "accessibleName",
            "accessibleDescription",
            "windowTitle",
            "placeholderText",
        ):
            getter = getattr(top, attr, None)
            if callable(getter):
                try:
                    value = getter()
                except TypeError:
                    continue
                if isinstance(value, str):
                    parts.append(value)
    return "\n".join(parts)


def files_under(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def test_canary_is_gone_after_the_session(qtbot: QtBot, window: KioskWindow) -> None:
    log_output = io.StringIO()
    setup_logging("DEBUG", stream=log_output)
    try:
        qtbot.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
        session = window.kiosk.session.current
        frame = window.frame
        assert session is not None and frame is not None

        # What a service would hold: state, a file, text on screen and typed into a field,
        # the clipboard, and a careless log call.
        session.visit.sent_forms.append(
            SentForm("f", "REF", {"holder_name": CANARY}, session.folder / "f.pdf", {})
        )
        session.visit.card_holder = CardHolder(CANARY, CANARY, CANARY)
        (session.folder / "scan-1.txt").write_text(CANARY)
        shown = QLabel(CANARY)
        typed = QLineEdit()
        frame.stack.addWidget(shown)
        frame.stack.addWidget(typed)
        typed.setFocus()
        # Offscreen key events cannot carry "ä"; type the ASCII part and insert the rest.
        qtbot.keyClicks(typed, "Kanarialintu")
        typed.insert(CANARY)
        QGuiApplication.clipboard().setText(CANARY)
        logging.getLogger("kiosk.test").warning(
            "form filled", extra={"holder_name": CANARY, "service": "help"}
        )
        assert CANARY in all_widget_text()

        qtbot.mouseClick(frame.end_button, Qt.MouseButton.LeftButton)
        flush_deletes()
        assert window.kiosk.writer is not None
        window.kiosk.writer.flush(5)

        assert not session.folder.exists()
        assert session.visit.sent_forms == [] and session.visit.card_holder is None
        assert CANARY not in all_widget_text()
        assert QGuiApplication.clipboard().text() != CANARY
        assert CANARY not in log_output.getvalue()
        assert '"service": "help"' in log_output.getvalue()  # the log call itself was made
        data_dir = window.kiosk.config.data_dir
        assert CANARY.encode() not in files_under(data_dir)
        assert CANARY.encode() not in files_under(window.kiosk.config.session_folder)
        # The session itself was recorded, anonymously.
        with sqlite3.connect(window.kiosk.config.db_path) as db:
            kinds = [
                r[0]
                for r in db.execute("SELECT kind FROM usage WHERE session_id = ?", (session.id,))
            ]
        assert kinds[0] == "session_start" and kinds[-1] == "session_end"
    finally:
        setup_logging("INFO")


def test_stale_session_folders_are_wiped_at_start(tmp_path: Path, config: object) -> None:
    from kiosk.app import Kiosk

    assert hasattr(config, "session_folder")
    stale = config.session_folder / "deadbeef"  # type: ignore[attr-defined]
    stale.mkdir(parents=True)
    (stale / "form.json").write_text(CANARY)
    Kiosk(config)  # type: ignore[arg-type]
    assert not stale.exists()


def test_nothing_scanned_or_printed_outlives_the_session(qtbot: QtBot, window: KioskWindow) -> None:
    """Scan a page and print it with the default config, end the session: no document is left
    anywhere the kiosk writes (data folder, sessions folder)."""
    from tests.ui.test_print import scan_one_page

    scan = scan_one_page(qtbot, window)
    qtbot.mouseClick(scan.print_button, Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    screen = frame.service_screen
    qtbot.waitUntil(lambda: screen.print_button.isEnabled())  # type: ignore[union-attr]
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: "Printed" in screen.message.text(), timeout=20_000)  # type: ignore[union-attr]
    qtbot.mouseClick(frame.end_button, Qt.MouseButton.LeftButton)
    config = window.kiosk.config
    assert config.printer_output_dir is None
    left = [
        p
        for root in (config.data_dir, config.session_folder)
        if root.exists()
        for p in root.rglob("*")
        if p.is_file() and p.suffix in (".pdf", ".jpg", ".png")
    ]
    assert left == []
