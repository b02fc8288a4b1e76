"""The simulated camera: live frames of the configured size with a readable clock and frame
number, only the newest kept, and the faults a USB camera shows."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from kiosk.devices.camera.simulated import SimulatedCamera, read_overlay, render_frame
from kiosk.devices.status import Attention, DeviceState

from .conftest import next_frame, wait_until


def test_frames_have_the_configured_size_and_a_readable_clock(start: Callable) -> None:
    camera = start(SimulatedCamera("c", width=320, height=240, fps=30))
    assert camera.latest() is None  # off until a service asks for it

    camera.start_stream()
    frame = next_frame(camera)

    assert (frame.width, frame.height) == (320, 240)
    assert frame.data.shape == (240, 320, 3)
    assert str(frame.data.dtype) == "uint8"
    overlay = read_overlay(frame.data)
    assert overlay is not None
    clock, seq = overlay
    assert seq == frame.seq
    # The picture shows the time of day (to the minute, whichever side of a minute we are).
    now = datetime.now()
    minutes = {(now + timedelta(minutes=d)).strftime("%H:%M") for d in (-1, 0, 1)}
    assert clock[:5] in minutes


def test_latest_is_the_newest_frame_and_the_clock_moves(start: Callable) -> None:
    camera = start(SimulatedCamera("c", width=320, height=240, fps=30))
    camera.start_stream()

    first = next_frame(camera)
    second = next_frame(camera, after=first)
    third = next_frame(camera, after=second)

    assert first.seq < second.seq < third.seq
    clocks = [read_overlay(f.data) for f in (first, second, third)]
    assert all(c is not None for c in clocks)
    texts = [c[0] for c in clocks if c is not None]
    assert len(set(texts)) == 3  # frames a frame period apart show different milliseconds
    assert not first.data.flags.writeable  # shared by every consumer, so nobody may draw on it


def test_frozen_stream_becomes_a_hardware_error_and_recovers(start: Callable) -> None:
    camera = start(SimulatedCamera("c", width=160, height=120, fps=30))
    camera.start_stream()
    next_frame(camera)

    camera.set_fault("frozen", True)
    wait_until(lambda: camera.health().state is DeviceState.HARDWARE_ERROR, "stall reported")

    assert camera.health().attention is Attention.MAINTENANCE
    assert camera.health().last_error == "no-frames"
    # No stale picture: a capture now would show the desk as it was, not as it is.
    assert camera.latest() is None

    camera.set_fault("frozen", False)
    next_frame(camera)
    wait_until(lambda: camera.health().state is DeviceState.ONLINE, "recovery")


def test_self_test(start: Callable) -> None:
    camera = start(SimulatedCamera("c", width=160, height=120))
    result = camera.self_test().result(10)
    assert result.passed
    assert result.steps == ("camera: ok", "capture: ok")

    camera.set_fault("unplugged", True)
    result = camera.self_test().result(10)
    assert not result.passed
    assert result.steps == ("camera: not found",)


@pytest.mark.parametrize(("width", "height"), [(160, 120), (1280, 720), (3840, 120)])
def test_overlay_reads_back_at_any_size(width: int, height: int) -> None:
    data = render_frame(width, height, 12345)
    overlay = read_overlay(data)
    assert overlay is not None
    assert overlay[1] == 12345
    time.strptime(overlay[0][:8], "%H:%M:%S")


def test_unknown_fault_and_bad_size_are_refused() -> None:
    camera = SimulatedCamera("c")
    assert {s.name for s in camera.fault_switches()} == {"unplugged", "frozen", "no_page"}
    with pytest.raises(KeyError):
        camera.set_fault("foggy", True)
    with pytest.raises(ValueError):
        SimulatedCamera("c", width=10, height=10)


def test_the_demo_camera_shows_a_page_the_scanner_finds() -> None:
    """The simulated desk has an A4 page on it (for the demo), unless "no_page" is on."""
    from kiosk.devices.camera.simulated import empty_desk, page_on_desk, render_frame
    from kiosk.scan.document import A4_RATIO, scan_document

    for width, height in ((1280, 720), (1920, 1080)):
        desk = empty_desk(width, height)
        found = scan_document(render_frame(width, height, 1, page_on_desk(desk), bar_span=0.66))
        assert found.found
        assert abs(found.page.shape[0] / found.page.shape[1] - A4_RATIO) < 0.03
        assert not scan_document(render_frame(width, height, 1, desk)).found
