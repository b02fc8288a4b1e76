"""Each submission delivered once, whichever hub instance holds it: two `kiosk-hub serve`
processes on one PostgreSQL, both running their delivery workers, and aiosmtpd as the relay.

1. Thirty sealed e-mails sent to the two instances, half each, a third of them to both (a kiosk
   retrying through the other instance): each reaches the relay once, and all are delivered.
2. An instance SIGKILLed while it holds claims (its relay holds the message's DATA): the other
   instance delivers them once their lease has run out, each once.
3. The claims themselves, on two connections: each takes at most its limit and none another's;
   a claim whose lease ran out and was taken elsewhere is neither renewed nor recorded.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from aiosmtpd.smtp import Envelope
from nacl.public import PrivateKey, SealedBox

from hub.store import open_postgres
from tests.cluster.hubs import HubCluster
from tests.peers.hub import wait_until
from tests.peers.postgres import PostgresServer
from tests.peers.smtp import SmtpSink, free_port

KIOSK = "library-1"
T0, T1, T2 = "2026-12-07T08:00:00.000Z", "2026-12-07T08:00:01.000Z", "2026-12-07T08:05:01.000Z"
T3, T4 = "2026-12-07T08:05:02.000Z", "2026-12-07T08:10:02.000Z"
COMMON = (
    '[email]\nsender = "kioski@kirjasto.example.fi"\nmessages_per_kiosk_per_hour = 1000\n'
    "[delivery]\ninitial_backoff_seconds = 1\nmax_backoff_seconds = 2\n"
)


def relay(port: int) -> str:
    return f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nallow_plain_smtp_to_loopback = true\n'


def submission_id(n: int) -> str:
    return f"{n:032x}"


def sealed_email(key: PrivateKey, n: int) -> bytes:
    """An e-mail from the kiosk whose subject names its submission, sealed as the kiosk does."""
    import json

    payload = {
        "kind": "email",
        "submission_id": submission_id(n),
        "kiosk_id": KIOSK,
        "language": "fi",
        "to": ["someone@example.fi"],
        "subject": f"submission {submission_id(n)}",
        "message": "Hei.",
        "attachments": [],
        "submitted_at": "2026-12-07T08:00:00Z",
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    return bytes(SealedBox(key.public_key).encrypt(text))


async def send(session: aiohttp.ClientSession, url: str, token: str, n: int, body: bytes) -> str:
    response = await session.post(
        f"{url}/api/kiosk/submissions",
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "X-Kiosk-Id": KIOSK,
            "Content-Type": "application/octet-stream",
            "X-Submission-Id": submission_id(n),
            "X-Submission-Kind": "email",
        },
    )
    assert response.status == 200, await response.text()
    status: str = (await response.json())["status"]
    return status


def sent_subjects(sink: SmtpSink) -> Counter[str]:
    """How many messages the relay accepted per submission id."""
    counts: Counter[str] = Counter()
    for _rcpt, content in list(sink.received):
        message = email.message_from_bytes(content, policy=email.policy.default)
        counts[str(message["Subject"]).removeprefix("submission ")] += 1
    return counts


class HeldRelay(SmtpSink):
    """A relay that takes a message's DATA and then says nothing until released: an instance
    sending to it holds its claim meanwhile."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        self.holding.set()
        while not self.released.is_set():
            await asyncio.sleep(0.1)
        return "451 4.3.0 released at the end of the test"


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    relay = SmtpSink(free_port())
    relay.start()
    yield relay
    relay.stop()


def delivered(cluster: HubCluster) -> dict[str, str]:
    rows = cluster.rows("SELECT id, status FROM submissions")
    return {row["id"]: row["status"] for row in rows}


