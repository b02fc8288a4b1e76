"""The daily reconciliation is due once a day at the set Helsinki time, made up after a day the
kiosk was off, and never twice."""

from __future__ import annotations

from datetime import UTC, datetime, time

from kiosk.payments.daily import last_scheduled, parse_time_of_day, reconciliation_due

AT = time(21, 0)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_last_scheduled_is_in_helsinki_time_across_summer_time() -> None:
    # 21:00 in Helsinki is 18:00 UTC in summer (UTC+3) and 19:00 UTC in winter (UTC+2).
    assert last_scheduled(utc("2026-07-01T18:30"), AT) == utc("2026-07-01T18:00")
    assert last_scheduled(utc("2026-07-01T17:30"), AT) == utc("2026-06-30T18:00")
    assert last_scheduled(utc("2026-11-27T19:00"), AT) == utc("2026-11-27T19:00")


def test_due_once_after_the_time_and_not_again() -> None:
    first = utc("2026-11-01T08:00")
    before = utc("2026-11-27T18:59")
    after = utc("2026-11-27T19:01")
    last = utc("2026-11-26T19:00:30")
    assert not reconciliation_due(last, first, before, AT)
    assert reconciliation_due(last, first, after, AT)
    assert not reconciliation_due(utc("2026-11-27T19:01"), first, after, AT)


def test_a_missed_day_is_made_up_at_start_up() -> None:
    last = utc("2026-11-24T19:00:30")
    assert reconciliation_due(last, utc("2026-11-01T08:00"), utc("2026-11-27T07:00"), AT)


def test_a_new_kiosk_waits_for_its_first_closing_time() -> None:
    first = utc("2026-11-27T09:00")
    assert not reconciliation_due(None, first, utc("2026-11-27T12:00"), AT)
    assert reconciliation_due(None, first, utc("2026-11-27T19:00:01"), AT)


def test_time_of_day_is_read_from_config_text() -> None:
    assert parse_time_of_day("07:05") == time(7, 5)
