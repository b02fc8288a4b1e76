"""One headless Chromium for bench/video.py, running bench/js/peer.js on a page of its own.

Like tests/peers/browser.py (same Debian Chromium, same flags), but the page sends a canvas with
the clock code instead of the fake camera, reads the code from what it receives, and the
browser's processes can be asked how much CPU they have used.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from playwright.async_api import BrowserContext, Page, Playwright, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.peers.browser import CHROMIUM, CHROMIUM_ARGS  # after the path above

HERE = Path(__file__).resolve().parent
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>video bench peer</title></head>
<body><video id="remote" autoplay playsinline muted></video>
<script src="/peer.js"></script></body></html>
"""
_TICKS = os.sysconf("SC_CLK_TCK")


def _scene_png(width: int, height: int) -> bytes:
    import cv2
    from video_clock import scene

    ok, data = cv2.imencode(".png", scene(width, height))
    if not ok:
        raise RuntimeError("could not encode the bench scene")
    return bytes(data)


def _process_tree_cpu(marker: str) -> float:
    """CPU seconds (user + system) of every live process of the Chromium whose command line
    holds `marker`, and of all their descendants."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    roots: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / _TICKS
        if marker.encode() in cmdline:
            roots.append(pid)
    tree = set(roots)
    grew = True
    while grew:
        children = {pid for pid, ppid in parents.items() if ppid in tree} - tree
        tree |= children
        grew = bool(children)
    return sum(cpu[pid] for pid in tree)


class BenchBrowser:
    """`async with BenchBrowser() as browser:` one Chromium with the bench page loaded."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._playwright: Playwright | None = None
        self._context: BrowserContext | None = None
        self._profile: str | None = None
        self._page: Page | None = None

    async def __aenter__(self) -> BenchBrowser:
        try:
            await self._start()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def page(self) -> Page:
        if self._page is None:
            raise RuntimeError("browser not started")
        return self._page

    async def _start(self) -> None:
        app = web.Application()

        async def index(_: web.Request) -> web.Response:
            return web.Response(text=PAGE, content_type="text/html")

        async def script(_: web.Request) -> web.Response:
            text = (HERE / "js" / "peer.js").read_text()
            return web.Response(text=text, content_type="text/javascript")

        async def scene(request: web.Request) -> web.Response:
            width, height = int(request.query["w"]), int(request.query["h"])
            return web.Response(body=_scene_png(width, height), content_type="image/png")

        app.router.add_get("/", index)
        app.router.add_get("/peer.js", script)
        app.router.add_get("/scene.png", scene)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]

        self._profile = tempfile.mkdtemp(prefix="bench-chromium-")
        self._playwright = await async_playwright().start()
        self._context = await self._playwright.chromium.launch_persistent_context(
            self._profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        self._page = await self._context.new_page()
        await self._page.goto(f"http://127.0.0.1:{port}/")
        await self._check_clock()

    async def _check_clock(self) -> None:
        """The page's wall clock must be this process's: latency is one clock minus the other."""
        before = time.time() * 1000
        page = float(await self.page.evaluate("wallNow()"))
        after = time.time() * 1000
        if not before - 2 <= page <= after + 2:
            raise RuntimeError(
                f"page clock {page - before:+.1f} ms from ours (round trip {after - before:.1f} ms)"
            )

    def cpu_seconds(self) -> float:
        """CPU used so far by this browser's processes (all of them, the renderer and GPU too)."""
        assert self._profile is not None
        return _process_tree_cpu(f"--user-data-dir={self._profile}")

    async def start_sender(self, width: int, height: int, fps: int = 30) -> None:
        await self.page.evaluate("([w, h, f]) => startSender(w, h, f)", [width, height, fps])

    async def make_offer(self) -> str:
        return str(await self.page.evaluate("makeOffer()"))

    async def answer(self, offer_sdp: str) -> str:
        return str(await self.page.evaluate("(sdp) => answerOffer(sdp)", offer_sdp))

    async def accept(self, answer_sdp: str) -> float:
        """Accept the answer; the wall time (s) at which that began."""
        return float(await self.page.evaluate("(sdp) => acceptAnswer(sdp)", answer_sdp)) / 1000

    async def first_frame_at(self) -> float | None:
        """Wall time (s) the first received frame was handed to the compositor, if any yet."""
        at = await self.page.evaluate("firstFrameAt()")
        return None if at is None else float(at) / 1000

    async def take_latencies(self) -> tuple[list[float], int, list[float]]:
        """Since the last call: the latencies (ms) of the frames read, how many frames did not
        read, and for those read, the ms from capture to their last packet's arrival."""
        out = await self.page.evaluate("takeLatencies()")
        return (
            [float(x) for x in out["latencies"]],
            int(out["unread"]),
            [float(x) for x in out["toPacket"]],
        )

    async def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.page.evaluate("callStats()")
        return result

    async def close(self) -> None:
        if self._page is not None:
            with contextlib.suppress(Exception):  # a page that broke has nothing to hang up
                await self._page.evaluate("hangUp()")
            self._page = None
        if self._context is not None:
            await self._context.close()
            self._context = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None


if __name__ == "__main__":
    print("part of bench/video.py, which runs it")
