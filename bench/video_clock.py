"""The sender's clock drawn into video frames, and read back at the receiver (bench/video.py).

A clock code is the wall clock (`time.time()`, in units of 0.1 ms, modulo 2**32) as a strip of
black and white squares across the top of the picture: 40 columns, each 1/40 of the width
(16 px at 640×480, 32 px at 1280×720, so the squares sit on VP8's 16-pixel macroblock grid).
Row 0 is a guard (white, black, white, black), the 32 bits (most significant first, white = 1)
and a closing guard (black, white, black, white); row 1 is row 0 inverted. A frame counts as
read only when every square of row 1 is the opposite of the one above it and the guards are
right, so a square the encoder smeared costs a sample, never a wrong one. The reader places the
grid by the received width alone, so a picture the sender scaled down still reads.

bench/js/peer.js draws and reads the same code in the browser; keep the two in step.

`ClockCamera` is a camera for the kiosk's call that draws this code into every frame it
captures, on its own thread at its own frame rate, as a real camera captures independently of
the call that reads it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

from kiosk.devices.camera.base import Camera, Frame
from kiosk.devices.status import DeviceState, SelfTestResult

COLUMNS = 40
BITS = 32
_HEAD = (1, 0, 1, 0)
_TAIL = (0, 1, 0, 1)
#: Units per second of the code (0.1 ms).
UNITS = 10_000
_WRAP = 1 << BITS
#: A guard whose white is not this much brighter than its black is not a code.
_MIN_CONTRAST = 60.0


def to_code(wall: float) -> int:
    """A wall time (`time.time()`) as a code value."""
    return int(wall * UNITS) % _WRAP


def age_ms(code: int, wall: float) -> float:
    """Milliseconds from `code` (drawn by the sender) to `wall` (when the receiver has the
    frame); negative for a code from the future, which only a broken clock would give."""
    diff = (to_code(wall) - code) % _WRAP
    return (diff - _WRAP if diff >= _WRAP // 2 else diff) / (UNITS / 1000)


def _cells(code: int) -> Any:
    bits = [(code >> (BITS - 1 - i)) & 1 for i in range(BITS)]
    row = np.array([*_HEAD, *bits, *_TAIL], dtype=np.uint8)
    return np.stack([row, 1 - row])


def draw_code(img: Any, code: int) -> None:
    """Draw `code` into the top of `img` (height × width × 3, uint8), in place."""
    size = img.shape[1] // COLUMNS
    squares = np.kron(_cells(code), np.ones((size, size), dtype=np.uint8)) * 255
    img[: 2 * size, : COLUMNS * size] = squares[:, :, None]


def read_code(img: Any) -> int | None:
    """The code in `img` (height × width × 3, any channel order), or None when unreadable."""
    height, width = img.shape[:2]
    size = width / COLUMNS
    if 2 * size > height or size < 4:
        return None
    spread = max(1, int(size / 4))
    offsets = np.array([-spread, 0, spread])
    xs = ((np.arange(COLUMNS) + 0.5) * size).astype(int)
    ys = ((np.arange(2) + 0.5) * size).astype(int)
    # 3×3 points around each square's centre, averaged over the points and the channels.
    px = (xs[:, None] + offsets[None, :]).reshape(-1)
    py = (ys[:, None] + offsets[None, :]).reshape(-1)
    points = img[py[:, None], px[None, :]].astype(np.float32).mean(axis=2)
    lum = points.reshape(2, 3, COLUMNS, 3).mean(axis=(1, 3))
    guards = [*range(len(_HEAD)), *range(COLUMNS - len(_TAIL), COLUMNS)]
    expected = np.array([*_HEAD, *_TAIL], dtype=bool)
    white = lum[0, guards][expected].mean()
    black = lum[0, guards][~expected].mean()
    if white - black < _MIN_CONTRAST:
        return None
    bits = lum > (white + black) / 2
    if not (bits[0] != bits[1]).all() or not (bits[0, guards] == expected).all():
        return None
    value = 0
    for bit in bits[0, len(_HEAD) : len(_HEAD) + BITS]:
        value = (value << 1) | int(bit)
    return value


def scene(width: int, height: int) -> Any:
    """The still part of every bench picture (BGR): a desk with a printed page on it.

    The browser's canvas draws the same picture (served to it as PNG), so both columns of the
    benchmark encode the same content."""
    import cv2

    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    img = np.empty((height, width, 3), dtype=np.uint8)
    img[:, :, 0] = (60 + 50 * x + 20 * y).astype(np.uint8)
    img[:, :, 1] = (80 + 40 * y + 10 * x).astype(np.uint8)
    img[:, :, 2] = (110 + 30 * x * y).astype(np.uint8)
    left, top = width // 4, height // 5
    right, bottom = width * 3 // 4, height * 19 // 20
    cv2.rectangle(img, (left, top), (right, bottom), (235, 235, 230), -1)
    step = max(6, height // 30)
    for i, row in enumerate(range(top + 2 * step, bottom - step, step)):
        end = right - width // 20 - (width // 8 if i % 4 == 3 else 0)
        cv2.line(img, (left + width // 20, row), (end, row), (60, 60, 60), max(1, step // 5))
    return img


def bar_x(width: int, now: float) -> int:
    """Where the moving bar is at wall time `now`: it crosses the picture every two seconds."""
    bar_w = max(4, width // 40)
    return int((now % 2.0) / 2.0 * (width - bar_w))


class ClockCamera(Camera):
    """A camera whose frames carry the wall clock of their capture as a clock code.

    It also notes, for each frame, how long after capture the call first took it (`latest()`),
    which is the part of the kiosk's latency spent waiting for the call's next frame slot.
    """

    backend = "bench-clock"
    #: Like the product's cameras, it tells the call at once when it has a new frame.
    announces_frames = True

    def __init__(self, device_id: str, *, width: int, height: int, fps: int = 30) -> None:
        super().__init__(device_id)
        self._width, self._height, self._period = width, height, 1.0 / fps
        self._scene = scene(width, height)
        self._latest: Frame | None = None
        self._taken_seq = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Milliseconds from capture to the call first taking the frame.
        self.pickup_ms: list[float] = []

    def start_stream(self) -> None:
        if self._thread is None:
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._produce, name="bench-camera", daemon=True)
            self._thread.start()

    def stop_stream(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._latest = None

    def latest(self) -> Frame | None:
        frame = self._latest
        if frame is not None and frame.seq != self._taken_seq:
            self._taken_seq = frame.seq
            self.pickup_ms.append((time.monotonic() - frame.captured_at) * 1000)
        return frame

    def _open(self) -> None:
        self._set_health(DeviceState.ONLINE)

    def _run_self_test(self) -> SelfTestResult:
        return SelfTestResult(self.device_id, True, ("camera: ok",))

    def _produce(self) -> None:
        bar_w = max(4, self._width // 40)
        next_at = time.monotonic()
        seq = 0
        while not self._stop.wait(max(0.0, next_at - time.monotonic())):
            next_at = max(next_at + self._period, time.monotonic())
            seq += 1
            img = self._scene.copy()
            captured, wall = time.monotonic(), time.time()
            x = bar_x(self._width, wall)
            img[2 * (self._width // COLUMNS) :, x : x + bar_w] = (0, 140, 255)
            draw_code(img, to_code(wall))
            img.flags.writeable = False
            self._latest = Frame(img, seq, captured)
            self._announce_frame()


if __name__ == "__main__":
    print("part of bench/video.py, which runs it")
