"""The call's sound: the citizen's microphone (a capture device through PyAV, a tone, or
silence) and the speaker that plays the advisor's voice.

Each sound device has a thread of its own, which opens the device and then reads or writes it;
the engine loop never waits for a device. A microphone that cannot be opened, or that fails
during a call, sends silence: a citizen's call must not fail because of a microphone. A speaker
that cannot be opened drops the advisor's voice; the call goes on. The speaker's device is
`kiosk.video.speaker`; opening a device through PyAV is `kiosk.video.audio_device`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import time
from collections import deque
from concurrent.futures import Future
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from kiosk.video.audio_device import (
    AUDIO_PTIME,
    AUDIO_RATE,
    AUDIO_SAMPLES,
    AUDIO_TIME_BASE,
    check_backend,
    wait_opened,
)

# The device plumbing and the speaker live in their own modules; their names stay importable
# from here.
from kiosk.video.audio_device import DEVICE_OPEN_TIMEOUT as DEVICE_OPEN_TIMEOUT
from kiosk.video.audio_device import SYSTEM_ALSA_CONFIG as SYSTEM_ALSA_CONFIG
from kiosk.video.audio_device import AudioDeviceError as AudioDeviceError
from kiosk.video.call import CallSound
from kiosk.video.speaker import AudioOutput as AudioOutput

log = logging.getLogger(__name__)

#: Captured sound waiting for the sender (frames of 20 ms); older sound is dropped, so a late
#: sender never turns into a delay.
MICROPHONE_BACKLOG = 5
#: A device that gives sound faster than real time (ALSA's null) is held to real time, this
#: far ahead at most (seconds). A real microphone never gets there.
MAX_AHEAD = 0.1

MICROPHONE_HINT = (
    "check [call] microphone_device (`arecord -L` lists ALSA devices, "
    "`pactl list short sources` PulseAudio's); the call goes on without the citizen's sound"
)
SPEAKER_HINT = (
    "check [call] speaker_device (`aplay -L` lists ALSA devices, "
    "`pactl list short sinks` PulseAudio's); the call goes on without the advisor's voice"
)


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


def _silence(pts: int) -> av.AudioFrame:
    frame = av.AudioFrame(format="s16", layout="mono", samples=AUDIO_SAMPLES)
    for plane in frame.planes:
        plane.update(bytes(plane.buffer_size))
    frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, pts, AUDIO_TIME_BASE
    return frame


class ToneAudioTrack(MediaStreamTrack):
    """A simulated microphone: a soft sine tone (or, at level 0, silence), 48 kHz mono, 20 ms
    frames."""

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
        if not self._amplitude:
            return _silence(pts)
        np = self._np
        angles = self._phase + self._step * np.arange(AUDIO_SAMPLES)
        self._phase = float((angles[-1] + self._step) % (2 * math.pi))
        samples = (np.sin(angles) * self._amplitude).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, pts, AUDIO_TIME_BASE
        return frame


def _watch(what: str, opened: Future[None], hint: str) -> None:
    """Log, once, a device that fails to open or does not answer (the call goes on)."""

    def failed(done: Future[None]) -> None:
        if not done.cancelled() and (exc := done.exception()) is not None:
            log.warning("%s; %s", exc, hint, extra={"device": what})

    def silent() -> None:
        if not opened.done():
            late = f"{what}: no answer within {DEVICE_OPEN_TIMEOUT:.0f} s"
            log.warning("%s; %s", late, hint, extra={"device": what})

    opened.add_done_callback(failed)
    asyncio.get_running_loop().call_later(DEVICE_OPEN_TIMEOUT, silent)


class MicrophoneTrack(MediaStreamTrack):
    """A capture device through PyAV (`backend` "pulse" or "alsa") as a 48 kHz mono track of
    20 ms frames. Create it on the engine loop.

    The device is opened and read on the track's own thread ("call-microphone"). Until it is
    open, and from the moment it fails, the track sends silence at the same pace; `opened`
    says how opening went, `failure` why the device stopped.
    """

    kind = "audio"

    def __init__(self, backend: str, device: str) -> None:
        super().__init__()
        check_backend("microphone", backend)
        self.name = f"microphone {device!r} through {backend}"
        self._backend, self._device = backend, device
        self.opened: Future[None] = Future()
        self.failure: str | None = None
        #: Frames of 20 ms the device has given (the counter a test or a technician reads).
        self.frames_captured = 0
        self._engine = asyncio.get_running_loop()
        self._frames: deque[av.AudioFrame] = deque(maxlen=MICROPHONE_BACKLOG)
        self._wake = asyncio.Event()
        self._quit = threading.Event()
        self._pacer = _Pacer(AUDIO_PTIME, AUDIO_RATE)
        self._pts = 0
        self._thread = threading.Thread(target=self._run, name="call-microphone", daemon=True)
        self._thread.start()

    async def recv(self) -> av.AudioFrame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            if self._frames:
                frame = self._frames.popleft()
                break
            if self.failure is not None or not self.opened.done():
                await self._pacer.next_pts()
                frame = _silence(0)
                break
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 4 * AUDIO_PTIME)
        frame.pts, frame.time_base = self._pts, AUDIO_TIME_BASE
        self._pts += frame.samples
        return frame

    def stop(self) -> None:
        """Stop sending; the thread closes the device after its current read."""
        self._quit.set()
        self._wake.set()
        super().stop()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the device to be closed (not on the loop: it may take a device period)."""
        self._thread.join(timeout)

    # ---- the microphone's thread --------------------------------------------------------------

    def _run(self) -> None:
        try:
            options = {"sample_rate": str(AUDIO_RATE), "channels": "1"}
            container = av.open(self._device, format=self._backend, mode="r", options=options)
        except Exception as exc:  # PyAV raises its own errors for missing devices
            self.failure = f"{self.name}: {exc}"
            self.opened.set_exception(AudioDeviceError(self.failure))
            return
        try:
            if not container.streams.audio:
                self.failure = f"{self.name}: no audio stream"
                self.opened.set_exception(AudioDeviceError(self.failure))
                return
            self.opened.set_result(None)
            self._capture(container)
        except Exception as exc:
            self.failure = f"{self.name}: {exc}"
            log.warning(
                "%s; the call goes on with silence", self.failure, extra={"device": self.name}
            )
        finally:
            container.close()

    def _capture(self, container: Any) -> None:
        resampler = av.AudioResampler(
            format="s16", layout="mono", rate=AUDIO_RATE, frame_size=AUDIO_SAMPLES
        )
        start, captured = time.monotonic(), 0.0
        frames = container.decode(audio=0)
        while not self._quit.is_set():
            try:
                frame = next(frames)
            except av.error.BlockingIOError:  # nothing yet from a non-blocking device
                self._quit.wait(0.01)
                frames = container.decode(audio=0)
                continue
            except StopIteration:
                raise AudioDeviceError("the device stopped giving sound") from None
            for out in resampler.resample(frame):
                self.frames_captured += 1
                try:
                    self._engine.call_soon_threadsafe(self._deliver, out)
                except RuntimeError:  # the loop has closed with the call
                    return
            captured += frame.samples / (frame.sample_rate or AUDIO_RATE)
            ahead = captured - (time.monotonic() - start)
            if ahead > MAX_AHEAD:
                self._quit.wait(ahead - MAX_AHEAD / 2)

    def _deliver(self, frame: av.AudioFrame) -> None:  # on the loop
        self._frames.append(frame)
        self._wake.set()


