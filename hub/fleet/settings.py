"""The typed settings of fleet health: offline detection, opening hours, alert mail, metrics.

hub.config reads and checks them from hub.toml ([fleet], [alerts], [metrics]); they live here so
that the fleet code and the config checker share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hub.hours import WEEKDAYS, DayRanges

#: A public library's usual week: weekdays 09–20, Saturday 10–16, closed on Sunday.
DEFAULT_OPENING_HOURS: dict[str, DayRanges] = {
    **dict.fromkeys(WEEKDAYS[:5], ((9 * 60, 20 * 60),)),
    "sat": ((10 * 60, 16 * 60),),
}


@dataclass(frozen=True)
class FleetSettings:
    #: A kiosk with no heartbeat for this long is offline (an `offline` alert).
    offline_minutes: int = 3
    #: The kiosks' opening hours in Europe/Helsinki time: the utilisation rate's denominator.
    opening_hours: dict[str, DayRanges] = field(default_factory=lambda: dict(DEFAULT_OPENING_HOURS))


@dataclass(frozen=True)
class AlertSettings:
    """Who hears of an alert by e-mail: library staff for `clear`, technicians for the rest."""

    notify_clear: tuple[str, ...] = ()
    notify_maintenance: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricsSettings:
    #: A file whose first line is the bearer token /metrics asks for.
    token_file: Path | None = None
    #: The hub's port is reachable by no one but the scraper: /metrics answers without a token.
    private_port: bool = False
