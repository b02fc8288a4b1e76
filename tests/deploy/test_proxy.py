"""The reference deployment's proxy as it ships (deploy/haproxy.cfg, only its ports and
certificate changed) in front of two real `kiosk-hub serve` instances on one private
PostgreSQL, each configured from deploy/hub.toml with the URL as deploy/kiosk-hub.env gives it.

Through the proxy's TLS: a request reaches a hub, a kiosk's /ws/kiosk opens, plain HTTP is sent
to HTTPS and /metrics is not served. With one instance stopped, requests still succeed and the
kiosk whose socket was on it opens a new one on the other; with one instance frozen (it still
accepts connections but answers nothing), the health check on /healthz takes it out.
"""

from __future__ import annotations

import asyncio
import http.client
import signal
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from hub.config import DATABASE_URL_VARIABLE
from tests.conftest import HUB_KEY
from tests.deploy.shipped import (
    HAPROXY,
    HAPROXY_PACKAGE,
    Instance,
    database_url_line,
    environment_file,
    haproxy_config,
    instance,
    self_signed,
    write_sealing_key,
)
from tests.peers import lifetime
from tests.peers.hub import wait_until
from tests.peers.postgres import PostgresServer
from tests.peers.smtp import free_port

DEADLINE = 60.0
KIOSKS = ("itakeskus-1", "kirjasto10-1")


@dataclass
class Deployment:
    instances: list[Instance]
    proxy: subprocess.Popen[bytes]
    https_port: int
    http_port: int
    tls: ssl.SSLContext
    tokens: dict[str, str]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"


@pytest.fixture
def deployment(
    tmp_path: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Deployment]:
    if not HAPROXY.is_file():
        pytest.fail(f"{HAPROXY} is missing: install {HAPROXY_PACKAGE}")
    url = postgres_server.schema_url()
    # As systemd gives each instance the shipped environment file.
    env = environment_file(database_url_line(url))
    monkeypatch.setenv(DATABASE_URL_VARIABLE, env[DATABASE_URL_VARIABLE])
    state = tmp_path / "state"
    write_sealing_key(state, bytes(HUB_KEY))
    instances = [instance(tmp_path, n, free_port(), state) for n in (1, 2)]
    tokens = {}
    for kiosk in KIOSKS:
        out = instances[0].hub.cli("kiosk", "add", kiosk, "--name", kiosk, "--location", "test")
        tokens[kiosk] = out.strip().splitlines()[-1]
    for each in instances:
        each.hub.start()
    pem, cert = self_signed(tmp_path)
    https, http = free_port(), free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(https, http, {i.number: i.port for i in instances}, pem))
    log = (tmp_path / "haproxy.log").open("wb")
    # -db: in the foreground, as systemd's haproxy.service runs it (-Ws); the rest is the file.
    proxy = lifetime.spawn([str(HAPROXY), "-db", "-f", str(config)], stdout=log, stderr=log)
    log.close()
    wait_until(lambda: listening(https, proxy, tmp_path / "haproxy.log"), "HAProxy listens")
    try:
        yield Deployment(
            instances,
            proxy,
            https,
            http,
            ssl.create_default_context(cafile=cert),
            tokens,
        )
    finally:
        lifetime.stop(proxy)
        for each in instances:
            if each.hub.process is not None:
                each.hub.process.send_signal(signal.SIGCONT)
            each.hub.stop()
        postgres_server.drop_schema(url)


