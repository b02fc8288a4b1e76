"""The hub's database: staff accounts, their sessions, enrolled kiosks and anonymous call records.

`HubStore` wraps an injected SQLite connection (tests use a temporary file) or a PostgreSQL
database (sqlschema.postgres, when hub.toml's [store] url names one: `open_configured`),
migrates it on opening and offers typed reads and writes; the same methods run on both.
Secrets never reach the database in the clear: passwords are Argon2 hashes, session ids and
kiosk tokens SHA-256 hashes. SQLite's file (and its -wal and -shm, which SQLite makes with the
same mode) is created readable by its owner only.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from hub.store.appointments import Appointments
from hub.store.callbacks import Callbacks
from hub.store.enrollment import EnrollmentCodes
from hub.store.fleet import FleetStore
from hub.store.rate_hits import RateHits
from hub.store.schema import (
    SCHEMA_VERSION,
    IntegrityErrors,
    SchemaTooNewError,
    StoreError,
    migrate,
)
from hub.store.submissions import Submissions
from hub.store.updates import Updates

if TYPE_CHECKING:
    from hub.config import HubConfig
    from sqlschema.postgres import PgDatabase

__all__ = [
    "ROLES",
    "SCHEMA_VERSION",
    "HubStore",
    "KioskRecord",
    "SchemaTooNewError",
    "StoreError",
    "User",
    "open_configured",
    "open_postgres",
    "open_store",
]

ROLES = ("advisor", "support", "technician", "admin")
BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class User:
    username: str
    role: str
    password_hash: str
    failed_logins: int
    locked_until: str | None
    created_at: str
    disabled: bool


@dataclass(frozen=True)
class KioskRecord:
    kiosk_id: str
    name: str
    location: str
    token_hash: str
    created_at: str
    last_seen: str | None
    contact: str | None = None
    #: The library it belongs to, for rollouts (docs/updates.md); None: none set.
    library: str | None = None

    @property
    def revoked(self) -> bool:
        """Its token was revoked (`kiosk-hub kiosk revoke`): no token is its token."""
        return not self.token_hash


@dataclass(frozen=True)
class StaffSession:
    user: User
    csrf_token: str
    expires_at: str


class HubStore:
    """Typed access to the hub database over one connection, guarded by one lock."""

    def __init__(self, conn: sqlite3.Connection | PgDatabase) -> None:
        self._lock = threading.RLock()
        self._db: Any
        if isinstance(conn, sqlite3.Connection):
            self._conn: sqlite3.Connection | None = conn
            self._db = Database(conn, execute_plugins=False)
        else:
            self._conn = None
            self._db = conn
        #: "sqlite" or "postgresql": where the two need different SQL (very few places).
        self.dialect: str = getattr(self._db, "dialect", "sqlite")
        with self._lock:
            self.migrated_from = migrate(self._db)
        self._credential_changes = 0
        #: Sealed submissions from kiosks (hub.store.submissions).
        self.submissions = Submissions(self._db, self._lock)
        #: One-time enrollment codes (hub.store.enrollment).
        self.enrollment = EnrollmentCodes(self._db, self._lock, self._credentials_changed)
        self.fleet = FleetStore(self._db, self._lock)
        #: Advisors' slots, bookings, calendar feeds; callbacks (docs/appointments.md).
        self.appointments = Appointments(self._db, self._lock)
        self.callbacks = Callbacks(self._db, self._lock)
        #: Sliding windows counted across hub instances (hub.store.rate_hits).
        self.rate_hits = RateHits(self._db, self._lock)
        #: Rollouts, pilot groups, libraries and kiosks' update reports (docs/updates.md).
        self.updates = Updates(self._db, self._lock)

    @property
    def db(self) -> Any:
        """sqlite-utils' `Database`, or its PostgreSQL counterpart (sqlschema.postgres)."""
        return self._db

    # Staff accounts

    def add_user(self, username: str, role: str, password_hash: str, *, at: str) -> None:
        """Add an account; raises StoreError if the username is taken."""
        if role not in ROLES:
            raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
        row = {
            "username": username,
            "role": role,
            "password_hash": password_hash,
            "created_at": at,
        }
        with self._lock:
            try:
                self._db.table("users").insert(row)
            except IntegrityErrors:
                raise StoreError(f"there is already a user {username}") from None

    def user(self, username: str) -> User | None:
        with self._lock:
            rows = list(self._db.table("users").rows_where("username = ?", [username]))
        return _user(rows[0]) if rows else None

    def users(self) -> list[User]:
        with self._lock:
            rows = list(self._db.table("users").rows_where(order_by="username"))
        return [_user(row) for row in rows]

    def disable_user(self, username: str) -> bool:
        """Disable an account and end its sessions; False if there is no such user."""
        with self._lock, self._db.atomic():
            changed = self._db.execute(
                "UPDATE users SET disabled = 1 WHERE username = ?", [username]
            ).rowcount
            self._db.execute("DELETE FROM sessions WHERE username = ?", [username])
        self._credentials_changed()
        return bool(changed)

    # Credentials that ended

    def credentials_stamp(self) -> tuple[int, int]:
        """Changes when a credential may have ended: a session deleted, an account disabled, a
        kiosk's token replaced or revoked, here or by another process (a `kiosk-hub` command)
        writing the database. Whoever holds a credential's socket open looks again then."""
        with self._lock:
            if self._conn is not None:
                # data_version moves when another connection commits, never for this one's.
                version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            else:
                # Every hub instance and command bumps the shared count (_credentials_changed).
                row = self._db.execute(
                    "SELECT value FROM hub_counters WHERE name = 'credentials'"
                ).fetchone()
                version = int(row[0]) if row else 0
        return version, self._credential_changes

    def _credentials_changed(self) -> None:
        self._credential_changes += 1
        if self._conn is None:
            with self._lock:
                self._db.execute(
                    "UPDATE hub_counters SET value = value + 1 WHERE name = 'credentials'"
                )

    def login_failed(self, username: str, *, locked_until: str | None) -> None:
        """Count a wrong password; with `locked_until` the account locks and the count restarts."""
        with self._lock, self._db.atomic():
            if locked_until is None:
                sql = "UPDATE users SET failed_logins = failed_logins + 1 WHERE username = ?"
                self._db.execute(sql, [username])
            else:
                sql = "UPDATE users SET failed_logins = 0, locked_until = ? WHERE username = ?"
                self._db.execute(sql, [locked_until, username])

    def login_succeeded(self, username: str, *, password_hash: str | None = None) -> None:
        """Clear the failure count (and store a rehashed password when given)."""
        with self._lock, self._db.atomic():
            self._db.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?",
                [username],
            )
            if password_hash is not None:
                self._db.execute(
                    "UPDATE users SET password_hash = ? WHERE username = ?",
                    [password_hash, username],
                )

    # Staff sessions

    def add_session(
        self, id_hash: str, username: str, csrf_token: str, *, at: str, expires_at: str
    ) -> None:
        row = {
            "id_hash": id_hash,
            "username": username,
            "csrf_token": csrf_token,
            "created_at": at,
            "expires_at": expires_at,
        }
        with self._lock, self._db.atomic():
            self._db.execute("DELETE FROM sessions WHERE expires_at <= ?", [at])
            self._db.table("sessions").insert(row)

    def session(self, id_hash: str, *, now: str) -> StaffSession | None:
        """The live session with this id hash, of an account that is not disabled."""
        with self._lock:
            rows = list(
                self._db.query(
                    "SELECT users.*, sessions.csrf_token AS csrf, sessions.expires_at AS expires"
                    " FROM sessions JOIN users USING (username)"
                    " WHERE id_hash = ? AND expires_at > ? AND users.disabled = 0",
                    [id_hash, now],
                )
            )
        if not rows:
            return None
        row = rows[0]
        csrf, expires = row.pop("csrf"), row.pop("expires")
        return StaffSession(_user(row), csrf, expires)

    def delete_session(self, id_hash: str) -> None:
        with self._lock, self._db.atomic():
            self._db.execute("DELETE FROM sessions WHERE id_hash = ?", [id_hash])
        self._credentials_changed()

    # Kiosks

    def add_kiosk(
        self, kiosk_id: str, name: str, location: str, token_hash: str, *, at: str
    ) -> None:
        row = {
            "kiosk_id": kiosk_id,
            "name": name,
            "location": location,
            "token_hash": token_hash,
            "created_at": at,
        }
        with self._lock:
            try:
                self._db.table("kiosks").insert(row)
            except IntegrityErrors:
                raise StoreError(f"there is already a kiosk {kiosk_id}") from None

    def kiosk(self, kiosk_id: str) -> KioskRecord | None:
        with self._lock:
            rows = list(self._db.table("kiosks").rows_where("kiosk_id = ?", [kiosk_id]))
        return KioskRecord(**rows[0]) if rows else None

    def kiosks(self) -> list[KioskRecord]:
        with self._lock:
            rows = list(self._db.table("kiosks").rows_where(order_by="kiosk_id"))
        return [KioskRecord(**row) for row in rows]

    def revoked_kiosks(self) -> set[str]:
        """The ids of the kiosks whose token was revoked (retired, or waiting for a new one)."""
        with self._lock:
            rows = self._db.execute("SELECT kiosk_id FROM kiosks WHERE token_hash = ''").fetchall()
        return {str(row[0]) for row in rows}

    def revoke_kiosk(self, kiosk_id: str) -> bool:
        """Revoke a kiosk's token (it stays listed, with its history); False if no such kiosk.
        An enrollment code for the same id gives it a new token."""
        with self._lock, self._db.atomic():
            changed = self._db.execute(
                "UPDATE kiosks SET token_hash = '' WHERE kiosk_id = ?", [kiosk_id]
            ).rowcount
        self._credentials_changed()
        return bool(changed)

    def kiosk_seen(self, kiosk_id: str, *, at: str) -> None:
        with self._lock, self._db.atomic():
            self._db.execute("UPDATE kiosks SET last_seen = ? WHERE kiosk_id = ?", [at, kiosk_id])

    # Call records (anonymous)

    def save_call_record(self, row: dict[str, object]) -> None:
        """Insert a call's record, or replace the one with the same `id` (a later rating)."""
        with self._lock, self._db.atomic():
            self._db.table("call_records").upsert(row, pk="id")

    def call_records(self) -> list[dict[str, object]]:
        """Every call record, oldest first."""
        with self._lock:
            return list(self._db.table("call_records").rows_where(order_by="queued_at, id"))

    # The call switchboard's saved state (hub.calls.saved), a row of `switchboard_state`

    def switchboard_state(self, name: str) -> str | None:
        with self._lock:
            rows = list(
                self._db.query("SELECT value FROM switchboard_state WHERE name = ?", [name])
            )
        return str(rows[0]["value"]) if rows else None

    def save_switchboard_state(self, name: str, value: str, *, at: str) -> None:
        with self._lock, self._db.atomic():
            self._db.table("switchboard_state").upsert(
                {"name": name, "value": value, "seq": 0, "at": at}, pk="name"
            )

    def ping(self) -> None:
        """Raises if the database cannot be read."""
        with self._lock:
            self._db.execute("SELECT 1").fetchone()

    def close(self) -> None:
        with self._lock:
            self._db.conn.close()


