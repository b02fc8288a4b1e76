"""The app's heartbeat as kiosk-update reads it from the kiosk's store: read-only, as the
store's owner, and without the store's own code.

kiosk.store.fleet.Fleet.last_beat() is the app's and the agent's way in; the updater reads the
same row with plain sqlite3 instead, for two reasons. The Store class migrates the file it
opens, and the updater must never change the kiosk's database (a newer app may have migrated it
past what the updater's code knows, mid-update). And it runs as root: a WAL database's `-shm`
file that root made would be root's, and the app, as the user kiosk, could then no longer write
its own store; so the file is opened with the effective ids of its owner.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.updates.files import parse_iso

log = logging.getLogger(__name__)

BUSY_TIMEOUT = 5.0


@dataclass(frozen=True)
class Beat:
    """The app's last sign of life (the row kiosk.store.fleet.AppBeat describes)."""

    at: datetime
    started_at: str
    version: str
    session_active: bool


@contextlib.contextmanager
def _as_owner(path: Path) -> Iterator[None]:
    """Run the block with the effective user and group of `path`'s owner (when root)."""
    owner = path.stat()
    if os.geteuid() != 0 or owner.st_uid == 0:
        yield
        return
    os.setegid(owner.st_gid)
    os.seteuid(owner.st_uid)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def last_beat(db_path: Path) -> Beat | None:
    """The app's last heartbeat; None when the store or the row is not there (yet)."""
    if not db_path.is_file():
        return None
    with _as_owner(db_path):
        try:
            conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
        except sqlite3.Error as exc:
            log.warning("the kiosk's store cannot be opened: %s", exc)
            return None
        try:
            row = conn.execute(
                "SELECT at, started_at, version, session_active FROM app_heartbeat WHERE id = 1"
            ).fetchone()
        except sqlite3.Error as exc:
            if "no such table" not in str(exc):
                log.warning("the app's heartbeat cannot be read: %s", exc)
            return None
        finally:
            conn.close()
    if row is None:
        return None
    try:
        return Beat(parse_iso(str(row[0])), str(row[1]), str(row[2]), bool(row[3]))
    except ValueError:
        return None
