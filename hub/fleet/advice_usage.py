"""Usage figures of video advice over a period (docs/appointments.md "Usage figures"): what
staffing needs to follow demand.

A period is whole days in Europe/Helsinki, `from` to `to` inclusive, as for the kiosks' usage
(hub.fleet.usage). Each figure is counted by its own moment:

- appointments: bookings whose slot starts in the period, by what became of them (`booked`
  counts them all, still to come included);
- callbacks: callbacks asked for in the period; `open` includes those an advisor has claimed;
  `expired` ones were never closed and their contact was deleted after the retention period;
  time to call back is asked_at → done_at of the done ones;
- calls: calls asked for in the period (refused ones too), by channel (kiosk or home);
- wait_s: per line (the one the citizen chose) and hour of day in Helsinki of queued_at, the
  queue wait of calls answered or abandoned (cancelled, or the kiosk gone while waiting); calls
  refused (no advisor, line closed) never queued for an answer and are left out.

Percentiles are nearest-rank (the smallest value with at least p % of the values at or below
it), so each one is a wait or a delay that really happened, and one value is its own p50 and p90.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aiohttp import web

from hub.calls.lines import ServiceLine
from hub.fleet.service import FLEET
from hub.fleet.usage import EARLIEST, LATEST, MAX_DAYS, Period
from hub.hours import HELSINKI
from hub.intake import Refused
from hub.store.fleet import FleetStore

BOOKING_ENDS = ("served", "no_show", "cancelled")
CALLBACK_ENDS = ("done", "no_answer", "expired")
CHANNELS = ("kiosk", "home")
#: Outcomes of calls that waited in a queue and were answered or given up by the citizen; an
#: answered call that later dropped (advisor_gone) is counted by its answered_at.
ABANDONED = ("cancelled", "kiosk_gone")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Asked:
    """What a request asked for: the period and, if one, the line."""

    period: Period
    line: str | None


def parse_query(query: Mapping[str, str], lines: Sequence[ServiceLine]) -> Asked:
    """The period and line asked for; Refused (422) names the field that is wrong."""
    first = _day(query, "from")
    last = _day(query, "to")
    if first > last:
        raise Refused("to", "must not be before from")
    if (last - first).days >= MAX_DAYS:
        raise Refused("to", f"a period is at most {MAX_DAYS} days")
    line = query.get("line") or None
    if line is not None and line not in {known.id for known in lines}:
        raise Refused("line", "is not a line of this hub")
    return Asked(Period(first, last), line)


def _day(query: Mapping[str, str], field: str) -> date:
    value = query.get(field, "")
    if not value:
        raise Refused(field, "is required (a date like 2026-12-07)")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Refused(field, "must be a date like 2026-12-07") from None
    # The calendar's first and last days have no UTC bounds (Helsinki is east of UTC); a week
    # number or an ordinal date is not the wire's form of a day.
    if not DAY.fullmatch(value) or not EARLIEST <= day <= LATEST:
        raise Refused(field, f"must be a date like 2026-12-07, from {EARLIEST} to {LATEST}")
    return day


def nearest_rank(values: Sequence[float], percent: int) -> float:
    """The nearest-rank percentile of `values` (not empty)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def _spread(values: Sequence[float]) -> dict[str, int | None]:
    """p50 and p90 in whole seconds of `values` (seconds), None for both when there are none."""
    if not values:
        return {"p50": None, "p90": None}
    return {"p50": round(nearest_rank(values, 50)), "p90": round(nearest_rank(values, 90))}


def report(store: FleetStore, asked: Asked, lines: Sequence[ServiceLine]) -> dict[str, Any]:
    """The figures of GET /api/support/advice-usage."""
    period = asked.period
    where = "{column} >= ? AND {column} < ?"
    params: list[object] = [period.start, period.end]
    if asked.line is not None:
        where += " AND line = ?"
        params.append(asked.line)
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "line": asked.line,
        "lines": [{"id": line.id, "name": line.name("en")} for line in lines],
        "appointments": _appointments(store, where.format(column="starts_at"), params),
        "callbacks": _callbacks(store, where.format(column="asked_at"), params),
        "calls": _calls(store, where.format(column="queued_at"), params),
        "wait_s": _waits(store, where.format(column="queued_at"), params),
    }


async def advice_usage(request: web.Request) -> web.Response:
    """GET /api/support/advice-usage?from=&to=[&line=] (support and admin, the route table)."""
    fleet = request.app[FLEET]
    lines = fleet.config.lines
    return web.json_response(report(fleet.store, parse_query(request.query, lines), lines))


def _appointments(store: FleetStore, where: str, params: list[object]) -> dict[str, int]:
    counts = dict.fromkeys(("booked", *BOOKING_ENDS), 0)
    for row in store.query(
        f"SELECT status, count(*) AS n FROM bookings WHERE {where} GROUP BY status", params
    ):
        counts["booked"] += row["n"]
        if row["status"] in BOOKING_ENDS:
            counts[row["status"]] += row["n"]
    return counts


def _callbacks(store: FleetStore, where: str, params: list[object]) -> dict[str, Any]:
    counts = dict.fromkeys(("asked", *CALLBACK_ENDS, "open"), 0)
    delays: list[float] = []
    for row in store.query(
        f"SELECT status, asked_at, done_at FROM callbacks WHERE {where}", params
    ):
        counts["asked"] += 1
        status = row["status"]
        counts[status if status in CALLBACK_ENDS else "open"] += 1
        if status == "done" and row["done_at"]:
            delay = _moment(row["done_at"]) - _moment(row["asked_at"])
            delays.append(max(0.0, delay.total_seconds()))
    return {**counts, "time_to_call_back_s": _spread(delays)}


def _calls(store: FleetStore, where: str, params: list[object]) -> dict[str, int]:
    counts = dict.fromkeys(CHANNELS, 0)
    for row in store.query(
        f"SELECT channel, count(*) AS n FROM call_records WHERE {where} GROUP BY channel", params
    ):
        channel = row["channel"] if row["channel"] in CHANNELS else "kiosk"
        counts[channel] += row["n"]
    return counts


def _waits(store: FleetStore, where: str, params: list[object]) -> list[dict[str, Any]]:
    waits: dict[tuple[str, int], list[float]] = {}
    marks = ", ".join("?" for _ in ABANDONED)
    for row in store.query(
        f"SELECT line, queued_at, wait_ms FROM call_records WHERE {where}"
        f" AND wait_ms IS NOT NULL AND (answered_at IS NOT NULL OR outcome IN ({marks}))",
        [*params, *ABANDONED],
    ):
        hour = _moment(row["queued_at"]).astimezone(HELSINKI).hour
        waits.setdefault((row["line"], hour), []).append(max(0, row["wait_ms"]) / 1000)
    return [
        {"line": line, "hour": hour, "calls": len(values), **_spread(values)}
        for (line, hour), values in sorted(waits.items())
    ]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
