"""Fleet health in the hub database: kiosk status, shipped events and usage, alerts, actions.

Migration v5 (hub.store.fleet_schema) makes the tables; `FleetStore` reads and writes them
over the store's database (SQLite or PostgreSQL, the same SQL) and lock. Ingest is one
transaction per request: `executemany` of INSERT OR IGNORE on (kiosk_id, id), so a batch sent
twice stores nothing the second time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

LEVELS = ("debug", "info", "warning", "error", "critical")


@dataclass(frozen=True)
class Alert:
    id: int
    kiosk_id: str
    source: str
    device_id: str | None
    code: str | None
    attention: str
    opened_at: str
    cleared_at: str | None
    notified_at: str | None
    detail: str | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """One alert is open at a time per kiosk, source, device and code."""
        return (self.kiosk_id, self.source, self.device_id or "", self.code or "")


_ALERT = (
    "id, kiosk_id, source, device_id, code, attention, opened_at, cleared_at, notified_at, detail"
)
_ACTION = (
    "id, kiosk_id, kind, device_id, requested_by, requested_at, delivered_at, done_at, ok,"
    " message, screenshot IS NOT NULL AS has_screenshot"
)
STATUS_COLUMNS = (
    "kiosk_id",
    "received_at",
    "app_state",
    "app_since",
    "version",
    "session_active",
    "devices_json",
    "disk_free",
    "disk_total",
    "mem_available",
    "mem_total",
    "uptime_s",
    "last_self_test_json",
)
_UPSERT_STATUS = (
    f"INSERT INTO kiosk_status ({', '.join(STATUS_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(STATUS_COLUMNS))})"
    " ON CONFLICT (kiosk_id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in STATUS_COLUMNS[1:-1])
    # A heartbeat without a self-test keeps the last one known.
    + ", last_self_test_json ="
    " COALESCE(excluded.last_self_test_json, kiosk_status.last_self_test_json)"
)
EVENT_COLUMNS = (
    "kiosk_id",
    "event_id",
    "at",
    "received_at",
    "level",
    "kind",
    "device_id",
    "code",
    "attention",
    "message",
    "payload_json",
)
USAGE_COLUMNS = (
    "kiosk_id",
    "usage_id",
    "session_id",
    "kind",
    "service",
    "language",
    "value",
    "duration_ms",
    "at",
)


def _log_filter(kiosk_id: str, query: str, min_level: str) -> tuple[str, list[object]]:
    """The WHERE clause (and its parameters) of a kiosk's records at `min_level` or above
    holding `query` in their message, code or kind, in any case."""
    levels = LEVELS[LEVELS.index(min_level) :]
    where = f"kiosk_id = ? AND level IN ({', '.join('?' * len(levels))})"
    params: list[object] = [kiosk_id, *levels]
    if query:
        where += (
            " AND (instr(lower(coalesce(message, '')), ?) > 0"
            " OR instr(lower(coalesce(code, '')), ?) > 0 OR instr(lower(kind), ?) > 0)"
        )
        params += [query.lower()] * 3
    return where, params


def _insert(table: str, columns: Sequence[str]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def _state(payload_json: str | None) -> Any:
    """A device record's state, or None when its payload is not a JSON object (one stored
    before intake refused NaN is not JSON to a strict parser)."""
    try:
        payload = json.loads(payload_json or "", parse_constant=_refuse)
    except ValueError:
        return None
    return payload.get("state") if isinstance(payload, dict) else None


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class FleetStore:
    """Typed reads and writes of the fleet tables, over the store's connection and lock."""

    def __init__(self, db: Database | Any, lock: threading.RLock) -> None:
        #: sqlite-utils' Database or sqlschema.postgres' PgDatabase: `execute` on both.
        self._db = db
        self._lock = lock

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self._lock, self._db.atomic():
            yield self._db

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self._db.execute(sql, list(params))
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # Kiosks and their status

    def kiosks(self, kiosk_id: str | None = None) -> list[dict[str, Any]]:
        """Enrolled kiosks (all, or the one): id, name, location and contact (None while the
        database has no contact column)."""
        where, params = ("WHERE kiosk_id = ?", [kiosk_id]) if kiosk_id is not None else ("", [])
        rows = self._rows(f"SELECT * FROM kiosks {where} ORDER BY kiosk_id", params)
        return [
            {
                "kiosk_id": row["kiosk_id"],
                "name": row["name"],
                "location": row["location"],
                "contact": row.get("contact"),
            }
            for row in rows
        ]

    def kiosk(self, kiosk_id: str) -> dict[str, Any] | None:
        found = self.kiosks(kiosk_id)
        return found[0] if found else None

    def save_status(self, row: Sequence[object]) -> None:
        """Replace a kiosk's status with a heartbeat's: values in STATUS_COLUMNS order. On
        PostgreSQL (autocommit) the one statement is its own transaction: no BEGIN and COMMIT
        round trips for each heartbeat while the hub's event loop waits."""
        if getattr(self._db, "dialect", "sqlite") == "postgresql":
            with self._lock:
                self._db.execute(_UPSERT_STATUS, list(row))
            return
        with self._tx() as conn:
            conn.execute(_UPSERT_STATUS, row)

    def save_self_test(self, kiosk_id: str, results_json: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO kiosk_status (kiosk_id, last_self_test_json) VALUES (?, ?)"
                " ON CONFLICT (kiosk_id) DO UPDATE SET"
                " last_self_test_json = excluded.last_self_test_json",
                [kiosk_id, results_json],
            )

    def statuses(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM kiosk_status")

    def last_heartbeats(self) -> list[tuple[str, str, str | None, str | None]]:
        """(kiosk id, received_at, app state, app since) of every kiosk that has beaten: what
        the offline watch reads, without the status rows' device JSON."""
        with self._lock:
            rows = self._db.execute(
                "SELECT kiosk_id, received_at, app_state, app_since FROM kiosk_status"
                " WHERE received_at IS NOT NULL"
            ).fetchall()
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    def status(self, kiosk_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM kiosk_status WHERE kiosk_id = ?", [kiosk_id])
        return rows[0] if rows else None

    # Events and usage

    def add_events(self, rows: Sequence[Sequence[object]]) -> int:
        """Store events (values in EVENT_COLUMNS order) not stored before; returns how many."""
        return self._insert_many(_insert("kiosk_events", EVENT_COLUMNS), rows)

    def add_usage(self, rows: Sequence[Sequence[object]]) -> int:
        """Store usage rows (values in USAGE_COLUMNS order) not stored before; returns how many."""
        return self._insert_many(_insert("kiosk_usage", USAGE_COLUMNS), rows)

    def _insert_many(self, sql: str, rows: Sequence[Sequence[object]]) -> int:
        if not rows:
            return 0
        # Both drivers sum the rows each statement changed (none for one ignored).
        with self._tx() as db:
            if isinstance(db, Database):
                return int(db.conn.executemany(sql, rows).rowcount)
            return int(db.executemany(sql, rows).rowcount)

    def add_hub_event(self, kiosk_id: str, row: dict[str, object]) -> None:
        """A record the hub makes about a kiosk (a self-test report, an action's result)."""
        with self._tx() as conn:
            (lowest,) = conn.execute(
                "SELECT coalesce(min(event_id), 0) FROM kiosk_events WHERE kiosk_id = ?"
                " AND event_id < 0",
                [kiosk_id],
            ).fetchone()
            values = {**row, "kiosk_id": kiosk_id, "event_id": lowest - 1}
            conn.execute(
                _insert("kiosk_events", EVENT_COLUMNS), [values.get(c) for c in EVENT_COLUMNS]
            )

    def device_history(
        self, kiosk_id: str, limit: int = 200, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Newest first: `limit` device state records from the `offset`-th on."""
        rows = self._rows(
            "SELECT at, device_id, payload_json, attention, code FROM kiosk_events"
            " WHERE kiosk_id = ? AND kind = 'device'"
            " ORDER BY at DESC, event_id DESC LIMIT ? OFFSET ?",
            [kiosk_id, limit, offset],
        )
        for row in rows:
            row["state"] = _state(row.pop("payload_json"))
        return rows

    def device_history_count(self, kiosk_id: str) -> int:
        rows = self._rows(
            "SELECT count(*) AS n FROM kiosk_events WHERE kiosk_id = ? AND kind = 'device'",
            [kiosk_id],
        )
        return int(rows[0]["n"])

    def logs(
        self,
        kiosk_id: str,
        *,
        query: str = "",
        min_level: str = "debug",
        limit: int = 200,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Newest first: `limit` records from the `offset`-th on, of those at `min_level` or
        above whose message, code or kind holds `query` (any case)."""
        where, params = _log_filter(kiosk_id, query, min_level)
        return self._rows(
            "SELECT at, level, kind, device_id, code, message FROM kiosk_events"
            f" WHERE {where} ORDER BY at DESC, event_id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )

    def count_logs(self, kiosk_id: str, *, query: str = "", min_level: str = "debug") -> int:
        """How many records `logs` pages through with the same filter."""
        where, params = _log_filter(kiosk_id, query, min_level)
        rows = self._rows(f"SELECT count(*) AS n FROM kiosk_events WHERE {where}", params)
        return int(rows[0]["n"])

    # Alerts

    def open_alerts(self) -> list[Alert]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ALERT} FROM alerts WHERE cleared_at IS NULL ORDER BY id"
            ).fetchall()
        return [Alert(*row) for row in rows]

    def alerts_for(self, kiosk_id: str, limit: int = 200) -> list[Alert]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ALERT} FROM alerts WHERE kiosk_id = ? ORDER BY opened_at DESC, id DESC"
                " LIMIT ?",
                [kiosk_id, limit],
            ).fetchall()
        return [Alert(*row) for row in rows]

    def open_alert(
        self,
        kiosk_id: str,
        source: str,
        device_id: str | None,
        code: str | None,
        attention: str,
        *,
        at: str,
        detail: str | None = None,
    ) -> Alert | None:
        """The alert opened now; None when one with its key is open already (the unique index
        alerts_open_once: another hub instance opened it)."""
        with self._tx() as conn:
            rows = conn.execute(
                "INSERT OR IGNORE INTO alerts (kiosk_id, source, device_id, code, attention,"
                " opened_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [kiosk_id, source, device_id, code, attention, at, detail],
            ).fetchall()
        if not rows:
            return None
        return Alert(
            int(rows[0][0]), kiosk_id, source, device_id, code, attention, at, None, None, detail
        )

    def clear_alert(self, alert_id: int, *, at: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "UPDATE alerts SET cleared_at = ? WHERE id = ? AND cleared_at IS NULL",
                [at, alert_id],
            )

    def alert_notified(self, alert_id: int, *, at: str) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE alerts SET notified_at = ? WHERE id = ?", [at, alert_id])

    # Actions

    def add_action(
        self, action_id: str, kiosk_id: str, kind: str, device_id: str | None, by: str, *, at: str
    ) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO actions (id, kiosk_id, kind, device_id, requested_by, requested_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [action_id, kiosk_id, kind, device_id, by, at],
            )

    def kiosks_with_undelivered_actions(self) -> set[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT kiosk_id FROM actions WHERE delivered_at IS NULL"
            ).fetchall()
        return {row[0] for row in rows}

    def deliver_actions(self, kiosk_id: str, *, at: str) -> list[dict[str, Any]]:
        """The kiosk's actions not yet delivered, oldest first, now marked delivered at `at`."""
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT id, kind, device_id, requested_by FROM actions"
                " WHERE kiosk_id = ? AND delivered_at IS NULL ORDER BY requested_at, id",
                [kiosk_id],
            ).fetchall()
            for row in rows:
                conn.execute("UPDATE actions SET delivered_at = ? WHERE id = ?", [at, row[0]])
        return [
            {"id": row[0], "kind": row[1], "device_id": row[2], "requested_by": row[3]}
            for row in rows
        ]

    def action(self, action_id: str) -> dict[str, Any] | None:
        rows = self._rows(f"SELECT {_ACTION} FROM actions WHERE id = ?", [action_id])
        return rows[0] if rows else None

    def actions_for(self, kiosk_id: str, limit: int = 100) -> list[dict[str, Any]]:
        return self._rows(
            f"SELECT {_ACTION} FROM actions WHERE kiosk_id = ? ORDER BY requested_at DESC, id"
            " LIMIT ?",
            [kiosk_id, limit],
        )

    def action_done(
        self, action_id: str, *, ok: bool, message: str, screenshot: bytes | None, at: str
    ) -> bool:
        """Store an action's result once; False if it already had one (a retried report)."""
        with self._tx() as conn:
            changed = conn.execute(
                "UPDATE actions SET done_at = ?, ok = ?, message = ?, screenshot = ?,"
                " delivered_at = coalesce(delivered_at, ?) WHERE id = ? AND done_at IS NULL",
                [at, int(ok), message, screenshot, at, action_id],
            ).rowcount
        return bool(changed)

    def screenshot(self, action_id: str) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT screenshot FROM actions WHERE id = ?", [action_id]
            ).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    # Figures for usage and metrics

    def query(self, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        """A read-only query for the usage report and the metrics (their SQL, their module)."""
        return self._rows(sql, params)
