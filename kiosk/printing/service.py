"""The printing service the screens, technician mode and remote actions use (no Qt here):
the printer if there is one, "print this PDF and follow the job", and a visit's orders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.payments.tariff import page_price, print_payee
from kiosk.printing.delivery import PaidPrintJobs
from kiosk.printing.job import JobEvent, PrintJob
from kiosk.printing.order import PrintOrder
from kiosk.session import UsageRecord

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.devices.printer.base import Printer
    from kiosk.payments.service import Payments
    from kiosk.visit import Visit


class NoPrinter(RuntimeError):
    """This kiosk has no printer."""


class Printing:
    def __init__(
        self,
        printer: Printer | None,
        config: Config,
        *,
        payments: Payments | None = None,
        usage: Callable[[UsageRecord], None] = lambda record: None,
    ) -> None:
        self.printer = printer
        self.config = config
        self.payments = payments
        self._usage = usage
        #: Paid jobs settled by their end; None without a payment terminal.
        self.paid_jobs = PaidPrintJobs(payments) if payments is not None else None
        if payments is not None:
            paid_jobs = self.paid_jobs
            assert paid_jobs is not None
            payments.keep = lambda: set(paid_jobs.pending().values())

    @property
    def usable(self) -> bool:
        """There is a printer and a citizen may print on it now."""
        return self.printer is not None and self.printer.health().state.usable

    def send(
        self,
        path: Path,
        *,
        copies: int = 1,
        on_event: Callable[[JobEvent], None] | None = None,
    ) -> PrintJob:
        """Print `path` and follow the job (see PrintJob); raises NoPrinter without a printer,
        or what the printer raised when the job could not be sent."""
        if self.printer is None:
            raise NoPrinter("this kiosk has no printer")
        return PrintJob.send(self.printer, path, copies=copies, on_event=on_event)

    def order(self, visit: Visit, *, session_id: str, purpose: str = "print") -> PrintOrder:
        """A new print ("print") or copy ("copy") order for the visit of session `session_id`."""
        return PrintOrder(
            lambda path, copies, on_event: self.send(path, copies=copies, on_event=on_event),
            visit,
            session_id=session_id,
            purpose=purpose,
            price=page_price(self.config, purpose),
            payments=self.payments,
            paid_jobs=self.paid_jobs,
            usage=self._usage,
            issuer=(self.config.kiosk.name, self.config.kiosk.location, print_payee(self.config)),
        )