def listening(port: int, proc: subprocess.Popen[bytes], log: Path) -> bool:
    if proc.poll() is not None:
        raise AssertionError(f"haproxy exited {proc.returncode}: {log.read_text()[-2000:]}")
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def headers(deployment: Deployment, kiosk: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {deployment.tokens[kiosk]}", "X-Kiosk-Id": kiosk}


async def health(session: aiohttp.ClientSession, deployment: Deployment) -> tuple[int, str]:
    async with session.get(f"{deployment.url}/healthz", ssl=deployment.tls) as response:
        return response.status, (await response.json())["status"]


async def kiosk_socket(
    session: aiohttp.ClientSession, deployment: Deployment, kiosk: str
) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(
        f"wss://127.0.0.1:{deployment.https_port}/ws/kiosk",
        headers=headers(deployment, kiosk),
        ssl=deployment.tls,
    )
    hello = await ws.receive_json(timeout=DEADLINE)
    assert hello["type"] == "hello", hello
    return ws


def test_through_the_proxys_tls_a_request_reaches_a_hub_and_a_kiosks_socket_opens(
    deployment: Deployment,
) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{deployment.url}/healthz", ssl=deployment.tls) as response:
                assert (response.status, await response.json()) == (200, {"status": "ok"})
                assert "max-age" in response.headers["Strict-Transport-Security"]
            # A kiosk's own API call, with its token, through the proxy.
            kiosk = KIOSKS[0]
            async with session.post(
                f"{deployment.url}/api/kiosk/hello",
                headers=headers(deployment, kiosk),
                ssl=deployment.tls,
            ) as response:
                assert response.status == 200, await response.text()
            ws = await kiosk_socket(session, deployment, kiosk)
            await ws.close()
            # /metrics is each instance's own, scraped on its port: not through the proxy.
            async with session.get(f"{deployment.url}/metrics", ssl=deployment.tls) as response:
                assert response.status == 404
            async with session.get(
                f"http://127.0.0.1:{deployment.http_port}/call?x=1", allow_redirects=False
            ) as response:
                assert response.status == 301
                assert response.headers["Location"].startswith("https://")

    asyncio.run(scenario())


def test_with_one_instance_stopped_requests_succeed_and_its_kiosk_reconnects_to_the_other(
    deployment: Deployment,
) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            # leastconn puts the second socket on the instance without one.
            sockets = {kiosk: await kiosk_socket(session, deployment, kiosk) for kiosk in KIOSKS}
            await asyncio.to_thread(deployment.instances[0].hub.stop)
            # At once, before any health check has noticed: a request that meets the stopped
            # instance's closed port is sent to the other.
            answers = [await health(session, deployment) for _ in range(20)]
            assert answers == [(200, "ok")] * 20
            # Exactly one kiosk's socket was on the stopped instance: closed with 1001 (going
            # away), as the hub closes its sockets when it stops in order.
            closed = await asyncio.gather(*(ended(ws) for ws in sockets.values()))
            assert sorted(closed, key=str) == sorted([None, 1001], key=str), closed
            [lost] = [kiosk for kiosk, code in zip(sockets, closed, strict=True) if code]
            again = await kiosk_socket(session, deployment, lost)
            for ws in [again, *sockets.values()]:
                await ws.close()

    asyncio.run(scenario())


async def ended(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    """The close code of a socket that ends within a few seconds; None if it stays open."""
    try:
        while True:
            message = await ws.receive(timeout=5)
            if message.type == aiohttp.WSMsgType.CLOSE:
                return int(message.data)  # the code the hub sent
            if message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                return ws.close_code
    except TimeoutError:
        return None


def test_an_instance_that_stops_answering_is_taken_out_by_the_health_check(
    deployment: Deployment,
) -> None:
    """A frozen instance still accepts connections, so only the health check can tell."""
    frozen = deployment.instances[0].hub.process
    assert frozen is not None
    frozen.send_signal(signal.SIGSTOP)

    def answered_in_a_row(count: int) -> bool:
        for _ in range(count):
            connection = http.client.HTTPSConnection(
                "127.0.0.1", deployment.https_port, context=deployment.tls, timeout=10
            )
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status != 200:
                    return False
            except TimeoutError:
                return False  # it went to the frozen one: not yet taken out
            finally:
                connection.close()
        return True

    try:
        wait_until(lambda: answered_in_a_row(20), "20 requests in a row answered")
    finally:
        frozen.send_signal(signal.SIGCONT)
