"""Bookings of advisors' slots: book, use a code, no-shows, retention (docs/appointments.md)."""

from __future__ import annotations

from datetime import datetime

from hub.context import HubContext


def sweep(hub: HubContext, now: datetime) -> None:
    """Mark no-shows and delete personal data that is due (run by hub.appointments.sweeper)."""
