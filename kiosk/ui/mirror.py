"""The picture of the screen the demo keeps without a display (`kiosk --mirror PATH`).

The kiosk's screen is renewed into a PNG every 2 seconds. It shows what a citizen types, so it
is the kiosk user's alone: every picture is written to a new file created 0600 (never readable
by others, not even for a moment) and renamed over the previous one. It does not outlive the
session either: when a session ends it is renewed at once, after the window has gone back to
the attract screen, and when the app stops its last picture is the attract screen (or, if that
cannot be drawn, the file is removed). A picture left by a run that crashed is replaced as soon
as the app starts again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QTimer, Signal

from kiosk.session import EndSummary
from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

INTERVAL_MS = 2000


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in a file only its owner may read (0600 from its creation)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(handle, 0o600)  # mkstemp makes it 0600 already; said here, not assumed
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class ScreenMirror(QObject):
    """Keeps `path` a picture of `window`: on a timer, at each session's end, at exit."""

    #: Emitted from whichever thread ended a session; renews the picture on the Qt thread.
    _renew = Signal()

    def __init__(self, window: KioskWindow, path: Path, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(window)
        self.window = window
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._renew.connect(self.save)
        # Registered after the window's own listener, so the window is already back at the
        # attract screen when this one runs.
        window.kiosk.session.on_end(self._session_ended)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.save)
        self._timer.start(interval_ms)
        # At once: a picture a crashed run left behind is replaced before anything else.
        QTimer.singleShot(0, self, self.save)

    def save(self) -> bool:
        """Renew the picture from what the window shows now; False if it could not be."""
        image = self.window.grab()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if image.isNull() or not image.save(buffer, "PNG"):
            return False
        try:
            write_private(self.path, bytes(data.data()))
        except OSError as exc:
            log.warning("the screen mirror could not be written", extra={"reason": str(exc)})
            return False
        return True

    def _session_ended(self, _summary: EndSummary) -> None:
        self._renew.emit()

    def close(self) -> None:
        """The app stops (its session already ended): leave the attract screen, or nothing."""
        self._timer.stop()
        self.window.show_attract()
        if not self.save():
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
