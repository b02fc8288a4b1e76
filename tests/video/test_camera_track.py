"""The camera's video track on its own: each new camera frame goes out as the camera stores it,
newest only and never twice, stamped with its capture time, at most at the call's rate; a
stalled camera gets its last picture repeated at a low rate. Frames come from a camera the test
drives by hand (with a clock only the test moves) and from both real camera backends."""

from __future__ import annotations

import asyncio
import gc
import itertools
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from kiosk.devices.camera.base import Camera, Frame
from kiosk.devices.camera.opencv import OpenCvCamera
from kiosk.devices.camera.simulated import SimulatedCamera, read_overlay
from kiosk.devices.status import DeviceState, SelfTestResult
from kiosk.video.load import SendSize
from kiosk.video.media import (
    REPEAT_PERIOD,
    VIDEO_CLOCK_RATE,
    CameraVideoTrack,
    RateCap,
    VideoFormat,
)
from tests.peers.camera import write_image_sequence
from tests.video.conftest import DEADLINE


class StoppedClock:
    """The track's clock, moved only by the test: no repeat comes due unless the test says."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class HandCamera(Camera):
    """A camera whose frames the test makes one at a time, each a flat grey of its own level,
    stored and announced from a thread of its own as a real camera's capture thread does."""

    backend = "hand"
    announces_frames = True

    def __init__(self) -> None:
        super().__init__("hand-camera")
        self._latest: Frame | None = None
        self._seq = 0

    def start_stream(self) -> None:
        pass

    def stop_stream(self) -> None:
        self._latest = None

    def latest(self) -> Frame | None:
        return self._latest

    def capture(self, level: int, captured_at: float, data: np.ndarray | None = None) -> None:
        """Stores a flat grey frame of `level` (64×48), or `data` when given."""

        def store() -> None:
            self._seq += 1
            picture = np.full((48, 64, 3), level, dtype=np.uint8) if data is None else data
            self._latest = Frame(picture, self._seq, captured_at)
            self._announce_frame()

        thread = threading.Thread(target=store, name="hand-camera-capture")
        thread.start()
        thread.join()

    def _open(self) -> None:
        self._set_health(DeviceState.ONLINE)

    def _run_self_test(self) -> SelfTestResult:
        return SelfTestResult(self.device_id, True, ("camera: ok",))


def _level(frame: av.VideoFrame) -> int:
    """The grey level a hand camera frame was made with (they are 30 apart; the trip through
    yuv420p moves a level by a few steps)."""
    return 30 * round(float(np.asarray(frame.to_ndarray(format="bgr24")).mean()) / 30)


def _pts(frame: av.VideoFrame) -> int:
    assert frame.pts is not None
    return frame.pts


def _ticks(seconds: float) -> int:
    return round(seconds * VIDEO_CLOCK_RATE)


async def _still_waiting(task: asyncio.Future[av.VideoFrame]) -> bool:
    """Whether `task` is still waiting after the loop has had a while to run it."""
    await asyncio.sleep(0.1)
    return not task.done()


def test_the_camera_track_sends_each_new_frame_as_the_camera_stores_it_and_never_twice() -> None:
    async def scenario() -> None:
        camera, t0 = HandCamera(), 100.0
        track = CameraVideoTrack(camera, VideoFormat(64, 48, 30), clock=StoppedClock(t0))
        camera.capture(30, t0)
        first = await asyncio.wait_for(track.recv(), DEADLINE)
        # The camera is quiet: no slot timer sends the same picture again.
        second = asyncio.ensure_future(track.recv())
        assert await _still_waiting(second)
        camera.capture(90, t0 + 0.040)
        assert _level(await asyncio.wait_for(second, DEADLINE)) == 90
        # Faster than the call's 30 fps: dropped, not queued behind the next one.
        third = asyncio.ensure_future(track.recv())
        camera.capture(120, t0 + 0.045)
        assert await _still_waiting(third)
        camera.capture(150, t0 + 0.074)
        await asyncio.wait_for(third, DEADLINE)
        # Two frames before the track looks again: only the newer one goes.
        camera.capture(180, t0 + 0.107)
        camera.capture(210, t0 + 0.140)
        fourth = await asyncio.wait_for(track.recv(), DEADLINE)
        track.stop()
        sent = [first, second.result(), third.result(), fourth]
        assert [_level(f) for f in sent] == [30, 90, 150, 210]
        # Stamped with the capture time on the 90 kHz clock.
        assert [_pts(f) for f in sent] == [0, _ticks(0.040), _ticks(0.074), _ticks(0.140)]
        assert track.frames_repeated == 0

    asyncio.run(scenario())


