"""The kiosk's call peer uses the TURN credentials of the hub's `connected`, not the hello's.

The real hub (make_app, on a thread of its own) holds a TURN secret and mints credentials; the
kiosk is the real `HubAdviceClient` with a simulated camera; the advisor answers from a WebSocket.
The TURN server is a UDP socket of the test speaking just enough of it (RFC 8656): it asks for
credentials (401 with a realm and a nonce), then reads the USERNAME of the kiosk's signed
Allocate and checks its MESSAGE-INTEGRITY against the credential coturn would derive from the
secret, computed here independently. It then refuses the allocation, so the call goes on with
host candidates.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aioice import stun
from aioice.turn import make_integrity_key

from hub.config import load_config
from hub.store import open_configured
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.advice import AdvicePhase
from kiosk.video.hub_client import HubAdviceClient
from tests.conftest import MakeCamera
from tests.hub.conftest import MONDAY_MORNING, FixedClock, add_kiosk, add_user
from tests.video.conftest import DEADLINE, RunningHub, eventually, hub_on_thread
from tests.video.resilience_peers import KIOSK_ID, VIRKA, Advisor, free_port

SECRET = "shared-with-coturn-0123456789"
REALM = "turn.test"


def coturn_password(username: str) -> str:
    """What coturn's use-auth-secret expects as the password of `username`."""
    mac = hmac.new(SECRET.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


class TurnServer(asyncio.DatagramProtocol):
    """Answers Allocate requests: 401 to an unsigned one, 403 (signed) to a signed one, whose
    username is kept in `usernames` with whether its signature matched coturn's password."""

    def __init__(self) -> None:
        self.usernames: list[tuple[str, bool]] = []
        self.transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        request = stun.parse_message(data)
        if request.message_method is not stun.Method.ALLOCATE:
            return
        reply = stun.Message(
            stun.Method.ALLOCATE, stun.Class.ERROR, transaction_id=request.transaction_id
        )
        username = request.attributes.get("USERNAME")
        if username is None:
            reply.attributes.update(
                {"ERROR-CODE": (401, "Unauthorized"), "REALM": REALM, "NONCE": b"n0nce"}
            )
            self.transport.sendto(bytes(reply), addr)
            return
        key = make_integrity_key(username, REALM, coturn_password(username))
        self.usernames.append((username, request.check_message_integrity(key)))
        reply.attributes["ERROR-CODE"] = (403, "Forbidden")
        reply.add_message_integrity(key)
        self.transport.sendto(bytes(reply), addr)


@pytest.fixture
def turn_port() -> int:
    return free_port()


@pytest.fixture
def hub(tmp_path: Path, turn_port: int) -> Iterator[RunningHub]:
    path = tmp_path / "hub.toml"
    path.write_text(
        f'[hub]\ndata_dir = "{tmp_path / "data"}"\ncookie_secure = false\n'
        f'[ice]\nturn = [{{url = "turn:127.0.0.1:{turn_port}?transport=udp", '
        f'secret = "{SECRET}"}}]\n[lines.{VIRKA}]\nadvisors = ["anna"]\n'
    )
    config = load_config(path)
    store = open_configured(config)
    add_user(store, "anna", "advisor")
    token = add_kiosk(store, KIOSK_ID)
    clock = FixedClock()
    with hub_on_thread(config, store, clock) as url:
        yield RunningHub(url, token, clock)
    store.close()


@pytest.fixture
def small_camera(make_camera: MakeCamera) -> SimulatedCamera:
    return make_camera(320, 240, 15, streaming=False)


def test_the_calls_peer_uses_the_credentials_of_connected(
    engine: Engine, hub: RunningHub, small_camera: SimulatedCamera, turn_port: int
) -> None:
    client = HubAdviceClient(
        hub_url=hub.url,
        token=hub.token,
        kiosk_id=KIOSK_ID,
        loop=engine.loop,
        camera=small_camera,
        connect_timeout=1.0,
        request_timeout=2.0,
        backoff=(0.2, 0.5),
    )
    client.open()

    async def connected() -> bool:
        return client.hub_connected

    async def ended() -> bool:
        return client.status.phase is AdvicePhase.ENDED

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        transport, turn = await loop.create_datagram_endpoint(
            TurnServer, local_addr=("127.0.0.1", turn_port)
        )
        try:
            await eventually(connected, "the kiosk to take the hub's hello")
            # An hour on, the hello's credentials differ from those a call is given.
            hub.clock.advance(hours=1)
            anna = await Advisor.log_in(hub.url, "anna")
            try:
                client.start(VIRKA, "fi")
                ring = await anna.expect("ringing")
                await anna.send({"type": "accept", "call": ring["call"]})
                await anna.expect("offer", call=ring["call"])  # the kiosk's peer has gathered
                await anna.send({"type": "hang_up", "call": ring["call"]})
                await eventually(ended, "the kiosk to close the call's peer")
            finally:
                await anna.close()
        finally:
            transport.close()
        expiry = int((MONDAY_MORNING + timedelta(hours=1)).timestamp()) + 12 * 3600
        # Every signed Allocate (one per transport the peer gathers for) had these credentials.
        assert set(turn.usernames) == {(f"{expiry}:{KIOSK_ID}", True)}

    try:
        asyncio.run(asyncio.wait_for(scenario(), 3 * DEADLINE))
    finally:
        engine.submit(client.aclose()).result(DEADLINE)
