"""The OpenCV camera, fed a video file or image sequence played as if live: frames of the
configured size, only the newest kept, a measured frame rate, and a camera that turns up late
working without a restart."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.devices.camera.opencv import OpenCvCamera
from kiosk.devices.status import Attention, DeviceError, DeviceState
from tests.peers.camera import write_image_sequence, write_video

from .conftest import next_frame, wait_until


def capture_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.endswith("-capture") and t.is_alive()]


def test_importing_the_backend_loads_neither_opencv_nor_numpy() -> None:
    import subprocess

    code = (
        "import sys; import kiosk.devices.camera.opencv; "
        "print(sorted(m for m in ('cv2', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_video_file_streams_frames_of_its_size(start: Callable, tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi", 320, 240, frames=20, fps=30)
    camera = start(OpenCvCamera("c", width=320, height=240, fps=30, source=str(video)))
    assert camera.health().state == DeviceState.ONLINE  # probed at start
    assert camera.latest() is None  # off until a service asks for it

    camera.start_stream()
    first = next_frame(camera)
    second = next_frame(camera, after=first)

    assert (first.width, first.height) == (320, 240)
    assert first.data.shape == (240, 320, 3)
    assert str(first.data.dtype) == "uint8"
    assert first.seq < second.seq
    assert first.captured_at <= second.captured_at
    # The file loops: more frames arrive than it holds, so the stream looks live.
    wait_until(lambda: (f := camera.latest()) is not None and f.seq > 25, "the file to loop")
    camera.stop_stream()


def test_latest_is_the_newest_frame_with_no_backlog(start: Callable, tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi", 320, 240, frames=30, fps=30)
    camera = start(OpenCvCamera("c", width=320, height=240, fps=30, source=str(video)))
    camera.start_stream()

    first = next_frame(camera)
    time.sleep(0.3)  # a slow consumer: frames keep coming and only the newest is kept
    later = next_frame(camera, after=first)
    newest = camera.latest()

    assert later.seq > first.seq + 1  # skipped frames, rather than a queue behind the reader
    assert newest is not None and newest.seq >= later.seq
    camera.stop_stream()


def test_detail_has_the_measured_frame_rate(start: Callable, tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi", 160, 120, frames=30, fps=20)
    camera = start(OpenCvCamera("c", width=160, height=120, fps=20, source=str(video)))
    camera.start_stream()

    wait_until(lambda: float(camera.health().detail.get("fps", "0")) > 0, "a measured fps")
    health = camera.health()
    assert health.state == DeviceState.ONLINE
    assert 1.0 < float(health.detail["fps"]) < 100.0  # measured, not a copy of the setting
    camera.stop_stream()
    assert camera.latest() is None


def test_an_image_sequence_streams_too(start: Callable, tmp_path: Path) -> None:
    pattern = write_image_sequence(tmp_path / "frames", 200, 150, frames=5)
    camera = start(OpenCvCamera("c", width=200, height=150, fps=30, source=pattern))
    camera.start_stream()

    frame = next_frame(camera)
    assert (frame.width, frame.height) == (200, 150)
    wait_until(lambda: (f := camera.latest()) is not None and f.seq > 8, "the sequence to loop")
    camera.stop_stream()


def test_stop_stream_is_idempotent_and_joins_the_reader(start: Callable, tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi", 160, 120, frames=10)
    camera = start(OpenCvCamera("c", width=160, height=120, fps=30, source=str(video)))
    camera.start_stream()
    camera.start_stream()  # idempotent: still one reader
    next_frame(camera)
    assert len(capture_threads()) == 1

    camera.stop_stream()
    camera.stop_stream()
    camera.worker.submit(lambda: None).result(10)  # the join queued on the device thread ran
    assert capture_threads() == []
    assert camera.latest() is None

    camera.start_stream()  # and it starts again
    next_frame(camera)
    camera.stop_stream()


def test_self_test_grabs_a_frame_and_checks_its_size(start: Callable, tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi", 320, 240, frames=5)
    good = start(OpenCvCamera("good", width=320, height=240, source=str(video)))
    result = good.self_test().result(10)
    assert result.passed
    assert result.steps == ("camera: ok", "capture: ok", "size: 320x240")

    wrong = start(OpenCvCamera("wrong", width=640, height=480, source=str(video)))
    result = wrong.self_test().result(10)
    assert not result.passed
    assert "size: 320x240, expected 640x480" in result.steps

    missing = start(OpenCvCamera("missing", source=str(tmp_path / "none.avi")))
    result = missing.self_test().result(10)
    assert not result.passed
    assert result.steps == ("camera: not found",)

    good.start_stream()  # while streaming it tests the reader's own frames
    next_frame(good)
    assert good.self_test().result(10).passed
    good.stop_stream()


class FakeLiveCapture:
    """A USB camera as `cv2.VideoCapture` shows it: opens, gives frames, and stops giving them
    when `FakeLiveCapture.dead` is set (a cable pulled half-way)."""

    dead = False

    def __init__(self, source: object, *args: object) -> None:
        self.source = source

    def isOpened(self) -> bool:
        return not FakeLiveCapture.dead

    def set(self, prop: int, value: float) -> bool:
        return True

    def read(self) -> tuple[bool, object]:
        import numpy as np

        time.sleep(1 / 30)
        if FakeLiveCapture.dead:
            return False, None
        return True, np.zeros((120, 160, 3), np.uint8)

    def release(self) -> None:
        pass


def test_a_live_camera_that_stops_giving_frames_is_reported_and_reopened(
    start: Callable, record: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cv2

    monkeypatch.setattr(cv2, "VideoCapture", FakeLiveCapture)
    monkeypatch.setattr(FakeLiveCapture, "dead", False)
    camera = OpenCvCamera("c", width=160, height=120, fps=30, source="0")
    events = record(camera)
    start(camera)
    camera.start_stream()
    next_frame(camera)

    FakeLiveCapture.dead = True
    error = events.wait_for(DeviceError, code="no-frames")
    assert error.attention == Attention.MAINTENANCE
    assert camera.health().state == DeviceState.HARDWARE_ERROR
    assert camera.latest() is None  # no frozen picture of a camera that gives none

    FakeLiveCapture.dead = False
    events.wait_state(DeviceState.ONLINE)
    next_frame(camera)
    camera.stop_stream()
