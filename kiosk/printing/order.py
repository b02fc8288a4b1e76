"""A visit's print or copy order: pages → price → pay → print → settle, and its outcome.

The visit's free pages are used first; what is left costs the configured page price. A document
an advisor sent in a video call prints free when its line says so, and leaves the visit's free
pages as they were (the order looks the document up among the visit's). A paid job
is settled by its own end (delivered when printed, given back when it fails), even when the
citizen has left the screen; a paid job that cannot even be sent is given back at once. The
order adds the pages it sent to the visit, and records the anonymous outcome (pages printed,
or why not) when the job ends. No Qt: a screen shows the order's state and forwards taps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.devices.status import PrintJobCompleted
from kiosk.payments.receipt import Receipt
from kiosk.session import UsageRecord

if TYPE_CHECKING:
    from kiosk.payments.journal import JournalEntry
    from kiosk.payments.payee import Payee
    from kiosk.payments.prices import PagePrice
    from kiosk.payments.service import Payments
    from kiosk.printing.delivery import PaidPrintJobs
    from kiosk.printing.job import JobEnd, JobEvent, PrintJob
    from kiosk.visit import Visit

#: Sends a document and follows its job: (path, copies, on_event) → job (Printing.send).
Send = Callable[[Path, int, "Callable[[JobEvent], None] | None"], "PrintJob"]

log = logging.getLogger(__name__)


class NotSent(RuntimeError):
    """The job could not be sent to the printer; a payment for it is being given back."""

    def __init__(self, refunded: bool) -> None:
        super().__init__("the print job could not be sent")
        self.refunded = refunded


class PrintOrder:
    def __init__(
        self,
        send: Send,
        visit: Visit,
        *,
        session_id: str,
        purpose: str,
        price: PagePrice,
        payments: Payments | None = None,
        paid_jobs: PaidPrintJobs | None = None,
        usage: Callable[[UsageRecord], None] = lambda record: None,
        issuer: tuple[str, str, Payee] | None = None,
    ) -> None:
        """`purpose` is "print" or "copy" (its page price); `payments` takes the money and
        `paid_jobs` settles it by the job's end (both None without a payment terminal);
        `usage` takes the outcome; `issuer` (the kiosk's name, its place, the payee) is on
        the receipt."""
        self._issuer = issuer
        self._send = send
        self.payments = payments
        self.paid_jobs = paid_jobs
        self.visit = visit
        self.session_id = session_id
        self.purpose = purpose
        self.price = price
        self._usage = usage
        #: The job under way or last sent, None before the first.
        self.job: PrintJob | None = None
        #: The payment for the job under way or last sent, None when it was free.
        self.paid: JournalEntry | None = None

    # ---- price ----------------------------------------------------------------------------------

    def prints_free(self, document: Path | None) -> bool:
        """Whether `document` prints free whatever the page price: one an advisor sent, where
        the call's line says advisors' documents print free."""
        if document is None:
            return False
        return any(d.print_free and d.pdf == document for d in self.visit.advisor_documents)

    def cost_cents(self, pages: int, *, document: Path | None = None) -> int:
        """What `pages` more pages (of `document`, when known) cost now, after the visit's free
        pages."""
        if self.prints_free(document):
            return 0
        return self.price.price(pages, already_used=self.visit.pages_printed)

    def free_left_after(self, pages: int, *, document: Path | None = None) -> int:
        """The visit's free pages left once `pages` more (of `document`, when known) are
        printed."""
        counted = 0 if self.prints_free(document) else pages
        return max(0, self.price.free_pages - self.visit.pages_printed - counted)

    @property
    def always_free(self) -> bool:
        return self.price.cents_per_page == 0

    # ---- pay and print --------------------------------------------------------------------------

    def pay(self, pages: int, *, document: Path | None = None) -> Future[JournalEntry]:
        """Take the payment for `pages` more pages (of `document`, when known) on the terminal
        (fails without one, or when they cost nothing)."""
        failed: Future[JournalEntry] = Future()
        if self.payments is None:
            failed.set_exception(RuntimeError("no payment terminal"))
            return failed
        cost = self.cost_cents(pages, document=document)
        if cost == 0:
            failed.set_exception(RuntimeError("nothing to pay"))
            return failed
        return self.payments.pay(self.purpose, cost)

    def send(
        self,
        document: Path,
        *,
        pages: int,
        copies: int = 1,
        paid: JournalEntry | None = None,
        on_event: Callable[[JobEvent], None] | None = None,
    ) -> PrintJob:
        """Print `copies` of `document` (of `pages` pages), paid by `paid` if it cost.

        Raises NotSent when the printer refused the job; a payment for it is given back."""
        self.paid = paid
        sale = paid.sale_reference if paid is not None else None
        try:
            job = self._send(document, copies, on_event)
        except Exception as exc:
            log.exception("the print job could not be sent", extra={"service": "print"})
            if sale is not None and self.payments is not None:
                self.payments.settle_unprinted(sale, "the job could not be sent")
            raise NotSent(refunded=sale is not None) from exc
        self.job = job
        if sale is not None and self.paid_jobs is not None:
            # The job's end settles the payment, even if the citizen leaves the screen.
            self.paid_jobs.track(job, sale)
        total = pages * copies
        if not self.prints_free(document):
            # Free documents leave the visit's free pages; the outcome still counts their pages.
            self.visit.pages_printed += total
        log.info(
            "print job sent",
            extra={"service": "print", "job_id": job.job_id, "pages": total, "paid": bool(sale)},
        )
        job.ended.add_done_callback(self._record_end)
        return job

    def receipt(self, what: str) -> Receipt | None:
        """The receipt of the payment for the last job sent, None if it was free; `what` says
        what was paid for, in the citizen's language."""
        entry = self.paid
        if entry is None or self._issuer is None:
            return None
        kiosk_name, location, payee = self._issuer
        return Receipt(
            kiosk_name=kiosk_name,
            location=location,
            paid_at=datetime.now(UTC),
            what=what,
            amount_cents=entry.amount_cents,
            card_last4=entry.card_last4,
            sale_reference=entry.sale_reference,
            payee=payee,
        )

    def _record_end(self, ended: Future[JobEnd]) -> None:
        """The printer's thread: the anonymous outcome (pages, never what was printed)."""
        end = ended.result()
        if isinstance(end, PrintJobCompleted):
            value = f"printed:{end.pages}"
        else:
            value = f"failed:{end.reason}"
        self._usage(UsageRecord(self.session_id, "outcome", service="print", value=value))
