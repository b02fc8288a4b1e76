"""Video call figures on loopback, side by side: Chromium ↔ Chromium and kiosk ↔ Chromium.

For 640×480 and 1280×720 at 30 fps, each column is one call between a "kiosk side" (the
offerer) and an "advisor" (headless Chromium, the answerer); both send video and audio:

- Chromium ↔ Chromium: two headless Chromium instances (bench/video_browser.py), the kiosk
  side sending a canvas; offer and answer go straight from page to page (no hub), VP8 first,
  both with the start-bitrate hints the kiosk puts in its own offer (kiosk.video.sdp), so that
  each side starts at the size it captures, as the advisor does when the kiosk calls.
- kiosk ↔ Chromium: the kiosk's KioskPeer (aiortc on the engine loop) with a camera that
  draws the clock into each frame it captures (video_clock.ClockCamera), and a Chromium
  sending a canvas.

Figures, each the median of --runs runs:

- accept → first frame: from the moment the offerer is handed the answer to the first
  received frame ready to show, on each side. Chromium: the presentation time of the first
  `requestVideoFrameCallback`. Kiosk: the moment the first picture, decoded and converted to
  RGB, lands in the slot the screen takes pictures from (the Qt hand-off; the screen's own
  paint is not included).
- frames per second received each way over a window of --seconds after 2 s to settle
  (Chromium: getStats framesDecoded; kiosk: frames its receiver took from aiortc), the
  resolution received, and why a Chromium sender sent less (qualityLimitationReason).
- the sizes the kiosk side sent: the kiosk sends a smaller picture while sending cannot keep up
  (kiosk.video.load), as Chromium does ("limited by cpu"); --fixed-size keeps it at the call's
  size, to see what the machine does without that.
- kiosk side CPU, % of one core over the window. Kiosk: this whole process (the peer, the
  camera thread, the bench's clock reading and its Playwright client; nothing displays the
  advisor's picture). Chromium: every process of the kiosk side's browser (browser, renderer,
  GPU and utility processes; it also composites the received video).
- one-way latency each way: the sender draws its wall clock into the frame at capture
  (bench/video_clock.py describes the code), the receiver reads it at the same point as the
  first frame above and subtracts it from its own wall clock (one machine, one clock). The
  kiosk's figure therefore includes waiting for the call's next frame slot after the camera
  captured (a real camera is not in step with the call either; shown on its own as "camera
  frame waits for send slot"). Median and 95th percentile; the share of frames whose code
  read is shown so that a low read rate is not mistaken for a figure. A Chromium receiver
  also tells when each frame's last packet came in, which splits its latency into the
  sender's and network's part and its own; of its own, getStats gives the mean time a frame
  waited in its jitter buffer (jitterBufferDelay) and took to decode (totalDecodeTime).

Targets: at least 28 fps both ways at both sizes; accept to first frame under 400 ms on each
side; kiosk latency within 1.2× Chromium's. Each figure that misses its target says MISSED.

    .venv/bin/python bench/video.py [--runs 3] [--seconds 8] [--fixed-size]

With --call-help it measures help in a call instead (bench/call_help.py): the Qt-thread stall
and the kiosk's CPU with its screen shared and not, the shared screen's rate at the advisor, and
the time from "Show to advisor" to the page shown in the console.

    .venv/bin/python bench/video.py --call-help [--seconds 10] [--pages 7]
    (wrap in `flock /tmp/kiosk-peers.lock` when tests may be using Chromium at the same time)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from video_browser import BenchBrowser  # after the path above
from video_clock import ClockCamera, age_ms, read_code

from kiosk.engine import Engine
from kiosk.video.load import SendSize
from kiosk.video.media import VideoFormat
from kiosk.video.peer import KioskPeer
from kiosk.video.sdp import with_bandwidth_hints

SIZES = ((640, 480), (1280, 720))
FPS = 30
SETTLE = 2.0
DEADLINE = 60.0
T = TypeVar("T")
Run = dict[str, Any]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _latency(
    run: Run, direction: str, samples: list[float], unread: int, to_packet: Sequence[float] = ()
) -> None:
    run[f"lat {direction} median"] = statistics.median(samples) if samples else math.nan
    run[f"lat {direction} p95"] = float(np.percentile(samples, 95)) if samples else math.nan
    run[f"packet {direction}"] = statistics.median(to_packet) if to_packet else math.nan
    total = len(samples) + unread
    run[f"read {direction}"] = 100 * len(samples) / total if total else math.nan


def _held(before: dict[str, Any], after: dict[str, Any]) -> float:
    """Mean time a frame spent in a Chromium receiver's jitter buffer over the window (ms)."""
    frames = after["jitterBufferEmittedCount"] - before["jitterBufferEmittedCount"]
    held = after["jitterBufferDelay"] - before["jitterBufferDelay"]
    return held / frames * 1000 if frames > 0 else math.nan


