"""Video call figures, kiosk (aiortc on the engine loop) ↔ headless Chromium on loopback.

Prints, for 640×480 and 1280×720 at 30 fps, the median of several runs: answer-accepted to
first frame on each side, frames per second each way over a window, the resolution each side
receives, and the CPU this process (the kiosk side, plus the light Playwright client) used.

Not measured yet: the Chromium-to-Chromium baseline side by side, and one-way latency from a
clock drawn into the frame (RECIPES.md, "Video", describes the method; the simulated camera
already draws a readable clock, kiosk.devices.camera.simulated.read_overlay).

    .venv/bin/python bench/video.py [--runs 3] [--seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.call.media import VideoFormat  # after the path above
from kiosk.call.peer import KioskPeer
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from tests.peers.browser import BrowserPeer

SIZES = ((640, 480), (1280, 720))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _one_run(size: tuple[int, int], seconds: float) -> dict[str, Any]:
    engine = Engine()
    engine.start()
    camera = SimulatedCamera("bench-camera", width=size[0], height=size[1], fps=30)
    camera.start()
    camera.start_stream()

    async def on_engine(coro: Any) -> Any:
        return await asyncio.wrap_future(engine.submit(coro))

    async def make() -> KioskPeer:
        return KioskPeer(camera, video=VideoFormat(*size), on_remote_video=lambda: None)

    peer: KioskPeer = await on_engine(make())
    try:
        async with BrowserPeer() as browser:
            await browser.start_camera(*size)
            offer = await on_engine(peer.create_offer())
            answer = await browser.answer(offer)
            accepted = time.monotonic()
            await on_engine(peer.accept_answer(answer))
            kiosk_first = browser_first = None
            while kiosk_first is None or browser_first is None:
                now = time.monotonic()
                if kiosk_first is None and peer.stats().video_frames:
                    kiosk_first = now - accepted
                if browser_first is None and (await browser.stats()).video_frames_decoded:
                    browser_first = now - accepted
                if now - accepted > 60:
                    raise RuntimeError("no first frame within 60 s")
                await asyncio.sleep(0.005)
            await asyncio.sleep(2.0)  # let both settle
            k0, b0, c0, t0 = peer.stats(), await browser.stats(), _cpu(), time.monotonic()
            await asyncio.sleep(seconds)
            k1, b1, c1, t1 = peer.stats(), await browser.stats(), _cpu(), time.monotonic()
            span = t1 - t0
            return {
                "kiosk first frame ms": kiosk_first * 1000,
                "browser first frame ms": browser_first * 1000,
                "kiosk receives fps": (k1.video_frames - k0.video_frames) / span,
                "browser receives fps": (b1.video_frames_decoded - b0.video_frames_decoded) / span,
                "kiosk process CPU %": (c1 - c0) / span * 100,
                "kiosk receives": f"{k1.video_width}x{k1.video_height}",
                "browser receives": f"{b1.raw.get('receivedWidth')}x{b1.raw.get('receivedHeight')}",
            }
    finally:
        await on_engine(peer.close())
        engine.stop()
        camera.stop_stream()
        camera.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    for size in SIZES:
        runs = [asyncio.run(_one_run(size, args.seconds)) for _ in range(args.runs)]
        print(f"kiosk <-> Chromium, {size[0]}x{size[1]} @ 30 fps, median of {args.runs} runs")
        for key, first in runs[0].items():
            if isinstance(first, float):
                value = f"{statistics.median(r[key] for r in runs):8.1f}"
            else:
                value = f"{'/'.join(sorted({r[key] for r in runs})):>8}"
            print(f"  {key:26} {value}")


if __name__ == "__main__":
    main()
