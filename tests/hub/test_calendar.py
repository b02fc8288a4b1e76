"""An advisor's private iCalendar feed: read by the icalendar library as a calendar app reads
it, its events the advisor's slots, and an address that stops working once replaced."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from icalendar import Calendar

from hub.store import HubStore
from tests.hub import test_schedule as schedule
from tests.hub.conftest import FixedClock, sealed_for
from tests.hub.test_schedule import TUESDAY_TEN, Client, Staff, with_staff

config = schedule.config
people = schedule.people


async def fetch(client: Client, url: str) -> tuple[int, str, bytes]:
    """`url` fetched without any login, as a calendar app fetches it."""
    async with (
        aiohttp.ClientSession(base_url=client.make_url("/")) as app,
        app.get(urlsplit(url).path) as response,
    ):
        return response.status, response.content_type, await response.read()


def test_the_feed_lists_the_advisors_slots_as_events_and_names_no_citizen(
    app: web.Application, store: HubStore, clock: FixedClock, people: None
) -> None:
    async def scene(client: Client, staff: dict[str, Staff]) -> None:
        anna, ben = staff["anna"], staff["ben"]
        free = await anna.add_slot(TUESDAY_TEN)
        booked = await anna.add_slot(TUESDAY_TEN + timedelta(hours=2), minutes=30)
        await ben.add_slot(TUESDAY_TEN)  # not in anna's feed
        store.appointments.book(
            booked["id"],
            language="sv",
            topic="housing",
            kiosk_id="itakeskus-1",
            contact_sealed=sealed_for({"phone": "+358401234567"}),
            at=clock.now,
        )
        made = await anna.post("/api/schedule/feed")
        url = made["url"]
        assert url.startswith("http://127.0.0.1:8080/calendar/") and url.endswith(".ics")

        status, content_type, body = await fetch(client, url)
        assert (status, content_type) == (200, "text/calendar")
        calendar = Calendar.from_ical(body)
        assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
        events = calendar.walk("VEVENT")
        assert [str(e["UID"]) for e in events] == [free["id"], booked["id"]]
        first, second = events
        assert first.decoded("DTSTART") == TUESDAY_TEN
        assert first.decoded("DTEND") == TUESDAY_TEN + timedelta(minutes=20)
        assert second.decoded("DTSTART") == datetime(2025, 1, 14, 10, 0, tzinfo=UTC)
        assert second.decoded("DTEND") == datetime(2025, 1, 14, 10, 30, tzinfo=UTC)
        for event in events:
            assert event.decoded("DTSTART").tzinfo is not None
            assert event.decoded("DTSTAMP") == clock.now
        assert str(first["SUMMARY"]) == "Free slot: Virka-info"
        assert str(second["SUMMARY"]) == "Video appointment: Virka-info"
        description = str(second["DESCRIPTION"])
        assert "Housing" in description and "sv" in description
        assert b"+358401234567" not in body and b"itakeskus" not in body

    with_staff(app, scene, "anna", "ben")


def test_a_new_feed_address_ends_the_old_one_and_only_its_hash_is_kept(
    app: web.Application, store: HubStore, clock: FixedClock, people: None
) -> None:
    async def scene(client: Client, staff: dict[str, Staff]) -> None:
        anna, root = staff["anna"], staff["root"]
        slot = await anna.add_slot(TUESDAY_TEN)
        old = (await anna.post("/api/schedule/feed"))["url"]
        assert (await fetch(client, old))[0] == 200
        new = (await anna.post("/api/schedule/feed"))["url"]
        assert new != old
        assert (await fetch(client, old))[0] == 404
        status, _type, body = await fetch(client, new)
        assert status == 200
        assert [str(e["UID"]) for e in Calendar.from_ical(body).walk("VEVENT")] == [slot["id"]]
        token = urlsplit(new).path.removeprefix("/calendar/").removesuffix(".ics")
        (row,) = store.db.query("SELECT * FROM calendar_feeds")
        assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(row)

        # An admin makes ben's; an advisor cannot make another's.
        await anna.post("/api/schedule/feed?advisor=ben", status=403)
        bens = (await root.post("/api/schedule/feed?advisor=ben"))["url"]
        status, _type, body = await fetch(client, bens)
        assert status == 200 and Calendar.from_ical(body).walk("VEVENT") == []
        assert (await fetch(client, "/calendar/not-a-token.ics"))[0] == 404
        # Slots older than a week drop out of the feed.
        clock.now = TUESDAY_TEN + timedelta(days=7, minutes=1)
        assert Calendar.from_ical((await fetch(client, new))[2]).walk("VEVENT") == []

    with_staff(app, scene, "anna", "root")
