"""A kiosk's call across two hub instances: the kiosk's own call client (kiosk.video, its WebRTC
peer on the engine loop with a simulated camera) connected to the instance that does NOT host
the switchboard, and the advisor's console in Chromium connected to the one that does. Both
`kiosk-hub serve` processes share one PostgreSQL schema. Video arrives at both ends, the
advisor hangs up, and the call's record is written once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hub import accounts
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.advice import AdvicePhase
from kiosk.video.hub_client import HubAdviceClient
from tests.cluster.calls_hubs import call_cluster, hosting
from tests.conftest import MakeCamera
from tests.hub.conftest import PASSWORD, QUICK_HASHER
from tests.peers.browser import needs_chromium
from tests.peers.console import advisor_console
from tests.peers.postgres import PostgresServer
from tests.video.call_frames import both_receive, now
from tests.video.conftest import DEADLINE, eventually
from tests.video.resilience_peers import VIRKA

pytestmark = needs_chromium

KIOSK = "k1"


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", QUICK_HASHER)


@pytest.fixture
def camera(make_camera: MakeCamera) -> SimulatedCamera:
    return make_camera(320, 240, 15, streaming=False)


def test_a_kiosk_on_one_instance_and_an_advisor_on_the_other_see_each_other(
    postgres_server: PostgresServer, tmp_path: Path, engine: Engine, camera: SimulatedCamera
) -> None:
    cluster = call_cluster(postgres_server, tmp_path)
    try:
        cluster.start()
        host = hosting(cluster)
        [other] = [hub for hub in cluster.hubs if hub is not host]
        cluster.add_user("anna", "advisor", PASSWORD)
        token = cluster.enroll(KIOSK)
        client = HubAdviceClient(
            hub_url=other.url,
            token=token,
            kiosk_id=KIOSK,
            loop=engine.loop,
            camera=camera,
            connect_timeout=2.0,
            request_timeout=5.0,
        )
        client.open()

        async def scenario() -> None:
            await eventually(lambda: now(client.hub_connected), "the kiosk to reach its hub")
            async with advisor_console(host.url) as (page, problems):
                await page.click("#set-available")
                await page.wait_for_selector("#set-available[aria-pressed=true]")
                client.start(VIRKA, "fi")
                await page.wait_for_selector("#accept", state="visible", timeout=DEADLINE * 1000)
                await page.click("#accept")
                await eventually(
                    lambda: now(client.status.phase is AdvicePhase.CONNECTED),
                    "the kiosk to be connected to the advisor",
                )
                await both_receive(client, page, 30, "video both ways across the two instances")
                await page.click("#hang-up")
                await eventually(
                    lambda: now(client.status.phase is AdvicePhase.ENDED), "the call to end"
                )
                assert client.status.reason == "advisor_hung_up"
                assert not problems, problems

        try:
            asyncio.run(asyncio.wait_for(scenario(), 5 * DEADLINE))
        finally:
            engine.submit(client.aclose()).result(DEADLINE)

        [record] = cluster.rows("SELECT * FROM call_records")
        assert (record["kiosk_id"], record["outcome"], record["reason"]) == (
            KIOSK,
            "answered",
            "advisor_hung_up",
        )
        assert record["answered_at"] is not None and int(record["talk_ms"]) > 0
    finally:
        cluster.drop()
