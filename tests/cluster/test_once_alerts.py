"""An alert opened once and mailed once, whichever hub instances see its condition: two
`kiosk-hub serve` processes on one PostgreSQL, aiosmtpd as the relay."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.cluster.hubs import HubCluster
from tests.peers.hub import wait_until
from tests.peers.postgres import PostgresServer
from tests.peers.smtp import SmtpSink, free_port

KIOSK = "library-1"


def beat(attention: str, code: str | None) -> dict[str, Any]:
    """A heartbeat as kiosk-agent sends it, its printer in the state given."""
    return {
        "sent_at": "2026-12-07T08:00:00Z",
        "app": {"state": "running", "since": "2026-12-07T07:00:00Z", "version": "0.9"},
        "agent_version": "0.9",
        "session_active": False,
        "devices": {
            "printer": {"state": "degraded", "attention": attention, "code": code, "since": None}
        },
        "disk": {"free_bytes": 10**10, "total_bytes": 6 * 10**10},
        "memory": {"available_bytes": 2 * 10**9, "total_bytes": 8 * 10**9},
        "uptime_seconds": 3600,
        "last_self_test": None,
    }


async def send_beat(session: aiohttp.ClientSession, url: str, token: str, body: object) -> None:
    response = await session.post(
        f"{url}/api/kiosk/heartbeat",
        data=json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "X-Kiosk-Id": KIOSK,
            "Content-Type": "application/json",
        },
    )
    assert response.status == 200, await response.text()


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    relay = SmtpSink(free_port())
    relay.start()
    yield relay
    relay.stop()


def test_a_condition_both_instances_see_opens_one_alert_and_one_mail(
    postgres_server: PostgresServer, tmp_path: Path, sink: SmtpSink
) -> None:
    cluster = HubCluster.make(
        postgres_server,
        tmp_path,
        extra=(
            f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\n'
            "allow_plain_smtp_to_loopback = true\n"
            '[email]\nsender = "kioski@kirjasto.example.fi"\n'
            '[alerts]\nnotify_maintenance = ["huolto@example.fi"]\n'
        ),
    )
    try:
        cluster.start()
        token = cluster.enroll(KIOSK)
        urls = [hub.url for hub in cluster.hubs]

        async def both(body: object, rounds: int) -> None:
            # Each round: the same heartbeat to both instances at once (a kiosk's agent
            # retrying through the other instance, or two agents' views of one device).
            async with aiohttp.ClientSession() as session:
                for _ in range(rounds):
                    await asyncio.gather(*(send_beat(session, url, token, body) for url in urls))

        asyncio.run(both(beat("maintenance", "toner-empty"), 5))
        alerts = cluster.rows("SELECT id, code, cleared_at, notified_at FROM alerts")
        assert [(row["code"], row["cleared_at"]) for row in alerts] == [("toner-empty", None)]
        wait_until(
            lambda: cluster.rows("SELECT notified_at FROM alerts")[0]["notified_at"] is not None,
            "the alert is mailed",
        )
        assert len(sink.received) == 1
        rcpt, content = sink.received[0]
        assert rcpt == ["huolto@example.fi"] and b"toner-empty" in content

        # The device is fine again, said to the instance that did not open the alert (or did):
        # either clears it, once its copy of the open alerts has it.
        async def fine_until_cleared() -> None:
            deadline = time.monotonic() + 60
            async with aiohttp.ClientSession() as session:
                while cluster.rows("SELECT id FROM alerts WHERE cleared_at IS NULL"):
                    assert time.monotonic() < deadline, "the alert was never cleared"
                    for url in urls:
                        await send_beat(session, url, token, beat("none", None))
                    await asyncio.sleep(0.5)

        asyncio.run(fine_until_cleared())
        # Seen again: a new alert, mailed once more (the first stays cleared).
        asyncio.run(both(beat("maintenance", "toner-empty"), 3))
        wait_until(lambda: len(sink.received) == 2, "the new alert is mailed")
        rows = cluster.rows("SELECT cleared_at FROM alerts ORDER BY id")
        assert [row["cleared_at"] is None for row in rows] == [False, True]
    finally:
        cluster.drop()
