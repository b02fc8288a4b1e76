"""The console's Mute and Transfer, clicked in a real browser during a real call.

The hub is `make_app` on the test's loop on a free port; the advisor is headless Chromium logged
in as anna (Virka-info); the kiosk is the real `HubAdviceClient` on its engine with a simulated
camera, as in the app; ben answers Kansalaisneuvonta from a WebSocket of his own.

Mute is the console's own business: the browser's microphone track is disabled, so the kiosk
keeps receiving audio packets, silent ones. The protocol carries no mute message, so the kiosk
cannot tell it from a quiet advisor (docs/call-protocol.md).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Page

from hub.app import make_app
from hub.config import load_config
from hub.store import open_configured
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.advice import AdvicePhase
from kiosk.video.hub_client import HubAdviceClient
from tests.conftest import MakeCamera
from tests.hub.conftest import FixedClock, serving
from tests.peers.browser import needs_chromium
from tests.peers.console import advisor_console
from tests.video.conftest import DEADLINE, eventually
from tests.video.resilience_peers import KIOSK_ID, NEUVONTA, VIRKA, Advisor, free_port, write_hub

pytestmark = needs_chromium

AUDIO_SENDER = """() => {
  const pc = window.consoleState.pc;
  const sender = pc && pc.getSenders().find((s) => s.track && s.track.kind === "audio");
  return sender ? sender.track.enabled : null;
}"""


@pytest.fixture
def camera(make_camera: MakeCamera) -> SimulatedCamera:
    return make_camera(320, 240, 15, streaming=False)


async def now(value: bool) -> bool:
    return value


async def audio_sender_enabled(page: Page) -> bool | None:
    enabled = await page.evaluate(AUDIO_SENDER)
    return None if enabled is None else bool(enabled)


async def sending_voice(page: Page) -> bool:
    return await audio_sender_enabled(page) is True


def test_mute_and_transfer_clicked_in_the_console(
    tmp_path: Path, engine: Engine, camera: SimulatedCamera
) -> None:
    path, token = write_hub(tmp_path / "hub", free_port())
    config = load_config(path)
    store = open_configured(config)

    async def scenario() -> None:
        async with serving(make_app(config, store, clock=FixedClock())) as base:
            await talk(base)

    async def talk(base: str) -> None:
        client = HubAdviceClient(
            hub_url=base, token=token, kiosk_id=KIOSK_ID, loop=engine.loop, camera=camera
        )
        ben: Advisor | None = None
        async with advisor_console(base) as (page, problems):
            try:
                await page.click("#set-available")
                await page.wait_for_selector("#set-available[aria-pressed=true]")
                ben = await Advisor.log_in(base, "ben")

                client.open()
                await eventually(lambda: now(client.hub_connected), "the kiosk to connect")
                client.start(VIRKA, "fi")
                await page.wait_for_selector("#ringing:not([hidden])", timeout=DEADLINE * 1000)
                await page.click("#accept")
                await page.wait_for_selector("body[data-state=call]")
                await eventually(
                    lambda: now(client.status.phase is AdvicePhase.CONNECTED), "connected"
                )
                call = client.status.call
                await eventually(lambda: sending_voice(page), "the console to send its voice")

                # Mute: the browser stops sending the advisor's voice; the call goes on.
                await page.click("#mute")
                await page.wait_for_selector("#mute[aria-pressed=true]")
                assert await audio_sender_enabled(page) is False
                stats = client.receive_stats()
                assert stats is not None
                heard = stats.audio_frames
                await eventually(
                    lambda: now((client.receive_stats() or stats).audio_frames > heard + 20),
                    "silent audio to keep coming to the kiosk",
                )
                assert client.status.phase is AdvicePhase.CONNECTED
                await page.click("#mute")
                await page.wait_for_selector("#mute[aria-pressed=false]")
                assert await audio_sender_enabled(page) is True

                # Transfer to the other line: the kiosk queues there, anna is free, ben rings.
                options = await page.eval_on_selector_all(
                    "#transfer-line option", "os => os.map(o => o.value)"
                )
                assert options == [NEUVONTA]
                await page.select_option("#transfer-line", NEUVONTA)
                await page.click("#transfer")
                await page.wait_for_selector("body[data-state=idle]")
                assert "transferred" in (await page.text_content("#notice") or "")
                assert await page.evaluate("window.consoleState.pc") is None
                await eventually(
                    lambda: now(
                        client.status.phase is AdvicePhase.QUEUED and client.status.line == NEUVONTA
                    ),
                    "the kiosk to queue on the other line",
                )
                assert client.status.call == call
                assert client.receive_stats() is None  # anna's media ended with her part
                ring = await ben.expect("ringing", call=call)
                assert ring["transferred"] is True and ring["line"] == NEUVONTA
                await page.wait_for_function(
                    "() => (window.consoleState.queues['virka-info'] || {advisors: []}).advisors"
                    ".some(a => a.username === 'anna' && a.status === 'available')",
                    timeout=DEADLINE * 1000,
                )
                await ben.send({"type": "accept", "call": call})
                await eventually(
                    lambda: now(client.status.phase is AdvicePhase.CONNECTED), "ben to answer"
                )
                assert client.receive_stats() is not None
            finally:
                if ben is not None:
                    await ben.close()
                await asyncio.wrap_future(engine.submit(client.aclose()))
            assert not problems, problems

    try:
        asyncio.run(asyncio.wait_for(scenario(), 5 * DEADLINE))
    finally:
        store.close()
