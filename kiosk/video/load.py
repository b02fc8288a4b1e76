"""How large the kiosk's picture goes out, judged by how much of each frame period sending takes.

A kiosk sends every frame through one chain: the pixel conversion, the VP8 encoder (one thread
on a two-core box) and the packets. When that chain takes longer than a frame period the camera
gets ahead of it and frames are dropped, which the advisor sees as a stuttering picture that
also arrives late. WebRTC's own answer, and Chromium's, is to keep the frame rate and send a
smaller picture while the machine is overloaded, and to go back up when it has room again; this
does the same.

`busy` is the time one frame kept the chain busy (conversion, encoding and sending), as a share
of the frame period, smoothed over about two thirds of a second. The first WARM_UP seconds of
sending are not judged (the connection is still being set up and the first key frames are
made). Above DOWN_AT the picture steps down (1280×720 → 960×540 → 640×360); when the next size
up would still have stayed below UP_AT for UP_AFTER seconds, it steps up again. What the next
size up would take is judged from the encoder's own share, which grows with the number of
pixels (the rest of the chain does not); without that figure, all of it is taken to grow.
Nothing is decided on fewer than LEAST_FRAMES frames, and each step is held at least HOLD
seconds, so that the figure has settled at the new size before it is judged again and the
encoder (which starts again, with a key frame, at each new size) is not restarted over and over.
A step up that has to be taken back within RETRY_AFTER doubles the wait before the next try
(up to UP_AFTER_MAX), as WebRTC's own adaptation does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

#: The sizes the picture may take, as a share of the call's width and height.
SCALES = (1.0, 0.75, 0.5)
#: Step down when the chain is busier than this share of a frame period.
DOWN_AT = 0.8
#: Step up when the next size up would be busy less than this share of a frame period...
UP_AT = 0.7
#: ...all of the last this many seconds (doubled after each step up taken back, up to the max).
UP_AFTER = 5.0
UP_AFTER_MAX = 80.0
RETRY_AFTER = 10.0
#: Least time between two steps.
HOLD = 1.5
#: Not judged in the first seconds of sending, nor just after a step (the encoder's restart).
WARM_UP = 2.0
SETTLE = 0.5
#: Weight of each new frame in the smoothed figure (about twenty frames' memory)...
SMOOTHING = 0.05
#: ...where one frame counts as at most this many periods (a stall is not a trend)...
CEILING = 3.0
#: ...and nothing is decided on fewer frames than this (at a size, after the warm-up).
LEAST_FRAMES = 15


def scaled(width: int, height: int, scale: float) -> tuple[int, int]:
    """`width`×`height` times `scale`, each even (as yuv420p needs)."""
    return max(16, int(width * scale) // 2 * 2), max(16, int(height * scale) // 2 * 2)


class SendSize:
    """The size to send at now, from each frame's busy time (`record`)."""

    def __init__(
        self,
        width: int,
        height: int,
        fps: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._full = (width, height)
        self._period = 1.0 / fps
        self._clock = clock
        self._level = 0
        self._busy: float | None = None
        self._encode: float | None = None
        self._frames = 0
        #: Frames before this time are not judged (None: no frame yet).
        self._judge_from: float | None = None
        self._changed_at = 0.0
        self._up_after = UP_AFTER
        self._went_up_at: float | None = None
        #: Since when the next size up would have had room (None: it would not now).
        self._room_since: float | None = None
        #: Every step taken, (time, new size), for logs and the benchmark.
        self.steps: list[tuple[float, tuple[int, int]]] = []

    @property
    def size(self) -> tuple[int, int]:
        return scaled(*self._full, SCALES[self._level])

    @property
    def busy(self) -> float | None:
        """The smoothed busy share of a frame period (None before the first frame)."""
        return self._busy

    @property
    def encode_share(self) -> float | None:
        """The smoothed share of a frame period the encoder itself took (None if not told)."""
        return self._encode

    def record(self, seconds: float, encode_seconds: float | None = None) -> None:
        """One frame kept the chain busy for `seconds`, `encode_seconds` of them encoding."""
        now = self._clock()
        if self._judge_from is None:
            self._judge_from = now + WARM_UP
        if now < self._judge_from:
            return
        share = min(seconds / self._period, CEILING)
        self._busy = share if self._busy is None else self._busy + SMOOTHING * (share - self._busy)
        if encode_seconds is not None:
            part = min(encode_seconds / self._period, share)
            self._encode = (
                part if self._encode is None else self._encode + SMOOTHING * (part - self._encode)
            )
        held = now - self._changed_at >= HOLD
        if self._busy > DOWN_AT and self._level < len(SCALES) - 1:
            self._room_since = None
            if held:
                if self._went_up_at is not None and now - self._went_up_at < RETRY_AFTER:
                    self._up_after = min(self._up_after * 2, UP_AFTER_MAX)
                self._went_up_at = None
                self._step(+1, now)
            return
        if self._level == 0:
            return
        growth = (SCALES[self._level - 1] / SCALES[self._level]) ** 2
        grows = self._busy if self._encode is None else self._encode
        up_share = self._busy + grows * (growth - 1)
        if up_share >= UP_AT:
            self._room_since = None
            return
        if self._room_since is None:
            self._room_since = now
        if held and now - self._room_since >= self._up_after:
            self._went_up_at = now
            self._step(-1, now)

    def _step(self, by: int, now: float) -> None:
        busy = self._busy or 0.0
        self._level += by
        self._changed_at = now
        self._room_since = None
        # The figure measured at the old size says little about the new one.
        self._busy = self._encode = None
        self._frames = 0
        self._judge_from = now + SETTLE
        self.steps.append((now, self.size))
        width, height = self.size
        log.info(
            "call video now goes out at %dx%d (sending was %.0f %% busy)", width, height, busy * 100
        )
