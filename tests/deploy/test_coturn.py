"""coturn with deploy/turnserver.conf as it ships (its ports, certificate paths and the secret's
placeholder changed) accepts the TURN credentials the hub mints from that secret, over UDP and
over TLS, and refuses credentials minted from another secret or expired ones.

The TURN client is aioice's (the library under the kiosk's aiortc): an Allocate that succeeds
is a relay a kiosk or an advisor's browser could use.
"""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aioice.turn import create_turn_endpoint

from hub.calls.ice import TurnServer
from tests.deploy.shipped import DEPLOY, replaced, self_signed
from tests.peers import lifetime
from tests.peers.hub import wait_until
from tests.peers.smtp import free_port

TURNSERVER = Path("/usr/bin/turnserver")
SECRET = "a-test-secret-of-the-deployment-0123"
PLACEHOLDER = "CHANGE-ME-static-auth-secret-of-coturn"


@dataclass
class Coturn:
    udp_port: int
    tls_port: int
    tls: ssl.SSLContext
    relay_ports: range


def coturn_config(port: int, tls_port: int, relay: int, cert: Path, key: Path) -> str:
    return replaced(
        (DEPLOY / "turnserver.conf").read_text(),
        {
            "listening-port=3478\n": f"listening-port={port}\n",
            "tls-listening-port=5349\n": f"tls-listening-port={tls_port}\n",
            "min-port=49152\n": f"min-port={relay}\n",
            "max-port=65535\n": f"max-port={relay + 20}\n",
            "/etc/coturn/certs/turn.pem": str(cert),
            "/etc/coturn/certs/turn.key": str(key),
            f"static-auth-secret={PLACEHOLDER}": f"static-auth-secret={SECRET}",
        },
        "deploy/turnserver.conf",
    )


@pytest.fixture
def coturn(tmp_path: Path) -> Iterator[Coturn]:
    if not TURNSERVER.is_file():
        pytest.fail(f"{TURNSERVER} is missing: install coturn (apt-get install coturn)")
    _pem, cert = self_signed(tmp_path)
    key = tmp_path / "key.pem"
    udp, tls = free_port(), free_port()
    config = tmp_path / "turnserver.conf"
    relay = 40000 + udp % 20000
    config.write_text(coturn_config(udp, tls, relay, cert, key))
    log = (tmp_path / "coturn.log").open("wb")
    proc = lifetime.spawn(
        # As Debian's coturn.service runs it: `turnserver -c /etc/turnserver.conf --pidfile=`.
        [str(TURNSERVER), "-c", str(config), "--pidfile="],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()

    def ready() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"turnserver exited: {(tmp_path / 'coturn.log').read_text()}")
        return "Total General servers" in (tmp_path / "coturn.log").read_text(errors="replace")

    wait_until(ready, "coturn is listening")
    try:
        yield Coturn(udp, tls, ssl.create_default_context(cafile=cert), range(relay, relay + 21))
    finally:
        lifetime.stop(proc)


class _Endpoint(asyncio.DatagramProtocol):
    """Knows when its TURN transport has let go of its allocation and its socket."""

    def __init__(self) -> None:
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def allocate(
    coturn: Coturn, credentials: dict[str, str], *, over_tls: bool = False
) -> tuple[str, int]:
    """The relayed address coturn allocated for these credentials; raises when refused."""
    transport, protocol = await create_turn_endpoint(
        _Endpoint,
        server_addr=("127.0.0.1", coturn.tls_port if over_tls else coturn.udp_port),
        username=credentials["username"],
        password=credentials["credential"],
        ssl=coturn.tls if over_tls else None,
        transport="tcp" if over_tls else "udp",
    )
    try:
        relayed: tuple[str, int] = transport.get_extra_info("sockname")
        return relayed
    finally:
        # The TURN transport closes in a task of its own (the allocation deleted, then its
        # socket closed): wait for it, or asyncio.run cancels that task as it ends and the
        # TLS socket is left open (a ResourceWarning in whichever test collects it). A TLS
        # socket's close is a shutdown exchange with coturn: give it a moment after.
        transport.close()
        await asyncio.wait_for(protocol.closed, 10)
        if over_tls:
            await asyncio.sleep(0.5)


def minted(secret: str, peer: str, at: datetime) -> dict[str, str]:
    return TurnServer("turn:turn.test", secret=secret).for_peer(peer, at)


def test_coturn_relays_for_the_credentials_the_hub_mints(coturn: Coturn) -> None:
    now = datetime.now(UTC)
    # The relayed address is one of the configured relay ports.
    _host, port = asyncio.run(allocate(coturn, minted(SECRET, "itakeskus-1", now)))
    assert port in coturn.relay_ports
    _host, port = asyncio.run(allocate(coturn, minted(SECRET, "anna", now), over_tls=True))
    assert port in coturn.relay_ports


def test_coturn_refuses_another_secrets_and_expired_credentials(coturn: Coturn) -> None:
    now = datetime.now(UTC)
    wrong = minted("another-secret-0123456789abcdef", "itakeskus-1", now)
    expired = minted(SECRET, "itakeskus-1", now - timedelta(hours=13))
    for credentials in (wrong, expired):
        with pytest.raises(Exception, match="401"):
            asyncio.run(allocate(coturn, credentials))
