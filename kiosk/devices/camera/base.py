"""The camera interface: a stream that keeps only the newest frame.

Consumers (preview, document capture, video call) read `latest()` when they want a frame; no
queue grows behind a slow reader, so nothing lags. A consumer that must not wait for a timer of
its own (the video call) asks to be told when a new frame is in (`on_new_frame`) and then reads
`latest()`: the notice carries no frame, so a slow consumer still sees only the newest.
"""

from __future__ import annotations

import logging
import threading
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from kiosk.devices.base import Device
from kiosk.devices.status import DeviceClass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Frame:
    #: Height × width × 3, uint8, BGR (OpenCV's order).
    data: Any
    seq: int
    #: time.monotonic() when the frame was captured.
    captured_at: float

    @property
    def width(self) -> int:
        return int(self.data.shape[1])

    @property
    def height(self) -> int:
        return int(self.data.shape[0])


class Camera(Device):
    device_class = DeviceClass.CAMERA
    #: Whether this backend calls `on_new_frame` listeners for each new frame. A consumer of
    #: one that does not must look at `latest()` on a schedule of its own.
    announces_frames: ClassVar[bool] = False
    #: The measured frame rate changes every second: a reading, not a change of state.
    READINGS = frozenset({"fps"})

    def __init__(self, device_id: str) -> None:
        super().__init__(device_id)
        self._listeners_lock = threading.Lock()
        #: Replaced whole, never changed in place: the capture thread reads it without the lock.
        self._new_frame_listeners: tuple[Callable[[], None], ...] = ()

    def on_new_frame(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` each time a new frame becomes the newest; returns the way to stop.

        The listener runs on the camera's capture thread, right after the frame is stored: it
        must only hand the news over (to an event loop, a Qt signal) and return at once."""
        with self._listeners_lock:
            self._new_frame_listeners = (*self._new_frame_listeners, listener)

        def remove() -> None:
            with self._listeners_lock:
                self._new_frame_listeners = tuple(
                    known for known in self._new_frame_listeners if known is not listener
                )

        return remove

    def _announce_frame(self) -> None:
        """Tell the listeners a new frame is in; backends call it on their capture thread after
        storing the frame (and outside their own locks)."""
        for listener in self._new_frame_listeners:
            try:
                listener()
            except Exception:  # a broken listener must not stop the capture
                log.exception("camera frame listener failed", extra={"device_id": self.device_id})

    @abstractmethod
    def start_stream(self) -> None:
        """Begin capturing (idempotent). The camera is off unless a service asks for it."""

    @abstractmethod
    def stop_stream(self) -> None:
        """Stop capturing and forget the newest frame."""

    @abstractmethod
    def latest(self) -> Frame | None:
        """The newest frame; None when not streaming, nothing captured yet, or the camera has
        stopped giving frames (a stale picture must never pass for the desk as it is now)."""
