"""Camera rigs: the simulated camera's fault switches, and OpenCV playing an image sequence
(tests/peers/camera.py)."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path

from kiosk.devices.camera.base import Camera
from kiosk.devices.camera.opencv import OpenCvCamera
from kiosk.devices.camera.simulated import SimulatedCamera
from tests.peers.camera import write_image_sequence

from . import Start


class CameraRig(ABC):
    """A camera and its cable; `freeze()` is a camera that is there but sends no picture."""

    device: Camera

    def __init__(self, start: Start) -> None:
        self._start = start

    def start(self) -> Camera:
        self._start(self.device)
        return self.device

    @abstractmethod
    def unplug(self) -> None: ...

    @abstractmethod
    def plug(self) -> None: ...

    @abstractmethod
    def freeze(self) -> None: ...

    @abstractmethod
    def thaw(self) -> None: ...


class SimulatedCameraRig(CameraRig):
    def __init__(self, start: Start, width: int, height: int, fps: int) -> None:
        super().__init__(start)
        self.device = SimulatedCamera("camera", width=width, height=height, fps=fps)
        self._sim = self.device

    def unplug(self) -> None:
        self._sim.set_fault("unplugged", True)

    def plug(self) -> None:
        self._sim.set_fault("unplugged", False)

    def freeze(self) -> None:
        self._sim.set_fault("frozen", True)

    def thaw(self) -> None:
        self._sim.set_fault("frozen", False)


class OpenCvCameraRig(CameraRig):
    """OpenCV playing an image sequence (tests/peers/camera.py) as if it were a live camera.

    Unplugged, the sequence is gone and the camera no longer opens; frozen, its images are
    unreadable, so the camera opens but every read fails.
    """

    FRAMES = 10

    def __init__(self, start: Start, folder: Path, width: int, height: int, fps: int) -> None:
        super().__init__(start)
        self._folder, self._size = folder, (width, height)
        self._pattern = self._write()
        self.device = OpenCvCamera(
            "camera", width=width, height=height, fps=fps, source=self._pattern
        )

    def _write(self) -> str:
        return write_image_sequence(self._folder, *self._size, frames=self.FRAMES)

    def _frames(self) -> list[Path]:
        return sorted(self._folder.glob("frame_*.png"))

    def unplug(self) -> None:
        for frame in self._frames():
            frame.unlink()

    def plug(self) -> None:
        self._write()

    def freeze(self) -> None:
        for frame in self._frames():
            broken = frame.with_name(f".broken-{frame.name}")
            broken.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))  # a header and nothing else
            os.replace(broken, frame)

    def thaw(self) -> None:
        self._write()
