"""Where device threads and the engine loop hand things to the Qt thread: signals only.

Device backends call `Bridge.on_device_event` on their own threads; emitting a signal from there
queues it to the Qt thread, where the slots run. Futures from the engine or a device thread come
back the same way through `when_done`. No widget is touched outside the Qt thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

if TYPE_CHECKING:
    from concurrent.futures import Future

    from kiosk.devices.status import DeviceEvent


class Bridge(QObject):
    device_event = Signal(object)
    _future_done = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._future_done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def on_device_event(self, event: DeviceEvent) -> None:
        """Any thread: hand a device event to the Qt thread."""
        self.device_event.emit(event)

    def when_done(self, future: Future[Any], callback: Callable[[Future[Any]], None]) -> None:
        """Call `callback(future)` on the Qt thread once `future` is done."""
        future.add_done_callback(lambda f: self._future_done.emit(callback, f))

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Future[Any]], None], future: Future[Any]) -> None:
        # A screen may be gone by the time its work ends (the session ended meanwhile): its
        # callback then has nobody to tell, and calling it would touch a deleted widget.
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject) and not shiboken6.isValid(owner):
            return
        callback(future)