def _decode(before: dict[str, Any], after: dict[str, Any]) -> float:
    """Mean time a Chromium receiver took to decode a frame over the window (ms)."""
    frames = after["framesDecoded"] - before["framesDecoded"]
    spent = after["totalDecodeTime"] - before["totalDecodeTime"]
    return spent / frames * 1000 if frames > 0 else math.nan


def _limitation(stats: dict[str, Any]) -> str:
    return str((stats["sent"] or {}).get("limitation") or "?")


def _size(width: int, height: int) -> str:
    return f"{width}x{height}"


def _codec(mime: str | None) -> str:
    return (mime or "?").removeprefix("video/")


class KioskReceiver:
    """Takes each picture the kiosk peer hands to the screen, on the engine loop, and reads the
    clock code in it."""

    def __init__(self) -> None:
        self.peer: KioskPeer | None = None
        self.first_at: float | None = None
        self._lock = threading.Lock()
        self._latencies: list[float] = []
        self._unread = 0

    def on_picture(self) -> None:
        wall = time.time()
        picture = self.peer.take_remote_video() if self.peer is not None else None
        if picture is None:
            return
        code = read_code(picture.rgb)
        with self._lock:
            if self.first_at is None:
                self.first_at = wall
            if code is None:
                self._unread += 1
            else:
                self._latencies.append(age_ms(code, wall))

    def take(self) -> tuple[list[float], int]:
        with self._lock:
            out = (self._latencies, self._unread)
            self._latencies, self._unread = [], 0
            return out


async def _first_frames(
    kiosk_side: Callable[[], Coroutine[Any, Any, float | None]],
    advisor: Callable[[], Coroutine[Any, Any, float | None]],
) -> tuple[float, float]:
    end = time.monotonic() + DEADLINE
    while True:
        kiosk_at, advisor_at = await kiosk_side(), await advisor()
        if kiosk_at is not None and advisor_at is not None:
            return kiosk_at, advisor_at
        if time.monotonic() > end:
            raise RuntimeError(f"no first frame within {DEADLINE:.0f} s")
        await asyncio.sleep(0.02)


class FixedSize(SendSize):
    """Never steps: the kiosk sends at the call's size whatever the load (--fixed-size)."""

    def record(self, seconds: float, encode_seconds: float | None = None) -> None:
        pass


