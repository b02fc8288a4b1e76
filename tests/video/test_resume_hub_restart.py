"""A call survives its hub: the kiosk's real call client and the advisor's console in Chromium,
in a call through one `kiosk-hub serve`, which is SIGKILLed mid-call and started again on the
same port and database. The media goes on peer to peer meanwhile, both ends reconnect and
resume the call, signalling and media carry on, and the call's record, once hung up, is one
answered record whose talk time covers the whole call.

No test asserts how long anything took: each waits, with a generous deadline, for what a
citizen or an advisor would see happen.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page

from hub import accounts
from hub.config import load_config
from hub.store import open_configured
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.advice import AdvicePhase
from kiosk.video.hub_client import HubAdviceClient
from tests.conftest import MakeCamera
from tests.hub.conftest import QUICK_HASHER
from tests.peers.browser import needs_chromium
from tests.peers.console import advisor_console
from tests.video.call_frames import both_receive, now
from tests.video.conftest import DEADLINE, eventually
from tests.video.resilience_peers import KIOSK_ID, VIRKA, HubProcess, free_port, write_hub

pytestmark = needs_chromium


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", QUICK_HASHER)


@pytest.fixture
def camera(make_camera: MakeCamera) -> SimulatedCamera:
    return make_camera(320, 240, 15, streaming=False)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[HubProcess, str]]:
    port = free_port()
    path, token = write_hub(tmp_path / "hub", port)
    process = HubProcess(path, port, tmp_path / "hub.log")
    process.start()
    try:
        yield process, token
    finally:
        process.stop()


def in_call(page: Page) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return bool(await page.evaluate("window.consoleState.call !== null"))

    return check


def test_a_call_carries_on_through_a_hub_killed_and_started_again(
    engine: Engine, hub: tuple[HubProcess, str], camera: SimulatedCamera
) -> None:
    process, token = hub
    client = HubAdviceClient(
        hub_url=process.url,
        token=token,
        kiosk_id=KIOSK_ID,
        loop=engine.loop,
        camera=camera,
        connect_timeout=1.0,
        request_timeout=2.0,
    )
    client.open()

    async def scenario() -> float:
        await eventually(lambda: now(client.hub_connected), "the kiosk to reach the hub")
        async with advisor_console(process.url) as (page, problems):
            await page.click("#set-available")
            await page.wait_for_selector("#set-available[aria-pressed=true]")
            client.start(VIRKA, "fi")
            await page.wait_for_selector("#accept", state="visible", timeout=DEADLINE * 1000)
            await page.click("#accept")
            await eventually(
                lambda: now(client.status.phase is AdvicePhase.CONNECTED), "the kiosk connected"
            )
            connected_at = time.monotonic()
            call = client.status.call
            await both_receive(client, page, 10, "video both ways")

            process.signal(signal.SIGKILL)  # no goodbye from the hub at all
            process.wait()
            await eventually(lambda: now(client.resuming), "the kiosk to keep the call")
            await page.wait_for_selector("body[data-socket=closed]")
            # The hub is gone; the media, peer to peer, is not.
            await both_receive(client, page, 15, "video both ways while no hub runs")
            assert client.status.phase is AdvicePhase.CONNECTED and client.status.call == call
            assert await in_call(page)()

            process.start()  # the same port and database
            await eventually(
                lambda: now(client.hub_connected and not client.resuming),
                "the kiosk to resume the call",
            )
            await page.wait_for_selector("body[data-socket=open]", timeout=DEADLINE * 1000)
            await eventually(
                lambda: page.evaluate("window.consoleState.resuming === null"),
                "the console to resume the call",
            )
            assert client.status.phase is AdvicePhase.CONNECTED and client.status.call == call
            assert await in_call(page)()
            await both_receive(client, page, 30, "video both ways after the restart")

            hung_up_at = time.monotonic()
            await page.click("#hang-up")
            await eventually(
                lambda: now(client.status.phase is AdvicePhase.ENDED), "the call to end"
            )
            assert client.status.reason == "advisor_hung_up" and client.status.can_rate
            assert not problems, problems
            return hung_up_at - connected_at

    try:
        talked = asyncio.run(asyncio.wait_for(scenario(), 5 * DEADLINE))
    finally:
        engine.submit(client.aclose()).result(DEADLINE)

    store = open_configured(load_config(process.config))
    try:
        [record] = store.call_records()
    finally:
        store.close()
    assert (record["outcome"], record["reason"]) == ("answered", "advisor_hung_up")
    assert record["answered_at"] is not None and record["ended_at"] is not None
    # The whole call, the time without a hub included: from before the kiosk saw it answered
    # to after the advisor hung up.
    assert int(str(record["talk_ms"])) >= talked * 1000
