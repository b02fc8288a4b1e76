"""The camera interface: a stream that keeps only the newest frame.

Consumers (preview, document capture, video call) read `latest()` when they want a frame; no
queue grows behind a slow reader, so nothing lags.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from kiosk.devices.base import Device
from kiosk.devices.status import DeviceClass


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
