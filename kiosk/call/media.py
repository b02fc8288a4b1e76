"""The kiosk's own media for a video call: the camera track (the sound is kiosk.call.audio's).

Everything here is driven by aiortc on the engine loop. Pixel conversion (about 5 ms for a
1280×720 BGR frame to yuv420p on this class of machine) runs in the loop's default executor;
nothing here blocks the loop. The camera's capture thread only wakes the video track (through
`loop.call_soon_threadsafe`) and never waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

# The call's sound lives in kiosk.call.audio; its names stay importable from here.
from kiosk.call.audio import AudioDeviceError as AudioDeviceError
from kiosk.call.audio import AudioOutput as AudioOutput
from kiosk.call.audio import ToneAudioTrack as ToneAudioTrack
from kiosk.call.audio import open_microphone as open_microphone

if TYPE_CHECKING:
    from kiosk.devices.camera.base import Camera, Frame

log = logging.getLogger(__name__)

VIDEO_CLOCK_RATE = 90_000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_RATE)


@dataclass(frozen=True)
class VideoFormat:
    """What the kiosk sends: every frame is scaled to this size and paced at this rate."""

    width: int = 640
    height: int = 480
    fps: int = 30

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise ValueError("video size must be even and at least 16×16")
        if not 1 <= self.fps <= 60:
            raise ValueError("video fps must be in 1..60")


def _to_video_frame(data: Any, fmt: VideoFormat) -> av.VideoFrame:
    """A BGR camera frame as yuv420p at the call's size (one swscale pass)."""
    frame = av.VideoFrame.from_ndarray(data, format="bgr24")
    return frame.reformat(width=fmt.width, height=fmt.height, format="yuv420p")


def _plain_frame(fmt: VideoFormat) -> av.VideoFrame:
    """Dark grey, for the moments the camera has nothing to give."""
    frame = av.VideoFrame(width=fmt.width, height=fmt.height, format="yuv420p")
    y, u, v = frame.planes
    y.update(bytes([40]) * y.buffer_size)
    u.update(bytes([128]) * u.buffer_size)
    v.update(bytes([128]) * v.buffer_size)
    return frame


def _copy(frame: av.VideoFrame) -> av.VideoFrame:
    out = av.VideoFrame(width=frame.width, height=frame.height, format=frame.format.name)
    for dst, src in zip(out.planes, frame.planes, strict=True):
        dst.update(bytes(src))
    return out


#: With no new camera frame for this long, the track sends the last picture again (a plain one
#: when the camera has none), at this low rate: the advisor's decoder still gets the keyframe
#: it asks for after a loss (aiortc's sender makes one only when it encodes a frame), and a
#: camera that has stopped shows as stopped. A camera at its normal rate never triggers it.
REPEAT_PERIOD = 0.2


class RateCap:
    """At most `fps` frames a second, judged by capture time: a camera faster than the call
    loses frames evenly instead of queueing them. A frame may come up to half a period early or
    late and still be kept (WebRTC's own frame-rate controller works this way)."""

    def __init__(self, fps: int) -> None:
        self._period = 1.0 / fps
        self._next: float | None = None

    def admit(self, captured_at: float) -> bool:
        if self._next is not None and abs(self._next - captured_at) < 2 * self._period:
            if captured_at < self._next:
                return False
            self._next += self._period
            return True
        # The first frame, or the first after a gap: count again from this one.
        self._next = captured_at + self._period / 2
        return True


