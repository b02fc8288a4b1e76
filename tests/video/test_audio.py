"""The call's sound devices on real ALSA: alsa-lib's built-in `null` PCM, which takes any sound
played to it and gives silence when recorded from (there is no sound card here). PyAV's wheel
carries its own alsa-lib, which the kiosk points at the system's configuration; without that
configuration (or without ALSA in PyAV) these tests are skipped, saying why."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator

import av
import numpy as np
import pytest

from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.audio import (
    AudioDeviceError,
    AudioOutput,
    CallAudio,
    MicrophoneTrack,
    ToneAudioTrack,
    open_microphone,
)
from kiosk.video.peer import KioskPeer
from tests.peers.alsa import null_device_missing
from tests.peers.browser import BrowserPeer
from tests.video.conftest import DEADLINE, eventually, on_engine


@pytest.fixture(scope="module")
def alsa_null() -> Iterator[None]:
    reason = null_device_missing()
    if reason is not None:
        pytest.skip(reason)
    yield


async def until(check: Callable[[], bool], what: str) -> None:
    async def poll() -> bool:
        return check()

    await eventually(poll, what)


def _decoded_voice(count: int) -> list[av.AudioFrame]:
    """What aiortc hands the peer for a remote voice: Opus decoded to 48 kHz stereo."""

    async def tone() -> list[av.AudioFrame]:
        track = ToneAudioTrack()
        try:
            return [await track.recv() for _ in range(count)]
        finally:
            track.stop()

    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.layout, encoder.format = 48_000, "stereo", "s16"
    decoder = av.CodecContext.create("opus", "r")
    decoder.sample_rate, decoder.layout = 48_000, "stereo"
    resampler = av.AudioResampler(format="s16", layout="stereo", rate=48_000)
    decoded: list[av.AudioFrame] = []
    for frame in asyncio.run(tone()):
        for stereo in resampler.resample(frame):
            for packet in encoder.encode(stereo):
                decoded.extend(decoder.decode(packet))
    assert decoded, "the voice did not survive Opus"
    return decoded


@pytest.mark.usefixtures("alsa_null")
def test_the_speaker_plays_the_advisors_decoded_voice_on_the_alsa_null_device() -> None:
    voice = _decoded_voice(50)

    async def scenario() -> None:
        output = await AudioOutput.open("alsa", "null")
        try:
            for frame in voice[:10]:
                output.play(frame)
            await until(lambda: output.frames_played >= 5, "the first frames played")
            played = output.frames_played
            for frame in voice[10:]:
                output.play(frame)
                await asyncio.sleep(0.005)  # as they come from the network, not all at once
            await until(lambda: output.frames_played > played + 20, "more frames played")
        finally:
            await asyncio.get_running_loop().run_in_executor(None, output.close)
        stopped = output.frames_played
        output.play(voice[0])
        assert output.frames_played == stopped

    asyncio.run(scenario())


@pytest.mark.usefixtures("alsa_null")
def test_the_alsa_microphone_gives_48_khz_mono_frames_of_20_ms() -> None:
    async def scenario() -> None:
        track = await open_microphone("alsa", "null")
        try:
            frames = [await track.recv() for _ in range(5)]
        finally:
            track.stop()
        await asyncio.get_running_loop().run_in_executor(None, track.join, DEADLINE)
        assert {(f.sample_rate, f.layout.name, f.format.name, f.samples) for f in frames} == {
            (48_000, "mono", "s16", 960)
        }
        assert [f.pts for f in frames] == [0, 960, 1920, 2880, 3840]
        assert track.frames_captured >= 5
        assert track.failure is None

    asyncio.run(scenario())


@pytest.mark.usefixtures("alsa_null")
def test_a_device_that_does_not_exist_is_refused_at_once_with_its_name() -> None:
    async def scenario() -> None:
        with pytest.raises(AudioDeviceError) as mic:
            await open_microphone("alsa", "no-such-device")
        with pytest.raises(AudioDeviceError) as speaker:
            await AudioOutput.open("alsa", "no-such-device")
        # Refused by the device layer, not given up on after DEVICE_OPEN_TIMEOUT.
        assert str(mic.value).startswith("microphone 'no-such-device' through alsa: ")
        assert str(speaker.value).startswith("speaker 'no-such-device' through alsa: ")
        assert "no answer" not in str(mic.value) + str(speaker.value)

    asyncio.run(scenario())


def test_a_backend_this_build_lacks_is_refused_with_a_clear_message() -> None:
    async def scenario() -> None:
        with pytest.raises(AudioDeviceError, match="'pulse' or 'alsa', not 'oss'"):
            await open_microphone("oss")
        if "pulse" not in av.formats_available:
            with pytest.raises(AudioDeviceError, match="this PyAV build has no 'pulse' device"):
                await AudioOutput.open("pulse")

    asyncio.run(scenario())


@pytest.mark.usefixtures("alsa_null")
def test_a_microphone_that_cannot_open_sends_silence_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="kiosk.video.audio")

    async def scenario() -> None:
        track = CallAudio(microphone="alsa", microphone_device="no-such-device").open_microphone()
        assert isinstance(track, MicrophoneTrack)
        try:
            frames = [await track.recv() for _ in range(10)]
        finally:
            track.stop()
        await asyncio.get_running_loop().run_in_executor(None, track.join, DEADLINE)
        assert {(f.sample_rate, f.samples) for f in frames} == {(48_000, 960)}
        assert [f.pts for f in frames] == [960 * n for n in range(10)]
        assert not any(np.asarray(f.to_ndarray()).any() for f in frames)

    asyncio.run(scenario())
    [record] = [r for r in caplog.records if "no-such-device" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "microphone_device" in record.getMessage()  # the hint: what to check
    assert "the call goes on" in record.getMessage()


def test_no_microphone_and_the_demo_tone_need_no_device() -> None:
    async def scenario() -> None:
        silent = CallAudio(microphone="none").open_microphone()
        tone = CallAudio().open_microphone()
        try:
            quiet, sound = await silent.recv(), await tone.recv()
        finally:
            silent.stop()
            tone.stop()
        assert isinstance(quiet, av.AudioFrame) and isinstance(sound, av.AudioFrame)
        assert not np.asarray(quiet.to_ndarray()).any()
        assert np.asarray(sound.to_ndarray()).any()
        assert CallAudio().open_speaker() is None

    asyncio.run(scenario())


@pytest.mark.usefixtures("alsa_null")
def test_a_call_with_a_broken_microphone_goes_ahead_and_plays_the_advisor(
    engine: Engine, camera: SimulatedCamera
) -> None:
    """The advisor in Chromium (fake microphone) calls a kiosk whose microphone is missing and
    whose speaker is ALSA's null device: the call connects, the advisor hears the kiosk's
    silence, and the kiosk plays the advisor's voice."""
    run = on_engine(engine)
    audio = CallAudio(
        microphone="alsa",
        microphone_device="no-such-device",
        speaker="alsa",
        speaker_device="null",
    )

    async def make() -> tuple[KioskPeer, MicrophoneTrack]:
        microphone = audio.open_microphone()
        assert isinstance(microphone, MicrophoneTrack)
        peer = KioskPeer(camera, microphone=microphone, audio_output=audio.open_speaker())
        return peer, microphone

    async def scenario() -> None:
        async with BrowserPeer() as browser:
            assert await browser.start_camera(640, 480) == (640, 480)
            peer, microphone = await run(make())
            try:
                answer = await browser.answer(await run(peer.create_offer()))
                await run(peer.accept_answer(answer))

                async def heard(packets: int) -> bool:
                    return (await browser.stats()).audio_packets_received >= packets

                async def played(frames: int) -> bool:
                    return peer.stats().audio_frames_played >= frames

                await eventually(lambda: heard(20), "the advisor to hear the kiosk")
                await eventually(lambda: played(20), "the kiosk to play the advisor")
                first = peer.stats().audio_frames_played
                await eventually(lambda: played(first + 30), "more of the advisor played")
                assert microphone.failure is not None
                assert "no-such-device" in microphone.failure
            finally:
                await run(peer.close())
            await asyncio.get_running_loop().run_in_executor(None, microphone.join, DEADLINE)

    asyncio.run(scenario())
