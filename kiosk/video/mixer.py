"""Two voices on one speaker: the advisor's and a third person's (an interpreter) in one call.

The speaker (kiosk.video.speaker) plays one stream. With a third person in the call the kiosk
receives two, each at its own pace; written to the device in turn they would play at twice the
speed, interleaved. The mixer keeps the first voice that speaks as the lead: each of its frames
goes out with what the others have sent meanwhile added in (their frames wait in a short queue,
the oldest dropped when one runs ahead). When the lead leaves, the next voice leads.
Everything runs on the engine loop; the arithmetic is a few thousand samples a frame.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import av
import numpy as np

from kiosk.video.audio_device import AUDIO_RATE, AUDIO_TIME_BASE
from kiosk.video.speaker import Speaker

#: Frames of a voice that is not the lead kept waiting (20 ms each).
QUEUE_FRAMES = 5


class _Voice:
    def __init__(self) -> None:
        self.resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE)
        self.waiting: deque[Any] = deque(maxlen=QUEUE_FRAMES * 4)

    def samples(self, frame: av.AudioFrame) -> Any:
        chunks = [f.to_ndarray().reshape(-1) for f in self.resampler.resample(frame)]
        return np.concatenate(chunks) if chunks else np.zeros(0, np.int16)


class AudioMixer:
    """Plays every party's voice on `output` (None: receives and drops, as with no speaker)."""

    def __init__(self, output: Speaker | None) -> None:
        self.output = output
        self._voices: dict[str, _Voice] = {}
        self._lead: str | None = None
        self._pts = 0
        # A peer closes its voice from an executor thread; the voices play on the loop.
        self._lock = threading.Lock()
        #: Frames that went out with a second voice mixed in (for tests and technicians).
        self.mixed_frames = 0

    @property
    def frames_played(self) -> int:
        return self.output.frames_played if self.output is not None else 0

    def play(self, party: str, frame: av.AudioFrame) -> None:
        with self._lock:
            self._play(party, frame)

    def _play(self, party: str, frame: av.AudioFrame) -> None:
        voice = self._voices.get(party)
        if voice is None:
            voice = self._voices[party] = _Voice()
        if self._lead is None or self._lead not in self._voices:
            self._lead = party
        if self.output is None:
            return
        samples = voice.samples(frame)
        if party != self._lead:
            voice.waiting.append(samples)
            return
        mixed = samples.astype(np.int32)
        for other, other_voice in self._voices.items():
            if other == party or not other_voice.waiting:
                continue
            self._add(mixed, other_voice.waiting)
            self.mixed_frames += 1
        out = av.AudioFrame.from_ndarray(
            np.clip(mixed, -32768, 32767).astype(np.int16).reshape(1, -1),
            format="s16",
            layout="mono",
        )
        out.sample_rate, out.pts, out.time_base = AUDIO_RATE, self._pts, AUDIO_TIME_BASE
        self._pts += out.samples
        self.output.play(out)

    @staticmethod
    def _add(mixed: Any, waiting: deque[Any]) -> None:
        """Add as many of the waiting voice's samples as the lead's frame holds."""
        filled = 0
        while waiting and filled < len(mixed):
            chunk = waiting.popleft()
            take = min(len(chunk), len(mixed) - filled)
            mixed[filled : filled + take] += chunk[:take]
            if take < len(chunk):
                waiting.appendleft(chunk[take:])
            filled += take

    def leave(self, party: str) -> None:
        """The party is gone: its voice stops; another leads if it led."""
        with self._lock:
            self._voices.pop(party, None)
            if self._lead == party:
                self._lead = next(iter(self._voices), None)

    def close(self) -> None:
        output, self.output = self.output, None
        self._voices.clear()
        if output is not None:
            output.close()


class MixerInput:
    """One party's voice into the mixer, as a call's peer takes its audio output: closing it
    takes the voice out of the mix and leaves the speaker to the others."""

    def __init__(self, mixer: AudioMixer, party: str) -> None:
        self._mixer = mixer
        self.party = party

    @property
    def frames_played(self) -> int:
        return self._mixer.frames_played

    def play(self, frame: av.AudioFrame) -> None:
        self._mixer.play(self.party, frame)

    def close(self) -> None:
        self._mixer.leave(self.party)
