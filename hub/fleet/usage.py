"""Usage over a period, per kiosk and per service: what support reports to the libraries.

A period is whole days in Europe/Helsinki, `from` to `to` inclusive. The figures come from the
anonymous usage rows kiosks ship (kinds session_start, session_end, service_opened,
eservice_opened, outcome), the hub's own call records (video advice) and its submissions table
(forms):

- sessions: session_start rows; services: service_opened rows by service; eservices:
  eservice_opened rows by e-service (the id in the e-services catalogue);
- pages_printed: outcomes `printed:<pages>` (a bare `printed` counts one page);
- payments: outcomes `payment:approved` and `payment:delivered`;
- video_calls: every call asked for; avg_wait_s over those not refused for closed hours,
  avg_talk_s over the answered ones; interpreted_calls: those an interpreter joined, and
  per_interpreter_language the same by the language interpreted (docs/call-three-party.md);
- forms_submitted: form submissions received (e-mail kind not counted);
- utilisation: time in sessions (session_end durations) ÷ [fleet] opening hours in the period,
  capped at 1.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hub.fleet.settings import FleetSettings
from hub.fleet.wire import MAX_DURATION_MS, MAX_PAGES
from hub.hours import HELSINKI, WEEKDAYS, utc_iso
from hub.store.fleet import FleetStore

MAX_DAYS = 366
EARLIEST, LATEST = date(1, 1, 2), date(9999, 12, 30)
DIGITS = re.compile(r"[0-9]{1,9}")
PAID = ("payment:approved", "payment:delivered")


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def start(self) -> str:
        return utc_iso(datetime.combine(self.first, time(0), tzinfo=HELSINKI))

    @property
    def end(self) -> str:
        return utc_iso(datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=HELSINKI))

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def parse_period(first: str | None, last: str | None, today: date) -> Period:
    """The period asked for; the last 30 days to `today` by default. ValueError says why not."""
    try:
        end = date.fromisoformat(last) if last else today
        start = date.fromisoformat(first) if first else end - timedelta(days=29)
    except (ValueError, OverflowError):
        raise ValueError("from and to must be dates like 2025-01-31") from None
    if start > end:
        raise ValueError("from must not be after to")
    if (end - start).days >= MAX_DAYS:
        raise ValueError(f"a period is at most {MAX_DAYS} days")
    # The calendar's first and last days have no UTC bounds (Helsinki is east of UTC).
    if start < EARLIEST or end > LATEST:
        raise ValueError(f"from and to must be dates from {EARLIEST} to {LATEST}")
    return Period(start, end)


def opening_seconds(settings: FleetSettings, period: Period) -> int:
    total = 0
    for day in period.days():
        for start, end in settings.opening_hours.get(WEEKDAYS[day.weekday()], ()):
            total += (end - start) * 60
    return total


def report(
    store: FleetStore, settings: FleetSettings, period: Period, kiosks: list[dict[str, Any]]
) -> dict[str, Any]:
    """The usage report of the contract's GET /api/support/usage."""
    span = [period.start, period.end]
    per: dict[str, dict[str, Any]] = {
        kiosk["kiosk_id"]: {
            "kiosk_id": kiosk["kiosk_id"],
            "name": kiosk["name"],
            "sessions": 0,
            "services": {},
            "eservices": {},
            "video_calls": 0,
            "video_calls_answered": 0,
            "avg_wait_s": None,
            "avg_talk_s": None,
            "forms_submitted": 0,
            "pages_printed": 0,
            "payments": 0,
            "utilisation": 0.0,
        }
        for kiosk in kiosks
    }
    session_ms: dict[str, int] = {}
    for row in store.query(
        "SELECT kiosk_id, sum(CASE WHEN kind = 'session_start' THEN 1 ELSE 0 END) AS sessions,"
        # A sum of floats, which cannot overflow whatever durations are stored; each capped.
        " sum(CAST(CASE WHEN kind != 'session_end' THEN 0"
        " WHEN coalesce(duration_ms, 0) < ? THEN coalesce(duration_ms, 0) ELSE ? END"
        " AS DOUBLE PRECISION)) AS ms,"
        " sum(CASE WHEN kind = 'outcome' AND value IN (?, ?) THEN 1 ELSE 0 END) AS payments"
        " FROM kiosk_usage WHERE at >= ? AND at < ? GROUP BY kiosk_id",
        [MAX_DURATION_MS, MAX_DURATION_MS, *PAID, *span],
    ):
        if row["kiosk_id"] in per:
            per[row["kiosk_id"]].update(sessions=row["sessions"], payments=row["payments"])
            session_ms[row["kiosk_id"]] = row["ms"]
    for row in store.query(
        "SELECT kiosk_id, value, count(*) AS jobs FROM kiosk_usage WHERE kind = 'outcome'"
        " AND (value = 'printed' OR value LIKE 'printed:%') AND at >= ? AND at < ?"
        " GROUP BY kiosk_id, value",
        span,
    ):
        if row["kiosk_id"] in per:
            per[row["kiosk_id"]]["pages_printed"] += _pages(row["value"]) * row["jobs"]
    uses = _by_service(store, "service_opened", span, per, "services")
    opens = _by_service(store, "eservice_opened", span, per, "eservices")
    for row in store.query(
        "SELECT kiosk_id, count(*) AS calls, count(answered_at) AS answered,"
        " avg(CASE WHEN coalesce(outcome, '') != 'line_closed' THEN wait_ms END) AS wait,"
        " avg(CASE WHEN answered_at IS NOT NULL THEN talk_ms END) AS talk"
        " FROM call_records WHERE queued_at >= ? AND queued_at < ? GROUP BY kiosk_id",
        span,
    ):
        if row["kiosk_id"] in per:
            per[row["kiosk_id"]].update(
                video_calls=row["calls"],
                video_calls_answered=row["answered"],
                avg_wait_s=_seconds(row["wait"]),
                avg_talk_s=_seconds(row["talk"]),
            )
    for row in store.query(
        "SELECT kiosk_id, count(*) AS forms FROM submissions WHERE kind = 'form'"
        " AND received_at >= ? AND received_at < ? GROUP BY kiosk_id",
        span,
    ):
        if row["kiosk_id"] in per:
            per[row["kiosk_id"]]["forms_submitted"] = row["forms"]
    opening = opening_seconds(settings, period)
    for kiosk_id, item in per.items():
        busy = session_ms.get(kiosk_id, 0) / 1000
        item["utilisation"] = round(min(1.0, busy / opening), 4) if opening else 0.0
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "per_kiosk": list(per.values()),
        "per_service": [
            {"service": service, "uses": count} for service, count in _most_first(uses)
        ],
        "per_eservice": [
            {"eservice": eservice, "opens": count} for eservice, count in _most_first(opens)
        ],
        "per_day": _per_day(store, period),
        **_interpreted(store, span),
    }


