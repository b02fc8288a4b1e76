"""The call's speaker: the advisor's voice played on a PyAV output device (pulse or alsa)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from concurrent.futures import Future
from typing import Protocol

import av

from kiosk.video.audio_device import (
    AUDIO_RATE,
    DEVICE_OPEN_TIMEOUT,
    AudioDeviceError,
    check_backend,
    wait_opened,
)

log = logging.getLogger(__name__)


class Speaker(Protocol):
    """Where the other side's voice goes: a speaker (kiosk.video.speaker.AudioOutput), or one
    voice of a mix (kiosk.video.mixer.MixerInput)."""

    @property
    def frames_played(self) -> int: ...

    def play(self, frame: av.AudioFrame) -> None: ...

    def close(self) -> None: ...


class AudioOutput:
    """Plays the advisor's voice on a PyAV output device (pulse or alsa) from its own thread
    ("call-audio-out"), which opens the device and then writes to it.

    Frames are handed over through a short queue; when the device falls behind, or is not open
    yet, the oldest audio is dropped rather than letting delay build up.
    """

    def __init__(self, backend: str, device: str) -> None:
        check_backend("speaker", backend)
        self.name = f"speaker {device!r} through {backend}"
        self._backend, self._device = backend, device
        self.opened: Future[None] = Future()
        #: Frames written to the device (what a test or a technician reads).
        self.frames_played = 0
        self._failed = False
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE)
        self._queue: queue.Queue[av.AudioFrame | None] = queue.Queue(maxsize=10)
        self._thread = threading.Thread(target=self._run, name="call-audio-out", daemon=True)
        self._thread.start()

    @classmethod
    async def open(cls, backend: str = "pulse", device: str = "default") -> AudioOutput:
        """An output whose device is open; AudioDeviceError (quickly) when it cannot be."""
        output = cls(backend, device)
        try:
            await wait_opened(output.name, output.opened)
        except AudioDeviceError:
            await asyncio.get_running_loop().run_in_executor(None, output.close)
            raise
        return output

    def play(self, frame: av.AudioFrame) -> None:
        if self._failed:
            return
        for out in self._resampler.resample(frame):
            try:
                self._queue.put_nowait(out)
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    self._queue.get_nowait()
                with contextlib.suppress(queue.Full):
                    self._queue.put_nowait(out)

    def _run(self) -> None:
        try:
            container = av.open(self._device, mode="w", format=self._backend)
            stream = container.add_stream("pcm_s16le", rate=AUDIO_RATE, layout="mono")
            # The device itself opens with the header: a wrong name fails here, not later.
            container.start_encoding()
        except Exception as exc:
            self._failed = True
            self.opened.set_exception(AudioDeviceError(f"{self.name}: {exc}"))
            return
        self._drop_waiting()  # what came while the device was opening is already late
        self.opened.set_result(None)
        samples = 0
        try:
            while (frame := self._queue.get()) is not None:
                frame.pts, samples = samples, samples + frame.samples
                for packet in stream.encode(frame):
                    container.mux(packet)
                self.frames_played += 1
        except Exception:
            self._failed = True
            log.exception("%s failed; the advisor's voice is no longer played", self.name)
        finally:
            container.close()

    def _drop_waiting(self) -> None:
        with contextlib.suppress(queue.Empty):
            while self._queue.get_nowait() is not None:
                pass
            self._queue.put(None)  # close() came first: keep its word

    def close(self) -> None:
        """Stop playing and close the device (blocks for up to DEVICE_OPEN_TIMEOUT: call it
        off the loop)."""
        self._failed = True
        self._drop_waiting()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)
        self._thread.join(DEVICE_OPEN_TIMEOUT)
