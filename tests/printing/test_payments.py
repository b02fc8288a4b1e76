"""The payments service without Qt: pay, cancel, deliver, give back, what support must see, and
what a session's end gives back; on both payment terminals."""

from __future__ import annotations

import pytest

from kiosk.devices.payment.base import PaymentTerminal
from kiosk.devices.payment.simulated import SimulatedPaymentTerminal
from kiosk.payments.journal import PaymentState
from kiosk.payments.service import Payments
from kiosk.session import EndReason, EndSummary
from tests.devices.conftest import DEADLINE, wait_until

from .conftest import states


def test_a_payment_is_taken_then_delivered(payments: Payments) -> None:
    entry = payments.pay("fee:card", 250).result(DEADLINE)
    assert (entry.state, entry.amount_cents, entry.purpose) == (
        PaymentState.APPROVED,
        250,
        "fee:card",
    )
    assert payments.delivered(entry.sale_reference).result(DEADLINE).state is (
        PaymentState.DELIVERED
    )
    assert payments.unsettled() == []


def test_paid_and_not_delivered_is_given_back(payments: Payments) -> None:
    entry = payments.pay("print", 40).result(DEADLINE)
    back = payments.settle_unprinted(entry.sale_reference, "the job could not be sent")
    assert back.result(DEADLINE).state is PaymentState.REVERSED


def test_a_session_end_gives_back_what_it_paid_for_and_did_not_get(payments: Payments) -> None:
    kept = payments.pay("print", 40).result(DEADLINE)
    lost = payments.pay("print", 60).result(DEADLINE)
    payments.keep = lambda: {kept.sale_reference}  # a paid job still printing
    payments.session_ended(EndSummary("s1", EndReason.USER, 1000, ()))
    wait_until(
        lambda: sorted(map(str, states(payments))) == ["approved", "reversed"], "the release"
    )
    assert payments.ledger.journal.get(lost.sale_reference).state is PaymentState.REVERSED
    assert payments.ledger.journal.get(kept.sale_reference).state is PaymentState.APPROVED


def test_a_declined_card_is_charged_nothing(
    payments: Payments, terminal: PaymentTerminal, request: pytest.FixtureRequest
) -> None:
    if isinstance(terminal, SimulatedPaymentTerminal):
        terminal.set_fault("decline", True)
    else:  # the nexo terminal: its simulator declines the next card
        request.getfixturevalue("sim").control(mode="decline")
    assert payments.pay("print", 40).result(DEADLINE).state is PaymentState.DECLINED
