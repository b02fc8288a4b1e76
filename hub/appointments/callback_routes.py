"""The routes of callbacks: the advisors' list, claim, done and no answer (docs/appointments.md)."""

from __future__ import annotations

from hub.route import Route

CALLBACK_ROUTES: tuple[Route, ...] = ()
