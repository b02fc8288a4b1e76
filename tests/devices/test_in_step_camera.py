"""The simulated and the OpenCV camera behave alike: frames of the configured size, only the
newest kept, the same states for a camera unplugged, missing at start or frozen, and the same
self-test verdicts. Each test runs once per backend, through a rig (tests/devices/rigs.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.devices.base import Device
from kiosk.devices.status import Attention, DeviceError, DeviceState

from .conftest import Recorder, next_frame, wait_until
from .rigs import Start
from .rigs.camera import CameraRig, OpenCvCameraRig, SimulatedCameraRig

WIDTH, HEIGHT, FPS = 320, 240, 30
#: Generous: OpenCV looks for a missing camera once a second, on a loaded 2-core machine.
DEADLINE = 20.0


def wait_state(device: Device, state: DeviceState) -> None:
    wait_until(lambda: device.health().state == state, f"state {state.value}", DEADLINE)


@pytest.fixture(params=["simulated", "opencv"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def rig(backend: str, start: Start, tmp_path: Path) -> CameraRig:
    """The camera plugged in, not started."""
    if backend == "simulated":
        return SimulatedCameraRig(start, WIDTH, HEIGHT, FPS)
    return OpenCvCameraRig(start, tmp_path / "frames", WIDTH, HEIGHT, FPS)


@pytest.fixture
def streaming(rig: CameraRig) -> CameraRig:
    """The camera started, streaming, with a first frame in."""
    rig.start().start_stream()
    next_frame(rig.device)
    return rig


def test_frames_have_the_configured_size_and_are_shared_read_only(rig: CameraRig) -> None:
    camera = rig.start()
    health = camera.health()
    assert (health.state, health.attention) == (DeviceState.ONLINE, Attention.NONE)
    assert camera.latest() is None  # off until a service asks for it

    camera.start_stream()
    first = next_frame(camera)
    second = next_frame(camera, after=first)

    assert (first.width, first.height) == (WIDTH, HEIGHT)
    assert first.data.shape == (HEIGHT, WIDTH, 3)
    assert str(first.data.dtype) == "uint8"
    assert not first.data.flags.writeable  # shared by every consumer
    assert first.seq < second.seq
    assert first.captured_at <= second.captured_at


def test_latest_is_the_newest_frame_with_no_backlog(streaming: CameraRig) -> None:
    camera = streaming.device
    first = next_frame(camera)
    time.sleep(0.3)  # a slow consumer: frames keep coming and only the newest is kept
    later = next_frame(camera, after=first)
    newest = camera.latest()

    assert later.seq > first.seq + 1  # frames skipped, rather than a queue behind the reader
    assert newest is not None and newest.seq >= later.seq


def test_the_frame_rate_is_measured_and_stop_stream_drops_the_frame(
    streaming: CameraRig,
) -> None:
    camera = streaming.device
    wait_until(lambda: float(camera.health().detail["fps"]) > 0, "a measured fps", DEADLINE)
    assert camera.health().state == DeviceState.ONLINE
    before = next_frame(camera)

    camera.stop_stream()
    assert camera.latest() is None
    assert camera.health().detail["fps"] == "0.0"

    camera.start_stream()
    assert next_frame(camera).seq > before.seq


def test_an_unplugged_camera_is_no_device_and_its_frames_resume_when_plugged_back(
    streaming: CameraRig, record: Callable[[Device], Recorder]
) -> None:
    camera = streaming.device
    rec = record(camera)
    first = next_frame(camera)

    streaming.unplug()
    wait_state(camera, DeviceState.NO_DEVICE)
    health = camera.health()
    assert health.attention == Attention.MAINTENANCE
    assert rec.of(DeviceError, code=health.last_error, attention=Attention.MAINTENANCE)
    assert camera.latest() is None  # no stale picture of a camera that is gone
    result = camera.self_test().result(DEADLINE)
    assert (result.passed, result.steps) == (False, ("camera: not found",))

    streaming.plug()
    assert next_frame(camera, after=first).seq > first.seq
    wait_state(camera, DeviceState.ONLINE)
    assert camera.health().attention == Attention.NONE


def test_an_unplugged_camera_reports_camera_not_found(streaming: CameraRig) -> None:
    streaming.unplug()
    wait_state(streaming.device, DeviceState.NO_DEVICE)
    assert streaming.device.health().last_error == "camera-not-found"


def test_a_camera_missing_at_start_is_found_later_without_a_restart(rig: CameraRig) -> None:
    rig.unplug()
    camera = rig.start()
    health = camera.health()
    assert (health.state, health.attention) == (DeviceState.NO_DEVICE, Attention.MAINTENANCE)

    camera.start_stream()
    time.sleep(0.2)
    assert camera.latest() is None
    rig.plug()

    frame = next_frame(camera)
    assert (frame.width, frame.height) == (WIDTH, HEIGHT)
    wait_state(camera, DeviceState.ONLINE)


def test_self_test_passes_and_fails_for_an_unplugged_camera(rig: CameraRig) -> None:
    camera = rig.start()
    result = camera.self_test().result(DEADLINE)
    assert result.passed
    assert result.steps[:2] == ("camera: ok", "capture: ok")

    rig.unplug()  # while nothing streams
    result = camera.self_test().result(DEADLINE)
    assert (result.passed, result.steps) == (False, ("camera: not found",))
    assert camera.health().state == DeviceState.NO_DEVICE

    rig.plug()
    assert camera.self_test().result(DEADLINE).passed
    assert camera.health().state == DeviceState.ONLINE


def test_a_frozen_camera_is_reported_and_recovers(
    streaming: CameraRig, record: Callable[[Device], Recorder]
) -> None:
    camera = streaming.device
    rec = record(camera)

    streaming.freeze()
    wait_until(lambda: rec.of(DeviceError, code="no-frames"), "no-frames reported", DEADLINE)
    assert rec.of(DeviceError, code="no-frames")[0].attention == Attention.MAINTENANCE
    assert not camera.health().state.usable
    stale = camera.latest()

    streaming.thaw()
    wait_state(camera, DeviceState.ONLINE)
    fresh = next_frame(camera, after=stale)
    assert stale is None or fresh.seq > stale.seq


def test_a_frozen_camera_is_a_hardware_error(
    streaming: CameraRig, record: Callable[[Device], Recorder]
) -> None:
    rec = record(streaming.device)
    streaming.freeze()
    wait_until(lambda: rec.of(DeviceError, code="no-frames"), "no-frames reported", DEADLINE)
    assert streaming.device.health().state == DeviceState.HARDWARE_ERROR


def test_a_frozen_camera_offers_no_stale_frame(
    streaming: CameraRig, record: Callable[[Device], Recorder]
) -> None:
    """A capture must never show the desk as it was: a camera giving no frames has none."""
    rec = record(streaming.device)
    streaming.freeze()
    wait_until(lambda: rec.of(DeviceError, code="no-frames"), "no-frames reported", DEADLINE)
    assert streaming.device.latest() is None
