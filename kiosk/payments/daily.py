"""When the day's reconciliation is due: once a day at a set local time, and at start-up when
the kiosk was off at that time (a missed closing is made up, never doubled)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def parse_time_of_day(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def last_scheduled(now: datetime, at: time, tz: ZoneInfo = HELSINKI) -> datetime:
    """The most recent moment, at or before `now`, when the clock read `at` in `tz`."""
    local = now.astimezone(tz)
    moment = datetime.combine(local.date(), at, tzinfo=tz)
    if moment > local:
        moment = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=tz)
    return moment


def reconciliation_due(
    last: datetime | None, first_seen: datetime, now: datetime, at: time
) -> bool:
    """Due when no reconciliation has been made since the latest scheduled moment.

    `last` is the latest reconciliation, or None if there never was one; then the kiosk waits
    for the first scheduled moment after `first_seen` (its first start), not closing at once."""
    moment = last_scheduled(now, at)
    since = last if last is not None else first_seen
    return since < moment
