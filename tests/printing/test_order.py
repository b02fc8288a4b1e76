"""A print order without Qt: the visit's free pages first, then paying on the terminal, the job
and the payment settled by the job's end (delivered, or given back when it fails), and the
anonymous outcome; on both payment terminals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.config import Config
from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.devices.status import PrintJobCompleted, PrintJobFailed
from kiosk.payments.journal import PaymentState
from kiosk.payments.service import Payments
from kiosk.printing.order import NotSent, PrintOrder
from kiosk.printing.service import Printing
from kiosk.visit import Visit
from tests.devices.conftest import DEADLINE, make_pdf, wait_until

from .conftest import SLOW, Usage, states

PRICED = '[prices]\nprint_page = "0.20"\ncopy_page = "0.10"\nfree_pages = 2\n'


@pytest.fixture
def priced(make_config: Callable[..., Config]) -> Config:
    return make_config(PRICED)


def order_for(printing: Printing, visit: Visit, purpose: str = "print") -> PrintOrder:
    return printing.order(visit, session_id="s1", purpose=purpose)


def test_free_pages_are_used_first_then_pages_cost(
    printer: SimulatedPrinter, priced: Config, tmp_path: Path, usage: Usage
) -> None:
    visit = Visit()
    order = order_for(Printing(printer, priced, usage=usage), visit)
    assert order.cost_cents(2) == 0
    assert order.free_left_after(1) == 1
    assert order.cost_cents(3) == 20
    job = order.send(make_pdf(tmp_path, 1), pages=1, copies=2)
    assert isinstance(job.ended.result(DEADLINE), PrintJobCompleted)
    assert visit.pages_printed == 2
    # The free pages are used: every page costs now, and copying has its own price.
    assert order.cost_cents(1) == 20
    assert order_for(Printing(printer, priced), visit, "copy").cost_cents(3) == 30
    assert order.receipt("Printing, 2 pages") is None  # nothing was paid
    wait_until(lambda: usage.outcomes() == ["printed:2"], "the outcome")


def test_an_order_pays_prints_and_settles(
    printer: SimulatedPrinter, priced: Config, payments: Payments, tmp_path: Path, usage: Usage
) -> None:
    visit = Visit(pages_printed=2)  # the free pages are gone
    order = order_for(Printing(printer, priced, payments=payments, usage=usage), visit)
    entry = order.pay(1).result(DEADLINE)
    assert (entry.state, entry.amount_cents) == (PaymentState.APPROVED, 20)
    job = order.send(make_pdf(tmp_path, 1), pages=1, paid=entry)
    assert isinstance(job.ended.result(DEADLINE), PrintJobCompleted)
    wait_until(lambda: states(payments) == [PaymentState.DELIVERED], "the sale delivered")
    assert visit.pages_printed == 3
    wait_until(lambda: usage.outcomes() == ["printed:1"], "the outcome")
    receipt = order.receipt("Printing, 1 page")
    assert receipt is not None
    assert (receipt.amount_cents, receipt.sale_reference, receipt.card_last4) == (
        20,
        entry.sale_reference,
        entry.card_last4,
    )


def test_a_paid_job_that_fails_is_given_back(
    start: Callable, priced: Config, payments: Payments, tmp_path: Path, usage: Usage
) -> None:
    slow: SimulatedPrinter = start(SimulatedPrinter("slow", pages_per_minute=SLOW))
    printing = Printing(slow, priced, payments=payments, usage=usage)
    order = order_for(printing, Visit(pages_printed=2))
    entry = order.pay(5).result(DEADLINE)
    job = order.send(make_pdf(tmp_path, 5), pages=5, paid=entry)
    assert printing.paid_jobs is not None
    assert list(printing.paid_jobs.pending().values()) == [entry.sale_reference]
    job.cancel()  # staff stop the printer mid-job
    end = job.ended.result(DEADLINE)
    assert isinstance(end, PrintJobFailed)
    wait_until(lambda: states(payments) == [PaymentState.REVERSED], "the payment given back")
    assert printing.paid_jobs.pending() == {}
    wait_until(lambda: usage.outcomes() == ["failed:cancelled"], "the outcome")


def test_a_paid_job_that_cannot_be_sent_is_given_back_at_once(
    priced: Config, payments: Payments, tmp_path: Path
) -> None:
    class Refusing(SimulatedPrinter):
        def print_file(self, path: Path, copies: int = 1) -> str:
            raise OSError("the queue refused the job")

    printing = Printing(Refusing("refusing"), priced, payments=payments)
    order = order_for(printing, Visit(pages_printed=2))
    entry = order.pay(1).result(DEADLINE)
    with pytest.raises(NotSent) as refused:
        order.send(make_pdf(tmp_path, 1), pages=1, paid=entry)
    assert refused.value.refunded
    wait_until(lambda: states(payments) == [PaymentState.REVERSED], "the payment given back")


def test_without_a_terminal_paying_fails_and_nothing_is_charged(
    printer: SimulatedPrinter, priced: Config
) -> None:
    order = order_for(Printing(printer, priced), Visit(pages_printed=2))
    with pytest.raises(RuntimeError, match="no payment terminal"):
        order.pay(1).result(DEADLINE)
