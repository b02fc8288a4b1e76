"""The kiosk's own media for a video call: the camera track (the sound is kiosk.video.audio's).

Everything here is driven by aiortc on the engine loop. Pixel conversion (OpenCV: about 1.3 ms
for a 1280×720 BGR frame to yuv420p on this class of machine, where PyAV's own copy and swscale
took 3) runs in the loop's default executor; nothing here blocks the loop. The camera's capture
thread only wakes the video track (through `loop.call_soon_threadsafe`) and never waits for it.
The size each frame goes out at is kiosk.video.load's: smaller while the machine cannot keep up.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import av
import cv2
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

# The call's sound lives in kiosk.video.audio; its names stay importable from here.
from kiosk.video.audio import AudioDeviceError as AudioDeviceError
from kiosk.video.audio import AudioOutput as AudioOutput
from kiosk.video.audio import ToneAudioTrack as ToneAudioTrack
from kiosk.video.audio import open_microphone as open_microphone

# The call's format is described without the media libraries (kiosk.video.call); its name stays
# importable from here.
from kiosk.video.call import VideoFormat as VideoFormat
from kiosk.video.load import SendSize

if TYPE_CHECKING:
    from kiosk.devices.camera.base import Camera, Frame

log = logging.getLogger(__name__)

VIDEO_CLOCK_RATE = 90_000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_RATE)


def _to_video_frame(data: Any, size: tuple[int, int]) -> av.VideoFrame:
    """A BGR camera frame as yuv420p (BT.601, limited range, as swscale makes it) at `size`.
    A camera frame of another shape (a camera that ignored the size asked of it) gives its
    middle part in the call's shape: cut, never stretched."""
    width, height = size
    have_w, have_h = data.shape[1], data.shape[0]
    if have_w * height > have_h * width:  # wider than the call: cut the sides
        keep = have_h * width // height
        data = data[:, (have_w - keep) // 2 :][:, :keep]
    elif have_w * height < have_h * width:  # taller: cut top and bottom
        keep = have_w * height // width
        data = data[(have_h - keep) // 2 :][:keep]
    if data.shape[1] != width or data.shape[0] != height:
        data = cv2.resize(data, (width, height), interpolation=cv2.INTER_LINEAR)
    return av.VideoFrame.from_ndarray(cv2.cvtColor(data, cv2.COLOR_BGR2YUV_I420), format="yuv420p")


def _plain_frame(size: tuple[int, int]) -> av.VideoFrame:
    """Dark grey, for the moments the camera has nothing to give."""
    frame = av.VideoFrame(width=size[0], height=size[1], format="yuv420p")
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


class EncodeTime:
    """Where kiosk.video.rtp's encoder writes how long a frame took, from its own thread: the
    frame carries it as its `opaque`. It refers to nothing else on purpose: PyAV keeps a frame's
    `opaque` in a registry of its own until the frame is freed, so an object that led back to
    the track (which keeps its last frame) would keep both alive for ever."""

    __slots__ = ("seconds",)

    def __init__(self) -> None:
        self.seconds: float | None = None

    def __call__(self, seconds: float) -> None:
        self.seconds = seconds


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
    `send_size` decides the size of each frame from how long the last ones kept the sending
    chain busy: the time from handing a frame to aiortc until it asks for the next one (its
    encoding and sending) plus the conversion before.
    """

    kind = "video"

    def __init__(
        self,
        camera: Camera,
        fmt: VideoFormat | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        send_size: SendSize | None = None,
    ) -> None:
        super().__init__()
        self._camera = camera
        self.format = fmt or VideoFormat()
        self._clock = clock
        self.send_size = send_size or SendSize(
            self.format.width, self.format.height, self.format.fps
        )
        #: When the last frame went to aiortc, how long its conversion took, and how long the
        #: encoder took (kiosk.video.rtp's encoder says, from its thread; None if not told).
        self._handed_at: float | None = None
        self._convert_seconds = 0.0
        self._encode_time = EncodeTime()
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
        if self._handed_at is not None:
            busy = self._convert_seconds + time.perf_counter() - self._handed_at
            self.send_size.record(busy, self._encode_time.seconds)
            self._handed_at = None
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
                again = _copy(last) if last is not None else _plain_frame(self.send_size.size)
                self._convert_seconds = 0.0
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
        self._last = None
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
        started = time.perf_counter()
        size = self.send_size.size
        frame = await loop.run_in_executor(None, _to_video_frame, picture.data, size)
        self._convert_seconds = time.perf_counter() - started
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
        self._handed_at = time.perf_counter()
        # A new one for each frame, so that a late report never passes for the next frame's.
        self._encode_time = frame.opaque = EncodeTime()
        return frame
