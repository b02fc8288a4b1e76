"""Video advice from home: the public socket `/ws/home` and its limits (docs/appointments.md)."""

from __future__ import annotations

from hub.route import Route

HOME_ROUTES: tuple[Route, ...] = ()
