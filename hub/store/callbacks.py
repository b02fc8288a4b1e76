"""Callbacks in the hub database: metadata plain, the contact sealed (docs/appointments.md)."""

from __future__ import annotations

import threading

from sqlite_utils import Database


class Callbacks:
    """Typed access to `callbacks`, under the store's lock."""

    def __init__(self, db: Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock
