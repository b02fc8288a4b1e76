"""Two changes to how aiortc handles video, made for a call on a small kiosk box.

aiortc has no settings for either, so `install()` puts them in place of aiortc's own (the
receiver's jitter buffer class and the sender's encoder factory). Everything else about the
call stays aiortc's. The tests check that aiortc still builds its receivers and senders from
the names replaced here, so an aiortc release that moves them is noticed and not silently
slower.

- **A video frame goes to the decoder as soon as it is whole.** aiortc's jitter buffer hands a
  frame over only when the first packet of the *next* frame arrives: every picture of the
  advisor reached the screen a whole frame period (33 ms at 30 fps) later than it could. A VP8
  frame is whole when its packets are all in and the last carries the RTP marker bit (RFC 7741
  §4.1); `PromptJitterBuffer` hands it over then, and otherwise does what aiortc's does.
- **The encoder is not restarted for every small change of bitrate.** aiortc's VP8 encoder
  follows each bandwidth estimate (REMB) that differs by more than 10 % by starting the encoder
  again, which begins with a key frame (about 15 KB at 1280×720, against 2 KB for a normal
  frame). At the start of a call the estimate grows by a few per cent a second, so the kiosk
  sent a key frame every second or two, each a burst that delays the frames behind it.
  `KioskVp8Encoder` still follows a fall at once (congestion must be answered), but a rise
  only when it is worth a key frame: at least RISE_STEP and RISE_HOLD seconds after the last
  change. It also tells the frame's sender how long the frame took to encode (through the
  frame's `opaque`, see kiosk.video.media), which kiosk.video.load sizes the picture by.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import aiortc.rtcrtpreceiver
import aiortc.rtcrtpsender
from aiortc.codecs import get_encoder as aiortc_get_encoder
from aiortc.codecs.vpx import MAX_BITRATE, MIN_BITRATE, Vp8Encoder
from aiortc.jitterbuffer import JitterBuffer, JitterFrame

#: Follow a falling estimate once it is this much below the bitrate in use...
FALL_STEP = 0.15
#: ...a rising one once it is this much above it, and this long after the last change.
RISE_STEP = 0.25
RISE_HOLD = 5.0


class PromptJitterBuffer(JitterBuffer):
    """aiortc's jitter buffer, but a video frame leaves as soon as its marked last packet is in
    and nothing before it is missing. Audio (which aiortc buffers with a prefetch) is unchanged.
    """

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        if self._is_video and self._prefetch == 0:
            frame = self._whole_frame()
            if frame is not None:
                return frame
        return super()._remove_frame(sequence_number)

    def _whole_frame(self) -> JitterFrame | None:
        """The frame at the start of the buffer, if all of it is in; it leaves the buffer."""
        origin = self._origin
        if origin is None:
            return None
        packets: list[Any] = []
        timestamp = None
        for count in range(self.capacity):
            packet = self._packets[(origin + count) % self.capacity]
            if packet is None:
                return None  # a packet is missing (or not yet here)
            if timestamp is None:
                timestamp = packet.timestamp
            elif packet.timestamp != timestamp:
                return None  # the frame before had no marker: aiortc's own rule decides
            packets.append(packet)
            if packet.marker:
                self.remove(count + 1)
                return JitterFrame(data=b"".join(p._data for p in packets), timestamp=timestamp)
        return None


class KioskVp8Encoder(Vp8Encoder):
    """aiortc's VP8 encoder, taking up a new bandwidth estimate only when it is worth starting
    the encoder again (see the module's text). `clock` is for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._clock = clock
        self._changed_at = clock()

    def _get_target(self) -> int:
        return int(Vp8Encoder.target_bitrate.fget(self))  # type: ignore[attr-defined]

    def _set_target(self, bitrate: int) -> None:
        wanted = max(MIN_BITRATE, min(bitrate, MAX_BITRATE))
        current = self._get_target()
        now = self._clock()
        falls = wanted < current * (1 - FALL_STEP)
        rises = wanted > current * (1 + RISE_STEP) and now - self._changed_at >= RISE_HOLD
        if falls or rises:
            Vp8Encoder.target_bitrate.fset(self, wanted)  # type: ignore[attr-defined]
            self._changed_at = now

    target_bitrate = property(_get_target, _set_target)

    def encode(self, frame: Any, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        started = time.perf_counter()
        result = super().encode(frame, force_keyframe)
        report = getattr(frame, "opaque", None)
        if callable(report):
            report(time.perf_counter() - started)
        return result


def kiosk_get_encoder(codec: Any) -> Any:
    """aiortc's encoder for `codec`, but KioskVp8Encoder for VP8."""
    if str(codec.mimeType).lower() == "video/vp8":
        return KioskVp8Encoder()
    return aiortc_get_encoder(codec)


def install() -> None:
    """Use the two from now on, in every peer connection of this process. Idempotent."""
    aiortc.rtcrtpreceiver.JitterBuffer = PromptJitterBuffer  # type: ignore[attr-defined]
    aiortc.rtcrtpsender.get_encoder = kiosk_get_encoder  # type: ignore[attr-defined]
