"""Staff passwords and kiosk tokens: making them, storing only hashes, checking them.

Passwords are hashed with Argon2id (argon2-cffi's defaults) and rehashed on the next good login
when those defaults change. After `max_failures` wrong passwords from one client address an
account locks for `lockout_minutes` for that address only, so nobody can lock a named advisor out
from elsewhere; the answer to a locked account, an unknown name and a wrong password is the same,
so a login form never tells whether a username exists. `LoginThrottle` bounds how many logins
wait for Argon2 and how often one address may try. Kiosk tokens are 32 random bytes, so a plain
SHA-256 of them is enough to store: there is nothing to guess.

With several hub instances on one database (PostgreSQL) the throttle's window and the lock-outs
are counted in the store (hub.store.rate_hits, keyed by an HMAC of the address and account), so
failures spread over the instances lock the account as failures on one do; the Argon2 slots
and the checks running at once stay each instance's own (they are its CPU and memory). A wrong
password counts there for FAILURE_SPAN; one process counts it until the next good login.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.config import USERNAME
from hub.hours import utc_iso
from hub.store import HubStore, KioskRecord, User
from hub.store.rate_hits import RateHits

log = logging.getLogger(__name__)

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
KIOSK_ID = USERNAME

#: Argon2id with argon2-cffi's current defaults; a stored hash made with other parameters is
#: replaced at the user's next good login.
hasher = PasswordHasher()
_dummy_hash: dict[PasswordHasher, str] = {}


def _dummy(for_hasher: PasswordHasher) -> str:
    """A hash to verify against when the username is unknown, so that answer takes as long as
    a wrong password does."""
    if for_hasher not in _dummy_hash:
        _dummy_hash[for_hasher] = for_hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hash[for_hasher]


def password_problem(password: str) -> str | None:
    """Why `password` may not be used, or None when it may."""
    if len(password) < MIN_PASSWORD:
        return f"the password must be at least {MIN_PASSWORD} characters long"
    if len(password) > MAX_PASSWORD:
        return f"the password must be at most {MAX_PASSWORD} characters long"
    if not password.strip():
        return "the password must not be only spaces"
    return None


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return hasher.hash(password)


def sha256_hex(secret: str) -> str:
    # surrogateescape: a header's bytes that are not UTF-8 hash as they came, never raise.
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def new_secret() -> str:
    """A random URL-safe secret of 32 bytes (session ids, CSRF tokens, kiosk tokens)."""
    return secrets.token_urlsafe(32)


def same(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(
        a.encode("utf-8", "surrogateescape"), b.encode("utf-8", "surrogateescape")
    )


#: Remembered lock-outs and login windows at most; the oldest are forgotten first, so a flood
#: from many addresses cannot grow the hub's memory without bound.
MAX_REMEMBERED = 10_000
#: Logins from one address checked (or waiting to be) at once: a flood from one place can never
#: hold all of the Argon2 slots.
PER_ADDRESS_AT_ONCE = 2
WINDOW_SECONDS = 60.0
#: Counted in the store (several instances): how long a wrong password counts towards a lock-out.
FAILURE_SPAN = timedelta(hours=24)
#: How often old hits and lock-outs are deleted from the store.
PRUNE_SECONDS = 60.0


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class LoginThrottle:
    """How many logins may wait for a password check, and how often one address may try.

    Runs on the event loop only (no lock): `refusal` decides before the form is even read,
    `slot` holds one of the Argon2 slots while the check runs in a thread.
    """

    def __init__(
        self,
        *,
        per_minute: int,
        queue: int,
        slots: int = 4,
        clock: Callable[[], float] = time.monotonic,
        hits: RateHits | None = None,
        wall_clock: Callable[[], datetime] = _wall_clock,
    ) -> None:
        self._per_minute = per_minute
        #: The window in the store when other instances share it (see the module).
        self._hits = hits if hits is not None and hits.shared else None
        self._wall_clock = wall_clock
        self._pruned_at: float | None = None
        self._queue = queue
        self._clock = clock
        #: Argon2 takes 64 MiB and most of a CPU core for a moment: at most this many at once.
        self._slots = asyncio.Semaphore(slots)
        self._waiting = 0
        self._busy: dict[str, int] = {}
        self._recent: dict[str, deque[float]] = {}

    def refusal(self, address: str) -> int | None:
        """Seconds to tell a login from `address` to wait (429), or None: it may go on."""
        if self._hits is not None:
            return self._shared_refusal(address)
        now = self._clock()
        recent = self._recent.pop(address, None) or deque()
        while recent and recent[0] <= now - WINDOW_SECONDS:
            recent.popleft()
        self._recent[address] = recent  # re-inserted: the dict's order is the last attempt's
        if len(self._recent) > MAX_REMEMBERED:
            del self._recent[next(iter(self._recent))]
        if len(recent) >= self._per_minute:
            return max(1, math.ceil(recent[0] + WINDOW_SECONDS - now))
        if self._busy.get(address, 0) >= PER_ADDRESS_AT_ONCE or self._waiting >= self._queue:
            return 1
        recent.append(now)
        return None

    def _shared_refusal(self, address: str) -> int | None:
        assert self._hits is not None
        if self._busy.get(address, 0) >= PER_ADDRESS_AT_ONCE or self._waiting >= self._queue:
            return 1
        at = self._wall_clock().timestamp()
        if self._pruned_at is None or at - self._pruned_at >= PRUNE_SECONDS:
            self._pruned_at = at
            self._hits.prune("login", before=at - WINDOW_SECONDS)
        key = self._hits.key("login", address)
        free_at = self._hits.hit("login", key, now=at, span=WINDOW_SECONDS, limit=self._per_minute)
        return None if free_at is None else max(1, math.ceil(free_at - at))

    @contextlib.asynccontextmanager
    async def slot(self, address: str) -> AsyncIterator[None]:
        self._waiting += 1
        self._busy[address] = self._busy.get(address, 0) + 1
        try:
            async with self._slots:
                yield
        finally:
            self._waiting -= 1
            left = self._busy.pop(address) - 1
            if left:
                self._busy[address] = left


@dataclass
class _Strikes:
    failures: int = 0
    locked_until: datetime | None = None


class LoginGuard:
    """Checks staff passwords against the store and keeps the lock-outs, per (address, account).

    The store's `failed_logins` and `locked_until` record what happened to the account (the admin
    sees "locked" when some address is locked out of it); whether a login is refused is this
    guard's count for the address it comes from.
    """

    def __init__(
        self,
        store: HubStore,
        clock: Callable[[], datetime],
        *,
        max_failures: int,
        lockout_minutes: int,
    ) -> None:
        self._store = store
        self._clock = clock
        self._max_failures = max_failures
        self._lockout = timedelta(minutes=lockout_minutes)
        self._strikes: dict[tuple[str, str], _Strikes] = {}
        self._lock = threading.Lock()
        #: The strikes in the store when other instances share it (see the module).
        hits = store.rate_hits
        self._hits = hits if hits.shared else None
        self._pruned_at: float | None = None

    def check(self, username: str, password: str, address: str = "") -> User | None:
        """The user if the password is right and the account usable; None in every other case.

        Blocking (Argon2 takes tens of milliseconds): the hub runs it in an executor.
        """
        user = self._store.user(username) if USERNAME.fullmatch(username) else None
        if user is None:
            _verify(_dummy(hasher), password)
            # No name: what was typed may be a password in the wrong field.
            log.info("login for an unknown account", extra={"client": address})
            return None
        now = self._clock()
        key = (address, username)
        locked = self._locked(key, now)
        good = _verify(user.password_hash, password)
        if locked or user.disabled:
            log.info(
                "login refused",
                extra={"username": username, "reason": _why(locked), "client": address},
            )
            return None
        if not good:
            self._failed(key, now)
            log.info("wrong password", extra={"username": username, "client": address})
            return None
        self._forgiven(key)
        rehash = hasher.hash(password) if hasher.check_needs_rehash(user.password_hash) else None
        self._store.login_succeeded(username, password_hash=rehash)
        return user

    def _locked(self, key: tuple[str, str], now: datetime) -> bool:
        if self._hits is not None:
            until = self._hits.latest("login-lock", self._hits.key(*key))
            return until is not None and until > now.timestamp()
        with self._lock:
            strikes = self._strikes.get(key)
            return (
                strikes is not None
                and strikes.locked_until is not None
                and strikes.locked_until > now
            )

    def _forgiven(self, key: tuple[str, str]) -> None:
        """A good login: its wrong passwords no longer count."""
        if self._hits is not None:
            self._hits.forget("login-failure", self._hits.key(*key))
            return
        with self._lock:
            self._strikes.pop(key, None)

    def _failed_shared(self, hits: RateHits, key: tuple[str, str], now: datetime) -> None:
        at = now.timestamp()
        if self._pruned_at is None or at - self._pruned_at >= PRUNE_SECONDS:
            self._pruned_at = at
            hits.prune("login-failure", before=at - FAILURE_SPAN.total_seconds())
            hits.prune("login-lock", before=at)
        hashed = hits.key(*key)
        # Added, then counted: the instance whose count reaches the limit sees every failure
        # committed before its own, so the limit is never passed unseen.
        hits.add("login-failure", hashed, at=at)
        failures = hits.count("login-failure", hashed, since=at - FAILURE_SPAN.total_seconds())
        until = None
        if failures >= self._max_failures:
            until = now + self._lockout
            hits.add("login-lock", hashed, at=until.timestamp())
            hits.forget("login-failure", hashed)
            log.warning("account locked", extra={"username": key[1], "client": key[0]})
        self._store.login_failed(key[1], locked_until=utc_iso(until) if until else None)

    def _failed(self, key: tuple[str, str], now: datetime) -> None:
        if self._hits is not None:
            self._failed_shared(self._hits, key, now)
            return
        with self._lock:
            strikes = self._strikes.pop(key, None) or _Strikes()
            if strikes.locked_until is not None:  # an earlier lock-out that has run out
                strikes = _Strikes()
            strikes.failures += 1
            until = None
            if strikes.failures >= self._max_failures:
                until = now + self._lockout
                strikes = _Strikes(0, until)
            self._strikes[key] = strikes
            if len(self._strikes) > MAX_REMEMBERED:
                del self._strikes[next(iter(self._strikes))]
        if until is not None:
            log.warning("account locked", extra={"username": key[1], "client": key[0]})
        self._store.login_failed(key[1], locked_until=utc_iso(until) if until else None)


def _why(locked: bool) -> str:
    return "locked" if locked else "disabled"


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def enroll_kiosk(store: HubStore, kiosk_id: str, name: str, location: str, *, at: datetime) -> str:
    """Add a kiosk and return its token; only the token's hash is kept, so show it now."""
    if not KIOSK_ID.fullmatch(kiosk_id):
        raise ValueError("the kiosk id must be 1 to 64 of a-z, 0-9, . _ - (starting a-z or 0-9)")
    token = new_secret()
    store.add_kiosk(kiosk_id, name, location, sha256_hex(token), at=utc_iso(at))
    return token


def kiosk_for_token(store: HubStore, kiosk_id: str, token: str) -> KioskRecord | None:
    """The kiosk if `token` is its token."""
    kiosk = store.kiosk(kiosk_id) if KIOSK_ID.fullmatch(kiosk_id) else None
    expected = kiosk.token_hash if kiosk else sha256_hex("")
    matches = same(sha256_hex(token), expected)
    return kiosk if kiosk is not None and matches else None
