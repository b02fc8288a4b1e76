"""The simulated payment terminal: what the citizen sees, each outcome a real terminal gives,
and the terminal's own record after an answer that never came."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from kiosk.devices.payment.base import (
    PaymentOutcome,
    PaymentRequest,
    PaymentResult,
    ReconciliationTotals,
    TerminalUnavailableError,
)
from kiosk.devices.payment.simulated import SimulatedPaymentTerminal, TerminalOfflineError
from kiosk.devices.status import Attention, DeviceState, PaymentDisplay, PaymentFinished

from .conftest import Recorder

QUICK = 0.03  # the "customer" takes 10 ms per step


def terminal(start: Callable, timeout: float = 5.0) -> SimulatedPaymentTerminal:
    device: SimulatedPaymentTerminal = start(
        SimulatedPaymentTerminal("t", delay_seconds=QUICK, timeout_seconds=timeout)
    )
    return device


def request(ref: str = "sale-1", cents: int = 250) -> PaymentRequest:
    return PaymentRequest(sale_reference=ref, amount_cents=cents)


def displays(rec: Recorder) -> list[str]:
    return [e.message for e in rec.of(PaymentDisplay)]


def test_approved_payment_shows_the_steps(start: Callable, record: Callable) -> None:
    pos = terminal(start)
    rec = record(pos)
    assert pos.health().state is DeviceState.ONLINE
    assert pos.health().detail["login"] == "logged_in"

    result = asyncio.run(pos.pay(request()))

    assert result.outcome is PaymentOutcome.APPROVED
    assert result.amount_cents == 250
    assert result.card_last4 is not None and len(result.card_last4) == 4
    assert result.card_last4.isdigit()
    assert result.terminal_reference
    assert displays(rec) == ["insert_card", "enter_pin", "processing"]
    assert rec.of(PaymentFinished, sale_reference="sale-1", outcome="approved")
    assert pos.health().state is DeviceState.ONLINE


@pytest.mark.parametrize(
    ("fault", "outcome", "reason"),
    [
        ("decline", PaymentOutcome.DECLINED, "declined"),
        ("customer_cancel", PaymentOutcome.CANCELLED, "cancelled_by_customer"),
    ],
)
def test_declined_and_cancelled_by_customer(
    start: Callable, fault: str, outcome: PaymentOutcome, reason: str
) -> None:
    pos = terminal(start)
    pos.set_fault(fault, True)

    result = asyncio.run(pos.pay(request()))

    assert (result.outcome, result.reason) == (outcome, reason)
    assert result.card_last4 is None
    recorded = asyncio.run(pos.transaction_status("sale-1"))
    assert recorded is not None and recorded.outcome is outcome


def test_no_answer_gives_unknown_but_the_terminal_approved_it(start: Callable) -> None:
    pos = terminal(start, timeout=0.3)
    pos.set_fault("no_answer", True)

    result = asyncio.run(pos.pay(request()))
    assert result.outcome is PaymentOutcome.UNKNOWN

    pos.set_fault("no_answer", False)
    recorded = asyncio.run(pos.transaction_status("sale-1"))
    assert recorded is not None
    assert recorded.outcome is PaymentOutcome.APPROVED
    assert recorded.card_last4 is not None


def test_offline_terminal_fails_at_once(start: Callable, record: Callable) -> None:
    pos = terminal(start)
    rec = record(pos)
    pos.set_fault("offline", True)

    health = pos.health()
    assert (health.state, health.attention) == (DeviceState.OFFLINE, Attention.MAINTENANCE)
    result = asyncio.run(pos.pay(request()))
    assert (result.outcome, result.reason) == (PaymentOutcome.FAILED, "terminal_offline")
    assert not rec.of(PaymentDisplay)
    with pytest.raises(TerminalOfflineError):
        asyncio.run(pos.transaction_status("sale-1"))

    pos.set_fault("offline", False)
    assert pos.health().state is DeviceState.ONLINE
    assert asyncio.run(pos.transaction_status("sale-1")) is None


def test_one_payment_at_a_time(start: Callable) -> None:
    pos = start(SimulatedPaymentTerminal("t", delay_seconds=0.3, timeout_seconds=5))

    async def two_at_once() -> tuple[PaymentResult, PaymentResult]:
        first = asyncio.create_task(pos.pay(request("a")))
        await asyncio.sleep(0)  # let the first one start
        assert pos.health().state is DeviceState.BUSY
        second = await pos.pay(request("b"))
        return await first, second

    first, second = asyncio.run(two_at_once())
    assert first.outcome is PaymentOutcome.APPROVED
    assert (second.outcome, second.reason) == (PaymentOutcome.FAILED, "busy")


def test_abort_cancels_the_payment(start: Callable, record: Callable) -> None:
    pos = start(SimulatedPaymentTerminal("t", delay_seconds=30, timeout_seconds=60))
    rec = record(pos)

    async def pay_and_abort() -> PaymentResult:
        paying = asyncio.create_task(pos.pay(request()))
        while not rec.of(PaymentDisplay, message="insert_card"):
            await asyncio.sleep(0.005)
        await pos.abort("sale-1")
        return await paying

    result = asyncio.run(pay_and_abort())
    assert (result.outcome, result.reason) == (PaymentOutcome.CANCELLED, "aborted")
    assert pos.health().state is DeviceState.ONLINE


def test_reverse_an_approved_payment_once(start: Callable) -> None:
    pos = terminal(start)
    approved = asyncio.run(pos.pay(request()))

    assert asyncio.run(pos.reverse(approved, "print failed")) is True
    assert asyncio.run(pos.reverse(approved, "print failed")) is False
    recorded = asyncio.run(pos.transaction_status("sale-1"))
    assert recorded is not None and recorded.reason == "reversed"

    pos.set_fault("decline", True)
    declined = asyncio.run(pos.pay(request("sale-2")))
    assert asyncio.run(pos.reverse(declined, "no reason")) is False


def test_only_one_fault_at_a_time() -> None:
    pos = SimulatedPaymentTerminal("t")
    pos.set_fault("decline", True)
    pos.set_fault("no_answer", True)
    assert pos.faults() == {"no_answer"}
    pos.set_fault("decline", False)  # not on: nothing changes
    assert pos.faults() == {"no_answer"}
    pos.set_fault("no_answer", False)
    assert pos.faults() == frozenset()
    with pytest.raises(KeyError):
        pos.set_fault("fire", True)


def test_self_test(start: Callable) -> None:
    pos = terminal(start)
    result = pos.self_test().result(10)
    assert result.passed
    assert result.steps == ("connection: ok", "login: logged_in")

    pos.set_fault("offline", True)
    result = pos.self_test().result(10)
    assert not result.passed
    assert result.steps == ("connection: failed",)


def test_not_started_terminal_does_not_take_payments() -> None:
    pos = SimulatedPaymentTerminal("t", delay_seconds=QUICK)
    result = asyncio.run(pos.pay(request()))
    assert (result.outcome, result.reason) == (PaymentOutcome.FAILED, "terminal_offline")


def test_reconcile_counts_approved_payments_not_reversed(start: Callable) -> None:
    pos = terminal(start)
    first = asyncio.run(pos.pay(request("sale-1", 250)))
    asyncio.run(pos.pay(request("sale-2", 190)))
    undone = asyncio.run(pos.pay(request("sale-3", 700)))
    asyncio.run(pos.reverse(undone, "print failed"))
    pos.set_fault("decline", True)
    asyncio.run(pos.pay(request("sale-4", 500)))

    assert asyncio.run(pos.reconcile()) == ReconciliationTotals(2, 440)
    assert asyncio.run(pos.reconcile()) == ReconciliationTotals(0, 0)  # a new period began
    assert asyncio.run(pos.reverse(first, "print failed")) is False  # its period is closed

    pos.set_fault("offline", True)
    with pytest.raises(TerminalUnavailableError):
        asyncio.run(pos.reconcile())
