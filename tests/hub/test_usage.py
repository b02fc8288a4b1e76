"""Usage figures over a period: shipped usage rows, the hub's call records and submissions."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import web

from hub.eservices import shipped
from hub.store import HubStore
from tests.hub.test_fleet import Kiosk, Support, fleet_scenario


def usage(usage_id: int, kind: str, at: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": usage_id,
        "session_id": "s1",
        "kind": kind,
        "service": None,
        "language": "fi",
        "value": None,
        "duration_ms": None,
        "at": at,
    }
    row.update(changes)
    return row


#: An e-service of the shipped catalogue, and its English name.
SHIPPED, SHIPPED_NAME = next(
    (service.id, service.name("en")) for service in shipped().catalogue.services
)
ROWS = [
    # Sunday 23:30 in Helsinki: the day before the period's last day.
    usage(1, "session_start", "2025-01-12T21:30:00Z", session_id="s0"),
    # Monday 00:30 in Helsinki (still Sunday in UTC).
    usage(2, "session_start", "2025-01-12T22:30:00Z", session_id="s2"),
    usage(3, "session_start", "2025-01-13T08:00:00Z"),
    usage(4, "service_opened", "2025-01-13T08:01:00Z", service="print"),
    usage(5, "outcome", "2025-01-13T08:05:00Z", service="print", value="payment:approved"),
    usage(6, "outcome", "2025-01-13T08:06:00Z", service="print", value="printed:3"),
    usage(7, "outcome", "2025-01-13T08:07:00Z", service="print", value="printed"),
    usage(8, "service_opened", "2025-01-13T08:10:00Z", service="scan"),
    usage(9, "service_opened", "2025-01-13T08:12:00Z", service="print"),
    usage(10, "outcome", "2025-01-13T08:20:00Z", service="fee", value="payment:declined"),
    usage(11, "session_end", "2025-01-13T08:33:00Z", value="done", duration_ms=33 * 60_000),
    # E-services opened from the catalogue: one the hub's catalogue has, one it no longer has.
    usage(12, "eservice_opened", "2025-01-13T08:14:00Z", service="retired-service"),
    usage(13, "eservice_opened", "2025-01-13T08:15:00Z", service=SHIPPED),
    usage(14, "eservice_opened", "2025-01-13T08:16:00Z", service=SHIPPED),
]


def call(call_id: str, outcome: str, wait_ms: int, talk_ms: int) -> dict[str, object]:
    answered = outcome == "answered"
    return {
        "id": call_id,
        "line": "virka-info",
        "final_line": "virka-info",
        "kiosk_id": "itakeskus-1",
        "language": "fi",
        "queued_at": "2025-01-13T09:00:00.000Z",
        "answered_at": "2025-01-13T09:00:30.000Z" if answered else None,
        "ended_at": "2025-01-13T09:10:00.000Z",
        "wait_ms": wait_ms,
        "talk_ms": talk_ms,
        "outcome": outcome,
        "reason": "kiosk_hung_up" if answered else "cancelled",
        "transfers": 0,
    }


def test_usage_per_kiosk_service_and_day(app: web.Application, store: HubStore) -> None:
    store.save_call_record(call("c1", "answered", 30_000, 600_000))
    store.save_call_record(call("c2", "cancelled", 90_000, 0))

    async def body(kiosk: Kiosk, support: Support) -> None:
        at = "2025-01-13T10:00:00.000Z"
        store.submissions.add("a" * 32, "itakeskus-1", "form", "f", b"sealed", at=at)
        store.submissions.add("b" * 32, "itakeskus-1", "email", None, b"sealed", at=at)
        await kiosk.post("/api/kiosk/usage", {"usage": ROWS})
        report = await support.get("/api/support/usage?from=2025-01-13&to=2025-01-13")
        assert (report["from"], report["to"]) == ("2025-01-13", "2025-01-13")
        (item,) = report["per_kiosk"]
        assert item["kiosk_id"] == "itakeskus-1" and item["name"] == "Itäkeskus 1"
        assert item["sessions"] == 2
        assert item["services"] == {"print": 2, "scan": 1}
        assert item["eservices"] == {SHIPPED: 2, "retired-service": 1}
        assert item["pages_printed"] == 4
        assert item["payments"] == 1
        assert item["video_calls"] == 2
        assert (item["avg_wait_s"], item["avg_talk_s"]) == (60.0, 600.0)
        assert item["forms_submitted"] == 1
        # 33 minutes in sessions of Monday's default 11 opening hours.
        assert item["utilisation"] == round(33 / 660, 4)
        assert report["per_service"] == [
            {"service": "print", "uses": 2},
            {"service": "scan", "uses": 1},
        ]
        assert report["per_eservice"] == [
            {"eservice": SHIPPED, "opens": 2, "name": SHIPPED_NAME},
            {"eservice": "retired-service", "opens": 1, "name": None},
        ]
        assert report["per_day"] == [{"date": "2025-01-13", "sessions": 2}]
        two_days = await support.get("/api/support/usage?from=2025-01-12&to=2025-01-13")
        assert two_days["per_day"] == [
            {"date": "2025-01-12", "sessions": 1},
            {"date": "2025-01-13", "sessions": 2},
        ]
        async with support.session.get(
            "/api/support/usage.csv?from=2025-01-13&to=2025-01-13"
        ) as response:
            assert response.status == 200 and response.content_type == "text/csv"
            rows = list(csv.DictReader(io.StringIO(await response.text())))
        (row,) = rows
        assert row["kiosk_id"] == "itakeskus-1" and row["sessions"] == "2"
        assert row["service:print"] == "2" and row["pages_printed"] == "4"
        assert row[f"eservice:{SHIPPED}"] == "2" and row["eservice:retired-service"] == "1"
        for bad in ("from=2025-01-14&to=2025-01-13", "from=13.1.2025", "from=2024-01-01"):
            async with support.session.get(f"/api/support/usage?{bad}") as response:
                assert response.status == 400, bad

    fleet_scenario(app, store, body)


def test_a_kiosk_name_cannot_become_a_spreadsheet_formula(
    app: web.Application, store: HubStore
) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        store.db.execute("UPDATE kiosks SET name = '=HYPERLINK(\"x\")'")
        async with support.session.get("/api/support/usage.csv") as response:
            (row,) = list(csv.DictReader(io.StringIO(await response.text())))
        assert row["name"] == '\'=HYPERLINK("x")'

    fleet_scenario(app, store, body)
