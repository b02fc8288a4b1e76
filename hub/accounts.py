"""Staff passwords and kiosk tokens: making them, storing only hashes, checking them.

Passwords are hashed with Argon2id (argon2-cffi's defaults) and rehashed on the next good login
when those defaults change. After `max_failures` wrong passwords an account locks for
`lockout_minutes`; the answer to a locked account, an unknown name and a wrong password is the
same, so a login form never tells whether a username exists. Kiosk tokens are 32 random bytes,
so a plain SHA-256 of them is enough to store: there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.config import USERNAME
from hub.hours import utc_iso
from hub.store import HubStore, KioskRecord, User

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
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A random URL-safe secret of 32 bytes (session ids, CSRF tokens, kiosk tokens)."""
    return secrets.token_urlsafe(32)


def same(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class LoginGuard:
    """Checks staff passwords against the store and keeps the lock-out count."""

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

    def check(self, username: str, password: str) -> User | None:
        """The user if the password is right and the account usable; None in every other case.

        Blocking (Argon2 takes tens of milliseconds): the hub runs it in an executor.
        """
        user = self._store.user(username) if USERNAME.fullmatch(username) else None
        if user is None:
            _verify(_dummy(hasher), password)
            return None
        now = utc_iso(self._clock())
        locked = user.locked_until is not None and user.locked_until > now
        good = _verify(user.password_hash, password)
        if locked or user.disabled:
            log.info("login refused", extra={"username": username, "reason": _why(locked)})
            return None
        if not good:
            failures = user.failed_logins + 1
            until = None
            if failures >= self._max_failures:
                until = utc_iso(self._clock() + self._lockout)
                log.warning("account locked", extra={"username": username})
            self._store.login_failed(username, locked_until=until)
            log.info("wrong password", extra={"username": username})
            return None
        rehash = hasher.hash(password) if hasher.check_needs_rehash(user.password_hash) else None
        self._store.login_succeeded(username, password_hash=rehash)
        return user


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
