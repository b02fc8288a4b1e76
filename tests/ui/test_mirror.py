"""The demo's screen mirror (`kiosk --mirror PATH`) keeps nothing of a citizen past the session.

A canary typed into a field is on the mirror while the session runs; once the session ends the
mirror is, at once, the attract screen, and when the app stops it is the attract screen too. The
file is only ever readable by the kiosk's user (0600), whatever the umask.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.session import EndReason
from kiosk.ui.mirror import ScreenMirror
from kiosk.ui.window import KioskWindow
from tests.peers.hub import wait_until

LEFT = Qt.MouseButton.LeftButton
CANARY = "Kanarialintu Meikalainen 010190-123A"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most careless umask there is: the mirror must be private all the same."""
    old = os.umask(0)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def picture(path: Path) -> QImage:
    image = QImage()
    assert image.loadFromData(path.read_bytes(), "PNG"), "the mirror is a PNG"
    return image.convertToFormat(QImage.Format.Format_RGB32)


def screen_now(window: KioskWindow) -> QImage:
    return window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def type_canary(qtbot: QtBot, window: KioskWindow) -> QRect:
    """Start a session, open E-mail and type the canary; where it is on the screen."""
    qtbot.mouseClick(window.attract.language_buttons["en"], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["email"], LEFT)
    editor = next(e for e in frame.findChildren(QLineEdit) if e.isVisible())
    qtbot.mouseClick(editor, LEFT)
    qtbot.keyClicks(editor, CANARY)
    assert editor.text() == CANARY
    return QRect(editor.mapTo(window, QPoint(0, 0)), editor.size())


def test_the_mirror_shows_the_attract_screen_as_soon_as_the_session_ends_and_at_exit(
    qtbot: QtBot, window: KioskWindow, tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "demo" / "screen.png"
    mirror = ScreenMirror(window, path)
    where = type_canary(qtbot, window)
    assert mirror.save()  # what the timer does every 2 seconds
    assert mode(path) == 0o600
    during = picture(path)
    assert during == screen_now(window)
    field_during = during.copy(where)

    window.end_session(EndReason.USER)

    # No wait for the timer: the picture was renewed when the session ended.
    assert window.stack.currentWidget() is window.attract
    after = picture(path)
    assert after == screen_now(window)
    assert after.copy(where) != field_during
    assert mode(path) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["screen.png"]

    # The app stops in the middle of a session.
    type_canary(qtbot, window)
    assert mirror.save()
    assert picture(path).copy(where) == field_during
    window.kiosk.shutdown()  # as run() does when the app exits
    mirror.close()
    assert window.stack.currentWidget() is window.attract
    at_exit = picture(path)
    assert at_exit == screen_now(window)
    assert at_exit.copy(where) != field_during
    assert mode(path) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["screen.png"]


def test_the_running_app_replaces_a_stale_mirror_keeps_it_private_and_at_exit_too(
    config: Config, tmp_path: Path, open_umask: None
) -> None:
    assert config.source is not None
    path = tmp_path / "out" / "screen.png"
    path.parent.mkdir()
    path.write_bytes(b"a picture a crashed run left behind")
    path.chmod(0o644)
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config.source), "--mirror", str(path)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_REPORT_PAINTED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"painted"
        wait_until(lambda: path.read_bytes().startswith(b"\x89PNG"), "the app renews its mirror")
        assert mode(path) == 0o600
        # Something else in its place, readable by all: the app's exit must replace it.
        path.write_bytes(b"not the attract screen")
        path.chmod(0o644)
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()
    assert mode(path) == 0o600
    assert picture(path).size().toTuple() == (1920, 1080)
    assert sorted(p.name for p in path.parent.iterdir()) == ["screen.png"]
