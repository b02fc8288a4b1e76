"""Remote actions and the app's heartbeat on the Qt side: the timers, the screenshot, the test
page's drawing.

The app writes its heartbeat every 10 seconds and looks for actions every 2 seconds from Qt
timers, so a frozen UI stops both and kiosk-agent sees it. The look itself runs on the store's
writer thread (kiosk.remote); the actions found come back through the bridge. Nothing of the
store is imported here before the back end has started: the first paint does not wait for it.
A screenshot is taken only when no session is active: a citizen's screen is never photographed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QTimer
from PySide6.QtGui import QPixmap

# The window imports this module before its first paint: the store and the rest come later.
if TYPE_CHECKING:
    from kiosk.app import Kiosk
    from kiosk.remote import RemoteActions
    from kiosk.store.fleet import Command
    from kiosk.systemd import SystemdNotifier
    from kiosk.ui.bridge import Bridge

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
    """Owns the heartbeat and action timers of one kiosk window.

    It is given the kiosk, the bridge and a way to picture the screen (`grab`), not the window:
    made at the first paint, it stays idle until the kiosk's back end (its store) has started.
    """

    def __init__(
        self, parent: QObject, kiosk: Kiosk, bridge: Bridge, grab: Callable[[], QPixmap]
    ) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.bridge = bridge
        self.grab = grab
        self.actions: RemoteActions | None = None
        self._looking = False
        self._beat_timer = QTimer(self)
        self._beat_timer.timeout.connect(self.beat)
        self._poll_timer = QTimer(self)
        self._poll_timer.timeout.connect(self.poll)
        self._poll_timer.start(POLL_MS)
        # A session's start and end are written at once, not at the next beat: the updater
        # reads them to keep from installing while a citizen is at the kiosk.
        kiosk.session.on_start(lambda _session: self.beat())
        kiosk.session.on_end(lambda _summary: self.beat())

    def _started(self) -> RemoteActions | None:
        """The actions, made (with their first heartbeat) once the back end has started."""
        writer = self.kiosk.writer
        if self.actions is None and writer is not None:
            from kiosk.remote import HEARTBEAT_SECONDS, RemoteActions

            kiosk = self.kiosk
            self.actions = RemoteActions(
                writer,
                session_active=lambda: kiosk.session.current is not None,
                devices=kiosk.devices_list,
                printing=kiosk.printing,
            )
            self.actions.beat()
            self._beat_timer.start(HEARTBEAT_SECONDS * 1000)
        return self.actions

    @property
    def looking(self) -> bool:
        """A look for actions is under way on the writer's thread."""
        return self._looking

    def beat(self) -> None:
        actions = self._started()
        if actions is not None:
            actions.beat()

    def poll(self) -> None:
        """Timer tick: look for due actions off the Qt thread; they are performed on it."""
        actions = self._started()
        if actions is None or self._looking:
            return
        self._looking = True
        self.bridge.when_done(actions.poll(), self._perform_due)

    def _perform_due(self, due: Future[list[Command]]) -> None:
        self._looking = False
        actions = self.actions
        assert actions is not None
        try:
            commands = due.result()
        except Exception:
            log.exception("looking for remote actions failed")
            return
        for command in commands:
            try:
                self.perform(command)
            except Exception as exc:
                log.exception("a remote action failed", extra={"event": command.kind})
                actions.finish(command, ok=False, message=f"failed: {type(exc).__name__}")

    def perform(self, command: Command) -> None:
        actions = self.actions
        assert actions is not None
        if command.kind == "screenshot":
            self.screenshot(command)
        elif command.kind == "self-test":
            actions.self_test(command)
        elif command.kind == "test-page":
            self.print_test_page(command)
        else:
            actions.finish(command, ok=False, message=f"unknown action {command.kind}")

    def screenshot(self, command: Command) -> None:
        actions = self.actions
        assert actions is not None
        if self.kiosk.session.current is not None:
            actions.finish(command, ok=False, message=REFUSED_IN_SESSION)
            return
        pixmap = self.grab()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        saved = pixmap.save(buffer, "PNG")
        buffer.close()
        if not saved:
            actions.finish(command, ok=False, message="the screen could not be saved as PNG")
            return
        actions.finish(
            command,
            ok=True,
            message=f"screenshot taken ({pixmap.width()}x{pixmap.height()})",
            screenshot=bytes(data.data()),
        )

    def print_test_page(self, command: Command) -> None:
        """The technician's test page, in English (support reads it), to the printer."""
        from kiosk.ui.screens.technician_test_page import write_test_page

        actions = self.actions
        assert actions is not None
        if self.kiosk.printing is None or self.kiosk.printing.printer is None:
            actions.finish(command, ok=False, message="this kiosk has no printer")
            return
        config = self.kiosk.config
        path = config.data_dir / "test-page.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_test_page(path, lambda text: text, config.kiosk.id, self.kiosk.devices_list())
        actions.print_test_page(command, path)
