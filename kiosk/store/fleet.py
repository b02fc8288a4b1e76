"""Fleet health in the kiosk store, shared by the app and kiosk-agent (no Qt, no network).

The app writes its heartbeat here and performs the remote actions support asked for; the agent
reads both, reports them to the hub, ships usage rows, and keeps the events that wait for the
hub bounded while the hub cannot be reached: routine records go first, alerts never.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.store.database import Store, UsageRecord, utc_iso

#: What support can ask a kiosk to do (the hub's action kinds).
COMMAND_KINDS = ("restart-app", "self-test", "test-page", "screenshot")
#: Attention that means a person must act: such events are never dropped unshipped.
ALERT_ATTENTIONS = ("clear", "maintenance", "suspend")
#: Levels dropped first, then the next tier, when too many events wait; errors never.
_DROP_TIERS = (("debug", "info"), ("warning",))
_DEVICE_KINDS = ("device", "device_status")
_IDS_PER_STATEMENT = 500


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AppBeat:
    """The app's last sign of life: when, since when it runs, its version, a session or not."""

    at: str
    started_at: str
    version: str
    session_active: bool


@dataclass(frozen=True)
class Command:
    """A remote action waiting for the app."""

    id: str
    kind: str
    device_id: str | None
    requested_by: str
    requested_at: str


@dataclass(frozen=True)
class CommandResult:
    """A remote action's outcome, waiting for the agent to report it."""

    id: str
    kind: str
    requested_by: str
    ok: bool
    message: str
    done_at: str
    #: Per device, for a self-test: "ok" or "failed: ...".
    results: dict[str, str] | None
    screenshot: bytes | None


@dataclass(frozen=True)
class DeviceSnapshot:
    """A device's latest health event: its state, who must act, the error code, since when."""

    device_id: str
    state: str
    attention: str
    code: str | None
    since: str


