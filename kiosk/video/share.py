"""Sharing the kiosk's screen with the advisor, with the citizen's consent (docs/call-help.md).

`ScreenTrack` is the call's second video: negotiated with the call, so that sharing needs no
new offer, and silent (no frame at all) until the citizen allows it. The screen's pictures come
from the Qt side (kiosk.ui.screen_share grabs the window and masks what is sensitive before a
picture leaves the Qt thread); the track keeps only the newest, scales and converts it in the
executor, and sends it at up to `MAX_FPS` while the screen changes and once every
`REPEAT_SECONDS` while it does not.

`ScreenShare` is the consent: the advisor asks, the citizen allows or says no, either may stop,
and the call's end stops it. It lives on the engine loop; the screen's calls come from any
thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import av
import cv2
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

log = logging.getLogger(__name__)

#: What the advisor receives: at least this wide (the window is scaled to it, keeping its shape).
SHARE_WIDTH = 1280
MAX_FPS = 12
#: With no change on screen, the last picture again this often: the advisor's decoder gets a
#: key frame when it asks for one, and sees that sharing is still on.
REPEAT_SECONDS = 1.0
CLOCK_RATE = 90_000
TIME_BASE = fractions.Fraction(1, CLOCK_RATE)


def _video_frame(picture: Any, width: int, previous: Any) -> av.VideoFrame | None:
    """The window's picture (H×W×3 RGB, or H×W×4 as Qt keeps a window: B, G, R, unused) at
    `width` (its own shape, even sides) as yuv420p; None when it is the picture sent before
    (the screen did not change)."""
    same = previous is not None and previous.shape == picture.shape
    if same and np.array_equal(previous, picture):
        return None
    rgb = cv2.cvtColor(picture, cv2.COLOR_BGRA2RGB) if picture.shape[2] == 4 else picture
    height = max(2, round(rgb.shape[0] * width / rgb.shape[1]) // 2 * 2)
    if rgb.shape[1] != width or rgb.shape[0] != height:
        rgb = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
    return av.VideoFrame.from_ndarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420), format="yuv420p")


class ScreenTrack(MediaStreamTrack):
    """The shared screen as a video track: nothing while off, the newest picture while on."""

    kind = "video"

    def __init__(self, width: int = SHARE_WIDTH) -> None:
        super().__init__()
        self._width = width
        self._lock = threading.Lock()
        self._newest: Any = None
        self._changed = False
        self._on = False
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last: av.VideoFrame | None = None
        self._last_picture: Any = None
        self._last_sent = 0.0
        #: When the next picture is due: pictures go out on a schedule of MAX_FPS, so the
        #: time they take to make and encode is within the period, not added to it.
        self._due = 0.0
        self._start = time.monotonic()
        #: Pictures sent since the call began (a repeat counts too).
        self.frames_sent = 0

    # ---- any thread ---------------------------------------------------------------------------

    @property
    def sharing(self) -> bool:
        return self._on

    def offer(self, picture: Any) -> None:
        """The window as it looks now, masked already: H×W×3 RGB, or H×W×4 BGRx (Qt's own
        layout, converted here off the caller's thread), uint8. Any thread; cheap. The array
        is read later: the caller must not change it."""
        with self._lock:
            if not self._on:
                return
            self._newest, self._changed = picture, True
        self._poke()

    def set_on(self, on: bool) -> None:
        with self._lock:
            self._on = on
            if not on:
                self._newest, self._changed = None, False
                self._last = self._last_picture = None
        self._poke()

    def _poke(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    # ---- aiortc (engine loop) -----------------------------------------------------------------

    async def recv(self) -> av.VideoFrame:
        if self._wake is None:
            self._wake, self._loop = asyncio.Event(), asyncio.get_running_loop()
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            # Never faster than MAX_FPS.
            pause = self._due - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            with self._lock:
                picture = self._newest if self._changed else None
                self._changed = False
                on = self._on
            if on and picture is not None:
                frame = await asyncio.get_running_loop().run_in_executor(
                    None, _video_frame, picture, self._width, self._last_picture
                )
                if frame is not None and self._on:  # changed, and not stopped meanwhile
                    self._last, self._last_picture = frame, picture
                    return self._stamp(frame)
            if (
                on
                and self._last is not None
                and (time.monotonic() - self._last_sent >= REPEAT_SECONDS)
            ):
                return self._stamp(self._repeat(self._last))
            self._wake.clear()
            wait = REPEAT_SECONDS if on and self._last is not None else None
            # asyncio.timeout, not wait_for: wait_for of Python 3.11 loses a cancellation that
            # comes as the event is set, and aiortc's sender would then wait for ever to stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()

    @staticmethod
    def _repeat(frame: av.VideoFrame) -> av.VideoFrame:
        out = av.VideoFrame(width=frame.width, height=frame.height, format=frame.format.name)
        for dst, src in zip(out.planes, frame.planes, strict=True):
            dst.update(bytes(src))
        return out

    def _stamp(self, frame: av.VideoFrame) -> av.VideoFrame:
        now = time.monotonic()
        frame.pts = int((now - self._start) * CLOCK_RATE)
        frame.time_base = TIME_BASE
        self._last_sent = now
        # The next is due a period after this one was; late, it is due now (no catching up).
        self._due = max(self._due + 1 / MAX_FPS, now - 1 / MAX_FPS)
        self.frames_sent += 1
        return frame

    def stop(self) -> None:
        super().stop()
        self._poke()


class ShareState(StrEnum):
    OFF = "off"
    #: The advisor asked; the citizen is being asked.
    ASKED = "asked"
    ON = "on"


class ScreenShare:
    """The consent and its state. `send` puts a help-channel message on the wire; `changed` is
    called (on the engine loop) with each new state and who made it so."""

    def __init__(
        self,
        track: ScreenTrack,
        send: Callable[[dict[str, Any]], None],
        changed: Callable[[ShareState, str], None],
    ) -> None:
        self.track = track
        self._send = send
        self._changed = changed
        self.state = ShareState.OFF

    # ---- the advisor (help channel, engine loop) ----------------------------------------------

    def on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "share_request":
            if self.state is ShareState.OFF:
                self._set(ShareState.ASKED, "advisor")
            elif self.state is ShareState.ON:
                self._send({"type": "share_answer", "allowed": True})
        elif kind == "share_stop" and self.state is not ShareState.OFF:
            self._stop("advisor")

    # ---- the citizen (engine loop; CallHelp hands the screen's calls over) ---------------------

    def answer(self, allowed: bool) -> None:
        if self.state is not ShareState.ASKED:
            return
        self._send({"type": "share_answer", "allowed": allowed})
        if allowed:
            self.track.set_on(True)
            self._set(ShareState.ON, "citizen")
            log.info("screen shared with the advisor")
        else:
            self._set(ShareState.OFF, "citizen")

    def stop(self, by: str = "citizen") -> None:
        if self.state is not ShareState.OFF:
            self._stop(by)

    def _stop(self, by: str) -> None:
        was_on = self.state is ShareState.ON
        self.track.set_on(False)
        if was_on:
            self._send({"type": "share_stopped", "by": by})
            log.info("screen sharing stopped", extra={"by": by})
        self._set(ShareState.OFF, by)

    def _set(self, state: ShareState, by: str) -> None:
        self.state = state
        self._changed(state, by)