def test_a_stalled_camera_gets_its_last_picture_repeated_at_the_low_rate_then_a_plain_one() -> None:
    async def scenario() -> None:
        camera, clock = HandCamera(), StoppedClock(50.0)
        track = CameraVideoTrack(camera, VideoFormat(64, 48, 30), clock=clock)
        camera.capture(210, clock.now)
        first = await asyncio.wait_for(track.recv(), DEADLINE)
        repeats = []
        for _ in range(5):
            clock.now += REPEAT_PERIOD
            repeats.append(await asyncio.wait_for(track.recv(), DEADLINE))
        assert [_level(f) for f in repeats] == [210] * 5
        assert all(f is not first for f in repeats)
        assert [_pts(f) for f in repeats] == [_ticks(n * REPEAT_PERIOD) for n in range(1, 6)]
        assert track.frames_repeated == 5
        # After a long silence one repeat, not a burst of the ones missed.
        clock.now += 10 * REPEAT_PERIOD
        late = await asyncio.wait_for(track.recv(), DEADLINE)
        following = asyncio.ensure_future(track.recv())
        assert await _still_waiting(following)
        camera.stop_stream()
        clock.now += REPEAT_PERIOD
        blank = await asyncio.wait_for(following, DEADLINE)
        track.stop()
        assert track.frames_repeated == 7
        assert _pts(repeats[-1]) < _pts(late) < _pts(blank)
        # Dark grey, not the last picture: a stale picture must not pass for a live one.
        assert _level(blank) < 60

    asyncio.run(scenario())


def test_the_rate_cap_drops_frames_evenly_and_keeps_a_jittery_camera_at_the_call_rate() -> None:
    fast = RateCap(30)
    kept = sum(fast.admit(100.0 + n / 50) for n in range(100))  # 2 s of a 50 fps camera
    assert 59 <= kept <= 61
    steady = RateCap(30)
    jitter = (0.0, 0.008, -0.008, 0.004)
    assert all(steady.admit(100.0 + n / 30 + jitter[n % 4]) for n in range(60))


@pytest.fixture(params=["simulated", "opencv"])
def streaming_camera(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Camera]:
    cam: Camera
    if request.param == "simulated":
        cam = SimulatedCamera("camera", width=320, height=240, fps=30)
    else:
        source = write_image_sequence(tmp_path / "frames", 320, 240, frames=10)
        cam = OpenCvCamera("camera", width=320, height=240, fps=30, source=source)
    cam.start()
    cam.worker.submit(lambda: None).result(DEADLINE)
    cam.start_stream()
    yield cam
    cam.stop_stream()
    cam.stop()


def test_the_camera_track_is_told_of_each_frame_by_either_camera_backend(
    streaming_camera: Camera,
) -> None:
    async def scenario() -> None:
        # The clock stands still, so every frame sent came from the camera's announcement.
        track = CameraVideoTrack(streaming_camera, VideoFormat(320, 240, 30), clock=StoppedClock(0))
        frames = [await asyncio.wait_for(track.recv(), DEADLINE) for _ in range(5)]
        track.stop()
        pts = [_pts(f) for f in frames]
        assert pts == sorted(set(pts)) and track.frames_repeated == 0

    asyncio.run(scenario())


def test_the_camera_track_follows_the_simulated_camera_frame_by_frame(
    camera: SimulatedCamera,
) -> None:
    captured: dict[int, float] = {}

    def note() -> None:  # on the camera's thread, right after it stored the frame
        frame = camera.latest()
        if frame is not None:
            captured[frame.seq] = frame.captured_at

    stop_noting = camera.on_new_frame(note)

    async def scenario() -> list[av.VideoFrame]:
        track = CameraVideoTrack(camera, VideoFormat(1280, 720, 30))
        frames = [await asyncio.wait_for(track.recv(), DEADLINE) for _ in range(8)]
        track.stop()
        return frames

    frames = asyncio.run(scenario())
    stop_noting()
    readings = [read_overlay(f.to_ndarray(format="bgr24")) for f in frames]
    seqs = [reading[1] for reading in readings if reading is not None]
    assert len(seqs) == len(frames)
    # Newer each time: never the same picture twice, never an older one.
    assert all(a < b for a, b in itertools.pairwise(seqs))
    first = captured[seqs[0]]
    assert [_pts(f) for f in frames] == [_ticks(captured[s] - first) for s in seqs]


