"""Remote actions and the app's heartbeat on the Qt thread: the timers, the screenshot, the
test page.

The app writes its heartbeat every 10 seconds and looks for actions every 2 seconds from Qt
timers, so a frozen UI stops both and kiosk-agent sees it. A screenshot is taken only when no
session is active: a citizen's screen is never photographed.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QObject, QRectF, QTimer
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter

# The window imports this module before its first paint: the store and the rest come later.
if TYPE_CHECKING:
    from kiosk.store.fleet import Command
    from kiosk.systemd import SystemdNotifier
    from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

POLL_MS = 2000
REFUSED_IN_SESSION = (
    "refused: a session is active; the screen is only captured when no one is using the kiosk"
)


def systemd_watchdog(parent: QObject) -> SystemdNotifier | None:
    """Under systemd: the notifier (for READY=1), and a timer on the Qt thread that pings its
    watchdog, so that a frozen UI misses the pings and systemd restarts the app."""
    if not os.environ.get("NOTIFY_SOCKET"):
        return None
    from kiosk.systemd import SystemdNotifier

    notifier = SystemdNotifier.from_environ()
    interval = notifier.watchdog_interval_ms if notifier is not None else None
    if notifier is not None and interval is not None:
        watchdog = QTimer(parent)
        watchdog.timeout.connect(notifier.ping)
        watchdog.start(interval)
    return notifier


class RemoteControl(QObject):
    """Owns the heartbeat and action timers of one kiosk window."""

    def __init__(self, window: KioskWindow) -> None:
        from kiosk.remote import HEARTBEAT_SECONDS, RemoteActions

        super().__init__(window)
        self.window = window
        self.actions = RemoteActions(window.kiosk)
        self._beaten = False
        self._beat_timer = QTimer(self)
        self._beat_timer.timeout.connect(self.beat)
        self._beat_timer.start(HEARTBEAT_SECONDS * 1000)
        self._poll_timer = QTimer(self)
        self._poll_timer.timeout.connect(self.poll)
        self._poll_timer.start(POLL_MS)

    def beat(self) -> None:
        if self.actions.beat():
            self._beaten = True

    def poll(self) -> None:
        """Timer tick: the first heartbeat as soon as the store is open, then due actions."""
        if not self._beaten:
            self.beat()
        for command in self.actions.due():
            try:
                self.perform(command)
            except Exception as exc:
                log.exception("a remote action failed", extra={"event": command.kind})
                self.actions.finish(command, ok=False, message=f"failed: {type(exc).__name__}")

    def perform(self, command: Command) -> None:
        if command.kind == "screenshot":
            self.screenshot(command)
        elif command.kind == "self-test":
            self.actions.self_test(command)
        elif command.kind == "test-page":
            self.actions.print_test_page(command, self.write_test_page)
        else:
            self.actions.finish(command, ok=False, message=f"unknown action {command.kind}")

    def screenshot(self, command: Command) -> None:
        if self.window.kiosk.session.current is not None:
            self.actions.finish(command, ok=False, message=REFUSED_IN_SESSION)
            return
        pixmap = self.window.grab()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        saved = pixmap.save(buffer, "PNG")
        buffer.close()
        if not saved:
            self.actions.finish(command, ok=False, message="the screen could not be saved as PNG")
            return
        self.actions.finish(
            command,
            ok=True,
            message=f"screenshot taken ({pixmap.width()}x{pixmap.height()})",
            screenshot=bytes(data.data()),
        )

    def write_test_page(self, path: Path) -> Path:
        """An A4 page naming the kiosk, its software and each device's state; no personal data."""
        from kiosk.remote import software_version

        kiosk = self.window.kiosk
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = QPdfWriter(str(path))
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(QMarginsF(20, 20, 20, 20), QPageLayout.Unit.Millimeter)
        writer.setResolution(300)
        lines = [
            f"Kiosk {kiosk.config.kiosk.id}: {kiosk.config.kiosk.name}",
            kiosk.config.kiosk.location,
            f"Software {software_version()}",
            datetime.now(UTC).strftime("Printed %Y-%m-%d %H:%M UTC"),
            "",
        ]
        for device in kiosk.devices_list():
            health = device.health()
            lines.append(
                f"{device.device_id} ({health.backend}): {health.state.value},"
                f" attention {health.attention.value}"
            )
        painter = QPainter(writer)
        try:
            dpm = 300 / 25.4  # dots per millimetre
            painter.setFont(QFont("DejaVu Sans", 20, QFont.Weight.Bold))
            painter.drawText(QRectF(0, 0, 170 * dpm, 12 * dpm), "Test page")
            painter.setFont(QFont("DejaVu Sans", 11))
            y = 18 * dpm
            for line in lines:
                painter.drawText(QRectF(0, y, 170 * dpm, 7 * dpm), line)
                y += 7 * dpm
            # A frame and a grey ramp show clipping and toner coverage at a glance.
            painter.drawRect(QRectF(0, y + 5 * dpm, 170 * dpm, 60 * dpm))
            for step in range(10):
                grey = 255 - step * 25
                painter.fillRect(
                    QRectF(step * 17 * dpm, y + 75 * dpm, 17 * dpm, 20 * dpm),
                    QColor(grey, grey, grey),
                )
        finally:
            painter.end()
        return path
