"""Bookings against `kiosk-hub serve` as it runs: an advisor adds a slot, two kiosks race to
book it, the winner's code is kept only as its hash, the advisor's day opens the contact the
kiosk sealed, and the advisor's calendar feed shows the booked slot."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from icalendar import Calendar

from hub.hours import HELSINKI, utc_iso
from tests.conftest import HUB_KEY
from tests.hub.conftest import log_in, sealed_for
from tests.peers.hub import Hub, configured_hub
from tests.peers.smtp import free_port

ADVISOR, PASSWORD = "anna", "a long enough password 123"
KIOSKS = ("itakeskus-1", "kirjasto10-1")
PHONE = "+358401234567"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[Hub, dict[str, str]]]:
    """The hub with anna on Virka-info and two enrolled kiosks (their tokens); started."""
    running = configured_hub(
        tmp_path, bytes(HUB_KEY), free_port(), f'[lines.virka-info]\nadvisors = ["{ADVISOR}"]\n'
    )
    tokens = {}
    for kiosk_id in KIOSKS:
        out = running.cli("kiosk", "add", kiosk_id, "--name", kiosk_id, "--location", "Helsinki")
        tokens[kiosk_id] = out.strip().splitlines()[-1]
    running.cli("user", "add", ADVISOR, "--role", "advisor", stdin=PASSWORD + "\n")
    running.start()
    yield running, tokens
    running.stop()


def headers(kiosk_id: str, token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}


async def json_of(response: aiohttp.ClientResponse, status: int) -> Any:
    assert response.status == status, await response.text()
    return await response.json()


def test_kiosks_book_an_advisors_slot_on_the_running_hub(hub: tuple[Hub, dict[str, str]]) -> None:
    running, tokens = hub
    starts_at = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    contact = base64.b64encode(sealed_for({"phone": PHONE})).decode()

    async def main() -> dict[str, Any]:
        jar = aiohttp.CookieJar(unsafe=True)
        async with (
            aiohttp.ClientSession(base_url=running.url, cookie_jar=jar) as anna,
            aiohttp.ClientSession(base_url=running.url) as kiosks,
        ):
            csrf = await log_in(anna, ADVISOR, PASSWORD)
            slot = await json_of(
                await anna.post(
                    "/api/schedule/slots",
                    json={"line": "virka-info", "starts_at": utc_iso(starts_at)},
                    headers={"X-CSRF-Token": csrf},
                ),
                201,
            )
            first, second = KIOSKS
            free = await json_of(
                await kiosks.get(
                    "/api/kiosk/slots?line=virka-info", headers=headers(first, tokens[first])
                ),
                200,
            )
            assert free["slots"] == [
                {"id": slot["id"], "starts_at": slot["starts_at"], "ends_at": slot["ends_at"]}
            ]

            def booking(kiosk_id: str) -> Any:
                body = {
                    "slot": slot["id"],
                    "language": "fi",
                    "topic": "taxes",
                    "contact_sealed": contact,
                }
                return kiosks.post(
                    "/api/kiosk/bookings", json=body, headers=headers(kiosk_id, tokens[kiosk_id])
                )

            answers = await asyncio.gather(booking(first), booking(second))
            assert sorted(a.status for a in answers) == [201, 409]
            won = await next(a for a in answers if a.status == 201).json()
            lost = await next(a for a in answers if a.status == 409).json()
            assert lost["code"] == "slot_taken"
            assert won["starts_at"] == utc_iso(starts_at)

            day = starts_at.astimezone(HELSINKI).date().isoformat()
            listed = await json_of(await anna.get(f"/api/advisor/appointments?day={day}"), 200)
            (appointment,) = listed["appointments"]
            assert appointment["booking"] == won["booking"]
            assert (appointment["status"], appointment["contact"]) == ("booked", {"phone": PHONE})

            feed = await json_of(
                await anna.post("/api/schedule/feed", headers={"X-CSRF-Token": csrf}), 200
            )
            assert feed["url"].startswith(running.url)
            async with aiohttp.ClientSession() as calendar_app:
                ics = await (await calendar_app.get(feed["url"])).read()
            (event,) = Calendar.from_ical(ics).walk("VEVENT")
            assert str(event["UID"]) == slot["id"] and event.decoded("DTSTART") == starts_at
            assert str(event["SUMMARY"]).startswith("Video appointment")
            assert PHONE.encode() not in ics
            return dict(won)

    won = asyncio.run(main())
    (row,) = running.rows("SELECT code_hash, status, kiosk_id FROM bookings")
    assert row["code_hash"] == hashlib.sha256(won["code"].encode()).hexdigest()
    assert row["status"] == "booked" and row["kiosk_id"] in KIOSKS
    assert won["code"] not in str(running.rows("SELECT * FROM bookings"))
