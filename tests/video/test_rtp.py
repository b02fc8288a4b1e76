"""The kiosk's two changes to aiortc's video handling (kiosk.video.rtp): a frame goes to the
decoder as soon as its last packet is in, and the encoder is restarted only for a bandwidth
change worth a key frame. The last test checks, in a real call between two kiosk peers, that
aiortc still builds its receivers and senders from the names `install()` replaces, and that the
encoder's figures reach the camera track."""

from __future__ import annotations

import asyncio

from aiortc.codecs.vpx import DEFAULT_BITRATE, MAX_BITRATE
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.media import VideoFormat
from kiosk.video.peer import KioskPeer
from kiosk.video.rtp import RISE_HOLD, KioskVp8Encoder, PromptJitterBuffer
from tests.video.conftest import eventually, on_engine


def _packet(seq: int, timestamp: int, data: bytes, *, marker: bool = False) -> RtpPacket:
    packet = RtpPacket(
        payload_type=96, sequence_number=seq, timestamp=timestamp, marker=int(marker)
    )
    packet._data = data  # type: ignore[attr-defined]  # what aiortc's depayloader leaves
    return packet


def test_a_video_frame_leaves_with_its_marked_last_packet_not_with_the_next_frame() -> None:
    prompt = PromptJitterBuffer(capacity=128, is_video=True)
    stock = JitterBuffer(capacity=128, is_video=True)
    first = [_packet(10, 3000, b"a"), _packet(11, 3000, b"b"), _packet(12, 3000, b"c", marker=True)]
    for packet in first[:2]:
        assert prompt.add(packet) == (False, None)
        assert stock.add(packet) == (False, None)
    _, frame = prompt.add(first[2])
    assert frame is not None
    assert (frame.data, frame.timestamp) == (b"abc", 3000)
    # aiortc's own buffer still waits for the next frame to begin.
    assert stock.add(first[2]) == (False, None)
    _, late = stock.add(_packet(13, 6000, b"d"))
    assert late is not None and late.data == b"abc"
    # The next frame comes through the same way, and a late copy of an old packet is dropped.
    assert prompt.add(_packet(11, 3000, b"b")) == (False, None)
    assert prompt.add(_packet(13, 6000, b"d")) == (False, None)
    _, frame = prompt.add(_packet(14, 6000, b"e", marker=True))
    assert frame is not None and frame.data == b"de"


def test_a_frame_with_a_missing_packet_waits_for_it() -> None:
    buffer = PromptJitterBuffer(capacity=128, is_video=True)
    assert buffer.add(_packet(20, 3000, b"a")) == (False, None)
    assert buffer.add(_packet(22, 3000, b"c", marker=True)) == (False, None)
    # The retransmission (after a NACK) completes it.
    _, frame = buffer.add(_packet(21, 3000, b"b"))
    assert frame is not None and frame.data == b"abc"


def test_a_frame_without_a_marker_leaves_by_aiortcs_own_rule() -> None:
    buffer = PromptJitterBuffer(capacity=128, is_video=True)
    assert buffer.add(_packet(30, 3000, b"a")) == (False, None)
    assert buffer.add(_packet(31, 3000, b"b")) == (False, None)
    _, frame = buffer.add(_packet(32, 6000, b"c"))
    assert frame is not None and frame.data == b"ab"


def test_audio_keeps_aiortcs_prefetch() -> None:
    buffer = PromptJitterBuffer(capacity=16, prefetch=4)
    frames = [buffer.add(_packet(40 + i, 960 * i, bytes([i]), marker=True))[1] for i in range(5)]
    assert frames[:4] == [None] * 4
    assert frames[4] is not None and frames[4].data == bytes([0])


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_the_encoder_follows_a_fall_at_once_and_a_rise_only_when_worth_a_key_frame() -> None:
    clock = Clock()
    encoder = KioskVp8Encoder(clock=clock)
    assert encoder.target_bitrate == DEFAULT_BITRATE
    # A few per cent up, as at the start of every call: no restart.
    for rate in (530_000, 560_000, 600_000):
        clock.now += 1
        encoder.target_bitrate = rate
        assert encoder.target_bitrate == DEFAULT_BITRATE
    # Worth it, but too soon after the start.
    clock.now += 1
    encoder.target_bitrate = 700_000
    assert encoder.target_bitrate == DEFAULT_BITRATE
    clock.now += RISE_HOLD
    encoder.target_bitrate = 700_000
    assert encoder.target_bitrate == 700_000
    # Congestion: followed at once, even right after a change.
    encoder.target_bitrate = 400_000
    assert encoder.target_bitrate == 400_000
    # A small dip is not worth a key frame either.
    encoder.target_bitrate = 380_000
    assert encoder.target_bitrate == 400_000
    # aiortc's limits still hold.
    clock.now += RISE_HOLD
    encoder.target_bitrate = 10_000_000
    assert encoder.target_bitrate == MAX_BITRATE


def test_aiortc_builds_the_call_from_the_kiosks_buffer_and_encoder(
    engine: Engine, camera: SimulatedCamera
) -> None:
    run = on_engine(engine)

    async def scenario() -> None:
        async def make() -> tuple[KioskPeer, KioskPeer]:
            fmt = VideoFormat(320, 240)
            return KioskPeer(camera, video=fmt), KioskPeer(camera, video=fmt)

        caller, answerer = await run(make())
        try:
            answer = await run(answerer.answer_offer(await run(caller.create_offer())))
            await run(caller.accept_answer(answer))

            async def both_receive() -> bool:
                return caller.stats().video_frames > 5 and answerer.stats().video_frames > 5

            await eventually(both_receive, "video both ways between two kiosk peers")
            for peer in (caller, answerer):
                video = next(t for t in peer.connection.getTransceivers() if t.kind == "video")
                receiver, sender = video.receiver, video.sender
                assert isinstance(receiver._RTCRtpReceiver__jitter_buffer, PromptJitterBuffer)
                assert isinstance(sender._RTCRtpSender__encoder, KioskVp8Encoder)

            # The encoder tells the camera track how long each frame took (after the warm-up).
            async def encode_figures() -> bool:
                return all(
                    p.video_track.send_size.encode_share is not None for p in (caller, answerer)
                )

            await eventually(encode_figures, "the encoders' figures at the camera tracks")
        finally:
            await run(caller.close())
            await run(answerer.close())

    asyncio.run(scenario())
