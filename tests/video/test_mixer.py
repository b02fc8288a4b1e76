"""Two voices on one speaker (kiosk.video.mixer): the lead's frames go out at its own pace with
the other voice added in, and a voice that leaves takes nothing of the other with it."""

from __future__ import annotations

from typing import Any

import av
import numpy as np

from kiosk.video.mixer import AudioMixer, MixerInput


class Recorder:
    """A speaker that keeps what it is asked to play."""

    def __init__(self) -> None:
        self.played: list[Any] = []
        self.closed = False

    @property
    def frames_played(self) -> int:
        return len(self.played)

    def play(self, frame: av.AudioFrame) -> None:
        self.played.append(frame.to_ndarray().reshape(-1))

    def close(self) -> None:
        self.closed = True


def tone(level: int, samples: int = 960) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(
        np.full((1, samples), level, np.int16), format="s16", layout="mono"
    )
    frame.sample_rate = 48_000
    return frame


def test_the_second_voice_is_added_to_the_first_and_the_pace_is_the_firsts() -> None:
    speaker = Recorder()
    mixer = AudioMixer(speaker)
    host, guest = MixerInput(mixer, "host"), MixerInput(mixer, "guest")
    host.play(tone(1000))
    guest.play(tone(300))
    guest.play(tone(300))
    host.play(tone(1000))
    host.play(tone(1000))
    host.play(tone(1000))
    assert len(speaker.played) == 4  # one frame out per frame of the lead, never more
    assert [int(f.mean()) for f in speaker.played] == [1000, 1300, 1300, 1000]
    assert mixer.mixed_frames == 2


def test_loud_voices_are_clipped_not_wrapped_around() -> None:
    speaker = Recorder()
    mixer = AudioMixer(speaker)
    mixer.play("host", tone(30000))
    mixer.play("guest", tone(30000))
    mixer.play("host", tone(30000))
    assert int(speaker.played[-1].max()) == 32767


def test_when_the_lead_leaves_the_other_voice_leads() -> None:
    speaker = Recorder()
    mixer = AudioMixer(speaker)
    host, guest = MixerInput(mixer, "host"), MixerInput(mixer, "guest")
    host.play(tone(1000))
    guest.play(tone(200))
    host.close()
    guest.play(tone(200))
    guest.play(tone(200))
    assert [int(f.mean()) for f in speaker.played] == [1000, 200, 200]
    mixer.close()
    assert speaker.closed
