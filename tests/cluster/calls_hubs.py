"""What the call tests of several hub instances share: two `kiosk-hub serve` on one PostgreSQL
schema (tests/cluster/hubs.py) with both lines open all week, which instance hosts the
switchboard (asked of PostgreSQL: who holds its lock), and a protocol client for a kiosk's
socket."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.cluster.hubs import HubCluster, Instance
from tests.peers.postgres import PostgresServer
from tests.video.resilience_peers import ALL_WEEK, NEUVONTA, VIRKA

ADVISORS = {VIRKA: ("anna", "carl"), NEUVONTA: ("ben",)}


def call_cluster(postgres: PostgresServer, folder: Path, *, extra: str = "") -> HubCluster:
    """Two instances (not started): Virka-info answered by anna and carl, Kansalaisneuvonta
    by ben, both open all week."""
    lines = ""
    for line, advisors in ADVISORS.items():
        names = ", ".join(f'"{a}"' for a in advisors)
        lines += f"\n[lines.{line}]\nadvisors = [{names}]\n[lines.{line}.hours]\n{ALL_WEEK}\n"
    return HubCluster.make(postgres, folder, extra=f"{extra}\n{lines}")


def hosting(cluster: HubCluster, timeout: float = 30.0) -> Instance:
    """The instance whose switchboard is in charge: the one whose connection holds the
    switchboard's advisory lock (its application_name names the instance)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = cluster.rows(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted"
            " AND a.application_name LIKE 'kiosk-hub switchboard %%'"
        )
        if rows:
            instance = str(rows[0]["application_name"]).rsplit(" ", 1)[-1]
            [seen] = cluster.rows("SELECT address FROM hub_instances WHERE id = %s", [instance])
            port = int(str(seen["address"]).rsplit(":", 1)[-1])
            return next(hub for hub in cluster.hubs if hub.port == port)
        if time.monotonic() > deadline:
            raise AssertionError("no hub instance hosts the switchboard")
        time.sleep(0.1)


class Caller:
    """A kiosk's or an advisor's socket speaking docs/call-protocol.md, as a test drives it."""

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse):
        self.session = session
        self.ws = ws
        self.seen: list[dict[str, Any]] = []

    @classmethod
    async def connect(cls, base: str, kiosk_id: str, token: str) -> Caller:
        session = aiohttp.ClientSession()
        headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}
        ws = await session.ws_connect(f"{base}/ws/kiosk", headers=headers, heartbeat=None)
        caller = cls(session, ws)
        await caller.expect("hello")
        return caller

    @classmethod
    async def advisor(cls, base: str, username: str, password: str) -> Caller:
        """An advisor logged in through the hub's form, on /ws/advisor."""
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        form = {"username": username, "password": password}
        async with session.post(f"{base}/login", data=form, allow_redirects=False) as response:
            assert response.status == 303, await response.text()
        ws = await session.ws_connect(
            f"{base}/ws/advisor", headers={"Origin": base}, heartbeat=None
        )
        advisor = cls(session, ws)
        await advisor.expect("hello")
        return advisor

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(message))

    async def expect(self, kind: str, timeout: float = 30.0, **fields: Any) -> dict[str, Any]:
        """The next message of `kind` (with `fields`), skipping others."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + timeout
        while True:
            left = give_up - loop.time()
            assert left > 0, f"no {kind} {fields} in time; seen {self.seen[-5:]}"
            frame = await self.ws.receive(timeout=left)
            assert frame.type is aiohttp.WSMsgType.TEXT, f"socket ended: {frame}"
            message: dict[str, Any] = json.loads(frame.data)
            self.seen.append(message)
            if message.get("type") == kind and all(message.get(k) == v for k, v in fields.items()):
                return message

    async def close(self) -> None:
        await self.ws.close()
        await self.session.close()

    async def lose(self) -> None:
        """The socket dies without a close frame (the instance it was on was killed)."""
        await self.session.close()


async def line_status(base: str, kiosk_id: str, token: str, line: str) -> dict[str, Any]:
    """A line's status as `/api/lines` gives it to a kiosk at `base`."""
    headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{base}/api/lines", headers=headers) as response,
    ):
        assert response.status == 200, await response.text()
        listed = await response.json()
    [found] = [entry for entry in listed["lines"] if entry["id"] == line]
    status: dict[str, Any] = found["status"]
    return status
