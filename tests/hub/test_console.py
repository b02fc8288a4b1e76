"""The advisor console in a real browser: headless Chromium logs in, answers a kiosk, talks.

The hub runs on the test's loop on a free port; the kiosk is a WebSocket client on that loop
plus an aiortc `KioskPeer` on the kiosk engine's own loop, with a simulated camera, as in the
app. The advisor's camera and microphone are Chromium's fake devices.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Page

from hub.app import make_app
from hub.calls.lines import DEFAULT_LINES
from hub.config import HubConfig
from hub.store import HubStore
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.media import VideoFormat
from kiosk.video.peer import KioskPeer
from tests.conftest import MakeCamera
from tests.hub.conftest import FixedClock, add_kiosk, add_user, serving
from tests.peers.browser import needs_chromium
from tests.peers.console import advisor_console
from tests.video.conftest import DEADLINE, eventually, on_engine

Message = dict[str, Any]

pytestmark = needs_chromium


@pytest.fixture
def camera(make_camera: MakeCamera) -> SimulatedCamera:
    return make_camera(640, 480)


class Kiosk:
    """The kiosk's side: its hub socket, and its peer once the call is connected."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, engine: Engine, camera: Any) -> None:
        self.ws = ws
        self.run = on_engine(engine)
        self.camera = camera
        self.peer: KioskPeer | None = None
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            message: Message = json.loads(frame.data)
            kind = message["type"]
            if kind == "answer":
                assert self.peer is not None
                await self.run(self.peer.accept_answer(message["sdp"]))
            elif kind == "ice":
                candidate = message["candidate"]
                if candidate and self.peer is not None:
                    await self.run(
                        self.peer.add_ice_candidate(
                            candidate["candidate"],
                            candidate.get("sdpMid"),
                            candidate.get("sdpMLineIndex"),
                        )
                    )
            else:
                await self.inbox.put(message)

    async def expect(self, kind: str) -> Message:
        while True:
            message = await asyncio.wait_for(self.inbox.get(), DEADLINE)
            if message["type"] == kind:
                return message

    async def offer(self, call: str, ice_servers: list[Any]) -> None:
        camera = self.camera

        async def make() -> KioskPeer:
            assert not ice_servers  # the test hub configures none: host candidates only
            return KioskPeer(camera, video=VideoFormat(640, 480))

        self.peer = await self.run(make())
        sdp = await self.run(self.peer.create_offer())
        await self.ws.send_json({"type": "offer", "call": call, "sdp": sdp})

    async def close(self) -> None:
        if self.peer is not None:
            await self.run(self.peer.close())
        await self.ws.close()
        self.reader.cancel()


async def _frames_decoded(page: Page) -> int:
    stats = await page.evaluate("callStats()")
    return int(stats["videoFramesDecoded"])


def test_an_advisor_answers_a_kiosk_in_the_console_and_both_see_each_other(
    config: HubConfig, store: HubStore, engine: Engine, camera: SimulatedCamera, shots: Path
) -> None:
    lines = tuple(
        replace(line, advisors=("anna",) if line.id == "virka-info" else ())
        for line in DEFAULT_LINES.values()
    )
    config = replace(config, lines=lines)
    add_user(store, "anna", "advisor")
    token = add_kiosk(store, "itakeskus-1")

    async def scenario() -> None:
        async with (
            serving(make_app(config, store, clock=FixedClock())) as base,
            advisor_console(base, strict=True, viewport={"width": 1280, "height": 900}) as (
                page,
                problems,
            ),
            aiohttp.ClientSession() as http,
        ):
            kiosk: Kiosk | None = None
            try:
                await page.click("#set-available")
                await page.wait_for_selector("#set-available[aria-pressed=true]")

                ws = await http.ws_connect(
                    f"{base}/ws/kiosk",
                    headers={"Authorization": f"Bearer {token}", "X-Kiosk-Id": "itakeskus-1"},
                )
                kiosk = Kiosk(ws, engine, camera)
                hello = await kiosk.expect("hello")
                await ws.send_json({"type": "call", "line": "virka-info", "language": "sv"})
                call = (await kiosk.expect("queued"))["call"]

                await page.wait_for_selector("#ringing:not([hidden])")
                assert await page.text_content("#ring-kiosk") == "Itäkeskus 1"
                assert await page.text_content("#ring-location") == "Itäkeskus library"
                assert "Swedish" in (await page.text_content("#ring-language") or "")
                await page.wait_for_selector("#queues td")  # the queue shows the call
                await page.screenshot(path=str(shots / "advisor-console-ringing.png"))
                await page.click("#accept")

                connected = await kiosk.expect("connected")
                assert (connected["call"], connected["role"]) == (call, "offerer")
                await page.wait_for_selector("body[data-state=call]")
                await kiosk.offer(call, hello["ice_servers"])
                peer = kiosk.peer
                assert peer is not None

                await eventually(
                    lambda: _async(peer.stats().video_frames > 10), "the kiosk to get video"
                )

                async def page_decodes(at_least: int) -> bool:
                    return await _frames_decoded(page) > at_least

                await eventually(lambda: page_decodes(10), "the console to decode the kiosk")
                seen_page, seen_kiosk = await _frames_decoded(page), peer.stats().video_frames
                await eventually(lambda: page_decodes(seen_page + 30), "more frames in the page")
                await eventually(
                    lambda: _async(peer.stats().video_frames > seen_kiosk + 30),
                    "more frames at the kiosk",
                )
                assert peer.stats().audio_frames > 0
                await page.wait_for_selector("#call-media-state", state="hidden")
                await page.screenshot(path=str(shots / "advisor-console-call.png"))

                # The advisor hangs up: both ends are back to idle.
                await page.click("#hang-up")
                ended = await kiosk.expect("ended")
                assert (ended["call"], ended["reason"]) == (call, "advisor_hung_up")
                await page.wait_for_selector("body[data-state=idle]")
                assert await page.is_hidden("#call")
                assert await page.evaluate("window.consoleState.pc") is None
                await page.wait_for_selector("#queues .empty")
            finally:
                if kiosk is not None:
                    await kiosk.close()
        assert not problems, problems

    asyncio.run(scenario())


async def _async(value: bool) -> bool:
    return value
