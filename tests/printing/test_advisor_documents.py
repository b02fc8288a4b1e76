"""A PDF an advisor sent in a video call prints as the visit's other documents do, except that
one from a line whose advisors' documents print free costs nothing and leaves the visit's free
pages as they were; one that does not print free is priced as any document. The outcome counts
the pages printed either way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.config import Config
from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.devices.status import PrintJobCompleted
from kiosk.payments.journal import PaymentState
from kiosk.payments.service import Payments
from kiosk.printing.service import Printing
from kiosk.visit import AdvisorDocument, Visit
from tests.devices.conftest import DEADLINE, make_pdf, wait_until

from .conftest import Usage, states

PRICED = '[prices]\nprint_page = "0.20"\ncopy_page = "0.10"\nfree_pages = 2\n'


@pytest.fixture
def priced(make_config: Callable[..., Config]) -> Config:
    return make_config(PRICED)


def advisor_document(folder: Path, pages: int, *, print_free: bool) -> AdvisorDocument:
    folder.mkdir(exist_ok=True)
    return AdvisorDocument(make_pdf(folder, pages), "decision.pdf", "benefits", print_free)


def test_a_free_advisor_document_costs_nothing_and_leaves_the_free_pages(
    printer: SimulatedPrinter, priced: Config, payments: Payments, tmp_path: Path, usage: Usage
) -> None:
    document = advisor_document(tmp_path / "advisor", 3, print_free=True)
    visit = Visit(advisor_documents=[document])
    printing = Printing(printer, priced, payments=payments, usage=usage)
    order = printing.order(visit, session_id="s1")
    # Three pages, two copies: more than the free pages, and still nothing to pay.
    assert order.prints_free(document.pdf)
    assert order.cost_cents(6, document=document.pdf) == 0
    assert order.free_left_after(6, document=document.pdf) == 2
    with pytest.raises(RuntimeError, match="nothing to pay"):
        order.pay(6, document=document.pdf).result(DEADLINE)

    job = order.send(document.pdf, pages=3, copies=2)
    assert isinstance(job.ended.result(DEADLINE), PrintJobCompleted)
    wait_until(lambda: usage.outcomes() == ["printed:6"], "the outcome")
    # The visit's free pages are still there for its other documents.
    assert visit.pages_printed == 0
    scan = make_pdf(tmp_path, 2)
    assert order.cost_cents(2, document=scan) == 0
    assert order.cost_cents(3, document=scan) == 20
    assert order.receipt("Printing, 6 pages") is None
    assert states(payments) == []  # the terminal was never asked


def test_an_advisor_document_that_does_not_print_free_is_priced_and_paid(
    printer: SimulatedPrinter, priced: Config, payments: Payments, tmp_path: Path, usage: Usage
) -> None:
    document = advisor_document(tmp_path / "advisor", 3, print_free=False)
    visit = Visit(advisor_documents=[document])
    printing = Printing(printer, priced, payments=payments, usage=usage)
    order = printing.order(visit, session_id="s1")
    assert not order.prints_free(document.pdf)
    # Two of the three pages are the visit's free ones; the third costs.
    assert order.cost_cents(3, document=document.pdf) == 20
    assert order.free_left_after(1, document=document.pdf) == 1

    entry = order.pay(3, document=document.pdf).result(DEADLINE)
    assert (entry.state, entry.amount_cents) == (PaymentState.APPROVED, 20)
    job = order.send(document.pdf, pages=3, paid=entry)
    assert isinstance(job.ended.result(DEADLINE), PrintJobCompleted)
    wait_until(lambda: states(payments) == [PaymentState.DELIVERED], "the sale delivered")
    assert visit.pages_printed == 3
    wait_until(lambda: usage.outcomes() == ["printed:3"], "the outcome")
