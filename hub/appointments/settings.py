"""[appointments] and [home] of hub.toml: bookings, callbacks and their retention; the public
home-call page and its limits. Checked key by key like every section (hub.config_values)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub.config_values import BOOL, Checker, int_range


@dataclass(frozen=True)
class AppointmentSettings:
    """Callbacks and booked video appointments ([appointments])."""

    #: Days after which the personal data of a callback or booking not yet done is deleted.
    retention_days: int = 14
    #: The length of a slot an advisor or admin adds in the week view, by default.
    slot_minutes: int = 20
    #: How far ahead a citizen may book.
    book_days_ahead: int = 14
    #: A booking code reaches its advisor from this long before the slot starts ...
    early_minutes: int = 10
    #: ... until this long after it started; a booking not used by then is a no-show.
    late_minutes: int = 15
    #: An estimated wait longer than this offers a callback or a booking beside the queue.
    long_wait_minutes: int = 15
    #: A callback answered "no answer" this many times is closed, its contact deleted.
    callback_attempts: int = 3


@dataclass(frozen=True)
class HomeSettings:
    """The public video-advice page `/call` and its socket `/ws/home` ([home])."""

    enabled: bool = True
    #: Home callers waiting on one line at once; one more is told the queue is full.
    max_waiting: int = 10
    #: Open home sockets one client address may hold.
    sockets_per_address: int = 2
    #: Calls one client address may start in any hour.
    calls_per_address_per_hour: int = 6
    #: Booking codes one client address may try in any hour (right or wrong).
    code_attempts_per_address_per_hour: int = 10
    #: Requests for the page and its files one address may make in any minute.
    page_requests_per_address_per_minute: int = 60


_APPOINTMENT_KEYS = (
    "retention_days",
    "slot_minutes",
    "book_days_ahead",
    "early_minutes",
    "late_minutes",
    "long_wait_minutes",
    "callback_attempts",
)
_HOME_KEYS = (
    "enabled",
    "max_waiting",
    "sockets_per_address",
    "calls_per_address_per_hour",
    "code_attempts_per_address_per_hour",
    "page_requests_per_address_per_minute",
)


def appointment_settings(check: Checker, raw: dict[str, Any]) -> dict[str, Any]:
    """The keys of [appointments] and [home]."""
    table = check.table("appointments", raw.get("appointments", {}), _APPOINTMENT_KEYS)
    home = check.table("home", raw.get("home", {}), _HOME_KEYS)
    v = check.value
    a = AppointmentSettings()
    h = HomeSettings()
    return {
        "appointments": AppointmentSettings(
            retention_days=v(
                table, "appointments", "retention_days", a.retention_days, int_range(1, 365)
            ),
            slot_minutes=v(
                table, "appointments", "slot_minutes", a.slot_minutes, int_range(5, 240)
            ),
            book_days_ahead=v(
                table, "appointments", "book_days_ahead", a.book_days_ahead, int_range(1, 90)
            ),
            early_minutes=v(
                table, "appointments", "early_minutes", a.early_minutes, int_range(0, 60)
            ),
            late_minutes=v(
                table, "appointments", "late_minutes", a.late_minutes, int_range(0, 120)
            ),
            long_wait_minutes=v(
                table, "appointments", "long_wait_minutes", a.long_wait_minutes, int_range(1, 240)
            ),
            callback_attempts=v(
                table, "appointments", "callback_attempts", a.callback_attempts, int_range(1, 10)
            ),
        ),
        "home": HomeSettings(
            enabled=v(home, "home", "enabled", h.enabled, BOOL),
            max_waiting=v(home, "home", "max_waiting", h.max_waiting, int_range(0, 1000)),
            sockets_per_address=v(
                home, "home", "sockets_per_address", h.sockets_per_address, int_range(1, 100)
            ),
            calls_per_address_per_hour=v(
                home,
                "home",
                "calls_per_address_per_hour",
                h.calls_per_address_per_hour,
                int_range(1, 10000),
            ),
            code_attempts_per_address_per_hour=v(
                home,
                "home",
                "code_attempts_per_address_per_hour",
                h.code_attempts_per_address_per_hour,
                int_range(1, 10000),
            ),
            page_requests_per_address_per_minute=v(
                home,
                "home",
                "page_requests_per_address_per_minute",
                h.page_requests_per_address_per_minute,
                int_range(1, 100000),
            ),
        ),
    }
