"""The routes of schedules, bookings and calendar feeds (docs/appointments.md)."""

from __future__ import annotations

from hub.route import Route

APPOINTMENT_ROUTES: tuple[Route, ...] = ()
