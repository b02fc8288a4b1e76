"""The kiosk's own database: one SQLite file (WAL) that the app writes and kiosk-agent ships.

`database` has the Store (typed reads and writes over one injected connection), `schema` its
migrations, `writer` the thread that performs the app's writes in order, `fleet` what the app and
kiosk-agent tell each other through it, `full` what a full disk looks like. Callers import from
here.
"""

from __future__ import annotations

from kiosk.store.database import (
    EVENT_KINDS,
    EVENT_LEVELS,
    USAGE_KINDS,
    EventRecord,
    Store,
    UsageRecord,
    open_store,
    utc_iso,
)
from kiosk.store.full import StoreFull, full_error, is_disk_full
from kiosk.store.schema import SCHEMA_VERSION, SchemaTooNewError, StoreError
from kiosk.store.writer import StoreWriter, StoreWriterClosed

__all__ = [
    "EVENT_KINDS",
    "EVENT_LEVELS",
    "SCHEMA_VERSION",
    "USAGE_KINDS",
    "EventRecord",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "StoreFull",
    "StoreWriter",
    "StoreWriterClosed",
    "UsageRecord",
    "full_error",
    "is_disk_full",
    "open_store",
    "utc_iso",
]
