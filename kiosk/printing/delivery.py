"""Paid print jobs: the job's end, whatever screen is showing, settles its payment.

A job that completes makes its sale delivered; one that fails (or is cancelled) has it reversed.
Both run on the engine loop through the payments service. This does not depend on the Print
screen staying open: a citizen may leave mid-job, and the session's end leaves a paid job still
printing to finish (`pending()` names the sales it must not give back yet).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING

from kiosk.devices.status import PrintJobCompleted
from kiosk.printing.job import JobEnd, PrintJob

if TYPE_CHECKING:
    from kiosk.payments.service import Payments

log = logging.getLogger(__name__)


class PaidPrintJobs:
    def __init__(self, payments: Payments) -> None:
        self.payments = payments
        self._lock = threading.Lock()
        self._sales: dict[str, str] = {}

    def track(self, job: PrintJob, sale_reference: str) -> None:
        """Settle `sale_reference` by `job`'s end (at once if it has ended already)."""
        assert job.job_id is not None, "a job is tracked once it has been sent"
        job_id = job.job_id
        with self._lock:
            self._sales[job_id] = sale_reference
        job.ended.add_done_callback(lambda ended: self._settle(job_id, ended))

    def pending(self) -> dict[str, str]:
        """The sales of paid jobs still printing, by job id."""
        with self._lock:
            return dict(self._sales)

    def _settle(self, job_id: str, ended: Future[JobEnd]) -> None:
        with self._lock:
            sale = self._sales.pop(job_id, None)
        if sale is None:
            return
        end = ended.result()
        if isinstance(end, PrintJobCompleted):
            self.payments.delivered(sale)
        else:
            log.warning(
                "a paid print job failed; reversing its payment",
                extra={"job_id": job_id, "sale": sale, "reason": end.reason},
            )
            self.payments.settle_unprinted(sale, f"print job failed: {end.reason}")
