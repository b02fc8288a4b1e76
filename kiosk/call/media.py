"""The kiosk's own media for a video call: the camera track, the microphone (real or a tone),
and where the advisor's voice goes.

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
import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

if TYPE_CHECKING:
    from kiosk.devices.camera.base import Camera, Frame

log = logging.getLogger(__name__)

VIDEO_CLOCK_RATE = 90_000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_RATE)
AUDIO_RATE = 48_000
AUDIO_PTIME = 0.020
AUDIO_SAMPLES = int(AUDIO_RATE * AUDIO_PTIME)
AUDIO_TIME_BASE = fractions.Fraction(1, AUDIO_RATE)

#: How long opening an audio device may take before we call it broken.
DEVICE_OPEN_TIMEOUT = 5.0


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


class _Pacer:
    """Wall-clock pacing for a track: sleeps until the next slot, skips slots it has missed
    (a slow machine sends fewer frames, never a burst), and gives the slot's pts."""

    def __init__(self, period: float, clock_rate: int) -> None:
        self._period = period
        self._clock_rate = clock_rate
        self._start: float | None = None
        self._slot = 0

    async def next_pts(self) -> int:
        now = time.monotonic()
        if self._start is None:
            self._start = now
            return 0
        self._slot += 1
        due = self._start + self._slot * self._period
        if now > due + self._period:
            self._slot = int((now - self._start) / self._period)
            due = self._start + self._slot * self._period
        if due > now:
            await asyncio.sleep(due - now)
        return round(self._slot * self._period * self._clock_rate)


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


class ToneAudioTrack(MediaStreamTrack):
    """A simulated microphone: a soft sine tone, 48 kHz mono, 20 ms frames."""

    kind = "audio"

    def __init__(self, frequency: float = 440.0, level: float = 0.05) -> None:
        super().__init__()
        import numpy as np

        # One period's worth of whole frames would need a common multiple; instead keep the
        # phase running across frames.
        self._np = np
        self._step = 2 * math.pi * frequency / AUDIO_RATE
        self._amplitude = int(level * 32767)
        self._phase = 0.0
        self._pacer = _Pacer(AUDIO_PTIME, AUDIO_RATE)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        pts = await self._pacer.next_pts()
        np = self._np
        angles = self._phase + self._step * np.arange(AUDIO_SAMPLES)
        self._phase = float((angles[-1] + self._step) % (2 * math.pi))
        samples = (np.sin(angles) * self._amplitude).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = pts
        frame.time_base = AUDIO_TIME_BASE
        return frame


class AudioDeviceError(RuntimeError):
    """An audio device could not be opened; the message names the device and the reason."""


async def _open_device(what: str, opener: Any) -> Any:
    loop = asyncio.get_running_loop()
    try:
        return await asyncio.wait_for(loop.run_in_executor(None, opener), DEVICE_OPEN_TIMEOUT)
    except TimeoutError:
        # The executor thread may stay stuck in the driver; the loop does not.
        raise AudioDeviceError(f"{what}: no answer within {DEVICE_OPEN_TIMEOUT:.0f} s") from None
    except Exception as exc:  # PyAV raises its own errors for missing formats and devices
        raise AudioDeviceError(f"{what}: {exc}") from exc


async def open_microphone(backend: str = "pulse", device: str = "default") -> MediaStreamTrack:
    """The real microphone through PyAV (`backend` "pulse" or "alsa"), as an audio track.

    Raises AudioDeviceError with a clear message (never hangs) when the backend is missing
    from this PyAV build, the device does not exist, or opening it takes too long.
    """
    if backend not in ("pulse", "alsa"):
        raise AudioDeviceError(f"microphone backend must be 'pulse' or 'alsa', not {backend!r}")
    if backend not in av.formats_available:
        raise AudioDeviceError(f"microphone: this PyAV build has no {backend!r} input")
    from aiortc.contrib.media import MediaPlayer

    player = await _open_device(
        f"microphone {device!r} through {backend}",
        lambda: MediaPlayer(device, format=backend, options={"sample_rate": str(AUDIO_RATE)}),
    )
    if player.audio is None:
        raise AudioDeviceError(f"microphone {device!r} through {backend}: no audio stream")
    track: MediaStreamTrack = player.audio
    return track


class AudioOutput:
    """Plays the advisor's voice on a PyAV output device (pulse or alsa) from its own thread.

    Frames are handed over through a short queue; when the device falls behind, the oldest
    audio is dropped rather than letting delay build up.
    """

    def __init__(self, container: Any) -> None:
        self._container = container
        self._stream = container.add_stream("pcm_s16le", rate=AUDIO_RATE, layout="mono")
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE)
        self._queue: queue.Queue[av.AudioFrame | None] = queue.Queue(maxsize=10)
        self._thread = threading.Thread(target=self._run, name="call-audio-out", daemon=True)
        self._thread.start()

    @classmethod
    async def open(cls, backend: str = "pulse", device: str = "default") -> AudioOutput:
        if backend not in av.formats_available:
            raise AudioDeviceError(f"speaker: this PyAV build has no {backend!r} output")
        container = await _open_device(
            f"speaker {device!r} through {backend}",
            lambda: av.open(device, mode="w", format=backend),
        )
        return cls(container)

    def play(self, frame: av.AudioFrame) -> None:
        for out in self._resampler.resample(frame):
            try:
                self._queue.put_nowait(out)
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    self._queue.get_nowait()
                self._queue.put_nowait(out)

    def _run(self) -> None:
        try:
            while (frame := self._queue.get()) is not None:
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
        except Exception:
            log.exception("speaker output failed; the advisor's voice is no longer played")
        finally:
            self._container.close()

    def close(self) -> None:
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()
        self._queue.put(None)
        self._thread.join(DEVICE_OPEN_TIMEOUT)