class Fleet:
    """Typed access to the fleet tables of one Store (thread-safe through the Store's lock)."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime] = _now) -> None:
        self.store = store
        self._clock = clock

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.store.lock:
            return self.store.db.execute(sql, list(params))

    # ---- the app's heartbeat ------------------------------------------------------------------

    def beat(self, *, version: str, session_active: bool, started_at: datetime) -> None:
        """The app is alive now (one row, replaced each time)."""
        self._execute(
            "INSERT OR REPLACE INTO app_heartbeat (id, at, started_at, version, session_active)"
            " VALUES (1, ?, ?, ?, ?)",
            [utc_iso(self._clock()), utc_iso(started_at), version, int(session_active)],
        )

    def last_beat(self) -> AppBeat | None:
        row = self._execute(
            "SELECT at, started_at, version, session_active FROM app_heartbeat WHERE id = 1"
        ).fetchone()
        return None if row is None else AppBeat(row[0], row[1], row[2], bool(row[3]))

    # ---- remote actions -----------------------------------------------------------------------

    def add_command(
        self, command_id: str, kind: str, *, device_id: str | None, requested_by: str
    ) -> bool:
        """Queue an action for the app; False if that id is already known (sent again)."""
        if kind not in COMMAND_KINDS:
            raise ValueError(f"action kind {kind!r} is not one of {', '.join(COMMAND_KINDS)}")
        cursor = self._execute(
            "INSERT OR IGNORE INTO commands (id, kind, device_id, requested_by, requested_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [command_id, kind, device_id, requested_by, utc_iso(self._clock())],
        )
        return bool(cursor.rowcount)

    def pending_commands(self, kinds: Iterable[str]) -> list[Command]:
        """Actions of these kinds no one has taken yet, oldest first (a query on an index)."""
        wanted = list(kinds)
        marks = ", ".join("?" * len(wanted))
        rows = self._execute(
            "SELECT id, kind, device_id, requested_by, requested_at FROM commands"
            f" WHERE taken_at IS NULL AND kind IN ({marks}) ORDER BY requested_at, id",
            wanted,
        ).fetchall()
        return [Command(*row) for row in rows]

    def take(self, command_id: str) -> bool:
        """Mark an action as under way; False if it was taken or ended meanwhile."""
        cursor = self._execute(
            "UPDATE commands SET taken_at = ? WHERE id = ? AND taken_at IS NULL",
            [utc_iso(self._clock()), command_id],
        )
        return bool(cursor.rowcount)

    def interrupt_taken(self, message: str) -> int:
        """End the actions an earlier app process took and never finished, as failed."""
        cursor = self._execute(
            "UPDATE commands SET done_at = ?, ok = 0, message = ?"
            " WHERE taken_at IS NOT NULL AND done_at IS NULL",
            [utc_iso(self._clock()), message],
        )
        return int(cursor.rowcount)

    def finish(
        self,
        command_id: str,
        *,
        ok: bool,
        message: str,
        results: dict[str, str] | None = None,
        screenshot: bytes | None = None,
    ) -> bool:
        """Write an action's outcome once; False if it had one already."""
        now = utc_iso(self._clock())
        cursor = self._execute(
            "UPDATE commands SET taken_at = COALESCE(taken_at, ?), done_at = ?, ok = ?,"
            " message = ?, results = ?, screenshot = ? WHERE id = ? AND done_at IS NULL",
            [
                now,
                now,
                int(ok),
                message,
                None if results is None else json.dumps(results, sort_keys=True),
                screenshot,
                command_id,
            ],
        )
        return bool(cursor.rowcount)

    def expire_untaken(self, before: datetime, message: str) -> int:
        """End the actions requested before `before` that the app never took, as failed."""
        now = utc_iso(self._clock())
        cursor = self._execute(
            "UPDATE commands SET taken_at = ?, done_at = ?, ok = 0, message = ?"
            " WHERE taken_at IS NULL AND requested_at < ?",
            [now, now, message, utc_iso(before)],
        )
        return int(cursor.rowcount)

    def finished_unreported(self, limit: int = 10) -> list[CommandResult]:
        rows = self._execute(
            "SELECT id, kind, requested_by, ok, message, done_at, results, screenshot"
            " FROM commands WHERE done_at IS NOT NULL AND reported_at IS NULL"
            " ORDER BY done_at, id LIMIT ?",
            [limit],
        ).fetchall()
        return [
            CommandResult(
                id=row[0],
                kind=row[1],
                requested_by=row[2],
                ok=bool(row[3]),
                message=row[4] or "",
                done_at=row[5],
                results=None if row[6] is None else json.loads(row[6]),
                screenshot=row[7],
            )
            for row in rows
        ]

    def mark_reported(self, command_id: str) -> None:
        """The hub has the outcome: the screenshot is not kept on the kiosk."""
        self._execute(
            "UPDATE commands SET reported_at = ?, screenshot = NULL WHERE id = ?",
            [utc_iso(self._clock()), command_id],
        )

    def last_self_test(self) -> tuple[str, dict[str, str]] | None:
        """When the last finished self-test ran and its result per device."""
        row = self._execute(
            "SELECT done_at, results FROM commands WHERE kind = 'self-test'"
            " AND done_at IS NOT NULL AND results IS NOT NULL ORDER BY done_at DESC LIMIT 1"
        ).fetchone()
        return None if row is None else (row[0], json.loads(row[1]))

    # ---- what the agent reads and ships -------------------------------------------------------

    def device_states(self) -> dict[str, DeviceSnapshot]:
        """Each device's latest health event, by device id."""
        rows = self._execute(
            "SELECT e.device_id, e.at, e.code, e.attention, e.payload FROM events AS e"
            " JOIN (SELECT MAX(id) AS id FROM events WHERE kind IN (?, ?)"
            " AND device_id IS NOT NULL GROUP BY device_id) AS latest ON e.id = latest.id",
            _DEVICE_KINDS,
        ).fetchall()
        found: dict[str, DeviceSnapshot] = {}
        for device_id, at, code, attention, payload in rows:
            state = json.loads(payload).get("state")
            found[device_id] = DeviceSnapshot(
                device_id, str(state or "unknown"), attention or "none", code, at
            )
        return found

    def unshipped_usage(self, limit: int) -> list[UsageRecord]:
        with self.store.lock:
            rows = list(
                self.store.db.table("usage").rows_where(
                    "shipped_at IS NULL", order_by="id", limit=limit
                )
            )
        return [UsageRecord(**row) for row in rows]

    def mark_usage_shipped(self, ids: Iterable[int]) -> int:
        wanted = list(ids)
        shipped_at = utc_iso(self._clock())
        changed = 0
        with self.store.lock, self.store.db.atomic():
            for start in range(0, len(wanted), _IDS_PER_STATEMENT):
                chunk = wanted[start : start + _IDS_PER_STATEMENT]
                marks = ", ".join("?" * len(chunk))
                cursor = self.store.db.execute(
                    f"UPDATE usage SET shipped_at = ? WHERE shipped_at IS NULL AND id IN ({marks})",
                    [shipped_at, *chunk],
                )
                changed += cursor.rowcount
        return changed

    def unshipped_count(self) -> int:
        row = self._execute("SELECT COUNT(*) FROM events WHERE shipped_at IS NULL").fetchone()
        return int(row[0])

    def prune_shipped(self, before: datetime) -> int:
        """Delete events the hub has had since before `before` (it keeps them); how many went.
        Each device's latest health event stays: the heartbeat reports it."""
        with self.store.lock, self.store.db.atomic():
            cursor = self.store.db.execute(
                "DELETE FROM events WHERE shipped_at IS NOT NULL AND shipped_at < ?"
                " AND id NOT IN (SELECT MAX(id) FROM events WHERE kind IN (?, ?)"
                " AND device_id IS NOT NULL GROUP BY device_id)",
                [utc_iso(before), *_DEVICE_KINDS],
            )
            return cursor.rowcount

    def bound_events(self, max_unshipped: int) -> int:
        """Delete the oldest routine unshipped events beyond `max_unshipped`; how many went.

        Debug and info records go first, then warnings; never errors, critical records or
        anything whose attention asks a person to act, and never a device's latest health
        event (the heartbeat reports it).
        """
        dropped = 0
        with self.store.lock, self.store.db.atomic():
            for levels in _DROP_TIERS:
                excess = self.unshipped_count() - max_unshipped
                if excess <= 0:
                    break
                level_marks = ", ".join("?" * len(levels))
                attention_marks = ", ".join("?" * len(ALERT_ATTENTIONS))
                cursor = self.store.db.execute(
                    "DELETE FROM events WHERE id IN (SELECT id FROM events"
                    f" WHERE shipped_at IS NULL AND level IN ({level_marks})"
                    f" AND COALESCE(attention, 'none') NOT IN ({attention_marks})"
                    " AND id NOT IN (SELECT MAX(id) FROM events WHERE kind IN (?, ?)"
                    " AND device_id IS NOT NULL GROUP BY device_id)"
                    " ORDER BY id LIMIT ?)",
                    [*levels, *ALERT_ATTENTIONS, *_DEVICE_KINDS, excess],
                )
                dropped += cursor.rowcount
        return dropped
