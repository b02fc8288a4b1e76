"""Bookings: a kiosk books a free slot, the code is used, a no-show is counted, personal data
goes when it is due, the advisor's day and the admin's cancel (docs/appointments.md)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from hub.app import make_app
from hub.appointments.model import BookingRefused
from hub.appointments.sweeper import SWEEPER
from hub.config import HubConfig
from hub.store import HubStore, open_configured
from hub.store.appointments import BookingFailed, Slot
from tests.hub import test_schedule as schedule
from tests.hub.conftest import FixedClock, add_kiosk, run_app, sealed_for
from tests.hub.test_schedule import TUESDAY_TEN, Client, Staff, kiosk_headers, with_staff

#: The fixtures of the schedule's tests: lines with anna, ben and carl, and their accounts.
config = schedule.config
people = schedule.people

PHONE = "+358401234567"


def sealed_contact(contact: dict[str, str]) -> str:
    return base64.b64encode(sealed_for(contact)).decode()


def slot_for(store: HubStore, clock: FixedClock, advisor: str = "anna", **delta: float) -> Slot:
    starts_at = TUESDAY_TEN + timedelta(**delta) if delta else TUESDAY_TEN
    return store.appointments.add_slot(
        advisor,
        "virka-info",
        starts_at,
        starts_at + timedelta(minutes=20),
        by=advisor,
        at=clock.now,
    )


def booking_rows(store: HubStore) -> list[dict[str, Any]]:
    return list(store.db.query("SELECT * FROM bookings ORDER BY booked_at"))


async def book(
    client: Client,
    token: str,
    slot_id: str,
    *,
    status: int = 201,
    kiosk_id: str = "itakeskus-1",
    **body: object,
) -> Any:
    response = await client.post(
        "/api/kiosk/bookings",
        json={"slot": slot_id, "language": "fi", "topic": "housing", **body},
        headers=kiosk_headers(token, kiosk_id),
    )
    assert response.status == status, await response.text()
    return await response.json()


def test_a_kiosk_sees_free_slots_without_names_and_books_one_for_a_code(
    app: web.Application, store: HubStore, clock: FixedClock, people: None
) -> None:
    token = add_kiosk(store)
    soon = store.appointments.add_slot(
        "anna",
        "virka-info",
        clock.now + timedelta(minutes=20),
        clock.now + timedelta(minutes=40),
        by="anna",
        at=clock.now,
    )
    tuesday = slot_for(store, clock)
    bens = slot_for(store, clock, "ben", minutes=30)
    slot_for(store, clock, days=20)  # beyond [appointments] book_days_ahead
    given: dict[str, str] = {}

    async def scenario(client: Client) -> None:
        response = await client.get(
            "/api/kiosk/slots?line=virka-info", headers=kiosk_headers(token)
        )
        listed = await response.json()
        assert listed["line"] == "virka-info"
        assert listed["slots"] == [
            {
                "id": tuesday.id,
                "starts_at": "2025-01-14T08:00:00.000Z",
                "ends_at": "2025-01-14T08:20:00.000Z",
            },
            {
                "id": bens.id,
                "starts_at": "2025-01-14T08:30:00.000Z",
                "ends_at": "2025-01-14T08:50:00.000Z",
            },
        ]
        assert "anna" not in await response.text()
        response = await client.get("/api/kiosk/slots?line=nope", headers=kiosk_headers(token))
        assert response.status == 422

        booked = await book(
            client, token, tuesday.id, contact_sealed=sealed_contact({"phone": PHONE})
        )
        code = given["code"] = booked["code"]
        assert len(code) == 8 and code.isdigit()
        assert booked["line"] == "virka-info"
        assert (booked["starts_at"], booked["ends_at"]) == (
            "2025-01-14T08:00:00.000Z",
            "2025-01-14T08:20:00.000Z",
        )
        # From [appointments] early_minutes before it starts to late_minutes after.
        assert (booked["valid_from"], booked["valid_until"]) == (
            "2025-01-14T07:50:00.000Z",
            "2025-01-14T08:15:00.000Z",
        )
        listed = await (
            await client.get("/api/kiosk/slots?line=virka-info", headers=kiosk_headers(token))
        ).json()
        assert [s["id"] for s in listed["slots"]] == [bens.id]
        # Too soon to reach a kiosk, and the one just taken.
        assert (await book(client, token, soon.id, status=404))["code"] == "no_slot"
        assert (await book(client, token, tuesday.id, status=409))["code"] == "slot_taken"
        assert (await book(client, token, "no-such-slot", status=404))["code"] == "no_slot"

    run_app(app, scenario)
    code = given["code"]
    (row,) = booking_rows(store)
    assert row["code_hash"] == hashlib.sha256(code.encode()).hexdigest()
    assert code not in str(row)
    assert row["kiosk_id"] == "itakeskus-1" and row["status"] == "booked"
    assert PHONE.encode() not in row["contact_sealed"]


def test_a_booking_with_a_bad_language_topic_or_contact_is_refused_naming_the_field(
    app: web.Application, store: HubStore, clock: FixedClock, people: None
) -> None:
    token = add_kiosk(store)
    slot = slot_for(store, clock)

    async def scenario(client: Client) -> None:
        for body, field in (
            ({"language": "de"}, "language"),
            ({"topic": "my landlord, Mr Virtanen"}, "topic"),
            ({"contact_sealed": PHONE}, "contact_sealed"),
            ({"contact_sealed": base64.b64encode(b"short").decode()}, "contact_sealed"),
            ({"contact_sealed": base64.b64encode(bytes(4000)).decode()}, "contact_sealed"),
            ({"slot": 7}, "slot"),
        ):
            refused = await book(client, token, slot.id, status=422, **body)
            assert refused["field"] == field
        # Staff have no kiosk routes.
        response = await client.post("/api/kiosk/bookings", json={"slot": slot.id})
        assert response.status == 401

    run_app(app, scenario)
    assert booking_rows(store) == []


def test_two_kiosks_racing_for_one_slot_one_wins_and_the_other_is_told_it_is_taken(
    app: web.Application, store: HubStore, clock: FixedClock, people: None
) -> None:
    first = add_kiosk(store, "itakeskus-1")
    second = add_kiosk(store, "kirjasto10-1")
    slot = slot_for(store, clock)

    async def scenario(client: Client) -> None:
        answers = await asyncio.gather(
            client.post(
                "/api/kiosk/bookings",
                headers=kiosk_headers(first, "itakeskus-1"),
                json={"slot": slot.id, "language": "fi", "topic": "housing"},
            ),
            client.post(
                "/api/kiosk/bookings",
                headers=kiosk_headers(second, "kirjasto10-1"),
                json={"slot": slot.id, "language": "sv", "topic": "taxes"},
            ),
        )
        assert sorted(a.status for a in answers) == [201, 409]
        loser = next(a for a in answers if a.status == 409)
        assert (await loser.json())["code"] == "slot_taken"

    run_app(app, scenario)
    assert len(booking_rows(store)) == 1


def test_two_connections_booking_one_slot_at_once_make_one_booking(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    """Not the store's lock alone: the database takes one booking per slot however many
    connections write it at once."""
    slots = [slot_for(store, clock, minutes=30 * n) for n in range(8)]
    others = [open_configured(config) for _ in range(4)]
    wins: list[str] = []
    losses: list[str] = []
    start = threading.Barrier(len(others))

    def race(mine: HubStore) -> None:
        start.wait()
        for slot in slots:
            try:
                booking, _code = mine.appointments.book(
                    slot.id,
                    language="fi",
                    topic="other",
                    kiosk_id=None,
                    contact_sealed=None,
                    at=clock.now,
                )
            except BookingFailed as exc:
                losses.append(exc.reason)
            else:
                wins.append(booking.slot_id)

    threads = [threading.Thread(target=race, args=(mine,)) for mine in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for mine in others:
        mine.close()
    assert sorted(wins) == sorted(s.id for s in slots)
    assert losses == ["slot_taken"] * (len(slots) * (len(others) - 1))
    assert len(booking_rows(store)) == len(slots)


def test_a_code_reaches_its_booking_only_within_its_window(
    store: HubStore, clock: FixedClock
) -> None:
    slot = slot_for(store, clock)
    booking, code = store.appointments.book(
        slot.id,
        language="sv",
        topic="taxes",
        kiosk_id="itakeskus-1",
        contact_sealed=sealed_for({"phone": PHONE}),
        at=clock.now,
    )
    arrive = store.appointments.arrive

    def refused(text: str, at: datetime) -> BookingRefused:
        with pytest.raises(BookingRefused) as caught:
            arrive(text, at, "kiosk", early_minutes=10, late_minutes=15)
        return caught.value

    assert (
        refused("00000000" if code != "00000000" else "11111111", TUESDAY_TEN).reason == "unknown"
    )
    assert refused("1234", TUESDAY_TEN).reason == "unknown"
    early = refused(code, TUESDAY_TEN - timedelta(minutes=11))
    assert (early.reason, early.opens_at) == ("early", TUESDAY_TEN - timedelta(minutes=10))
    assert refused(code, TUESDAY_TEN + timedelta(minutes=15)).reason == "late"

    spaced = f"{code[:4]} {code[4:]}"
    booked = arrive(
        spaced, TUESDAY_TEN - timedelta(minutes=10), "home", early_minutes=10, late_minutes=15
    )
    assert (booked.booking_id, booked.line, booked.advisor) == (booking.id, "virka-info", "anna")
    assert (booked.starts_at, booked.language, booked.topic) == (TUESDAY_TEN, "sv", "taxes")
    # A dropped call is made again with the same code.
    assert arrive(code, TUESDAY_TEN, "kiosk", early_minutes=10, late_minutes=15) == booked
    (row,) = booking_rows(store)
    assert (row["status"], row["arrived_channel"]) == ("arrived", "kiosk")
    assert row["contact_sealed"] is not None

    store.appointments.served(booking.id, TUESDAY_TEN + timedelta(minutes=1))
    (row,) = booking_rows(store)
    assert row["status"] == "served"
    # Personal data goes the moment the appointment is kept.
    assert (
        row["contact_sealed"] is None and row["personal_deleted_at"] == "2025-01-14T08:01:00.000Z"
    )
    assert refused(code, TUESDAY_TEN + timedelta(minutes=2)).reason == "used"


def test_a_code_never_used_is_counted_as_a_no_show_and_its_contact_deleted(
    app: web.Application, store: HubStore, clock: FixedClock, people: None
) -> None:
    token = add_kiosk(store)
    kept = slot_for(store, clock)
    missed = slot_for(store, clock, minutes=30)
    sweeper = app[SWEEPER]

    async def scene(client: Client, staff: dict[str, Staff]) -> None:
        contact = sealed_contact({"email": "maija@example.fi"})
        came = await book(client, token, kept.id, contact_sealed=contact)
        await book(client, token, missed.id, contact_sealed=contact)
        clock.now = TUESDAY_TEN - timedelta(minutes=5)
        store.appointments.arrive(
            came["code"], clock.now, "kiosk", early_minutes=10, late_minutes=15
        )

        # The second slot's window ends at 08:45 UTC: a moment before, nothing is missed.
        clock.now = missed.starts_at + timedelta(minutes=15) - timedelta(seconds=1)
        sweeper.run_once(app)
        anna = await Staff.login(client, "anna")  # a new working day, a new login
        day = await anna.get("/api/advisor/appointments?day=2025-01-14")
        assert [a["status"] for a in day["appointments"]] == ["arrived", "booked"]

        clock.advance(seconds=1)
        sweeper.run_once(app)
        day = await anna.get("/api/advisor/appointments?day=2025-01-14")
        # The citizen who came but was not yet answered is no no-show: their call waits.
        assert [a["status"] for a in day["appointments"]] == ["arrived", "no_show"]
        assert [a["contact"] for a in day["appointments"]] == [{"email": "maija@example.fi"}, None]
        await anna.close()

    with_staff(app, scene)
    counted = store.db.execute(
        "SELECT count(*) FROM bookings WHERE status = 'no_show' AND contact_sealed IS NULL"
        " AND personal_deleted_at IS NOT NULL"
    ).fetchone()[0]
    assert counted == 1


def test_a_bookings_contact_is_deleted_after_the_retention_period_even_if_it_is_still_ahead(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    settings = replace(config.appointments, retention_days=2)
    app = make_app(replace(config, appointments=settings), store, clock=clock)
    ahead = slot_for(store, clock, days=5)
    store.appointments.book(
        ahead.id,
        language="en",
        topic="benefits",
        kiosk_id="itakeskus-1",
        contact_sealed=sealed_for({"phone": PHONE}),
        at=clock.now,
    )
    clock.advance(days=2, seconds=-1)
    app[SWEEPER].run_once(app)
    assert booking_rows(store)[0]["contact_sealed"] is not None
    clock.advance(seconds=1)
    app[SWEEPER].run_once(app)
    (row,) = booking_rows(store)
    assert (row["status"], row["contact_sealed"]) == ("booked", None)
    assert row["personal_deleted_at"] == "2025-01-15T08:00:00.000Z"


def test_the_contact_is_shown_only_to_the_advisor_who_holds_the_slot_and_an_admin_cancels(
    app: web.Application, store: HubStore, clock: FixedClock, people: None
) -> None:
    token = add_kiosk(store)
    annas = slot_for(store, clock)
    bens = slot_for(store, clock, "ben")

    async def scene(client: Client, staff: dict[str, Staff]) -> None:
        anna, ben, root = staff["anna"], staff["ben"], staff["root"]
        contact = sealed_contact({"phone": PHONE})
        booked = await book(client, token, annas.id, contact_sealed=contact, language="sv")
        await book(client, token, bens.id)

        day = await anna.get("/api/advisor/appointments?day=2025-01-14")
        assert day["appointments"] == [
            {
                "booking": booked["booking"],
                "slot": annas.id,
                "line": "virka-info",
                "starts_at": "2025-01-14T08:00:00.000Z",
                "ends_at": "2025-01-14T08:20:00.000Z",
                "status": "booked",
                "language": "sv",
                "topic": "housing",
                "channel": None,
                "contact": {"phone": PHONE},
            }
        ]
        # Today (the fixed clock's Monday) has none; ben sees his own, without anna's.
        assert (await anna.get("/api/advisor/appointments"))["appointments"] == []
        bens_day = await ben.get("/api/advisor/appointments?day=2025-01-14")
        assert [a["slot"] for a in bens_day["appointments"]] == [bens.id]
        await ben.get("/api/advisor/appointments?advisor=anna&day=2025-01-14", status=403)
        # An admin sees the appointment but not the citizen's contact.
        seen = await root.get("/api/advisor/appointments?advisor=anna&day=2025-01-14")
        assert seen["appointments"][0]["contact"] is None

        # The slot cannot be removed while it is booked; an admin cancels the booking first.
        refused = await anna.delete(f"/api/schedule/slots/{annas.id}", status=409)
        assert refused["code"] == "booked"
        cancel = f"/api/schedule/bookings/{booked['booking']}/cancel"
        await anna.post(cancel, status=403)
        assert (await root.post(cancel))["status"] == "cancelled"
        assert (await root.post(cancel, status=409))["code"] == "over"
        await root.post("/api/schedule/bookings/nope/cancel", status=404)
        day = await anna.get("/api/advisor/appointments?day=2025-01-14")
        assert [(a["status"], a["contact"]) for a in day["appointments"]] == [("cancelled", None)]
        week = await anna.get("/api/schedule?week=2025-W03")
        assert week["slots"][0]["booking"] is None  # free again
        again = await book(client, token, annas.id)
        week = await anna.get("/api/schedule?week=2025-W03")
        assert week["slots"][0]["booking"] == {
            "id": again["booking"],
            "status": "booked",
            "language": "fi",
            "topic": "housing",
        }

    with_staff(app, scene, "anna", "ben", "root")
    cancelled = [r for r in booking_rows(store) if r["status"] == "cancelled"]
    assert [r["contact_sealed"] for r in cancelled] == [None]
