"""How much one client address may ask of `/ws/home`: open sockets, calls and booking codes
(`[home]` of hub.toml, docs/appointments.md).

Nobody logs in at home, so the address is all there is to hold a flood back. Windows slide on
the hub's wall clock. Runs on the event loop only (no lock). At most `MAX_REMEMBERED` addresses
are remembered per window, the one heard from longest ago forgotten first, so that very many
addresses cannot grow the hub's memory without bound.

With several hub instances on one database (PostgreSQL) a window is a `SharedWindow`: its hits
are counted in the store (hub.store.rate_hits, keyed by an HMAC of the address), so an address
gets as much from all instances together as from one (`window()` picks). The open sockets of an
address are counted by each instance for its own sockets.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from datetime import datetime, timedelta
from typing import Protocol

from hub.appointments.settings import HomeSettings
from hub.store.rate_hits import RateHits

MAX_REMEMBERED = 10_000
#: How often a shared window deletes the hits that have left it.
PRUNE_SECONDS = 60.0


class Window(Protocol):
    def allow(self, address: str, now: datetime) -> bool: ...

    def refusal(self, address: str, now: datetime) -> int | None: ...


class SlidingWindow:
    """At most `limit` events per address in any `span`."""

    def __init__(self, limit: int, span: timedelta) -> None:
        self._limit = limit
        self._span = span
        self._seen: OrderedDict[str, deque[datetime]] = OrderedDict()

    def allow(self, address: str, now: datetime) -> bool:
        """Whether one more event from `address` is within the limit; if so it counts."""
        return self.refusal(address, now) is None

    def refusal(self, address: str, now: datetime) -> int | None:
        """Whole seconds until `address` may have one more event (for a Retry-After), or None:
        it is within the limit, and counted."""
        seen = self._seen.pop(address, None) or deque()
        while seen and now - seen[0] >= self._span:
            seen.popleft()
        wait = None
        if len(seen) < self._limit:
            seen.append(now)
        else:
            wait = max(1, math.ceil((seen[0] + self._span - now).total_seconds()))
        if seen:
            self._seen[address] = seen
            while len(self._seen) > MAX_REMEMBERED:
                self._seen.popitem(last=False)
        return wait


class SharedWindow:
    """`SlidingWindow` counted in the store, across hub instances (see the module)."""

    def __init__(self, hits: RateHits, scope: str, limit: int, span: timedelta) -> None:
        self._hits = hits
        self._scope = scope
        self._limit = limit
        self._span = span.total_seconds()
        self._pruned_at: float | None = None

    def allow(self, address: str, now: datetime) -> bool:
        return self.refusal(address, now) is None

    def refusal(self, address: str, now: datetime) -> int | None:
        at = now.timestamp()
        if self._pruned_at is None or at - self._pruned_at >= PRUNE_SECONDS:
            self._pruned_at = at
            self._hits.prune(self._scope, before=at - self._span)
        key = self._hits.key(self._scope, address)
        free_at = self._hits.hit(self._scope, key, now=at, span=self._span, limit=self._limit)
        if free_at is None:
            return None
        return max(1, math.ceil(free_at - at))


def window(hits: RateHits | None, scope: str, limit: int, span: timedelta) -> Window:
    """The window for one limit: in the store when other instances share it, else in memory."""
    if hits is not None and hits.shared:
        return SharedWindow(hits, scope, limit, span)
    return SlidingWindow(limit, span)


class HomeLimits:
    """The limits of the home socket for every client address."""

    def __init__(self, settings: HomeSettings, hits: RateHits | None = None) -> None:
        self._sockets_per_address = settings.sockets_per_address
        self._open: dict[str, int] = {}
        hour = timedelta(hours=1)
        self.calls = window(hits, "home-calls", settings.calls_per_address_per_hour, hour)
        self.codes = window(hits, "home-codes", settings.code_attempts_per_address_per_hour, hour)

    def open_socket(self, address: str) -> bool:
        """One more open socket from `address`, unless it holds its share already."""
        held = self._open.get(address, 0)
        if held >= self._sockets_per_address:
            return False
        self._open[address] = held + 1
        return True

    def close_socket(self, address: str) -> None:
        held = self._open.get(address, 0) - 1
        if held > 0:
            self._open[address] = held
        else:
            self._open.pop(address, None)
