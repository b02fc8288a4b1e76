"""Usage figures of video advice: appointments, callbacks, calls by channel and queue waits by
line and hour, over rows as the hub keeps them; who may read them; what a bad query gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from aiohttp import web

from hub.fleet.advice_usage import nearest_rank
from hub.hours import HELSINKI, utc_iso
from hub.store import HubStore
from tests.hub.conftest import add_user, log_in, run_app
from tests.hub.test_fleet import Client, Support

#: The period's one day: Monday 2025-01-13, Helsinki (UTC+2 in winter).
DAY = "from=2025-01-13&to=2025-01-13"
_ids = count(1)


def helsinki(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 1, day, hour, minute, tzinfo=HELSINKI)


def add_booking(store: HubStore, status: str, starts: datetime, line: str = "virka-info") -> None:
    n = next(_ids)
    store.db.table("bookings").insert(
        {
            "id": f"b{n}",
            "slot_id": f"s{n}",
            "code_hash": f"{n:064x}",
            "line": line,
            "advisor": "anna",
            "starts_at": utc_iso(starts),
            "ends_at": utc_iso(starts + timedelta(minutes=20)),
            "language": "fi",
            "topic": "housing",
            "kiosk_id": "itakeskus-1",
            "booked_at": utc_iso(starts - timedelta(days=3)),
            "status": status,
        }
    )


def add_callback(
    store: HubStore,
    status: str,
    asked: datetime,
    done_after: timedelta | None = None,
    line: str = "virka-info",
) -> None:
    n = next(_ids)
    store.db.table("callbacks").insert(
        {
            "id": f"TP-{n:04d}",
            "submission_id": f"{n:032x}",
            "kiosk_id": "itakeskus-1",
            "line": line,
            "language": "fi",
            "topic": "housing",
            "time_of_day": "any",
            "contact_kind": "phone",
            "asked_at": utc_iso(asked),
            "received_at": utc_iso(asked + timedelta(minutes=1)),
            "status": status,
            "attempts": 0,
            "done_at": utc_iso(asked + done_after) if done_after is not None else None,
        }
    )


def add_call(
    store: HubStore,
    queued: datetime,
    wait_s: float,
    outcome: str = "answered",
    *,
    line: str = "virka-info",
    channel: str = "kiosk",
) -> None:
    answered = outcome in ("answered", "advisor_gone")
    store.save_call_record(
        {
            "id": f"c{next(_ids)}",
            "line": line,
            "final_line": line,
            "kiosk_id": "home" if channel == "home" else "itakeskus-1",
            "language": "fi",
            "queued_at": utc_iso(queued),
            "answered_at": utc_iso(queued + timedelta(seconds=wait_s)) if answered else None,
            "ended_at": utc_iso(queued + timedelta(seconds=wait_s + 300)),
            "wait_ms": round(wait_s * 1000),
            "talk_ms": 300_000 if answered else 0,
            "outcome": outcome,
            "reason": "kiosk_hung_up" if answered else outcome,
            "transfers": 0,
            "channel": channel,
        }
    )


def fill(store: HubStore) -> None:
    """A Monday of advice on two lines, and rows just outside it."""
    for status in ("served", "served", "served", "no_show", "no_show", "cancelled", "booked"):
        add_booking(store, status, helsinki(13, 10))
    add_booking(store, "served", helsinki(13, 11), line="kansalaisneuvonta")
    add_booking(store, "served", helsinki(14, 0, 10))  # Tuesday in Helsinki, Monday in UTC
    add_booking(store, "no_show", helsinki(12, 23, 50))  # Sunday

    for minutes in (10, 30, 60, 120, 600):
        add_callback(store, "done", helsinki(13, 9), timedelta(minutes=minutes))
    add_callback(store, "no_answer", helsinki(13, 9, 30))
    add_callback(store, "open", helsinki(13, 12))
    add_callback(store, "claimed", helsinki(13, 15))
    add_callback(store, "expired", helsinki(13, 16))
    add_callback(store, "done", helsinki(13, 9), timedelta(hours=1), line="kansalaisneuvonta")
    add_callback(store, "done", helsinki(12, 23, 59), timedelta(minutes=1))  # Sunday

    # Virka-info at 9 in Helsinki (7 UTC): ten waits of 10 to 100 s, answered or given up.
    for n, wait in enumerate(range(10, 101, 10)):
        outcome = ("answered", "cancelled", "kiosk_gone", "advisor_gone")[n % 4]
        add_call(store, helsinki(13, 9, n), wait, outcome, channel="home" if n < 3 else "kiosk")
    # Refused calls are calls, but they never waited for an answer.
    add_call(store, helsinki(13, 9, 30), 0, "no_advisor")
    add_call(store, helsinki(13, 9, 40), 0, "line_closed", channel="home")
    add_call(store, helsinki(13, 10, 5), 120, channel="home")
    # Monday 00:30 in Helsinki is still Sunday in UTC: hour 0 of the period's day.
    add_call(store, helsinki(13, 0, 30), 5, "cancelled")
    add_call(store, helsinki(13, 9, 15), 30, line="kansalaisneuvonta")
    add_call(store, helsinki(13, 9, 45), 300, line="kansalaisneuvonta")
    add_call(store, helsinki(12, 23, 30), 999)  # Sunday
    add_call(store, helsinki(14, 0, 0), 999)  # Tuesday


def scenario(app: web.Application, store: HubStore, body: Any) -> None:
    add_user(store, "tuki", "support")
    add_user(store, "root", "admin")
    add_user(store, "anna", "advisor")
    fill(store)

    async def run(client: Client) -> None:
        support = await Support.login(client)
        try:
            await body(client, support)
        finally:
            await support.close()

    run_app(app, run)


def test_nearest_rank_gives_values_that_happened() -> None:
    assert nearest_rank([40, 10, 30, 20], 50) == 20
    assert nearest_rank([40, 10, 30, 20], 90) == 40
    assert nearest_rank([7], 50) == nearest_rank([7], 90) == 7
    assert nearest_rank(list(range(1, 101)), 90) == 90


def test_the_figures_of_a_day_of_appointments_callbacks_and_calls(
    app: web.Application, store: HubStore
) -> None:
    async def body(client: Client, support: Support) -> None:
        figures = await support.get(f"/api/support/advice-usage?{DAY}")
        assert (figures["from"], figures["to"], figures["line"]) == (
            "2025-01-13",
            "2025-01-13",
            None,
        )
        assert {"id": "virka-info", "name": "Virka-info"} in figures["lines"]
        assert figures["appointments"] == {
            "booked": 8,
            "served": 4,
            "no_show": 2,
            "cancelled": 1,
        }
        # Called back after 10, 30, 60, 60 (the other line), 120 and 600 minutes.
        assert figures["callbacks"] == {
            "asked": 10,
            "done": 6,
            "no_answer": 1,
            "expired": 1,
            "open": 2,
            "time_to_call_back_s": {"p50": 3600, "p90": 36000},
        }
        assert figures["calls"] == {"kiosk": 11, "home": 5}
        assert figures["wait_s"] == [
            {"line": "kansalaisneuvonta", "hour": 9, "calls": 2, "p50": 30, "p90": 300},
            {"line": "virka-info", "hour": 0, "calls": 1, "p50": 5, "p90": 5},
            {"line": "virka-info", "hour": 9, "calls": 10, "p50": 50, "p90": 90},
            {"line": "virka-info", "hour": 10, "calls": 1, "p50": 120, "p90": 120},
        ]

    scenario(app, store, body)


def test_one_line_and_a_day_without_advice(app: web.Application, store: HubStore) -> None:
    async def body(client: Client, support: Support) -> None:
        line = await support.get(f"/api/support/advice-usage?{DAY}&line=kansalaisneuvonta")
        assert line["line"] == "kansalaisneuvonta"
        assert line["appointments"] == {"booked": 1, "served": 1, "no_show": 0, "cancelled": 0}
        assert line["callbacks"]["asked"] == 1
        assert line["callbacks"]["time_to_call_back_s"] == {"p50": 3600, "p90": 3600}
        assert line["calls"] == {"kiosk": 2, "home": 0}
        assert [(w["line"], w["hour"]) for w in line["wait_s"]] == [("kansalaisneuvonta", 9)]

        quiet = await support.get("/api/support/advice-usage?from=2025-01-20&to=2025-01-26")
        assert quiet["appointments"] == {"booked": 0, "served": 0, "no_show": 0, "cancelled": 0}
        assert quiet["callbacks"]["time_to_call_back_s"] == {"p50": None, "p90": None}
        assert quiet["calls"] == {"kiosk": 0, "home": 0}
        assert quiet["wait_s"] == []

        # Sunday to Tuesday holds every row.
        three = await support.get("/api/support/advice-usage?from=2025-01-12&to=2025-01-14")
        assert three["appointments"]["booked"] == 10
        assert sum(three["calls"].values()) == 18

    scenario(app, store, body)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to=2025-01-13", "from"),
        ("from=2025-01-13", "to"),
        ("from=13.1.2025&to=2025-01-13", "from"),
        ("from=2025-01-13&to=2025-W03-1", "to"),
        ("from=2025-01-14&to=2025-01-13", "to"),
        ("from=2024-01-01&to=2025-01-13", "to"),
        ("from=0001-01-01&to=2025-01-13", "from"),
        (f"{DAY}&line=no-such-line", "line"),
    ],
)
def test_a_bad_query_is_refused_naming_its_field(
    app: web.Application, store: HubStore, query: str, field: str
) -> None:
    async def body(client: Client, support: Support) -> None:
        async with support.session.get(f"/api/support/advice-usage?{query}") as response:
            assert response.status == 422
            answer = await response.json()
        assert answer["field"] == field and answer["code"] == "refused" and answer["error"]

    scenario(app, store, body)


def test_support_and_admins_may_read_the_figures_advisors_and_strangers_not(
    app: web.Application, store: HubStore
) -> None:
    async def body(client: Client, support: Support) -> None:
        path = f"/api/support/advice-usage?{DAY}"
        assert (await client.get(path)).status == 401
        await log_in(client, "anna")
        assert (await client.get(path)).status == 403
        await log_in(client, "root")
        assert (await client.get(path)).status == 200
        await support.get(path)

    scenario(app, store, body)


def test_hours_are_helsinki_hours_in_summer_time_too(app: web.Application, store: HubStore) -> None:
    # 06:30 UTC is 09:30 in Helsinki in June (UTC+3), 08:30 in January (UTC+2).
    add_call(store, datetime(2025, 6, 2, 6, 30, tzinfo=UTC), 40)
    add_call(store, datetime(2025, 1, 20, 6, 30, tzinfo=UTC), 40)

    async def body(client: Client, support: Support) -> None:
        june = await support.get("/api/support/advice-usage?from=2025-06-02&to=2025-06-02")
        assert [(w["line"], w["hour"]) for w in june["wait_s"]] == [("virka-info", 9)]
        january = await support.get("/api/support/advice-usage?from=2025-01-20&to=2025-01-20")
        assert [(w["line"], w["hour"]) for w in january["wait_s"]] == [("virka-info", 8)]

    scenario(app, store, body)
