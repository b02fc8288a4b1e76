"""A write refused for want of space: the kiosk's disk (or its session folder) is full.

SQLite answers a full disk with SQLITE_FULL ("database or disk is full") and rolls the
transaction back, so the store stays whole; a file write answers ENOSPC. Both become
`StoreFull`, which says to the citizen "not sent, nothing kept; try later or ask staff" rather
than "a fault".
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from sqlschema import StoreError

_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


class StoreFull(StoreError):
    """Nothing more can be written: the disk holding the kiosk's data is full."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether `exc`, or what caused it, is a write refused because the disk is full."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, StoreFull):
            return True
        if isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:
                return True
            # The WAL's shared-memory file could not be made or grown: on a full disk, what a
            # store that was closed cleanly meets when it is opened again.
            if code == sqlite3.SQLITE_IOERR_SHMSIZE:
                return True
            if "database or disk is full" in str(current):
                return True
        if isinstance(current, OSError) and current.errno in _FULL_ERRNOS:
            return True
        current = current.__cause__ or current.__context__
    return False


def full_error(exc: BaseException, where: Path | None = None) -> StoreFull:
    """The StoreFull for `exc` (raise it `from exc`), naming the folder that is full."""
    place = f" ({where})" if where is not None else ""
    return StoreFull(f"the kiosk's disk is full{place}: {exc}")
