"""The advisor's browser for tests: Debian's headless Chromium with a fake camera and
microphone, driven through Playwright, on a test page served from 127.0.0.1 by aiohttp.

`BrowserPeer` is async (one asyncio loop on the test's thread; the kiosk's peer runs on the
engine's own loop). The page keeps one RTCPeerConnection in `window.call`; signalling goes
through `page.evaluate`, no hub involved. Playwright's own browser downloads are never used.

`chromium()` (async) and `chromium_sync()` are the one way tests start that browser; `watch()`
collects a page's errors and `log_in()` goes through the hub's login form.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from aiohttp import web
from playwright.async_api import BrowserContext, Page, async_playwright
from playwright.sync_api import BrowserContext as SyncBrowserContext
from playwright.sync_api import Page as SyncPage
from playwright.sync_api import sync_playwright

from tests.peers import lifetime

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    # The fake camera runs at 20 fps unless told otherwise.
    "--use-fake-device-for-media-stream=fps=30",
    # A hidden headless page must not be throttled like a background tab.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--autoplay-policy=no-user-gesture-required",
]
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


def _marked(options: dict[str, Any]) -> dict[str, Any]:
    """Chromium and its helpers carry the run's mark: if the run is killed before Playwright
    closes them, tests.peers.lifetime's guard does."""
    env = {**os.environ, **options.get("env", {}), **lifetime.mark()}
    return {**options, "env": env}


@contextlib.asynccontextmanager
async def chromium(**options: Any) -> AsyncIterator[BrowserContext]:
    """Headless Chromium with its fake camera and microphone, on a profile of its own that goes
    with it; `options` go to Playwright's launch_persistent_context (viewport, downloads...)."""
    profile = tempfile.mkdtemp(prefix="test-chromium-")
    try:
        async with async_playwright() as p:
            context = await p.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                **_marked(options),
            )
            try:
                yield context
            finally:
                await context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@contextlib.contextmanager
def chromium_sync(**options: Any) -> Iterator[SyncBrowserContext]:
    """`chromium()` for Playwright's sync API (a test that drives Qt on the same thread)."""
    profile = tempfile.mkdtemp(prefix="test-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                **_marked(options),
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class _Said(Protocol):
    """A console message, from either of Playwright's APIs."""

    @property
    def type(self) -> str: ...
    @property
    def text(self) -> str: ...


class _Answered(Protocol):
    """A response, from either of Playwright's APIs."""

    @property
    def status(self) -> int: ...
    @property
    def url(self) -> str: ...


def watch(page: Page | SyncPage, problems: list[str]) -> None:
    """Collect the page's script errors, console errors and failed requests into `problems`; a
    test should find none. Failed loads are judged by their responses: the
    browser asks for a favicon the hub lacks."""

    def on_console(message: _Said) -> None:
        text = message.text
        if message.type == "error" and not text.startswith("Failed to load resource"):
            problems.append(text)

    def on_response(response: _Answered) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.url}")

    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", on_console)
    page.on("response", on_response)


async def log_in(page: Page, base: str, username: str, password: str, lands_on: str) -> None:
    """Log in through the hub's own form; the hub sends the user to `lands_on` (a path)."""
    await page.goto(f"{base}/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}{lands_on}")


