"""Updates for the fleet in the hub database (migration 9, hub.store.updates_schema): each
kiosk's library and pilot groups, the version wanted for each target, and what each kiosk last
reported of its updates. The rule that picks a kiosk's version is hub.updates.targets.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from hub.updates.targets import GROUP, LIBRARY, Rollout, wanted_for

REPORT_COLUMNS = ("installed", "previous", "wanted", "state", "detail", "at")


@dataclass(frozen=True)
class UpdateReport:
    """A heartbeat's `update` object, as read (hub.fleet.wire)."""

    state: str
    installed: str | None = None
    previous: str | None = None
    wanted: str | None = None
    detail: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class Placement:
    """Where a kiosk stands for rollouts: its library and its groups (and its name, to show)."""

    library: str | None
    groups: tuple[str, ...]
    name: str = ""


class Updates:
    """Typed reads and writes of the update tables, over the store's connection and lock."""

    def __init__(self, db: Database | Any, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self._lock, self._db.atomic():
            yield self._db

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return [tuple(row) for row in self._db.execute(sql, list(params)).fetchall()]

    # Rollouts

    def rollouts(self) -> dict[str, Rollout]:
        rows = self._rows(
            "SELECT target, version, set_by, set_at FROM update_rollouts ORDER BY target"
        )
        return {row[0]: Rollout(*row) for row in rows}

    def set_rollout(self, target: str, version: str, *, by: str, at: str) -> Rollout:
        with self._tx() as db:
            db.execute(
                "INSERT INTO update_rollouts (target, version, set_by, set_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (target) DO UPDATE SET version = excluded.version,"
                " set_by = excluded.set_by, set_at = excluded.set_at",
                [target, version, by, at],
            )
        return Rollout(target, version, by, at)

    def clear_rollout(self, target: str) -> bool:
        """Take the target's version away; False when it had none."""
        with self._tx() as db:
            changed = db.execute("DELETE FROM update_rollouts WHERE target = ?", [target])
            return bool(changed.rowcount)

    # Libraries and groups

    def set_library(self, kiosk_id: str, library: str | None) -> bool:
        """Set (None: clear) a kiosk's library; False when there is no such kiosk."""
        with self._tx() as db:
            changed = db.execute(
                "UPDATE kiosks SET library = ? WHERE kiosk_id = ?", [library, kiosk_id]
            )
            return bool(changed.rowcount)

    def libraries(self) -> dict[str, int]:
        """Each library that has kiosks, and how many."""
        rows = self._rows(
            "SELECT library, count(*) FROM kiosks WHERE library IS NOT NULL"
            " GROUP BY library ORDER BY library"
        )
        return {str(row[0]): int(row[1]) for row in rows}

    def groups(self) -> dict[str, list[str]]:
        """Each group's members, by name."""
        found: dict[str, list[str]] = {}
        for name, kiosk_id in self._rows(
            "SELECT name, kiosk_id FROM update_groups ORDER BY name, kiosk_id"
        ):
            found.setdefault(str(name), []).append(str(kiosk_id))
        return found

    def set_group(self, name: str, kiosk_ids: Sequence[str]) -> None:
        """Replace a group's members (ids of enrolled kiosks); none removes the group and the
        version wanted for it."""
        with self._tx() as db:
            db.execute("DELETE FROM update_groups WHERE name = ?", [name])
            for kiosk_id in dict.fromkeys(kiosk_ids):
                db.execute(
                    "INSERT INTO update_groups (name, kiosk_id) VALUES (?, ?)", [name, kiosk_id]
                )
            if not kiosk_ids:
                db.execute("DELETE FROM update_rollouts WHERE target = ?", [GROUP + name])

    def delete_group(self, name: str) -> bool:
        """Remove a group and the version wanted for it; False when there was neither."""
        with self._tx() as db:
            members = db.execute("DELETE FROM update_groups WHERE name = ?", [name]).rowcount
            rollout = db.execute(
                "DELETE FROM update_rollouts WHERE target = ?", [GROUP + name]
            ).rowcount
        return bool(members or rollout)

    def placements(self) -> dict[str, Placement]:
        """Every enrolled kiosk's library and groups, by kiosk id, in id order."""
        with self._lock:
            kiosks = self._rows("SELECT kiosk_id, library, name FROM kiosks ORDER BY kiosk_id")
            members = self._rows("SELECT kiosk_id, name FROM update_groups ORDER BY name")
        groups: dict[str, list[str]] = {}
        for kiosk_id, name in members:
            groups.setdefault(str(kiosk_id), []).append(str(name))
        return {
            str(kiosk_id): Placement(library, tuple(groups.get(str(kiosk_id), ())), str(name))
            for kiosk_id, library, name in kiosks
        }

    def placement(self, kiosk_id: str) -> Placement | None:
        with self._lock:
            rows = self._rows("SELECT library FROM kiosks WHERE kiosk_id = ?", [kiosk_id])
            names = self._rows(
                "SELECT name FROM update_groups WHERE kiosk_id = ? ORDER BY name", [kiosk_id]
            )
        if not rows:
            return None
        return Placement(rows[0][0], tuple(str(row[0]) for row in names))

    # What each kiosk is wanted to run

    def wanted(self, kiosk_id: str) -> Rollout | None:
        """The rollout that decides the kiosk's version (hub.updates.targets.wanted_for)."""
        placement = self.placement(kiosk_id)
        if placement is None:
            return None
        # Only the targets this kiosk is in: a heartbeat reads a few rows, not the table.
        targets = ["all", *(GROUP + name for name in placement.groups)]
        if placement.library:
            targets.append(LIBRARY + placement.library)
        marks = ", ".join("?" * len(targets))
        rows = self._rows(
            "SELECT target, version, set_by, set_at FROM update_rollouts"
            f" WHERE target IN ({marks})",
            targets,
        )
        rollouts = {row[0]: Rollout(*row) for row in rows}
        return wanted_for(placement.library, placement.groups, rollouts)

    def wanted_all(self) -> dict[str, Rollout | None]:
        """Every enrolled kiosk's deciding rollout, by kiosk id."""
        with self._lock:
            rollouts = self.rollouts()
            placements = self.placements()
        return {
            kiosk_id: wanted_for(place.library, place.groups, rollouts)
            for kiosk_id, place in placements.items()
        }

    # What kiosks report

    def save_report(self, kiosk_id: str, report: UpdateReport, *, received_at: str) -> None:
        values = [getattr(report, column) for column in REPORT_COLUMNS]
        columns = ("kiosk_id", *REPORT_COLUMNS, "received_at")
        updates = ", ".join(f"{column} = excluded.{column}" for column in columns[1:])
        sql = (
            f"INSERT INTO update_reports ({', '.join(columns)})"
            f" VALUES ({', '.join('?' * len(columns))})"
            f" ON CONFLICT (kiosk_id) DO UPDATE SET {updates}"
        )
        with self._tx() as db:
            db.execute(sql, [kiosk_id, *values, received_at])

    def reports(self) -> dict[str, dict[str, Any]]:
        """Each kiosk's last report: REPORT_COLUMNS and received_at, by kiosk id."""
        columns = ("kiosk_id", *REPORT_COLUMNS, "received_at")
        rows = self._rows(f"SELECT {', '.join(columns)} FROM update_reports")
        return {str(row[0]): dict(zip(columns[1:], row[1:], strict=True)) for row in rows}

    def report(self, kiosk_id: str) -> dict[str, Any] | None:
        columns = (*REPORT_COLUMNS, "received_at")
        rows = self._rows(
            f"SELECT {', '.join(columns)} FROM update_reports WHERE kiosk_id = ?", [kiosk_id]
        )
        return dict(zip(columns, rows[0], strict=True)) if rows else None
