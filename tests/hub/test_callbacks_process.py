"""Callbacks through `kiosk-hub serve` as a process: a request sealed as a kiosk seals it, taken
and delivered; listed for the advisors of its line only; claimed by one advisor, who alone sees
the number; done or not reached three times, and then the database holds no contact. What the
hub cannot take is 422 and leaves nothing behind. The log names references, never a number."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from kiosk.outbox import seal
from tests.conftest import HUB_KEY
from tests.peers.hub import Hub, configured_hub, wait_until
from tests.peers.smtp import free_port

PASSWORD = "correct horse battery staple 42"
KIOSK_ID = "itakeskus-1"
PHONE = "+358401234567"
FIRST = "0123456789abcdef0123456789abcdef"
SECOND = "fedcba9876543210fedcba9876543210"
LINES = (
    '[lines.virka-info]\nadvisors = ["anna", "ben"]\n'
    '[lines.kansalaisneuvonta]\nadvisors = ["carl"]\n'
)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[Hub, str]]:
    running = configured_hub(tmp_path, bytes(HUB_KEY), free_port(), LINES)
    out = running.cli("kiosk", "add", KIOSK_ID, "--name", "Itäkeskus 1", "--location", "Itäkeskus")
    for name in ("anna", "ben", "carl"):
        running.cli("user", "add", name, "--role", "advisor", stdin=PASSWORD + "\n")
    running.start()
    try:
        yield running, out.strip().splitlines()[-1]
    finally:
        running.stop()


def payload(submission_id: str, reference: str, **asked: Any) -> dict[str, Any]:
    return {
        "submission_id": submission_id,
        "kind": "callback",
        "kiosk_id": KIOSK_ID,
        "language": "sv",
        "reference": reference,
        "asked_at": "2026-12-07T10:15:00.000Z",
        "callback": {
            "line": "virka-info",
            "topic": "housing",
            "time_of_day": "any",
            "contact": {"phone": PHONE},
            **asked,
        },
    }


class Advisor:
    """One advisor's browser: a session cookie and the CSRF token of the login."""

    def __init__(self, session: aiohttp.ClientSession, url: str, csrf: str) -> None:
        self.session, self.url, self.csrf = session, url, csrf

    async def listed(self) -> list[dict[str, Any]]:
        response = await self.session.get(f"{self.url}/api/advisor/callbacks")
        assert response.status == 200
        found: list[dict[str, Any]] = (await response.json())["callbacks"]
        return found

    async def act(self, reference: str, action: str) -> tuple[int, dict[str, Any]]:
        response = await self.session.post(
            f"{self.url}/api/advisor/callbacks/{reference}/{action}",
            headers={"X-CSRF-Token": self.csrf},
        )
        return response.status, await response.json()


async def advisor(session: aiohttp.ClientSession, url: str, name: str) -> Advisor:
    response = await session.post(
        f"{url}/login", data={"username": name, "password": PASSWORD}, allow_redirects=False
    )
    assert response.status == 303
    me = await (await session.get(f"{url}/api/me")).json()
    return Advisor(session, url, me["csrf_token"])


async def send(url: str, token: str, sealed_payload: dict[str, Any]) -> tuple[int, Any]:
    headers = {
        "Authorization": f"Bearer {token}",
        "X-Kiosk-Id": KIOSK_ID,
        "Content-Type": "application/octet-stream",
        "X-Submission-Id": sealed_payload["submission_id"],
        "X-Submission-Kind": "callback",
    }
    body = seal(sealed_payload, bytes(HUB_KEY.public_key))
    async with aiohttp.ClientSession() as session:
        response = await session.post(f"{url}/api/kiosk/submissions", data=body, headers=headers)
        return response.status, await response.json()


def test_a_kiosks_callback_is_handled_by_its_lines_advisors_and_its_contact_deleted(
    hub: tuple[Hub, str],
) -> None:
    running, token = hub
    url = running.url

    def callbacks() -> dict[str, dict[str, Any]]:
        return {row["id"]: row for row in running.rows("SELECT * FROM callbacks")}

    async def scenario() -> None:
        # Refused outright, and nothing is kept of them.
        status, body = await send(url, token, payload(FIRST, "TP-BAD", contact={"phone": "040"}))
        assert (status, body["code"]) == (422, "refused")
        status, body = await send(url, token, payload(FIRST, "TP-BAD", topic="weather"))
        assert (status, body["code"]) == (422, "refused")
        assert running.submissions() == []

        assert (await send(url, token, payload(FIRST, "TP-7K3M-2QXA")))[0] == 200
        assert (await send(url, token, payload(SECOND, "TP-NO-ANSWER")))[0] == 200
        wait_until(lambda: len(callbacks()) == 2, "both callbacks are delivered")
        wait_until(
            lambda: {r["status"] for r in running.submissions()} == {"delivered"},
            "the submissions are marked delivered",
        )
        assert {r["sealed"] for r in running.submissions()} == {b""}

        jar = aiohttp.CookieJar
        async with (
            aiohttp.ClientSession(cookie_jar=jar(unsafe=True)) as one,
            aiohttp.ClientSession(cookie_jar=jar(unsafe=True)) as two,
            aiohttp.ClientSession(cookie_jar=jar(unsafe=True)) as three,
        ):
            anna = await advisor(one, url, "anna")
            ben = await advisor(two, url, "ben")
            carl = await advisor(three, url, "carl")
            listed = await anna.listed()
            assert [(c["id"], c["language"], c["status"]) for c in listed] == [
                ("TP-7K3M-2QXA", "sv", "open"),
                ("TP-NO-ANSWER", "sv", "open"),
            ]
            assert all("contact" not in c for c in listed)
            assert await carl.listed() == []
            assert (await carl.act("TP-7K3M-2QXA", "claim"))[0] == 404

            status, body = await anna.act("TP-7K3M-2QXA", "claim")
            assert status == 200
            assert body["callback"]["contact"] == {"phone": PHONE}
            status, body = await ben.act("TP-7K3M-2QXA", "claim")
            assert (status, body["code"]) == (409, "claimed")
            assert PHONE not in str(body)
            [seen] = [c for c in await ben.listed() if c["id"] == "TP-7K3M-2QXA"]
            assert (seen["status"], seen["claimed_by"]) == ("claimed", "anna")
            assert PHONE not in str(await ben.listed())
            assert (await ben.act("TP-7K3M-2QXA", "done"))[0] == 409

            status, body = await anna.act("TP-7K3M-2QXA", "done")
            assert (status, body["callback"]["status"]) == (200, "done")
            row = callbacks()["TP-7K3M-2QXA"]
            assert (row["contact_sealed"], row["done_by"]) == (None, "anna")
            assert row["personal_deleted_at"] is not None

            for caller in (anna, ben, anna):
                assert (await caller.act("TP-NO-ANSWER", "claim"))[0] == 200
                assert (await caller.act("TP-NO-ANSWER", "no-answer"))[0] == 200
            row = callbacks()["TP-NO-ANSWER"]
            assert (row["status"], row["attempts"], row["contact_sealed"]) == ("no_answer", 3, None)
            assert await anna.listed() == []

    asyncio.run(scenario())
    running.stop()
    assert PHONE not in running.log.read_text()
    assert "TP-7K3M-2QXA" in running.log.read_text()
