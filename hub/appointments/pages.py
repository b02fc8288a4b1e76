"""The advisors' schedule page `/advisor/schedule` and its files (docs/appointments.md)."""

from __future__ import annotations

from hub.route import Route

SCHEDULE_PAGES: tuple[Route, ...] = ()
