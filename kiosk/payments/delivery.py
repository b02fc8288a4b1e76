"""Paid print jobs: the job's end, whatever screen is showing, settles its payment.

The printer's events arrive on its own thread; a job that completes makes its sale delivered,
one that fails (or is cancelled) has it reversed. Both run on the engine loop through `run`.
The tracker does not depend on the Print screen staying open: a citizen may leave mid-job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any

from kiosk.devices.status import DeviceEvent, PrintJobCompleted, PrintJobFailed
from kiosk.payments.ledger import Ledger

log = logging.getLogger(__name__)

#: How many untracked ended jobs to remember.
KEEP_ENDED = 32

Run = Callable[[Coroutine[Any, Any, Any]], Future[Any]]


class PaidPrintJobs:
    def __init__(self, ledger: Ledger, run: Run) -> None:
        self.ledger = ledger
        self._run = run
        self._lock = threading.Lock()
        self._sales: dict[str, str] = {}
        # Jobs that ended before anyone tracked them (a job can fail at once, on the printer's
        # thread, before print_file's caller gets to track()), newest last.
        self._ended: dict[str, PrintJobCompleted | PrintJobFailed] = {}

    def track(self, job_id: str, sale_reference: str) -> None:
        with self._lock:
            ended = self._ended.pop(job_id, None)
            if ended is None:
                self._sales[job_id] = sale_reference
                return
        self._settle(sale_reference, ended)

    def pending(self) -> dict[str, str]:
        with self._lock:
            return dict(self._sales)

    def on_device_event(self, event: DeviceEvent) -> None:
        """Any thread: settle the payment of a paid job that has ended."""
        if not isinstance(event, PrintJobCompleted | PrintJobFailed):
            return
        with self._lock:
            sale = self._sales.pop(event.job_id, None)
            if sale is None:
                self._ended[event.job_id] = event
                while len(self._ended) > KEEP_ENDED:
                    del self._ended[next(iter(self._ended))]
                return
        self._settle(sale, event)

    def _settle(self, sale: str, event: PrintJobCompleted | PrintJobFailed) -> None:
        if isinstance(event, PrintJobCompleted):
            self._run(self.ledger.delivered(sale))
        else:
            log.warning(
                "a paid print job failed; reversing its payment",
                extra={"job_id": event.job_id, "sale": sale, "reason": event.reason},
            )
            self._run(self.ledger.not_delivered(sale, f"print job failed: {event.reason}"))