def _user(row: dict[str, object]) -> User:
    return User(**{**row, "disabled": bool(row["disabled"])})  # type: ignore[arg-type]


def open_configured(config: HubConfig) -> HubStore:
    """The store hub.toml names: PostgreSQL at [store] url, else SQLite in the data folder."""
    if config.store_url:
        return open_postgres(config.store_url)
    return open_store(config.db_path)


def open_postgres(url: str) -> HubStore:
    """Connect to (and migrate) the hub database in PostgreSQL at `url`. StoreError if it
    cannot be reached, saying where it looked (never the URL's password)."""
    import psycopg

    from sqlschema import postgres

    try:
        conn = postgres.connect(url)
    except psycopg.Error as exc:
        where = psycopg.conninfo.conninfo_to_dict(url) if "://" in url else {}
        shown = (
            f"{where.get('host', 'localhost')}:{where.get('port', 5432)}/{where.get('dbname', '')}"
        )
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"cannot connect to PostgreSQL at {shown}: {reason}") from None
    try:
        return HubStore(postgres.PgDatabase(conn))
    except BaseException:
        conn.close()
        raise


def open_store(path: Path) -> HubStore:
    """Open (creating it and its folder if need be) and migrate the hub database at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created here, 0600, before SQLite would create it with the umask's mode (0644 outside
    # systemd): it holds password hashes and personal data in transit.
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    conn = sqlite3.connect(path, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Deleted personal data (a callback's contact, a delivered submission) is overwritten
        # with zeros in the file, not left in its free space.
        conn.execute("PRAGMA secure_delete = ON")
        return HubStore(conn)
    except BaseException:
        conn.close()
        raise