async def until(page: Page, expression: str, deadline: float = 30.0) -> None:
    """Wait for `expression` to be true in the page (wait_for_function would need 'unsafe-eval',
    which the hub's Content-Security-Policy rightly refuses)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + deadline
    while not await page.evaluate(expression):
        assert loop.time() < give_up, f"still false: {expression}"
        await asyncio.sleep(0.1)


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>advisor test peer</title></head>
<body>
<video id="remote" autoplay playsinline muted></video>
<script>
window.call = null;
window.local = null;

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise(resolve => pc.addEventListener("icegatheringstatechange", () => {
    if (pc.iceGatheringState === "complete") resolve();
  }));
}

window.startCamera = async function (width, height) {
  window.local = await navigator.mediaDevices.getUserMedia({
    video: {width: {exact: width}, height: {exact: height}, frameRate: {exact: 30}},
    audio: true,
  });
  const s = window.local.getVideoTracks()[0].getSettings();
  return [s.width, s.height];
};

// The kiosk's camera and microphone are the first of their kind in its offer; a second video
// is its screen, silent unless shared (docs/call-help.md), which the advisor never sends to.
function first(pc, kind) {
  return pc.getTransceivers().find(t => t.receiver.track.kind === kind) || null;
}

function newConnection() {
  const pc = new RTCPeerConnection({iceServers: []});
  pc.addEventListener("track", (e) => {
    if (e.transceiver !== first(pc, e.track.kind)) {
      window.screenTrack = e.track;
    } else if (e.track.kind === "audio") {
      // Chromium decodes incoming audio only once the track plays somewhere.
      const audio = new Audio();
      audio.srcObject = new MediaStream([e.track]);
      audio.play().catch(() => {});
      window.remoteAudio = audio;
    } else {
      document.getElementById("remote").srcObject = new MediaStream([e.track]);
    }
  });
  window.call = pc;
  return pc;
}

window.answerOffer = async function (sdp, degradation) {
  const pc = newConnection();
  await pc.setRemoteDescription({type: "offer", sdp});
  for (const t of pc.getTransceivers()) {
    if (t !== first(pc, t.receiver.track.kind)) continue;
    const track = window.local.getTracks().find(x => x.kind === t.receiver.track.kind);
    await t.sender.replaceTrack(track);
    t.direction = "sendrecv";
  }
  await pc.setLocalDescription(await pc.createAnswer());
  if (degradation) {
    for (const t of pc.getTransceivers()) {
      if (t.sender.track && t.sender.track.kind === "video") {
        const p = t.sender.getParameters();
        p.degradationPreference = degradation;
        await t.sender.setParameters(p);
      }
    }
  }
  await gathered(pc);
  return pc.localDescription.sdp;
};

window.callStats = async function () {
  const out = {videoFramesDecoded: 0, audioPacketsReceived: 0, sent: null, state: null};
  if (!window.call) return out;
  out.state = window.call.connectionState;
  const report = await window.call.getStats();
  const camera = first(window.call, "video");
  report.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video" && camera && s.mid !== camera.mid) {
      out.screenFramesDecoded = s.framesDecoded || 0;
    } else if (s.type === "inbound-rtp" && s.kind === "video") {
      out.videoFramesDecoded = s.framesDecoded || 0;
      out.receivedWidth = s.frameWidth || 0;
      out.receivedHeight = s.frameHeight || 0;
    }
    if (s.type === "inbound-rtp" && s.kind === "audio") {
      out.audioPacketsReceived = s.packetsReceived || 0;
    }
    if (s.type === "outbound-rtp" && s.kind === "video") {
      out.sent = {
        width: s.frameWidth || 0, height: s.frameHeight || 0, frames: s.framesSent || 0,
        limitation: s.qualityLimitationReason, targetBitrate: s.targetBitrate || 0,
        bytesSent: s.bytesSent || 0, codec: report.get(s.codecId)?.mimeType,
        limitationDurations: s.qualityLimitationDurations,
      };
    }
    if (s.type === "candidate-pair" && s.nominated) {
      out.availableOutgoingBitrate = s.availableOutgoingBitrate || 0;
    }
  });
  return out;
};

window.hangUp = function () {
  if (window.call) window.call.close();
  return true;
};
</script>
</body></html>
"""


@dataclass
class CallStats:
    """What the browser's getStats says about the call."""

    video_frames_decoded: int
    audio_packets_received: int
    #: The browser's own outbound video: size, frames, qualityLimitationReason, bitrate.
    sent: dict[str, Any] | None
    state: str | None
    raw: dict[str, Any]


class BrowserPeer:
    """Chromium as the advisor. Use `async with BrowserPeer() as browser:`."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._browser = contextlib.AsyncExitStack()
        self.page: Page | None = None
        self.url = ""

    async def __aenter__(self) -> BrowserPeer:
        try:
            await self._start()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _start(self) -> None:
        app = web.Application()

        async def index(_: web.Request) -> web.Response:
            return web.Response(text=PAGE, content_type="text/html")

        app.router.add_get("/", index)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/"

        context = await self._browser.enter_async_context(chromium())
        self.page = await context.new_page()
        await self.page.goto(self.url)

    async def start_camera(self, width: int, height: int) -> tuple[int, int]:
        """getUserMedia on the fake devices; the size the camera really gives."""
        assert self.page is not None
        size = await self.page.evaluate("([w, h]) => startCamera(w, h)", [width, height])
        return int(size[0]), int(size[1])

    async def answer(self, offer_sdp: str, *, degradation: str | None = None) -> str:
        """Answer the kiosk's offer, sending the camera and microphone; the answer SDP with
        every ICE candidate in it."""
        assert self.page is not None
        return str(
            await self.page.evaluate("([sdp, d]) => answerOffer(sdp, d)", [offer_sdp, degradation])
        )

    async def stats(self) -> CallStats:
        assert self.page is not None
        raw = await self.page.evaluate("callStats()")
        return CallStats(
            raw["videoFramesDecoded"], raw["audioPacketsReceived"], raw["sent"], raw["state"], raw
        )

    async def hang_up(self) -> None:
        assert self.page is not None
        await self.page.evaluate("hangUp()")

    async def close(self) -> None:
        await self._browser.aclose()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.page = None
