"""Video advice when a part of it fails: the hub restarted or killed, the kiosk's process killed
or frozen mid-call, an advisor's browser gone silent. All parts are real: the hub is
`python -m hub serve` as its own process (or `make_app` on the test's loop where its heartbeat
is shortened), the kiosk's call client is `HubAdviceClient` (in the test's engine or as its own
process, tests/video/kiosk_process.py), the advisor a logged-in WebSocket as the console's.

No test asserts how long anything took: each waits, with a generous deadline, for what a
citizen or an advisor would see happen.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from hub import accounts
from hub.app import make_app
from hub.calls.desk import DESK
from hub.config import load_config
from hub.store import HubStore, open_configured
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.advice import AdvicePhase, AdviceStatus
from kiosk.video.hub_client import HubAdviceClient, HubUnavailable
from tests.conftest import MakeCamera
from tests.hub.conftest import QUICK_HASHER, FixedClock
from tests.video.conftest import DEADLINE, eventually
from tests.video.resilience_peers import (
    KIOSK_ID,
    NEUVONTA,
    VIRKA,
    Advisor,
    HubProcess,
    KioskProcess,
    free_port,
    write_hub,
)

#: The hub's and the kiosk's ping interval in these tests: short, so that a silent end is
#: noticed soon; the product's is 20 s on both sides.
HEARTBEAT = 1.0
#: How long a call is kept for a party whose socket was lost, here; the product's is 30 s.
RESUME = 2


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", QUICK_HASHER)


@pytest.fixture
def camera(make_camera: MakeCamera) -> SimulatedCamera:
    return make_camera(320, 240, 15, streaming=False)


@dataclass
class Hub:
    process: HubProcess
    token: str


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    """The hub as its own process on a fixed port; `process.start()` again after a stop."""
    port = free_port()
    path, token = write_hub(tmp_path / "hub", port, hub_keys=f"resume_seconds = {RESUME}\n")
    process = HubProcess(path, port, tmp_path / "hub.log")
    process.start()
    try:
        yield Hub(process, token)
    finally:
        process.stop()


def kiosk_client(engine: Engine, hub: Hub, camera: SimulatedCamera | None) -> HubAdviceClient:
    return HubAdviceClient(
        hub_url=hub.process.url,
        token=hub.token,
        kiosk_id=KIOSK_ID,
        loop=engine.loop,
        camera=camera,
        connect_timeout=1.0,
        request_timeout=2.0,
        backoff=(0.2, 0.5, 1.0),
        heartbeat=HEARTBEAT,
        resume_seconds=RESUME,
    )


def run(client: HubAdviceClient, engine: Engine, scenario: Callable[[], Awaitable[None]]) -> None:
    try:
        asyncio.run(asyncio.wait_for(scenario(), 5 * DEADLINE))
    finally:
        engine.submit(client.aclose()).result(DEADLINE)


async def now(value: bool) -> bool:
    return value


def is_(client: HubAdviceClient, phase: AdvicePhase) -> Callable[[], Awaitable[bool]]:
    return lambda: now(client.status.phase is phase)


# ---- the hub goes away and comes back --------------------------------------------------------


def test_an_idle_kiosk_finds_a_restarted_hub_by_itself(engine: Engine, hub: Hub) -> None:
    client = kiosk_client(engine, hub, camera=None)
    seen: list[AdviceStatus] = []
    client.subscribe(seen.append)
    client.open()

    async def scenario() -> None:
        await eventually(lambda: now(client.hub_connected), "the kiosk to reach the hub")
        assert client.status.phase is AdvicePhase.IDLE

        hub.process.signal(signal.SIGTERM)
        hub.process.wait()
        await eventually(is_(client, AdvicePhase.UNAVAILABLE), "the kiosk to say unavailable")
        assert not client.hub_connected
        assert "hub_lost" in [s.reason for s in seen]
        # While the hub is down, asking for the lines or for a call is refused, not left hanging.
        with pytest.raises(HubUnavailable):
            await asyncio.wait_for(asyncio.wrap_future(client.refresh_lines()), DEADLINE)
        first = len(seen)
        client.start(VIRKA, "fi")
        await eventually(
            lambda: now(any(s.reason == "hub_unreachable" for s in seen[first + 1 :])),
            "the call to be refused as unreachable",
        )
        assert [s.phase for s in seen[first:]][:1] == [AdvicePhase.REQUESTING]
        assert await is_(client, AdvicePhase.UNAVAILABLE)()

        hub.process.start()  # a new hub on the same port and database
        await eventually(
            lambda: now(client.hub_connected and client.status.phase is AdvicePhase.IDLE),
            "the kiosk to reconnect by itself",
        )
        assert [line.id for line in client.lines()] == [VIRKA, NEUVONTA]
        anna = await Advisor.log_in(hub.process.url, "anna")
        try:
            client.start(VIRKA, "fi")
            await eventually(is_(client, AdvicePhase.QUEUED), "the call to be queued")
            ring = await anna.expect("ringing")
            assert ring["call"] == client.status.call
        finally:
            await anna.close()

    run(client, engine, scenario)


def test_a_call_under_way_ends_on_the_kiosk_when_the_hub_stays_dead_past_the_grace(
    engine: Engine, hub: Hub, camera: SimulatedCamera
) -> None:
    """The kiosk keeps the call while it tries to resume it (tests/video/test_resume_*.py);
    a hub that is not back within resume_seconds ends it on the kiosk."""
    client = kiosk_client(engine, hub, camera)
    client.open()

    async def scenario() -> None:
        await eventually(lambda: now(client.hub_connected), "the kiosk to reach the hub")
        anna = await Advisor.log_in(hub.process.url, "anna")
        try:
            client.start(VIRKA, "fi")
            ring = await anna.expect("ringing")
            await anna.send({"type": "accept", "call": ring["call"]})
            await anna.expect("offer", call=ring["call"])  # the kiosk's peer is up
            assert client.status.phase is AdvicePhase.CONNECTED
            assert client.receive_stats() is not None

            hub.process.signal(signal.SIGKILL)  # no goodbye from the hub at all
            hub.process.wait()
            await eventually(lambda: now(client.resuming), "the kiosk to keep the call a while")
            assert client.status.phase is AdvicePhase.CONNECTED
            await eventually(is_(client, AdvicePhase.UNAVAILABLE), "the call to end on the kiosk")
            assert not client.resuming
            assert client.status.reason == "hub_lost"
            assert client.receive_stats() is None  # the peer is closed
        finally:
            await anna.close()

        hub.process.start()
        await eventually(is_(client, AdvicePhase.IDLE), "the kiosk to be ready again")

    run(client, engine, scenario)


def test_a_kiosk_notices_a_frozen_hub_and_comes_back_with_it(engine: Engine, hub: Hub) -> None:
    """A hub that keeps its sockets but stops answering (SIGSTOP): the kiosk's pings go
    unanswered, so it counts the hub as gone; thawed, the hub is found again."""
    client = kiosk_client(engine, hub, camera=None)
    client.open()

    async def scenario() -> None:
        await eventually(lambda: now(client.hub_connected), "the kiosk to reach the hub")
        hub.process.signal(signal.SIGSTOP)
        try:
            await eventually(is_(client, AdvicePhase.UNAVAILABLE), "the kiosk to give up the hub")
            assert not client.hub_connected
        finally:
            hub.process.signal(signal.SIGCONT)
        await eventually(
            lambda: now(client.hub_connected and client.status.phase is AdvicePhase.IDLE),
            "the kiosk to find the hub again",
        )

    run(client, engine, scenario)


# ---- the kiosk or the advisor goes away mid-call ---------------------------------------------


@dataclass
class LocalHub:
    url: str
    token: str
    store: HubStore


async def serve_hub(folder: Path) -> tuple[web.AppRunner, LocalHub]:
    """The hub's app on the test's loop, its heartbeat shortened to HEARTBEAT."""
    path, token = write_hub(folder, free_port(), hub_keys=f"resume_seconds = {RESUME}\n")
    config = load_config(path)
    store = open_configured(config)
    app = make_app(config, store, clock=FixedClock())
    app[DESK].heartbeat_s = HEARTBEAT
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, LocalHub(f"http://127.0.0.1:{runner.addresses[0][1]}", token, store)


Scenario = Callable[[LocalHub, Advisor, KioskProcess, str], Awaitable[None]]


def in_a_call(tmp_path: Path, scenario: Scenario) -> None:
    """A kiosk process in a call answered by anna, then `scenario(hub, anna, kiosk, call)`."""

    async def main() -> None:
        runner, hub = await serve_hub(tmp_path / "hub")
        anna: Advisor | None = None
        kiosk: KioskProcess | None = None
        try:
            anna = await Advisor.log_in(hub.url, "anna")
            kiosk = await KioskProcess.start(hub.url, hub.token, heartbeat=HEARTBEAT)
            await kiosk.tell(f"call {VIRKA} fi")
            call = (await anna.expect("ringing"))["call"]
            await anna.send({"type": "accept", "call": call})
            await anna.expect("connected", call=call)
            await anna.expect("offer", call=call)
            said = await kiosk.until(lambda m: m.get("phase") == "connected", "the call")
            assert said["peer"] and said["call"] == call
            await scenario(hub, anna, kiosk, call)
        finally:
            if kiosk is not None:
                await kiosk.kill()
            if anna is not None:
                await anna.close()
            await runner.cleanup()
            hub.store.close()

    asyncio.run(asyncio.wait_for(main(), 5 * DEADLINE))


def test_a_kiosk_killed_mid_call_ends_the_call_for_the_advisor_after_the_grace(
    tmp_path: Path,
) -> None:
    async def scenario(hub: LocalHub, anna: Advisor, kiosk: KioskProcess, call: str) -> None:
        kiosk.signal(signal.SIGKILL)
        away = await anna.expect("peer_away", call=call)  # it may come back: not yet ended
        assert (away["role"], away["resume_seconds"]) == ("kiosk", RESUME)
        assert (await anna.expect("ended", call=call))["reason"] == "kiosk_gone"
        await anna.expect_free()
        [record] = hub.store.call_records()
        assert (record["id"], record["outcome"], record["reason"]) == (
            call,
            "kiosk_gone",
            "kiosk_gone",
        )

    in_a_call(tmp_path, scenario)


def test_a_frozen_kiosk_is_let_go_by_its_heartbeat_and_ends_its_call_when_thawed(
    tmp_path: Path,
) -> None:
    """SIGSTOP: the kiosk's TCP connection stays up (the kernel still acknowledges), but
    nothing answers the hub's pings, as when a network drops without a word."""

    async def scenario(hub: LocalHub, anna: Advisor, kiosk: KioskProcess, call: str) -> None:
        kiosk.signal(signal.SIGSTOP)
        await anna.expect("peer_away", call=call)
        assert (await anna.expect("ended", call=call))["reason"] == "kiosk_gone"
        await anna.expect_free()
        [record] = hub.store.call_records()
        assert record["outcome"] == "kiosk_gone"
        before = len(kiosk.said)
        kiosk.signal(signal.SIGCONT)
        # Thawed, it asks for its call back and hears that it ended (or, before it has a new
        # socket, gives up on its own once its grace is over).
        over = await kiosk.until(
            lambda m: m.get("phase") in ("ended", "unavailable"), "the end", before
        )
        assert over["reason"] in ("kiosk_gone", "hub_lost") and not over["peer"]
        if over["phase"] == "unavailable":
            await kiosk.until(lambda m: m.get("phase") == "idle" and m["hub"], "back", before)
        else:
            assert over["hub"]  # it heard so over its new socket

    in_a_call(tmp_path, scenario)


def test_a_silent_advisor_is_let_go_and_the_kiosk_is_told(tmp_path: Path) -> None:
    async def scenario(hub: LocalHub, anna: Advisor, kiosk: KioskProcess, call: str) -> None:
        anna.freeze()
        ended = await kiosk.until(lambda m: m.get("phase") == "ended", "the call to end")
        assert (ended["reason"], ended["peer"], ended["call"]) == ("advisor_gone", False, call)
        [record] = hub.store.call_records()
        assert (record["outcome"], record["reason"]) == ("advisor_gone", "advisor_gone")

    in_a_call(tmp_path, scenario)