class CameraVideoTrack(MediaStreamTrack):
    """The kiosk camera as a WebRTC video track.

    Each new camera frame goes out as soon as the camera has stored it (the camera announces
    it, see `Camera.on_new_frame`), so the call adds no wait for a frame slot of its own to the
    picture's age. Only the newest frame is sent, each at most once and at most `fmt.fps` a
    second; its pts is its capture time on the 90 kHz clock. With nothing new from the camera
    for REPEAT_PERIOD the last picture is sent again at that rate, and when the camera has no
    picture at all (not streaming yet, unplugged, stalled) a plain frame. A camera that does not
    announce its frames is looked at once a frame period instead. The caller owns the camera's
    stream (start_stream/stop_stream); the track only reads it.

    `clock` is the clock of the camera's capture times (time.monotonic), or a test's.
    """

    kind = "video"

    def __init__(
        self,
        camera: Camera,
        fmt: VideoFormat | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._camera = camera
        self.format = fmt or VideoFormat()
        self._clock = clock
        self._cap = RateCap(self.format.fps)
        #: Set from the camera's thread (through the loop) when a new frame is in.
        self._wake: asyncio.Event | None = None
        self._unsubscribe: Callable[[], None] | None = None
        #: The newest camera frame looked at, and the one the last picture sent came from.
        self._seen_seq: int | None = None
        self._sent_seq: int | None = None
        self._last: av.VideoFrame | None = None
        self._origin: float | None = None
        self._last_pts = -1
        self._repeat_due = 0.0
        self.frames_sent = 0
        self.frames_repeated = 0

    async def recv(self) -> av.VideoFrame:
        wake = self._listen()
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            # Cleared before looking, so a frame stored after the look still wakes us.
            wake.clear()
            picture = self._camera.latest()
            if picture is None:
                # The camera stopped giving frames: a stale picture must not pass for a live one.
                self._seen_seq = self._sent_seq = self._last = None
            elif picture.seq != self._seen_seq:
                self._seen_seq = picture.seq
                if self._cap.admit(picture.captured_at):
                    return await self._send(picture, picture.captured_at)
            now = self._clock()
            if now >= self._repeat_due:
                if picture is not None and picture.seq != self._sent_seq:
                    # Held back by the rate cap, and still newer than the last picture sent.
                    return await self._send(picture, picture.captured_at)
                self.frames_repeated += 1
                # Each frame sent is its own object (the encoder may keep the one before).
                last = self._last
                again = _copy(last) if last is not None else _plain_frame(self.format)
                return self._stamp(again, now)
            look_at = self._repeat_due
            if not self._camera.announces_frames:
                look_at = min(look_at, now + 1.0 / self.format.fps)
            await self._sleep(wake, look_at - now)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._wake is not None:
            self._wake.set()  # a recv() waiting for the camera ends now
        super().stop()

    def _listen(self) -> asyncio.Event:
        """The event the camera's announcements set, made on the first recv() (on the loop)."""
        if self._wake is None:
            loop = asyncio.get_running_loop()
            wake = self._wake = asyncio.Event()
            # A camera not streaming yet has a period to give its first frame.
            self._repeat_due = self._clock() + REPEAT_PERIOD

            def heard() -> None:  # on the camera's thread: hand over, never wait
                with contextlib.suppress(RuntimeError):  # the loop has closed with the call
                    loop.call_soon_threadsafe(wake.set)

            if self._camera.announces_frames:
                self._unsubscribe = self._camera.on_new_frame(heard)
        return self._wake

    @staticmethod
    async def _sleep(wake: asyncio.Event, seconds: float) -> None:
        timer = asyncio.get_running_loop().call_later(max(0.0, seconds), wake.set)
        try:
            await wake.wait()
        finally:
            timer.cancel()

    async def _send(self, picture: Frame, at: float) -> av.VideoFrame:
        loop = asyncio.get_running_loop()
        frame = await loop.run_in_executor(None, _to_video_frame, picture.data, self.format)
        if self.readyState != "live":
            raise MediaStreamError
        self._last, self._sent_seq = frame, picture.seq
        return self._stamp(frame, at)

    def _stamp(self, frame: av.VideoFrame, at: float) -> av.VideoFrame:
        if self._origin is None:
            self._origin = at
        pts = max(round((at - self._origin) * VIDEO_CLOCK_RATE), self._last_pts + 1)
        frame.pts, frame.time_base = pts, VIDEO_TIME_BASE
        self._last_pts = pts
        self._repeat_due = self._clock() + REPEAT_PERIOD
        self.frames_sent += 1
        return frame