def _interpreted(store: FleetStore, span: list[str]) -> dict[str, Any]:
    """Calls an interpreter joined, in all and by the language interpreted, most first."""
    counts = {
        row["language"]: row["calls"]
        for row in store.query(
            "SELECT interpreter_language AS language, count(*) AS calls FROM call_records"
            " WHERE interpreted = 1 AND queued_at >= ? AND queued_at < ?"
            " GROUP BY interpreter_language",
            span,
        )
    }
    return {
        "interpreted_calls": sum(counts.values()),
        "per_interpreter_language": [
            {"language": language, "calls": calls} for language, calls in _most_first(counts)
        ],
    }


def _by_service(
    store: FleetStore, kind: str, span: list[str], per: dict[str, dict[str, Any]], key: str
) -> dict[str, int]:
    """Usage rows of `kind` counted by service: each kiosk's in its `key`; all kiosks' returned."""
    totals: dict[str, int] = {}
    for row in store.query(
        "SELECT kiosk_id, service, count(*) AS n FROM kiosk_usage"
        " WHERE kind = ? AND service IS NOT NULL AND at >= ? AND at < ?"
        " GROUP BY kiosk_id, service ORDER BY service",
        [kind, *span],
    ):
        if row["kiosk_id"] in per:
            per[row["kiosk_id"]][key][row["service"]] = row["n"]
            totals[row["service"]] = totals.get(row["service"], 0) + row["n"]
    return totals


def _most_first(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _per_day(store: FleetStore, period: Period) -> list[dict[str, Any]]:
    # Grouped by UTC hour in SQL, then each hour put on its Helsinki day: a day's boundary
    # moves with daylight saving, an hour's does not.
    days = dict.fromkeys(period.days(), 0)
    for row in store.query(
        "SELECT substr(at, 1, 13) AS hour, count(*) AS sessions FROM kiosk_usage"
        " WHERE kind = 'session_start' AND at >= ? AND at < ? GROUP BY hour",
        [period.start, period.end],
    ):
        moment = datetime.fromisoformat(f"{row['hour']}:00:00").replace(tzinfo=UTC)
        day = moment.astimezone(HELSINKI).date()
        if day in days:
            days[day] += row["sessions"]
    return [{"date": day.isoformat(), "sessions": count} for day, count in days.items()]


def _pages(value: str) -> int:
    """The pages of an outcome `printed:<pages>`; 1 for a bare `printed` or a count that is not
    ASCII digits ("printed:²", stored before intake refused it: isdigit() takes it, int() not)."""
    _, _, pages = value.partition(":")
    return min(int(pages), MAX_PAGES) if DIGITS.fullmatch(pages) else 1


def _seconds(milliseconds: float | None) -> float | None:
    return None if milliseconds is None else round(milliseconds / 1000, 1)


def as_csv(figures: dict[str, Any]) -> str:
    """One row per kiosk; a column per service used and per e-service opened in the period."""
    services = [item["service"] for item in figures["per_service"]]
    eservices = [item["eservice"] for item in figures["per_eservice"]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    fixed = (
        "kiosk_id",
        "name",
        "sessions",
        "video_calls",
        "avg_wait_s",
        "avg_talk_s",
        "forms_submitted",
        "pages_printed",
        "payments",
        "utilisation",
    )
    writer.writerow(
        [
            "from",
            "to",
            *fixed,
            *(f"service:{name}" for name in services),
            *(f"eservice:{name}" for name in eservices),
        ]
    )
    for item in figures["per_kiosk"]:
        row = [figures["from"], figures["to"], *(item[key] for key in fixed)]
        row += [item["services"].get(name, 0) for name in services]
        row += [item["eservices"].get(name, 0) for name in eservices]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value: object) -> object:
    # A spreadsheet runs a cell that starts like a formula: a kiosk's name never should.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
