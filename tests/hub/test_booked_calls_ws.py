"""A booking made at one kiosk, its code used at another: the call reaches the slot's advisor
first (docs/appointments.md "Using a code"). Real sockets on the in-process hub, whose wall
clock the test moves."""

from __future__ import annotations

from datetime import timedelta

from hub.config import HubConfig
from hub.store import HubStore
from tests.hub.conftest import FixedClock, add_kiosk
from tests.hub.test_ws import VIRKA, Hub, lines_config, run_hub

#: The slot: an hour after the clock's start (Monday 10:00 in Helsinki), 20 minutes, anna's.
SLOT_IN = timedelta(hours=1)


def test_a_code_booked_at_one_kiosk_reaches_the_slots_advisor_first_at_another(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    start = clock.now + SLOT_IN
    slot = store.appointments.add_slot(
        "anna", VIRKA, start, start + timedelta(minutes=20), by="anna", at=clock.now
    )

    async def scenario(hub: Hub) -> None:
        token = add_kiosk(store, "kallio-1")
        response = await hub.client.post(
            "/api/kiosk/bookings",
            json={"slot": slot.id, "language": "sv", "topic": "housing"},
            headers={"Authorization": f"Bearer {token}", "X-Kiosk-Id": "kallio-1"},
        )
        assert response.status == 201, await response.text()
        booked = await response.json()
        code = booked["code"]
        spaced = f"{code[:4]} {code[4:]}"

        clock.advance(minutes=55)  # five minutes before the slot: its window is open
        anna = await hub.advisor("anna")
        k0 = await hub.kiosk("k0")
        await k0.send({"type": "call", "line": VIRKA, "language": "fi"})
        first = await anna.expect("ringing")
        await anna.send({"type": "accept", "call": first["call"]})
        await k0.expect("connected")
        # ben is free; an earlier caller he declines waits for anna, the line's other advisor.
        ben = await hub.advisor("ben")
        k1 = await hub.kiosk("k1")
        await k1.send({"type": "call", "line": VIRKA, "language": "fi"})
        earlier = await ben.expect("ringing")
        await ben.send({"type": "decline", "call": earlier["call"]})
        await ben.expect("ring_ended", call=earlier["call"])

        # The code, used at another kiosk than the one it was booked at.
        k2 = await hub.kiosk("k2")
        await k2.send({"type": "call", "booking": spaced, "language": "sv"})
        queued = await k2.expect("queued")
        assert (queued["position"], queued["booked"], queued["line"]) == (1, True, VIRKA)
        await k1.expect("queued", position=2, call=earlier["call"])
        arrived = await anna.expect("appointment_arrived")
        assert arrived["booking"] == booked["booking"]
        assert (arrived["call"], arrived["line"], arrived["channel"]) == (
            queued["call"],
            VIRKA,
            "kiosk",
        )
        assert (arrived["language"], arrived["topic"]) == ("sv", "housing")
        assert arrived["starts_at"] == booked["starts_at"]
        # ben, free, sees the booked call first and is not rung for it.
        view = await ben.expect("queue", line=VIRKA)
        while len(view["calls"]) < 2:
            view = await ben.expect("queue", line=VIRKA)
        assert [(c["call"], c["booked"]) for c in view["calls"]] == [
            (queued["call"], True),
            (earlier["call"], False),
        ]
        assert {"username": "ben", "status": "available"} in view["advisors"]
        assert not any(c["ringing"] for c in view["calls"])

        # anna's call ends: she is rung for the booked call, not for the earlier caller.
        await anna.send({"type": "hang_up", "call": first["call"]})
        ring = await anna.expect("ringing")
        assert (ring["call"], ring["booked"], ring["booking"]) == (
            queued["call"],
            True,
            booked["booking"],
        )
        await anna.send({"type": "accept", "call": ring["call"]})
        await k2.expect("connected", call=ring["call"])
        await k1.expect("queued", position=1, call=earlier["call"])
        served = store.appointments.booking(booked["booking"])
        assert served is not None and served.status == "served"
        await k2.send({"type": "hang_up", "call": ring["call"]})
        await anna.expect("ended", call=ring["call"])
        record = next(r for r in store.call_records() if r["id"] == ring["call"])
        assert (record["channel"], record["booking_id"], record["kiosk_id"]) == (
            "kiosk",
            booked["booking"],
            "k2",
        )

    run_hub(lines_config(config, virka_info=["anna", "ben"]), store, clock, scenario)


def test_a_code_that_reaches_nobody_now_ends_the_call_saying_why(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    start = clock.now + SLOT_IN
    slot = store.appointments.add_slot(
        "anna", VIRKA, start, start + timedelta(minutes=20), by="anna", at=clock.now
    )
    _, code = store.appointments.book(
        slot.id,
        language="fi",
        topic="housing",
        kiosk_id="kallio-1",
        contact_sealed=None,
        at=clock.now,
    )

    async def scenario(hub: Hub) -> None:
        k1 = await hub.kiosk("k1")
        await k1.send({"type": "call", "booking": "0000 0000", "language": "fi"})
        unknown = await k1.expect("ended")
        assert (unknown["reason"], unknown["can_rate"]) == ("booking_unknown", False)

        await k1.send({"type": "call", "booking": code, "language": "fi"})
        early = await k1.expect("ended")
        assert early["reason"] == "booking_early"
        assert early["opens_at"] == "2025-01-13T08:50:00.000Z"  # ten minutes before

        clock.advance(hours=1, minutes=15)  # the slot started 15 minutes ago: too late
        await k1.send({"type": "call", "booking": code, "language": "fi"})
        assert (await k1.expect("ended"))["reason"] == "booking_over"

        await k1.send({"type": "call", "booking": ["not", "text"], "language": "fi", "id": 4})
        assert "booking" in (await k1.expect("error", id=4))["message"]
        # None of these became a call, and the booking was never used.
        assert store.call_records() == []
        booking = store.appointments.bookings("anna", start, start + timedelta(hours=1))
        assert [b.status for b in booking] == ["booked"]

    run_hub(lines_config(config, virka_info=["anna", "ben"]), store, clock, scenario)


def test_a_used_code_is_over(config: HubConfig, store: HubStore, clock: FixedClock) -> None:
    start = clock.now + timedelta(minutes=5)
    slot = store.appointments.add_slot(
        "anna", VIRKA, start, start + timedelta(minutes=20), by="anna", at=clock.now
    )
    booking, code = store.appointments.book(
        slot.id,
        language="fi",
        topic="housing",
        kiosk_id="kallio-1",
        contact_sealed=None,
        at=clock.now,
    )
    store.appointments.served(booking.id, clock.now)

    async def scenario(hub: Hub) -> None:
        k1 = await hub.kiosk("k1")
        await k1.send({"type": "call", "booking": code, "language": "fi"})
        assert (await k1.expect("ended"))["reason"] == "booking_over"

    run_hub(lines_config(config, virka_info=["anna"]), store, clock, scenario)
