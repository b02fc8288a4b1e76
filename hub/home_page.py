"""The public home-call page `/call`, its files and the lines it lists (docs/appointments.md)."""

from __future__ import annotations

from hub.route import Route

HOME_PAGE_ROUTES: tuple[Route, ...] = ()