def test_each_submission_sent_to_either_instance_is_delivered_once(
    postgres_server: PostgresServer, tmp_path: Path, sink: SmtpSink
) -> None:
    cluster = HubCluster.make(
        postgres_server, tmp_path, extra=COMMON + "claim_lease_seconds = 30\n" + relay(sink.port)
    )
    try:
        cluster.start()
        token = cluster.enroll(KIOSK)
        bodies = {n: sealed_email(cluster.key, n) for n in range(30)}
        first, second = (hub.url for hub in cluster.hubs)

        async def everyone() -> list[str]:
            # A kiosk sends at most two at a time to an instance (more are told it is busy).
            at_once = {first: asyncio.Semaphore(2), second: asyncio.Semaphore(2)}
            async with aiohttp.ClientSession() as session:

                async def one(url: str, n: int) -> str:
                    async with at_once[url]:
                        return await send(session, url, token, n, bodies[n])

                sends = [one(first if n % 2 else second, n) for n in bodies]
                # A kiosk that did not hear the answer sends again, through the other one.
                sends += [one(second if n % 2 else first, n) for n in range(0, 30, 3)]
                return await asyncio.gather(*sends)

        answers = asyncio.run(everyone())
        assert Counter(answers) == {"stored": 30, "duplicate": 10}
        wait_until(
            lambda: list(delivered(cluster).values()) == ["delivered"] * 30,
            "every submission is delivered",
        )
        wanted = {submission_id(n): 1 for n in range(30)}
        assert sent_subjects(sink) == wanted
        # Both instances' workers delivered some: the once is not one worker doing it all.
        for hub in cluster.hubs:
            found = re.search(r"submission [0-9a-f]{32} delivered", hub.log.read_text())
            assert found, f"instance {hub.index} delivered none"
        assert (
            cluster.rows("SELECT count(*) AS n FROM submissions WHERE claimed_by IS NOT NULL")[0][
                "n"
            ]
            == 0
        )
    finally:
        cluster.drop()


def test_the_claims_of_a_killed_instance_are_delivered_by_the_other_after_the_lease(
    postgres_server: PostgresServer, tmp_path: Path, sink: SmtpSink
) -> None:
    held = HeldRelay(free_port())
    held.start()
    cluster = HubCluster.make(
        postgres_server,
        tmp_path,
        extra=COMMON + "claim_lease_seconds = 6\n",
        per_instance=[relay(held.port), relay(sink.port)],
    )
    try:
        cluster.start()
        token = cluster.enroll(KIOSK)
        first = cluster.hubs[0].url

        async def to_first() -> list[str]:
            async with aiohttp.ClientSession() as session:
                return [
                    await send(session, first, token, n, sealed_email(cluster.key, n))
                    for n in range(6)
                ]

        assert asyncio.run(to_first()) == ["stored"] * 6
        assert held.holding.wait(60), "the first instance never reached its relay"
        claims = cluster.rows(
            "SELECT id, claimed_by, claimed_until FROM submissions WHERE claimed_by IS NOT NULL"
        )
        cluster.kill(0)
        holders = {row["claimed_by"] for row in claims}
        assert claims and len(holders) == 1, claims
        wait_until(
            lambda: list(delivered(cluster).values()) == ["delivered"] * 6,
            "the second instance delivers what the first held",
        )
        assert sent_subjects(sink) == {submission_id(n): 1 for n in range(6)}
        # Not before the dead instance's lease ran out.
        lapsed = {row["id"]: row["claimed_until"] for row in claims}
        rows = cluster.rows("SELECT id, delivered_at FROM submissions")
        for row in rows:
            if row["id"] in lapsed:
                assert row["delivered_at"] >= lapsed[row["id"]], row
    finally:
        held.released.set()
        cluster.drop()
        held.stop()


def test_a_claim_takes_at_most_its_limit_and_a_lapsed_claim_taken_elsewhere_is_not_renewed(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.schema_url()
    first, second = open_postgres(url), open_postgres(url)
    try:
        first.add_kiosk(KIOSK, "Library", "Itäkeskus", "hash", at=T0)
        for n in range(50):
            first.submissions.add(submission_id(n), KIOSK, "email", None, b"sealed", at=T0)
        mine = first.submissions.claim_due(now=T1, lease_until=T2, by="a", limit=20)
        theirs = second.submissions.claim_due(now=T1, lease_until=T2, by="b", limit=20)
        rest = second.submissions.claim_due(now=T1, lease_until=T2, by="b", limit=20)
        assert (len(mine), len(theirs), len(rest)) == (20, 20, 10)
        assert not {r.id for r in mine} & {r.id for r in theirs + rest}
        assert second.submissions.claim_due(now=T1, lease_until=T2, by="b") == []
        # a's lease runs out before it gets to its last row; b takes them: a may not go on.
        taken = second.submissions.claim_due(now=T3, lease_until=T4, by="b", limit=50)
        assert {r.id for r in taken} == {r.id for r in mine + theirs + rest}
        assert not first.submissions.renew(mine[-1].id, by="a", until=T4)
        assert not first.submissions.delivered(mine[-1].id, at=T3, by="a")
        assert second.submissions.renew(mine[-1].id, by="b", until=T4)
        assert second.submissions.delivered(mine[-1].id, at=T3, by="b")
    finally:
        first.close()
        second.close()
        postgres_server.drop_schema(url)
