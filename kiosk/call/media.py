"""The kiosk's own media for a video call: the camera track, the microphone (real or a tone),
and where the advisor's voice goes.

Everything here is driven by aiortc on the engine loop. Pixel conversion (about 5 ms for a
1280×720 BGR frame to yuv420p on this class of machine) runs in the loop's default executor;
nothing here blocks the loop.
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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

if TYPE_CHECKING:
    from kiosk.devices.camera.base import Camera

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


class CameraVideoTrack(MediaStreamTrack):
    """The kiosk camera as a WebRTC video track.

    Reads `camera.latest()` once per frame slot: only the newest picture is ever sent and no
    buffer grows. When the camera has no new frame the previous one is sent again; when it has
    none at all (not streaming yet, unplugged, stalled), a plain frame. The caller owns the
    camera's stream (start_stream/stop_stream); the track only reads it.
    """

    kind = "video"

    def __init__(self, camera: Camera, fmt: VideoFormat | None = None) -> None:
        super().__init__()
        self._camera = camera
        self.format = fmt or VideoFormat()
        self._pacer = _Pacer(1.0 / self.format.fps, VIDEO_CLOCK_RATE)
        self._last_seq: int | None = None
        self._last: av.VideoFrame | None = None
        self.frames_sent = 0

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        pts = await self._pacer.next_pts()
        picture = self._camera.latest()
        fresh: av.VideoFrame | None = None
        if picture is not None and picture.seq != self._last_seq:
            loop = asyncio.get_running_loop()
            fresh = await loop.run_in_executor(None, _to_video_frame, picture.data, self.format)
            self._last, self._last_seq = fresh, picture.seq
        elif picture is None and self._last_seq is not None:
            # The camera stopped giving frames: a stale picture must not pass for a live one.
            self._last, self._last_seq = None, None
        if self._last is None:
            self._last = _plain_frame(self.format)
        # Each frame sent is its own object (the encoder may keep the one before): a repeat
        # is a copy, which costs well under a millisecond at 1280×720.
        out = fresh if fresh is not None else _copy(self._last)
        out.pts = pts
        out.time_base = VIDEO_TIME_BASE
        self.frames_sent += 1
        return out


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
