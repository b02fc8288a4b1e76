"""Print this PDF and follow the job: one place that submits to the printer and watches the
job's events to its end.

The printer reports on its own thread, and a job can end before `print_file` has returned its id
(a job refused at once fails on the printer's thread), so the watch is subscribed before the job
is sent and events that come before the id is known are kept and replayed. Progress goes to an
optional callback on the printer's thread; the end resolves `ended`, a future any thread can wait
on or hand to the UI through its bridge.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from kiosk.devices.printer.base import Printer
from kiosk.devices.status import DeviceEvent, PrintJobCompleted, PrintJobFailed, PrintJobProgress

log = logging.getLogger(__name__)

JobEvent = PrintJobProgress | PrintJobCompleted | PrintJobFailed
JobEnd = PrintJobCompleted | PrintJobFailed


class PrintJob:
    """One document sent to a printer, followed until it is printed or has failed."""

    def __init__(
        self, printer: Printer, on_event: Callable[[JobEvent], None] | None = None
    ) -> None:
        self.printer = printer
        self.job_id: str | None = None
        #: The job's one end: PrintJobCompleted or PrintJobFailed (never an exception).
        self.ended: Future[JobEnd] = Future()
        self._on_event = on_event
        self._lock = threading.Lock()
        self._early: list[JobEvent] = []
        self._unsubscribe: Callable[[], None] | None = None

    @classmethod
    def send(
        cls,
        printer: Printer,
        path: Path,
        *,
        copies: int = 1,
        on_event: Callable[[JobEvent], None] | None = None,
    ) -> PrintJob:
        """Send `path` to `printer` and follow it; raises what the printer raised when the job
        could not even be sent (nothing is followed then)."""
        job = cls(printer, on_event)
        job._unsubscribe = printer.events.subscribe(job._event)
        try:
            job_id = printer.print_file(path, copies=copies)
        except BaseException:
            job._stop()
            raise
        with job._lock:
            job.job_id = job_id
            early, job._early = job._early, []
        for event in early:
            job._event(event)
        return job

    @property
    def done(self) -> bool:
        return self.ended.done()

    def concerns(self, event: object) -> bool:
        """Whether `event` is about this job (for a view that watches every device event)."""
        return self.job_id is not None and getattr(event, "job_id", None) == self.job_id

    def cancel(self) -> None:
        """Ask the printer to cancel; the job then ends as failed ("cancelled")."""
        if self.job_id is not None and not self.done:
            self.printer.cancel(self.job_id)

    def _event(self, event: DeviceEvent) -> None:
        """The printer's thread (or the sender's, for early events)."""
        if not isinstance(event, PrintJobProgress | PrintJobCompleted | PrintJobFailed):
            return
        with self._lock:
            if self.job_id is None:
                self._early.append(event)
                return
        if event.job_id != self.job_id or self.done:
            return
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:
                log.exception("a print job's follower failed", extra={"job_id": self.job_id})
        if isinstance(event, PrintJobCompleted | PrintJobFailed):
            self._stop()
            # Two ends cannot race here: the printer publishes a job's events in order.
            if not self.ended.done():
                self.ended.set_result(event)

    def _stop(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
