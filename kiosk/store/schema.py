"""The kiosk database's schema: its version, the migrations that build it, and running them.

Migration N (a Python function, `MIGRATIONS[N-1]`) takes the database from version N-1 to N;
`sqlschema` runs them (one transaction each, a backup first) for this store and the other.

Enumerated columns (usage.kind, events.kind, payment_journal.state, ...) are checked by the
Store in Python rather than by CHECK constraints: SQLite cannot alter a CHECK without rebuilding
the table, and these lists will grow.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

import sqlschema
from sqlschema import (
    Migration,
    SchemaTooNewError,
    StoreError,
    backup,
    database_file,
    schema_version,
)

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Migration",
    "SchemaTooNewError",
    "StoreError",
    "backup",
    "database_file",
    "migrate",
    "schema_version",
]


def _create_v1(db: Database) -> None:
    db.table("usage").create(
        {
            "id": int,
            "session_id": str,
            "kind": str,
            "service": str,
            "language": str,
            "value": str,
            "duration_ms": int,
            "at": str,
        },
        pk="id",
        not_null=["session_id", "kind", "at"],
        strict=True,
    )
    db.table("usage").create_index(["at"])

    db.table("events").create(
        {
            "id": int,
            "at": str,
            "level": str,
            "kind": str,
            "device_id": str,
            "session_id": str,
            "code": str,
            "attention": str,
            "payload": str,
            "shipped_at": str,
        },
        pk="id",
        not_null=["at", "level", "kind", "payload"],
        defaults={"payload": "{}"},
        strict=True,
    )
    # The agent asks for "not shipped yet, oldest first" all day long.
    db.table("events").create_index(["shipped_at", "id"])
    db.table("events").create_index(["at"])

    db.table("outbox").create(
        {
            "id": str,
            "kind": str,
            "created_at": str,
            "sealed": bytes,
            "attempts": int,
            "last_error": str,
            "delivered_at": str,
        },
        pk="id",
        not_null=["kind", "created_at", "sealed", "attempts"],
        defaults={"attempts": 0},
        strict=True,
    )
    db.table("outbox").create_index(["delivered_at", "created_at"])

    db.table("payment_journal").create(
        {
            "sale_reference": str,
            "session_id": str,
            "purpose": str,
            "amount_cents": int,
            "currency": str,
            "state": str,
            "terminal_reference": str,
            "card_last4": str,
            "created_at": str,
            "resolved_at": str,
            "note": str,
        },
        pk="sale_reference",
        not_null=["amount_cents", "currency", "state", "created_at"],
        defaults={"currency": "EUR"},
        strict=True,
    )
    # Start-up looks for intents that never got an outcome.
    db.table("payment_journal").create_index(["state"])

    db.table("print_jobs").create(
        {
            "job_id": str,
            "session_id": str,
            "device_id": str,
            "pages_total": int,
            "pages_done": int,
            "copies": int,
            "state": str,
            "created_at": str,
            "finished_at": str,
            "reason": str,
        },
        pk="job_id",
        not_null=["pages_done", "copies", "state", "created_at"],
        defaults={"pages_done": 0, "copies": 1},
        strict=True,
    )
    db.table("print_jobs").create_index(["state"])


def _add_reconciliations_v2(db: Database) -> None:
    """The day's closings of the payment terminal, beside the journal's own count of them."""
    db.table("reconciliations").create(
        {
            "id": int,
            "at": str,
            "journal_count": int,
            "journal_total_cents": int,
            "terminal_count": int,
            "terminal_total_cents": int,
            "matched": int,
        },
        pk="id",
        not_null=["at", "journal_count", "journal_total_cents", "matched"],
        strict=True,
    )
    db.table("reconciliations").create_index(["at"])


def _add_outbox_delivery_state_v3(db: Database) -> None:
    """What kiosk-agent learns while shipping the outbox: when a row may be tried again after a
    passing failure, and the hub's final refusal of a row (kept for support, never retried)."""
    for column in ("next_attempt_at", "rejected_at", "reject_code", "reject_message"):
        db.execute(f"ALTER TABLE outbox ADD COLUMN {column} TEXT")
    # The agent's question: not delivered, not rejected, oldest first.
    db.table("outbox").create_index(["delivered_at", "rejected_at", "created_at"])


def _add_fleet_v4(db: Database) -> None:
    """Fleet health: the app's heartbeat for kiosk-agent, the remote actions support asks for
    (the agent puts them here, the app performs them and writes the outcome back), and which
    usage rows the agent has shipped to the hub."""
    db.table("app_heartbeat").create(
        {"id": int, "at": str, "started_at": str, "version": str, "session_active": int},
        pk="id",
        not_null=["at", "started_at", "version", "session_active"],
        strict=True,
    )
    db.table("commands").create(
        {
            "id": str,
            "kind": str,
            "device_id": str,
            "requested_by": str,
            "requested_at": str,
            "taken_at": str,
            "done_at": str,
            "ok": int,
            "message": str,
            "results": str,
            "screenshot": bytes,
            "reported_at": str,
        },
        pk="id",
        not_null=["kind", "requested_by", "requested_at"],
        strict=True,
    )
    # The app asks "not taken yet", the agent "done, not reported yet", every few seconds.
    db.table("commands").create_index(["taken_at", "kind"])
    db.table("commands").create_index(["done_at", "reported_at"])
    db.execute("ALTER TABLE usage ADD COLUMN shipped_at TEXT")
    db.table("usage").create_index(["shipped_at", "id"])
    # Each device's latest health event, for the agent's heartbeat.
    db.table("events").create_index(["kind", "device_id", "id"])


#: MIGRATIONS[N-1] takes the schema from version N-1 to N. Append only; never edit a shipped one.
MIGRATIONS: list[Callable[[Database], None]] = [
    _create_v1,
    _add_reconciliations_v2,
    _add_outbox_delivery_state_v3,
    _add_fleet_v4,
]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: Database) -> int:
    """Bring the database to SCHEMA_VERSION; returns the version this call migrated it from."""
    return sqlschema.migrate(db, MIGRATIONS, software="kiosk software")
