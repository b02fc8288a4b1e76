"""A simulated camera: a test picture with a sweeping bar, a wall clock and a frame counter.

It ships in the product: the demo's preview and video call show it, and technician mode trips
its faults. The clock (HH:MM:SS.mmm) and the frame number are big 7-segment digits, so a person
sees at a glance that the picture is live, and `read_overlay` reads them back from a frame (after
a video round trip, too) to measure how old a picture is.

A producer thread owned by the camera makes the frames; only the newest one is kept, and the
camera's new-frame listeners hear of each one as it is stored.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.devices.base import FaultSwitch
from kiosk.devices.camera.base import Camera, Frame
from kiosk.devices.status import Attention, DeviceState, SelfTestResult
from kiosk.i18n import N_

log = logging.getLogger(__name__)

FAULT_SWITCHES = (
    FaultSwitch("unplugged", N_("Camera unplugged")),
    FaultSwitch("frozen", N_("Picture frozen")),
    FaultSwitch("no_page", N_("No page under the camera")),
)
_FAULT_NAMES = frozenset(f.name for f in FAULT_SWITCHES)

#: A stream with no new frame for this long is reported broken.
STALL_SECONDS = 2.0

# BGR. Digits are the only pixels whose green channel is bright above the bar band.
_CLOCK_COLOUR = (255, 255, 255)
_SEQ_COLOUR = (0, 255, 255)
_BAR_COLOUR = (0, 140, 255)
_LIT_THRESHOLD = 128

#: Which segments (a top, b top right, c bottom right, d bottom, e bottom left, f top left,
#: g middle) each digit lights.
_DIGIT_SEGMENTS = {
    "0": "abcdef",
    "1": "bc",
    "2": "abdeg",
    "3": "abcdg",
    "4": "bcfg",
    "5": "acdfg",
    "6": "acdefg",
    "7": "abc",
    "8": "abcdefg",
    "9": "abcdfg",
}
_SEGMENTS_DIGIT = {frozenset(segs): digit for digit, segs in _DIGIT_SEGMENTS.items()}
_CLOCK_PATTERN = "00:00:00.000"
_SEQ_DIGITS = 9


@dataclass(frozen=True)
class _Layout:
    """Where the overlay goes in a frame of a given size: digit width, height, stroke, gap."""

    w: int
    h: int
    t: int
    gap: int
    clock_y: int
    seq_y: int
    band_y: int

    @classmethod
    def for_size(cls, width: int, height: int) -> _Layout:
        # Sized so the clock line fits the width and both lines the top ~60 % of the height.
        w = max(5, min(width // 16, height // 10))
        h, t, gap = 2 * w, max(2, w // 5), max(2, w // 3)
        return cls(w, h, t, gap, gap, 3 * gap + h, 5 * gap + 2 * h)

    def segments(self, x: int, y: int) -> dict[str, tuple[slice, slice]]:
        w, h, t = self.w, self.h, self.t
        top, mid = slice(y, y + h // 2), slice(y + h // 2, y + h)
        left, right, across = slice(x, x + t), slice(x + w - t, x + w), slice(x, x + w)
        return {
            "a": (slice(y, y + t), across),
            "b": (top, right),
            "c": (mid, right),
            "d": (slice(y + h - t, y + h), across),
            "e": (mid, left),
            "f": (top, left),
            "g": (slice(y + (h - t) // 2, y + (h + t) // 2), across),
        }

    def probes(self, x: int, y: int) -> dict[str, tuple[int, int]]:
        """One pixel in the middle of each segment, clear of where segments meet."""
        w, h, t = self.w, self.h, self.t
        return {
            "a": (y + t // 2, x + w // 2),
            "b": (y + h // 4, x + w - 1 - t // 2),
            "c": (y + 3 * h // 4, x + w - 1 - t // 2),
            "d": (y + h - 1 - t // 2, x + w // 2),
            "e": (y + 3 * h // 4, x + t // 2),
            "f": (y + h // 4, x + t // 2),
            "g": (y + h // 2, x + w // 2),
        }

    def cells(self, text: str) -> list[tuple[str, int]]:
        """Each character of a line with its x; digits are cells, ':' and '.' are narrow."""
        x, out = self.gap, []
        for ch in text:
            out.append((ch, x))
            x += self.w + self.gap if ch.isdigit() else self.t + self.gap
        return out


def _draw_line(img: Any, text: str, y: int, lay: _Layout, colour: tuple[int, int, int]) -> None:
    for ch, x in lay.cells(text):
        if ch.isdigit():
            segments = lay.segments(x, y)
            for seg in _DIGIT_SEGMENTS[ch]:
                img[segments[seg]] = colour
        elif ch == ":":
            for dot_y in (y + lay.h // 3, y + 2 * lay.h // 3):
                img[dot_y : dot_y + lay.t, x : x + lay.t] = colour
        elif ch == ".":
            img[y + lay.h - lay.t : y + lay.h, x : x + lay.t] = colour


def _read_digit(data: Any, x: int, y: int, lay: _Layout) -> str | None:
    lit = frozenset(
        seg for seg, (py, px) in lay.probes(x, y).items() if data[py, px, 1] >= _LIT_THRESHOLD
    )
    return _SEGMENTS_DIGIT.get(lit)


def read_overlay(data: Any) -> tuple[str, int] | None:
    """The clock text ("HH:MM:SS.mmm") and frame number drawn in a simulated frame, or None."""
    lay = _Layout.for_size(int(data.shape[1]), int(data.shape[0]))
    clock = ""
    for ch, x in lay.cells(_CLOCK_PATTERN):
        digit = _read_digit(data, x, lay.clock_y, lay) if ch.isdigit() else ch
        if digit is None:
            return None
        clock += digit
    seq = ""
    for _, x in lay.cells("0" * _SEQ_DIGITS):
        digit = _read_digit(data, x, lay.seq_y, lay)
        if digit is None:
            break
        seq += digit
    return (clock, int(seq)) if seq else None


def render_frame(
    width: int, height: int, seq: int, background: Any = None, *, bar_span: float = 1.0
) -> Any:
    """One test picture: `background` (or a fresh one), the bar, the clock and `seq`.

    The bar moves across the left `bar_span` of the picture (all of it by default)."""
    img = empty_desk(width, height) if background is None else background.copy()
    lay = _Layout.for_size(width, height)
    bar_w = max(4, width // 40)
    # The bar crosses its span every two seconds whatever the frame rate.
    bar_x = int((time.time() % 2.0) / 2.0 * (int(width * bar_span) - bar_w))
    img[lay.band_y :, bar_x : bar_x + bar_w] = _BAR_COLOUR
    _draw_line(img, datetime.now().strftime("%H:%M:%S.%f")[:12], lay.clock_y, lay, _CLOCK_COLOUR)
    _draw_line(img, str(seq % 10**_SEQ_DIGITS), lay.seq_y, lay, _SEQ_COLOUR)
    img.flags.writeable = False  # one frame is shared by every consumer
    return img


def empty_desk(width: int, height: int) -> Any:
    """The desk with nothing on it: the background of every test picture."""
    import numpy as np  # lazily: importing the module must stay cheap

    img = np.zeros((height, width, 3), dtype=np.uint8)
    # A dark blue gradient: never bright enough to read as a lit segment.
    img[:, :, 0] = np.linspace(40, 100, height, dtype=np.uint8)[:, None]
    img[:, :, 1] = 30
    img[:, :, 2] = 20
    return img


#: Where the page lies on the desk, as shares of the frame (top-left, top-right, bottom-right,
#: bottom-left): below the overlay, right of the bar, turned a little as a citizen lays it.
_PAGE_CORNERS = ((0.765, 0.60), (0.915, 0.588), (0.925, 0.965), (0.772, 0.975))
_PAGE_BAR_SPAN = 0.66


def page_on_desk(background: Any) -> Any:
    """The background with an A4 page of text-like lines on it, for the scan demo."""
    import cv2  # lazily, like numpy
    import numpy as np

    height, width = background.shape[:2]
    corners = np.array([(x * width, y * height) for x, y in _PAGE_CORNERS], dtype=np.float32)
    page_h = int(np.linalg.norm(corners[3] - corners[0]))
    page_w = max(2, int(page_h / 2**0.5))
    page = np.full((page_h, page_w, 3), 238, dtype=np.uint8)
    margin = max(2, page_w // 10)
    step = max(4, page_h // 24)
    for index, y in enumerate(range(margin + step, page_h - margin, step)):
        end = page_w - margin - (page_w // 4 if index % 5 == 4 else 0)
        cv2.line(page, (margin, y), (end, y), (70, 70, 70), max(1, step // 4))
    source = np.array([(0, 0), (page_w, 0), (page_w, page_h), (0, page_h)], dtype=np.float32)
    warp = cv2.getPerspectiveTransform(source, corners)
    flat = cv2.warpPerspective(page, warp, (width, height))
    mask = cv2.warpPerspective(np.full((page_h, page_w), 255, np.uint8), warp, (width, height))
    out = background.copy()
    out[mask > 0] = flat[mask > 0]
    return out


class SimulatedCamera(Camera):
    FAULT_SWITCHES = FAULT_SWITCHES
    backend = "simulated"
    announces_frames = True

    def __init__(
        self, device_id: str, *, width: int = 1280, height: int = 720, fps: int = 30
    ) -> None:
        if width < 80 or height < 60 or not 1 <= fps <= 120:
            raise ValueError("camera needs width >= 80, height >= 60 and fps in 1..120")
        super().__init__(device_id)
        self._width, self._height, self._fps = width, height, fps
        self._lock = threading.RLock()
        self._faults: set[str] = set()
        self._opened = False
        self._wanted = False
        self._stalled = False
        self._fps_measured = 0.0
        self._seq = 0
        self._latest: Frame | None = None
        #: Set when the current producer must stop; once set, it stores no more frames.
        self._stop = threading.Event()
        self._producer: threading.Thread | None = None
        #: Producers told to stop, for the device thread to join.
        self._retired: list[threading.Thread] = []

    # ---- the Camera interface -----------------------------------------------------------------

    def start_stream(self) -> None:
        with self._lock:
            self._wanted = True
            self._spawn_if_needed()

    def stop_stream(self) -> None:
        with self._lock:
            self._wanted = False
            self._halt()
            self._refresh_health()
        self.worker.submit(self._join_retired)

    def latest(self) -> Frame | None:
        return self._latest

    # ---- fault injection ----------------------------------------------------------------------

    def faults(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._faults)

    def set_fault(self, name: str, on: bool) -> None:
        if name not in _FAULT_NAMES:
            raise KeyError(f"simulated camera has no fault switch {name!r}")
        with self._lock:
            if on:
                self._faults.add(name)
            else:
                self._faults.discard(name)
            if name == "unplugged" and on:
                self._halt()
            self._spawn_if_needed()
            self._refresh_health()

    # ---- device thread ------------------------------------------------------------------------

    def _open(self) -> None:
        with self._lock:
            self._opened = True
            self._spawn_if_needed()
            self._refresh_health()

    def _close(self) -> None:
        with self._lock:
            self._opened = False
            self._halt()
        self._join_retired()

    def _join_retired(self) -> None:
        with self._lock:
            threads, self._retired = self._retired, []
        for thread in threads:
            thread.join()

    def _run_self_test(self) -> SelfTestResult:
        with self._lock:
            if "unplugged" in self._faults or not self._opened:
                return SelfTestResult(self.device_id, False, ("camera: not found",))
        frame = render_frame(self._width, self._height, 0)
        readable = read_overlay(frame) is not None
        steps = ("camera: ok", "capture: ok" if readable else "capture: failed")
        return SelfTestResult(self.device_id, readable, steps)

    # ---- producer (call the helpers with self._lock held) -------------------------------------

    def _spawn_if_needed(self) -> None:
        if not (self._opened and self._wanted) or "unplugged" in self._faults or self._producer:
            return
        self._stop = threading.Event()
        thread = threading.Thread(
            target=self._produce,
            args=(self._stop,),
            name=f"device-{self.device_id}-capture",
            daemon=True,
        )
        self._producer = thread
        thread.start()

    def _halt(self) -> None:
        self._stop.set()
        if self._producer is not None:
            self._retired.append(self._producer)
            self._producer = None
        self._latest = None
        self._stalled = False
        self._fps_measured = 0.0

    def _refresh_health(self) -> None:
        if not self._opened:
            return  # a camera not started reports nothing yet
        fps = {"fps": f"{self._fps_measured:.1f}"}
        if "unplugged" in self._faults:
            self._set_health(
                DeviceState.NO_DEVICE, Attention.MAINTENANCE, detail=fps, error="camera-not-found"
            )
        elif self._stalled:
            self._set_health(
                DeviceState.HARDWARE_ERROR, Attention.MAINTENANCE, detail=fps, error="no-frames"
            )
        else:
            self._set_health(DeviceState.ONLINE, Attention.NONE, detail=fps)

    def _produce(self, stop: threading.Event) -> None:
        desk = empty_desk(self._width, self._height)
        with_page = page_on_desk(desk)
        period = 1.0 / self._fps
        next_at = last_frame = window_start = time.monotonic()
        window_frames = 0
        while not stop.wait(max(0.0, next_at - time.monotonic())):
            now = time.monotonic()
            # Behind by more than a frame (a slow machine): skip ahead instead of bursting.
            next_at = max(next_at + period, now)
            with self._lock:
                frozen = "frozen" in self._faults
                page = "no_page" not in self._faults
                if not frozen:
                    self._seq += 1
                    seq = self._seq
            if not frozen:
                data = render_frame(
                    self._width,
                    self._height,
                    seq,
                    with_page if page else desk,
                    bar_span=_PAGE_BAR_SPAN if page else 1.0,
                )
                with self._lock:
                    if stop.is_set():
                        return
                    self._latest = Frame(data, seq, now)
                self._announce_frame()
                window_frames += 1
                last_frame = now
            with self._lock:
                if stop.is_set():
                    return
                if now - window_start >= 1.0:
                    self._fps_measured = window_frames / (now - window_start)
                    window_start, window_frames = now, 0
                self._stalled = now - last_frame >= STALL_SECONDS
                if self._stalled:
                    # No stale picture to capture as if it were the desk now.
                    self._latest = None
                self._refresh_health()
