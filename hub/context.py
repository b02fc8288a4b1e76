"""What every request handler of the hub reaches through the app: config, store, clock, guard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from hub.accounts import LoginGuard, LoginThrottle
from hub.config import HubConfig
from hub.store import HubStore


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class HubContext:
    config: HubConfig
    store: HubStore
    clock: Callable[[], datetime]
    guard: LoginGuard
    #: Argon2 takes 64 MiB and most of a CPU core for a moment: a burst of login attempts waits
    #: for a few slots, in a bounded queue, and one address cannot take them all.
    throttle: LoginThrottle

    @classmethod
    def make(
        cls, config: HubConfig, store: HubStore, clock: Callable[[], datetime] = utc_now
    ) -> HubContext:
        guard = LoginGuard(
            store,
            clock,
            max_failures=config.max_failures,
            lockout_minutes=config.lockout_minutes,
        )
        throttle = LoginThrottle(
            per_minute=config.access.login_attempts_per_minute,
            queue=config.access.login_queue,
            hits=store.rate_hits,
        )
        return cls(config, store, clock, guard, throttle)

    @property
    def cookie_name(self) -> str:
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, for this
        # host only and for path /: no subdomain or plain-HTTP page can plant or read it.
        return "__Host-hub-session" if self.config.cookie_secure else "hub-session"


HUB = web.AppKey("hub", HubContext)
#: (method, path) → who may use it, filled from the route table when the app is made.
ACCESS = web.AppKey("access", dict[tuple[str, str], frozenset[str]])
