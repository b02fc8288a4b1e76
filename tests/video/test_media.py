"""The kiosk's side of a video call against a real advisor: headless Chromium with a fake camera
and microphone. The kiosk's peer runs on the engine loop, as in the app; the browser is driven
from the test's own loop."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.media import (
    AudioDeviceError,
    CameraVideoTrack,
    ToneAudioTrack,
    VideoFormat,
    open_microphone,
)
from kiosk.video.peer import KioskPeer, LatestFrameSlot, RemoteVideoFrame
from kiosk.video.sdp import with_bandwidth_hints
from tests.peers.browser import BrowserPeer
from tests.video.conftest import DEADLINE, eventually, on_engine

# ---- the pieces on their own ------------------------------------------------------------------


def test_the_slot_keeps_only_the_newest_frame_and_says_when_it_was_empty() -> None:
    slot = LatestFrameSlot()
    frames = [RemoteVideoFrame(None, 640, 480, n) for n in (1, 2, 3)]
    assert slot.put(frames[0]) is True
    assert slot.put(frames[1]) is False
    assert slot.put(frames[2]) is False
    assert slot.take() is frames[2]
    assert slot.take() is None
    assert slot.put(frames[0]) is True


def test_the_camera_track_sends_the_call_size_and_a_plain_frame_without_a_camera(
    camera: SimulatedCamera,
) -> None:
    async def scenario() -> None:
        track = CameraVideoTrack(camera, VideoFormat(640, 480, 30))
        first = await track.recv()
        second = await track.recv()
        assert (first.width, first.height, first.format.name) == (640, 480, "yuv420p")
        assert first.pts is not None and second.pts is not None
        assert second.pts > first.pts and second.time_base == first.time_base
        camera.stop_stream()
        blank = await track.recv()
        # Dark grey, not the last picture: a stale picture must not pass for a live one.
        assert np.asarray(blank.to_ndarray(format="gray")).max() < 60
        track.stop()

    asyncio.run(scenario())


def test_the_tone_is_48_khz_in_20_ms_frames() -> None:
    async def scenario() -> None:
        track = ToneAudioTrack()
        frames = [await track.recv() for _ in range(3)]
        track.stop()
        assert {(f.sample_rate, f.samples) for f in frames} == {(48_000, 960)}
        assert [f.pts for f in frames] == [0, 960, 1920]
        assert 0 < np.abs(np.asarray(frames[1].to_ndarray())).max() < 32767 // 4

    asyncio.run(scenario())


def test_a_missing_microphone_fails_with_a_clear_error() -> None:
    async def scenario() -> None:
        with pytest.raises(AudioDeviceError, match="microphone"):
            await open_microphone("alsa", "no-such-device")
        with pytest.raises(AudioDeviceError, match="'pulse' or 'alsa'"):
            await open_microphone("oss")

    asyncio.run(scenario())


def test_the_offer_tells_the_browser_where_to_start_its_bitrate() -> None:
    sdp = (
        "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 opus/48000/2\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 97 98 99\r\na=rtpmap:97 VP8/90000\r\n"
        "a=rtpmap:98 rtx/90000\r\na=fmtp:98 apt=97\r\na=rtpmap:99 H264/90000\r\n"
        "a=fmtp:99 packetization-mode=1\r\n"
    )
    lines = with_bandwidth_hints(sdp, 1500).splitlines()
    assert lines[lines.index("a=rtpmap:97 VP8/90000") + 1] == (
        "a=fmtp:97 x-google-start-bitrate=1500"
    )
    assert "a=fmtp:99 packetization-mode=1;x-google-start-bitrate=1500" in lines
    assert "a=fmtp:98 apt=97" in lines
    assert not any("96 x-google" in line for line in lines)


# ---- a call with the browser ------------------------------------------------------------------


class ScreenStandIn:
    """A slow screen: told on the engine thread, it takes a frame only when the test asks."""

    def __init__(self) -> None:
        self.told = threading.Event()


async def _start_call(
    engine: Engine, camera: SimulatedCamera, browser: BrowserPeer, size: tuple[int, int]
) -> tuple[KioskPeer, ScreenStandIn]:
    run = on_engine(engine)
    screen = ScreenStandIn()
    assert await browser.start_camera(*size) == size

    async def make() -> KioskPeer:
        return KioskPeer(camera, video=VideoFormat(*size), on_remote_video=screen.told.set)

    peer = await run(make())
    offer = await run(peer.create_offer())
    answer = await browser.answer(offer)
    await run(peer.accept_answer(answer))
    return peer, screen


async def _media_flows_both_ways(
    peer: KioskPeer, screen: ScreenStandIn, browser: BrowserPeer, size: tuple[int, int]
) -> None:
    sizes_seen: set[tuple[int, int]] = set()

    async def kiosk_receives(at_least: int) -> bool:
        stats = peer.stats()
        if stats.video_frames:
            sizes_seen.add((stats.video_width, stats.video_height))
        return stats.video_frames >= at_least and stats.audio_frames > 0

    async def browser_receives(video: int, audio: int) -> bool:
        stats = await browser.stats()
        return stats.video_frames_decoded >= video and stats.audio_packets_received >= audio

    await eventually(lambda: kiosk_receives(10), "the kiosk to receive the advisor")
    await eventually(lambda: browser_receives(10, 10), "the browser to decode the kiosk")
    first = await browser.stats()
    count = peer.stats().video_frames
    await eventually(lambda: kiosk_receives(count + 30), "more frames at the kiosk")
    await eventually(
        lambda: browser_receives(
            first.video_frames_decoded + 30, first.audio_packets_received + 30
        ),
        "more frames and audio at the browser",
    )
    # The advisor's picture reaches the kiosk at the size the advisor's camera gives, from the
    # first frame on (VP8 from Chromium used to start at 640×360 for a 1280×720 camera).
    assert sizes_seen == {size}
    browser_side = await browser.stats()
    assert browser_side.sent is not None
    assert (browser_side.sent["width"], browser_side.sent["height"]) == size

    # The slow screen gets the newest frame, converted for display, never a queue of old ones.
    assert screen.told.wait(DEADLINE)
    screen.told.clear()
    taken = peer.take_remote_video()
    assert taken is not None
    assert taken.rgb.shape == (size[1], size[0], 3)
    assert peer.take_remote_video() is None
    assert screen.told.wait(DEADLINE)
    newer = peer.take_remote_video()
    assert newer is not None and newer.number > taken.number


@pytest.mark.parametrize("size", [(640, 480), (1280, 720)], ids=["640x480", "1280x720"])
def test_a_call_carries_video_and_audio_both_ways_at_the_advisors_resolution(
    engine: Engine, camera: SimulatedCamera, size: tuple[int, int]
) -> None:
    async def scenario() -> None:
        async with BrowserPeer() as browser:
            peer, screen = await _start_call(engine, camera, browser, size)
            try:
                await _media_flows_both_ways(peer, screen, browser, size)
            finally:
                await on_engine(engine)(peer.close())

    asyncio.run(scenario())


def test_the_kiosk_hangs_up_and_the_browser_sees_the_call_end(
    engine: Engine, camera: SimulatedCamera
) -> None:
    async def scenario() -> None:
        async with BrowserPeer() as browser:
            peer, _ = await _start_call(engine, camera, browser, (640, 480))
            try:

                async def decoding() -> bool:
                    return (await browser.stats()).video_frames_decoded > 0

                await eventually(decoding, "the browser to decode the kiosk")
            finally:
                await on_engine(engine)(peer.close())
            assert peer.connection_state == "closed"

            async def ended() -> bool:
                return (await browser.stats()).state in ("disconnected", "failed", "closed")

            await eventually(ended, "the browser to notice the kiosk hung up")

    asyncio.run(scenario())


def test_the_advisor_hangs_up_and_the_kiosk_sees_the_call_end(
    engine: Engine, camera: SimulatedCamera
) -> None:
    async def scenario() -> None:
        async with BrowserPeer() as browser:
            peer, _ = await _start_call(engine, camera, browser, (640, 480))
            try:

                async def receiving() -> bool:
                    return peer.stats().video_frames > 0

                await eventually(receiving, "the kiosk to receive the advisor")
                await browser.hang_up()

                async def ended() -> bool:
                    return peer.ended.is_set()

                await eventually(ended, "the kiosk to notice the advisor hung up")
            finally:
                await on_engine(engine)(peer.close())

    asyncio.run(scenario())
