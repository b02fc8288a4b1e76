"""Callbacks: a sealed request from a kiosk, claimed by an advisor, done (docs/appointments.md)."""

from __future__ import annotations

from datetime import datetime

from hub.context import HubContext


def sweep(hub: HubContext, now: datetime) -> None:
    """Delete personal data that is due (run by hub.appointments.sweeper)."""
