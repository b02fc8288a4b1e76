"""One background thread that performs every store write in order, so no caller waits on disk.

The Qt thread, device threads and the logging handler hand a write (a function of the Store) to
`StoreWriter.submit` and go on at once. A write that raises is logged and the writer carries on;
`close()` performs everything already queued before it closes the store.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.store.database import Store

#: Failures of the writer are logged here; kiosk.logs.StoreLogHandler skips this logger, since
#: storing the report of a failed store write could fail the same way, again and again.
WRITER_LOGGER = "kiosk.store.writer"
log = logging.getLogger(WRITER_LOGGER)

Write = Callable[["Store"], object]


class StoreWriterClosed(RuntimeError):
    """A write was submitted after close(): the app is shutting down."""


class StoreWriter:
    """Serialises writes to one Store on one thread. Owns the store: close() closes it too."""

    def __init__(self, store: Store, *, name: str = "kiosk-store-writer") -> None:
        self._store = store
        self._queue: queue.SimpleQueue[Write | None] = queue.SimpleQueue()
        self._progress = threading.Condition()
        self._submitted = 0
        self._done = 0
        self._closed = False
        # A daemon, so a forgotten close() cannot hang the exit; the app does call close().
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def store(self) -> Store:
        """The store, for reads; Store's own lock makes that safe from any thread."""
        return self._store

    @property
    def pending(self) -> int:
        """Writes submitted but not yet done."""
        with self._progress:
            return self._submitted - self._done

    @property
    def closed(self) -> bool:
        return self._closed

    def submit(self, write: Write) -> None:
        """Queue `write(store)`; returns at once. Raises StoreWriterClosed after close()."""
        with self._progress:
            if self._closed:
                raise StoreWriterClosed("the store writer is closed")
            self._submitted += 1
            self._queue.put(write)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every write submitted so far is done; False if `timeout` ran out first."""
        self._not_on_writer_thread("flush")
        with self._progress:
            target = self._submitted
            return self._progress.wait_for(lambda: self._done >= target, timeout)

    def close(self) -> None:
        """Perform every queued write, stop the thread and close the store. Safe to repeat."""
        self._not_on_writer_thread("close")
        with self._progress:
            first = not self._closed
            self._closed = True
            if first:
                self._queue.put(None)
        self._thread.join()
        if first:
            self._store.close()

    def _run(self) -> None:
        while (write := self._queue.get()) is not None:
            try:
                write(self._store)
            except Exception:
                log.exception("a store write failed; the writer goes on with the next one")
            with self._progress:
                self._done += 1
                self._progress.notify_all()

    def _not_on_writer_thread(self, what: str) -> None:
        if threading.current_thread() is self._thread:
            raise RuntimeError(f"StoreWriter.{what}() from a write would wait for itself")