async def _kiosk_run(size: tuple[int, int], seconds: float, fixed: bool = False) -> Run:
    engine = Engine()
    engine.start()
    camera = ClockCamera("bench-camera", width=size[0], height=size[1], fps=FPS)
    camera.start()
    camera.start_stream()
    receiver = KioskReceiver()

    async def on_engine(coro: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(engine.submit(coro))

    async def make() -> KioskPeer:
        return KioskPeer(camera, video=VideoFormat(*size, FPS), on_remote_video=receiver.on_picture)

    peer = await on_engine(make())
    if fixed:
        peer.video_track.send_size = FixedSize(*size, FPS)
    receiver.peer = peer
    try:
        async with BenchBrowser() as advisor:
            await advisor.start_sender(*size, FPS)
            offer = await on_engine(peer.create_offer())
            answer = await advisor.answer(offer)
            accepted = time.time()
            await on_engine(peer.accept_answer(answer))

            async def kiosk_first() -> float | None:
                return receiver.first_at

            kiosk_at, advisor_at = await _first_frames(kiosk_first, advisor.first_frame_at)
            await asyncio.sleep(SETTLE)
            receiver.take()
            await advisor.take_latencies()
            camera.pickup_ms.clear()
            k0, b0, c0, t0 = peer.stats(), await advisor.stats(), _cpu(), time.monotonic()
            await asyncio.sleep(seconds)
            k1, b1, c1, t1 = peer.stats(), await advisor.stats(), _cpu(), time.monotonic()
            span = t1 - t0
            sent = [_size(*size)] + [_size(*s) for _, s in peer.video_track.send_size.steps]
            run: Run = {
                "sent kiosk": ">".join(sent),
                "first kiosk": (kiosk_at - accepted) * 1000,
                "first advisor": (advisor_at - accepted) * 1000,
                "fps kiosk": (k1.video_frames - k0.video_frames) / span,
                "fps advisor": (b1["framesDecoded"] - b0["framesDecoded"]) / span,
                "res kiosk": _size(k1.video_width, k1.video_height),
                "res advisor": _size(b1["width"], b1["height"]),
                "codec to advisor": _codec(b1["codec"]),
                "codec to kiosk": _codec((b1["sent"] or {}).get("codec")),
                "limit kiosk": "cpu" if len(sent) > 1 else "none",
                "held advisor": _held(b0, b1),
                "decode advisor": _decode(b0, b1),
                "held kiosk": math.nan,
                "decode kiosk": math.nan,
                "limit advisor": _limitation(b1),
                "cpu": (c1 - c0) / span * 100,
                "pickup": statistics.median(camera.pickup_ms) if camera.pickup_ms else math.nan,
            }
            _latency(run, "to advisor", *await advisor.take_latencies())
            _latency(run, "to kiosk", *receiver.take())
            return run
    finally:
        await on_engine(peer.close())
        engine.stop()
        camera.stop_stream()
        camera.stop()


async def _chromium_run(size: tuple[int, int], seconds: float) -> Run:
    async with BenchBrowser() as kiosk_side, BenchBrowser() as advisor:
        await asyncio.gather(kiosk_side.start_sender(*size, FPS), advisor.start_sender(*size, FPS))
        # The kiosk's own start-bitrate hints (kiosk.video.sdp) on both descriptions, so that
        # Chromium starts at the size it captures, as it does when the kiosk calls.
        offer = with_bandwidth_hints(await kiosk_side.make_offer())
        answer = with_bandwidth_hints(await advisor.answer(offer))
        accepted = await kiosk_side.accept(answer)
        kiosk_at, advisor_at = await _first_frames(
            kiosk_side.first_frame_at, advisor.first_frame_at
        )
        await asyncio.sleep(SETTLE)
        await kiosk_side.take_latencies()
        await advisor.take_latencies()
        k0, b0 = await kiosk_side.stats(), await advisor.stats()
        c0, t0 = kiosk_side.cpu_seconds(), time.monotonic()
        await asyncio.sleep(seconds)
        c1, t1 = kiosk_side.cpu_seconds(), time.monotonic()
        k1, b1 = await kiosk_side.stats(), await advisor.stats()
        span = t1 - t0
        run: Run = {
            "sent kiosk": "n/a",
            "first kiosk": (kiosk_at - accepted) * 1000,
            "first advisor": (advisor_at - accepted) * 1000,
            "fps kiosk": (k1["framesDecoded"] - k0["framesDecoded"]) / span,
            "fps advisor": (b1["framesDecoded"] - b0["framesDecoded"]) / span,
            "res kiosk": _size(k1["width"], k1["height"]),
            "res advisor": _size(b1["width"], b1["height"]),
            "codec to advisor": _codec(b1["codec"]),
            "codec to kiosk": _codec(k1["codec"]),
            "limit kiosk": _limitation(k1),
            "held advisor": _held(b0, b1),
            "decode advisor": _decode(b0, b1),
            "held kiosk": _held(k0, k1),
            "decode kiosk": _decode(k0, k1),
            "limit advisor": _limitation(b1),
            "cpu": (c1 - c0) / span * 100,
            "pickup": math.nan,
        }
        _latency(run, "to advisor", *await advisor.take_latencies())
        _latency(run, "to kiosk", *await kiosk_side.take_latencies())
        return run


def _median(runs: list[Run], key: str) -> Any:
    values = [r[key] for r in runs]
    if isinstance(values[0], str):
        return "/".join(sorted(set(values)))
    real = [v for v in values if not math.isnan(v)]
    return statistics.median(real) if real else math.nan


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    #: A target the figure must meet, and how to say it; None for figures shown as they are.
    target: Callable[[float], bool] | None = None
    target_text: str = ""


ROWS = (
    Row("first kiosk", "accept -> first frame, kiosk side (ms)", lambda v: v < 400, "< 400"),
    Row("first advisor", "accept -> first frame, advisor (ms)", lambda v: v < 400, "< 400"),
    Row("fps advisor", "fps received, kiosk side -> advisor", lambda v: v >= 28, ">= 28"),
    Row("fps kiosk", "fps received, advisor -> kiosk side", lambda v: v >= 28, ">= 28"),
    Row("res advisor", "resolution received by advisor"),
    Row("res kiosk", "resolution received by kiosk side"),
    Row("codec to advisor", "codec, kiosk side -> advisor"),
    Row("codec to kiosk", "codec, advisor -> kiosk side"),
    Row("limit advisor", "advisor's sender limited by"),
    Row("limit kiosk", "kiosk side's sender limited by"),
    Row("sent kiosk", "sizes the kiosk side sent, in turn"),
    Row("cpu", "kiosk side CPU (% of one core)"),
    Row("lat to advisor median", "latency kiosk side -> advisor, median (ms)"),
    Row("lat to advisor p95", "latency kiosk side -> advisor, p95 (ms)"),
    Row("packet to advisor", "  of it until the last packet is in, median (ms)"),
    Row("held advisor", "  advisor's jitter buffer hold, mean (ms)"),
    Row("decode advisor", "  advisor's decoding, mean (ms)"),
    Row("lat to kiosk median", "latency advisor -> kiosk side, median (ms)"),
    Row("lat to kiosk p95", "latency advisor -> kiosk side, p95 (ms)"),
    Row("packet to kiosk", "  of it until the last packet is in, median (ms)"),
    Row("held kiosk", "  kiosk side's jitter buffer hold, mean (ms)"),
    Row("decode kiosk", "  kiosk side's decoding, mean (ms)"),
    Row("read to advisor", "clock codes read at advisor (%)"),
    Row("read to kiosk", "clock codes read at kiosk side (%)"),
    Row("pickup", "camera frame waits for send slot, median (ms)"),
)
RATIOS = (
    ("lat to advisor median", "latency kiosk/Chromium, kiosk side -> advisor"),
    ("lat to kiosk median", "latency kiosk/Chromium, advisor -> kiosk side"),
)
LATENCY_RATIO = 1.2


def _cell(value: Any, row: Row | None = None) -> str:
    if isinstance(value, str):
        return f"{value:>20}"
    if math.isnan(value):
        text = "n/a"
        verdict = "MISSED" if row is not None and row.target is not None else ""
    else:
        text = f"{value:.1f}"
        verdict = ""
        if row is not None and row.target is not None:
            verdict = "ok" if row.target(value) else "MISSED"
    return f"{text:>12} {verdict:<7}"


def _report(size: tuple[int, int], runs: int, seconds: float, cols: dict[str, list[Run]]) -> None:
    chromium = {row.key: _median(cols["chromium"], row.key) for row in ROWS}
    kiosk = {row.key: _median(cols["kiosk"], row.key) for row in ROWS}
    print(f"\n{_size(*size)} sent at {FPS} fps, median of {runs} run(s) of {seconds:g} s")
    print(f"  {'':48}{'Chromium<->Chromium':>20}{'kiosk<->Chromium':>20}  target")
    for row in ROWS:
        line = f"  {row.label:48}{_cell(chromium[row.key], row)}{_cell(kiosk[row.key], row)}"
        print(f"{line}  {row.target_text}".rstrip())
    for key, label in RATIOS:
        ratio = kiosk[key] / chromium[key] if chromium[key] > 0 else math.nan
        ok = not math.isnan(ratio) and ratio <= LATENCY_RATIO
        text = "n/a" if math.isnan(ratio) else f"{ratio:.2f}"
        verdict = "ok" if ok else "MISSED"
        print(f"  {label:48}{'':20}{text:>12} {verdict:<7}  <= {LATENCY_RATIO}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--fixed-size", action="store_true", help="the kiosk never sends a smaller picture"
    )
    parser.add_argument(
        "--call-help", action="store_true", help="measure help in a call (bench/call_help.py)"
    )
    parser.add_argument("--pages", type=int, default=7, help="pages shown, with --call-help")
    args = parser.parse_args()
    if args.call_help:
        import call_help

        call_help.main(args.seconds, args.pages)
        return
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Video call on loopback; {os.cpu_count()} CPUs, load average {load} at start")
    for size in SIZES:
        cols: dict[str, list[Run]] = {"chromium": [], "kiosk": []}
        for _ in range(args.runs):
            # Alternate the columns so that a change in the machine's load hits both alike.
            cols["chromium"].append(asyncio.run(_chromium_run(size, args.seconds)))
            cols["kiosk"].append(asyncio.run(_kiosk_run(size, args.seconds, args.fixed_size)))
        _report(size, args.runs, args.seconds, cols)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average {load} at the end")


if __name__ == "__main__":
    main()
