"""The cue that a citizen's turn has come: a short chime and a few words.

A citizen waiting in a video-advice queue may look away, or browse another service while they
wait. When an advisor answers, the kiosk plays a two-note chime on the call's speaker (`[call]
speaker`, where the advisor's voice will come from) and says `TURN` through the narrator, even
with Read aloud off: like the idle warning, something that wants the citizen now is heard as
well as seen. With no speaker configured only the words are said.

The chime is made here (two soft notes, no sound file to ship) and played from a thread of its
own that opens the device, writes the notes and closes it; the caller never waits for a device.
"""

from __future__ import annotations

import logging
import math
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING

from kiosk.i18n import N_

# PyAV and numpy come when a chime is played: a screen that may never chime does not wait for
# them as it opens.
if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

#: Said when an advisor answers a call that waited (also shown on another service's screen).
TURN = N_("It's your turn: an advisor is answering.")

#: The chime's two notes (Hz) and how long each sounds (seconds), falling like a doorbell.
NOTES = (880.0, 659.25)
NOTE_SECONDS = 0.28
#: Loudness of the chime against full scale: clearly heard, never startling.
LEVEL = 0.35


def chime_samples() -> np.ndarray:
    """The chime as 16-bit mono samples at the call's rate, padded to whole 20 ms frames."""
    import numpy as np

    from kiosk.video.audio_device import AUDIO_RATE, AUDIO_SAMPLES

    length = int(AUDIO_RATE * NOTE_SECONDS)
    t = np.arange(length) / AUDIO_RATE
    # A struck note: a quick rise, then a decay; the second note a little softer.
    envelope = np.minimum(1.0, t / 0.01) * np.exp(-t * 6.0)
    notes = [
        np.sin(2 * math.pi * pitch * t) * envelope * (1.0 if n == 0 else 0.8)
        for n, pitch in enumerate(NOTES)
    ]
    wave = np.concatenate(notes) * LEVEL * 32767
    frames = math.ceil(len(wave) / AUDIO_SAMPLES)
    padded = np.zeros(frames * AUDIO_SAMPLES)
    padded[: len(wave)] = wave
    return padded.astype(np.int16)


class Chime:
    """Plays the chime on the call's speaker device, or nowhere when the call has none."""

    def __init__(self, backend: str = "none", device: str = "default") -> None:
        #: As `[call] speaker` and `speaker_device` name them ("none": no speaker).
        self.backend = backend
        self.device = device
        #: Chimes played to the end (for tests and technicians).
        self.played = 0

    @property
    def audible(self) -> bool:
        return self.backend in ("pulse", "alsa")

    def play(self) -> Future[int]:
        """Start the chime and return at once; the future gives the frames written (0 with no
        speaker), or fails with AudioDeviceError when the device would not open."""
        done: Future[int] = Future()
        if not self.audible:
            done.set_result(0)
            return done
        threading.Thread(target=self._run, args=(done,), name="turn-chime", daemon=True).start()
        return done

    def _run(self, done: Future[int]) -> None:
        import av

        from kiosk.video.audio_device import (
            AUDIO_RATE,
            AUDIO_SAMPLES,
            AUDIO_TIME_BASE,
            AudioDeviceError,
            check_backend,
        )

        try:
            check_backend("speaker", self.backend)
            container = av.open(self.device, mode="w", format=self.backend)
        except Exception as exc:
            log.warning("the turn chime could not be played: %s", exc)
            done.set_exception(AudioDeviceError(f"speaker {self.device!r}: {exc}"))
            return
        written = 0
        try:
            stream = container.add_stream("pcm_s16le", rate=AUDIO_RATE, layout="mono")
            samples = chime_samples()
            for start in range(0, len(samples), AUDIO_SAMPLES):
                chunk = samples[start : start + AUDIO_SAMPLES].reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, start, AUDIO_TIME_BASE
                for packet in stream.encode(frame):
                    container.mux(packet)
                written += 1
            self.played += 1
        except Exception as exc:
            log.warning("the turn chime stopped: %s", exc)
        finally:
            container.close()
        done.set_result(written)