class ChosenSize(SendSize):
    """A send size the test sets, which notes what the track tells it."""

    def __init__(self, size: tuple[int, int]) -> None:
        super().__init__(*size, 30)
        self.chosen = size
        self.told: list[tuple[float, float | None]] = []

    @property
    def size(self) -> tuple[int, int]:
        return self.chosen

    def record(self, seconds: float, encode_seconds: float | None = None) -> None:
        self.told.append((seconds, encode_seconds))


def test_the_track_sends_at_its_send_size_and_tells_it_how_long_each_frame_took() -> None:
    async def scenario() -> None:
        camera, t0 = HandCamera(), 10.0
        send_size = ChosenSize((64, 48))
        track = CameraVideoTrack(
            camera, VideoFormat(64, 48, 30), clock=StoppedClock(t0), send_size=send_size
        )
        camera.capture(30, t0)
        first = await asyncio.wait_for(track.recv(), DEADLINE)
        assert (first.width, first.height) == (64, 48)
        # The encoder (kiosk.video.rtp) reports through the frame, from its own thread.
        report = first.opaque
        assert callable(report)
        threading.Thread(target=report, args=(0.012,)).start()
        await asyncio.sleep(0.05)
        # The machine is busy: the track is told to send 3/4 of the size.
        send_size.chosen = (48, 36)
        camera.capture(60, t0 + 0.040)
        second = await asyncio.wait_for(track.recv(), DEADLINE)
        track.stop()
        assert (second.width, second.height) == (48, 36)
        assert _level(second) == 60
        # The first frame's time: from its conversion to aiortc asking for the next one.
        [(busy, encoded)] = send_size.told
        assert encoded == 0.012
        assert 0.05 <= busy < DEADLINE

    asyncio.run(scenario())


def test_a_camera_of_another_shape_is_cut_to_the_calls_shape_never_stretched() -> None:
    async def scenario() -> av.VideoFrame:
        camera = HandCamera()
        track = CameraVideoTrack(camera, VideoFormat(64, 48, 30), clock=StoppedClock(0.0))
        # 16:9 where the call is 4:3: a grey middle of the call's shape, red bars either side.
        wide = np.full((72, 128, 3), 120, dtype=np.uint8)
        wide[:, :16] = wide[:, -16:] = (0, 0, 255)
        camera.capture(0, 0.0, wide)
        frame = await asyncio.wait_for(track.recv(), DEADLINE)
        track.stop()
        return frame

    frame = asyncio.run(scenario())
    assert (frame.width, frame.height) == (64, 48)
    bgr = frame.to_ndarray(format="bgr24").astype(int)
    # All grey to the edges: the bars were cut off, not squeezed in.
    assert np.abs(bgr - 120).max() <= 4


def test_the_call_takes_the_cameras_shape_no_larger_than_720p() -> None:
    assert VideoFormat.fitting(1280, 720, 30) == VideoFormat(1280, 720, 30)
    assert VideoFormat.fitting(1920, 1080, 60) == VideoFormat(1280, 720, 30)
    assert VideoFormat.fitting(640, 480, 15) == VideoFormat(640, 480, 15)
    assert VideoFormat.fitting(1280, 1024, 30) == VideoFormat(900, 720, 30)


def test_a_track_and_its_frames_are_freed_even_unstopped() -> None:
    # Each frame carries the encoder's report slot as its `opaque`, which PyAV keeps in a
    # registry of its own while the frame lives: nothing in it may lead back to the track,
    # which keeps its last frame until it is stopped.
    async def scenario() -> weakref.ref[CameraVideoTrack]:
        camera, t0 = HandCamera(), 10.0
        track = CameraVideoTrack(camera, VideoFormat(64, 48, 30), clock=StoppedClock(t0))
        camera.capture(30, t0)
        frame = await asyncio.wait_for(track.recv(), DEADLINE)
        frame.opaque(0.01)
        return weakref.ref(track)

    gone = asyncio.run(scenario())
    gc.collect()
    assert gone() is None