async def open_microphone(backend: str = "pulse", device: str = "default") -> MicrophoneTrack:
    """The real microphone, open: raises AudioDeviceError with a clear message (never hangs)
    when the backend is missing from this PyAV build, the device does not exist, or opening it
    takes longer than DEVICE_OPEN_TIMEOUT."""
    track = MicrophoneTrack(backend, device)
    try:
        await wait_opened(track.name, track.opened)
    except AudioDeviceError:
        track.stop()
        raise
    return track


def call_microphone(audio: CallSound) -> MediaStreamTrack:
    """The call's microphone, at once (on the engine loop). A device still opening sends
    silence; one that cannot be opened is logged once, with its name and a hint, and the call
    goes ahead with silence."""
    if audio.microphone == "tone":
        return ToneAudioTrack()
    if audio.microphone == "none":
        return ToneAudioTrack(level=0.0)
    try:
        track = MicrophoneTrack(audio.microphone, audio.microphone_device)
    except AudioDeviceError as exc:
        log.warning("%s; %s", exc, MICROPHONE_HINT, extra={"device": audio.microphone})
        return ToneAudioTrack(level=0.0)
    _watch(track.name, track.opened, MICROPHONE_HINT)
    return track


def call_speaker(audio: CallSound) -> AudioOutput | None:
    """The call's speaker, opening on its own thread (on the engine loop), or None when the
    kiosk plays no sound. A failure is logged once; the call goes on."""
    if audio.speaker == "none":
        return None
    try:
        output = AudioOutput(audio.speaker, audio.speaker_device)
    except AudioDeviceError as exc:
        log.warning("%s; %s", exc, SPEAKER_HINT, extra={"device": audio.speaker})
        return None
    _watch(output.name, output.opened, SPEAKER_HINT)
    return output


class CallAudio(CallSound):
    """A call's microphone and speaker, to open (kiosk.video.call describes them)."""

    def open_microphone(self) -> MediaStreamTrack:
        return call_microphone(self)

    def open_speaker(self) -> AudioOutput | None:
        return call_speaker(self)
