"""The instance hosting the switchboard dies (SIGKILL) with a call in progress and three callers
waiting; the other instance takes the switchboard over from what the host saved.

Four kiosks are connected to instance A, which hosts the switchboard; the advisor is connected
to instance B. A is killed: the kiosks' sockets die with it, they connect again to B and ask
for their calls back (`resume`), in the reverse of their queue order: each is told its old
place. The call in progress goes on (its media is peer to peer; the advisor's socket never
closed), ends when the advisor hangs up, and its record is written once, answered before the
failure and ended after it. The next caller is then rung.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from tests.cluster.calls_hubs import Caller, call_cluster, hosting
from tests.cluster.hubs import HubCluster
from tests.hub.conftest import PASSWORD
from tests.peers.postgres import PostgresServer
from tests.video.resilience_peers import VIRKA

KIOSKS = ("k1", "k2", "k3", "k4")


async def _saved(cluster: HubCluster, calls: set[str]) -> None:
    """Wait until the host's saved snapshot holds `calls` (it saves within a fraction of a
    second of a change)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 30
    while True:
        rows = await asyncio.to_thread(
            cluster.rows, "SELECT value FROM switchboard_state WHERE name = 'snapshot'"
        )
        if rows:
            saved = json.loads(rows[0]["value"])["switchboard"]
            if {call["id"] for call in saved["calls"]} == calls:
                return
        assert loop.time() < give_up, f"the snapshot never held {calls}: {rows}"
        await asyncio.sleep(0.1)


def test_the_host_killed_mid_call_loses_no_place_in_the_queue_and_records_the_call_once(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    cluster = call_cluster(postgres_server, tmp_path)
    try:
        cluster.start()
        a = hosting(cluster)
        [b] = [hub for hub in cluster.hubs if hub is not a]
        cluster.add_user("anna", "advisor", PASSWORD)
        tokens = {kiosk: cluster.enroll(kiosk) for kiosk in KIOSKS}
        killed_at: datetime | None = None

        async def scenario() -> str:
            nonlocal killed_at
            anna = await Caller.advisor(b.url, "anna", PASSWORD)
            await anna.send({"type": "available", "available": True})
            await anna.expect("queue", line=VIRKA)
            kiosks = {k: await Caller.connect(a.url, k, tokens[k]) for k in KIOSKS}

            await kiosks["k1"].send({"type": "call", "line": VIRKA, "language": "fi"})
            rung = await anna.expect("ringing")
            talking = rung["call"]
            await anna.send({"type": "accept", "call": talking})
            await kiosks["k1"].expect("connected", call=talking)
            await anna.expect("connected", call=talking)
            waiting: dict[str, str] = {}
            for position, k in enumerate(KIOSKS[1:], start=1):
                await kiosks[k].send({"type": "call", "line": VIRKA, "language": "fi"})
                queued = await kiosks[k].expect("queued", position=position)
                waiting[k] = queued["call"]
            await _saved(cluster, {talking, *waiting.values()})

            killed_at = datetime.now(UTC)
            cluster.kill(a.index)
            for caller in kiosks.values():
                await caller.lose()
            assert await asyncio.to_thread(hosting, cluster) is b
            # The advisor's socket, on B all along, gets the call back without asking.
            await anna.expect("resumed", call=talking)

            # The callers come back through B, the last in the queue first.
            back: dict[str, Caller] = {}
            for k in reversed(KIOSKS[1:]):
                back[k] = await Caller.connect(b.url, k, tokens[k])
                await back[k].send({"type": "resume", "call": waiting[k]})
            for position, k in enumerate(KIOSKS[1:], start=1):
                await back[k].expect("queued", call=waiting[k], position=position)
            back["k1"] = await Caller.connect(b.url, "k1", tokens["k1"])
            await back["k1"].send({"type": "resume", "call": talking})
            await back["k1"].expect("resumed", call=talking)
            await anna.expect("peer_back", call=talking)

            await anna.send({"type": "hang_up", "call": talking})
            ended = await back["k1"].expect("ended", call=talking)
            assert ended["reason"] == "advisor_hung_up"
            # The first of the waiting callers is rung next.
            await anna.expect("ringing", call=waiting["k2"])
            for caller in [anna, *back.values()]:
                await caller.close()
            return talking

        talking = asyncio.run(scenario())

        records = cluster.rows("SELECT * FROM call_records")
        [record] = [r for r in records if r["id"] == talking]
        assert (record["outcome"], record["reason"], record["kiosk_id"]) == (
            "answered",
            "advisor_hung_up",
            "k1",
        )
        assert killed_at is not None
        answered = datetime.fromisoformat(str(record["answered_at"]).replace("Z", "+00:00"))
        ended = datetime.fromisoformat(str(record["ended_at"]).replace("Z", "+00:00"))
        assert answered < killed_at < ended, (answered, killed_at, ended)
        assert record["talk_ms"] > 0
    finally:
        cluster.drop()
