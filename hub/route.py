"""`Route`: one row of the hub's route table (hub.routes.ROUTES).

Apart from hub.routes so that a module with routes of its own (hub.enrollment) can build them
without importing the table that lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.auth import Handler


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    allowed: frozenset[str]
