"""The nexo terminal backend against the terminal simulator running as a separate process.

Each test takes the kiosk's side with the real NexoTerminal and checks three things: what the
kiosk gets (the PaymentResult), what the citizen would be told (its outcome and reason, and the
PaymentDisplay prompts), and the terminal's own records (TransactionStatus, Reconciliation and
the journal in its state folder), which must never show a sale charged twice.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import Callable

import pytest

from kiosk.devices.catalog import DeviceClass
from kiosk.devices.payment.base import (
    PaymentOutcome,
    PaymentRequest,
    PaymentResult,
    ReconciliationTotals,
    TerminalUnavailableError,
)
from kiosk.devices.payment.nexo.terminal import NexoTerminal
from kiosk.devices.registry import build_device
from kiosk.devices.status import Attention, DeviceState, PaymentDisplay, PaymentFinished
from tests.peers.nexo import (  # noqa: F401 - the fixtures are used by name
    NexoSimulator,
    free_port,
    notify_port_fixture,
    sim_fixture,
)

from .conftest import Recorder

ALL_PROMPTS = ["insert_card", "enter_pin", "processing", "remove_card"]


@pytest.fixture
def kiosk(
    sim: NexoSimulator, notify_port: int, start: Callable, record: Callable
) -> Callable[..., tuple[NexoTerminal, Recorder]]:
    """The kiosk's terminal backend on the simulator, started, with its events recorded."""

    def make(timeout: float = 30.0) -> tuple[NexoTerminal, Recorder]:
        terminal = NexoTerminal(
            "pay",
            terminal_url=sim.url,
            notify_port=notify_port,
            timeout_seconds=timeout,
            request_timeout_seconds=10.0,
        )
        rec = record(terminal)
        start(terminal)
        return terminal, rec

    return make


def pay(terminal: NexoTerminal, ref: str, cents: int = 250) -> PaymentResult:
    return asyncio.run(terminal.pay(PaymentRequest(sale_reference=ref, amount_cents=cents)))


def status(terminal: NexoTerminal, ref: str) -> PaymentResult | None:
    return asyncio.run(terminal.transaction_status(ref))


def reconcile(terminal: NexoTerminal) -> ReconciliationTotals:
    return asyncio.run(terminal.reconcile())


def prompts(rec: Recorder) -> list[str]:
    return [e.message for e in rec.of(PaymentDisplay)]


def assert_no_card_number(sim: NexoSimulator) -> None:
    """Nothing the terminal wrote holds a run of digits as long as a card number."""
    text = sim.state_files_text() + sim.log()
    assert not re.search(r"\d{12,19}", text)


def test_approved_payment(kiosk: Callable, sim: NexoSimulator) -> None:
    terminal, rec = kiosk()
    health = terminal.health()
    assert (health.state, health.detail["login"]) == (DeviceState.ONLINE, "logged_in")

    result = pay(terminal, "sale-1", 240)

    assert (result.outcome, result.amount_cents) == (PaymentOutcome.APPROVED, 240)
    assert result.card_last4 is not None and re.fullmatch(r"\d{4}", result.card_last4)
    assert result.terminal_reference
    assert prompts(rec) == ALL_PROMPTS
    assert rec.of(PaymentFinished, sale_reference="sale-1", outcome="approved")
    assert status(terminal, "sale-1") == result
    assert len(sim.payments("sale-1")) == 1
    assert_no_card_number(sim)
    assert terminal.health().state is DeviceState.ONLINE


def test_decline(kiosk: Callable, sim: NexoSimulator) -> None:
    terminal, rec = kiosk()
    sim.control(mode="decline")

    result = pay(terminal, "sale-1")

    assert (result.outcome, result.reason) == (PaymentOutcome.DECLINED, "declined")
    assert result.card_last4 is None
    assert prompts(rec) == ALL_PROMPTS
    recorded = status(terminal, "sale-1")
    assert recorded is not None and recorded.outcome is PaymentOutcome.DECLINED
    assert reconcile(terminal) == ReconciliationTotals(0, 0)


def test_customer_cancels_at_the_terminal(kiosk: Callable, sim: NexoSimulator) -> None:
    terminal, rec = kiosk()
    sim.control(mode="customer_cancel")

    result = pay(terminal, "sale-1")

    assert (result.outcome, result.reason) == (PaymentOutcome.CANCELLED, "cancelled_by_customer")
    assert prompts(rec) == ["insert_card"]
    recorded = status(terminal, "sale-1")
    assert recorded is not None and recorded.outcome is PaymentOutcome.CANCELLED
    assert reconcile(terminal) == ReconciliationTotals(0, 0)


def test_busy_before_login_logs_in_again_and_pays_once(kiosk: Callable, sim: NexoSimulator) -> None:
    terminal, _ = kiosk()
    sim.control(mode="busy_before_login")  # the terminal drops the kiosk's session
    assert not sim.state()["logged_in"]

    result = pay(terminal, "sale-1")

    assert result.outcome is PaymentOutcome.APPROVED
    assert "Payment Response service=" in sim.log() and "error=Busy" in sim.log()
    assert sim.state()["logged_in"]
    assert len(sim.payments("sale-1")) == 1
    assert terminal.health().state is DeviceState.ONLINE


def test_restarted_terminal_answers_logged_out_and_the_kiosk_logs_in(
    kiosk: Callable, sim: NexoSimulator
) -> None:
    terminal, _ = kiosk()
    sim.kill()
    sim.start(notify=False)  # the kiosk hears nothing of it and still holds its old session

    result = pay(terminal, "sale-1")

    assert result.outcome is PaymentOutcome.APPROVED
    assert "error=LoggedOut" in sim.log()
    assert len(sim.payments("sale-1")) == 1


def test_no_answer_gives_unknown_then_the_status_says_approved(
    kiosk: Callable, sim: NexoSimulator
) -> None:
    terminal, rec = kiosk(timeout=3.0)
    sim.control(mode="no_answer")

    result = pay(terminal, "sale-1")

    assert (result.outcome, result.reason) == (PaymentOutcome.UNKNOWN, "no_answer")
    assert prompts(rec)[:3] == ALL_PROMPTS[:3]
    recorded = status(terminal, "sale-1")
    assert recorded is not None and recorded.outcome is PaymentOutcome.APPROVED
    assert recorded.card_last4 is not None
    assert terminal.health().state is DeviceState.ONLINE

    # Paying the same sale again is refused by the terminal: no second charge.
    sim.control(mode="approve")
    again = pay(terminal, "sale-1")
    assert again.outcome is PaymentOutcome.FAILED
    assert len(sim.payments("sale-1")) == 1
    assert reconcile(terminal) == ReconciliationTotals(1, 250)


def test_die_mid_payment_then_restart_reports_it_not_completed(
    kiosk: Callable, sim: NexoSimulator
) -> None:
    terminal, rec = kiosk()
    sim.control(mode="die_mid_payment")

    result = pay(terminal, "sale-1")

    assert (result.outcome, result.reason) == (PaymentOutcome.UNKNOWN, "no_answer")
    assert sim.wait_exit() == 3
    assert "processing" in prompts(rec)
    health = terminal.health()
    assert (health.state, health.attention) == (DeviceState.OFFLINE, Attention.MAINTENANCE)
    assert health.last_error == "terminal-unreachable"
    with pytest.raises(TerminalUnavailableError):  # no answer is not "no payment"
        status(terminal, "sale-1")
    assert sim.payments("sale-1") and sim.journal()[-1]["record"] == "payment"  # in progress

    sim.start()  # same state folder; it announces itself and the kiosk logs in again
    rec.wait_state(DeviceState.ONLINE)
    recorded = status(terminal, "sale-1")

    assert recorded is not None
    assert (recorded.outcome, recorded.reason) == (PaymentOutcome.FAILED, "terminal_offline")
    assert sim.journal()[-1]["error_condition"] == "DeviceOut"
    assert reconcile(terminal) == ReconciliationTotals(0, 0)
    sim.control(mode="approve")
    assert pay(terminal, "sale-2").outcome is PaymentOutcome.APPROVED


def test_dropped_answer_then_status_reverse_and_reconcile(
    kiosk: Callable, sim: NexoSimulator
) -> None:
    terminal, _ = kiosk()
    sim.control(mode="drop_after_approve")

    result = pay(terminal, "sale-1")
    assert (result.outcome, result.reason) == (PaymentOutcome.UNKNOWN, "no_answer")

    sim.control(mode="approve")
    recorded = status(terminal, "sale-1")
    assert recorded is not None and recorded.outcome is PaymentOutcome.APPROVED
    assert asyncio.run(terminal.reverse(recorded, "print failed")) is True
    assert asyncio.run(terminal.reverse(recorded, "print failed")) is False
    after = status(terminal, "sale-1")
    assert after is not None and after.reason == "reversed"

    assert reconcile(terminal) == ReconciliationTotals(0, 0)
    reversals = [r for r in sim.journal() if r["record"] == "reversal"]
    assert [r["reason"] for r in reversals] == ["Malfunction"]
    assert len(sim.payments("sale-1")) == 1


def test_offline_terminal_in_maintenance(kiosk: Callable, sim: NexoSimulator) -> None:
    terminal, rec = kiosk()
    sim.control(mode="offline")
    rec.wait_state(DeviceState.OFFLINE)
    health = terminal.health()
    assert (health.attention, health.last_error) == (Attention.MAINTENANCE, "terminal-maintenance")

    result = pay(terminal, "sale-1")

    assert (result.outcome, result.reason) == (PaymentOutcome.FAILED, "terminal_offline")
    assert not rec.of(PaymentDisplay)
    with pytest.raises(TerminalUnavailableError):
        status(terminal, "sale-1")
    assert not terminal.self_test().result(30).passed
    assert sim.payments("sale-1") == []

    sim.control(mode="approve")  # EndMaintenance: the kiosk logs in again by itself
    rec.wait_state(DeviceState.ONLINE)
    assert status(terminal, "sale-1") is None
    assert terminal.self_test().result(30).steps == ("connection: ok", "login: logged_in")


def test_abort_while_paying(kiosk: Callable, sim: NexoSimulator) -> None:
    terminal, rec = kiosk()
    sim.control(pace=30)

    async def pay_and_abort() -> PaymentResult:
        paying = asyncio.create_task(
            terminal.pay(PaymentRequest(sale_reference="sale-1", amount_cents=250))
        )
        while not rec.of(PaymentDisplay, message="insert_card"):
            await asyncio.sleep(0.01)
        await terminal.abort("sale-1")
        return await paying

    result = asyncio.run(pay_and_abort())

    assert (result.outcome, result.reason) == (PaymentOutcome.CANCELLED, "aborted")
    recorded = status(terminal, "sale-1")
    assert recorded is not None and recorded.outcome is PaymentOutcome.CANCELLED
    assert terminal.health().state is DeviceState.ONLINE


def test_status_waits_while_the_payment_is_in_progress(kiosk: Callable, sim: NexoSimulator) -> None:
    terminal, rec = kiosk()
    sim.control(pace=0.5)

    async def pay_and_ask() -> tuple[PaymentResult, PaymentResult | None]:
        paying = asyncio.create_task(
            terminal.pay(PaymentRequest(sale_reference="sale-1", amount_cents=250))
        )
        while not rec.of(PaymentDisplay, message="insert_card"):
            await asyncio.sleep(0.01)
        asked = await terminal.transaction_status("sale-1")
        return await paying, asked

    paid, asked = asyncio.run(pay_and_ask())

    assert paid.outcome is PaymentOutcome.APPROVED
    assert asked == paid
    assert "error=InProgress" in sim.log()


def test_reconcile_counts_approved_payments_not_reversed(
    kiosk: Callable, sim: NexoSimulator
) -> None:
    terminal, _ = kiosk()
    first = pay(terminal, "sale-1", 250)
    pay(terminal, "sale-2", 190)
    sim.control(mode="decline")
    pay(terminal, "sale-3", 500)
    sim.control(mode="approve")
    undone = pay(terminal, "sale-4", 700)
    assert asyncio.run(terminal.reverse(undone, "Malfunction"))

    assert reconcile(terminal) == ReconciliationTotals(2, 440)
    assert reconcile(terminal) == ReconciliationTotals(0, 0)  # a new period began
    assert asyncio.run(terminal.reverse(first, "Malfunction")) is False  # period closed
    assert sim.state()["period"] == 3


def test_not_started_terminal() -> None:
    terminal = NexoTerminal("pay", terminal_url="http://127.0.0.1:9/nexo")
    result = pay(terminal, "sale-1")
    assert (result.outcome, result.reason) == (PaymentOutcome.FAILED, "terminal_offline")
    with pytest.raises(TerminalUnavailableError):
        status(terminal, "sale-1")


def test_unreachable_terminal_is_offline_for_maintenance(start: Callable, notify_port: int) -> None:
    terminal = start(
        NexoTerminal(
            "pay",
            terminal_url=f"http://127.0.0.1:{free_port()}/nexo",
            notify_port=notify_port,
            request_timeout_seconds=5,
        )
    )
    health = terminal.health()
    assert (health.state, health.attention) == (DeviceState.OFFLINE, Attention.MAINTENANCE)
    assert pay(terminal, "sale-1").reason == "terminal_offline"
    assert terminal.self_test().result(30).steps == ("connection: failed",)


def test_config_builds_the_nexo_backend(sim: NexoSimulator, notify_port: int) -> None:
    options = {"terminal_url": sim.url, "notify_port": notify_port, "delay_seconds": 2.0}
    device = build_device(DeviceClass.PAYMENT, "pay", "nexo", options)
    assert isinstance(device, NexoTerminal)
    assert device.health().backend == "nexo"


def test_simulator_explains_itself() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "kiosk.devices.payment.nexo.simulator", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for mode in ("approve", "no_answer", "die_mid_payment", "drop_after_approve", "offline"):
        assert mode in shown
    assert "--state-dir" in shown and "--notify-url" in shown


def test_technician_switches_drive_the_simulator_only_when_it_is_one(
    sim: NexoSimulator, notify_port: int, start: Callable
) -> None:
    terminal = NexoTerminal(
        "pay",
        terminal_url=sim.url,
        notify_port=notify_port,
        timeout_seconds=30.0,
        request_timeout_seconds=10.0,
        simulator_control_url=f"http://127.0.0.1:{sim.port}/control",
    )
    start(terminal)
    names = [s.name for s in terminal.fault_switches()]
    assert "die_mid_payment" in names and "drop_after_approve" in names
    assert terminal.faults() == frozenset()

    terminal.set_fault("decline", True)
    assert sim.state()["mode"] == "decline"
    assert terminal.faults() == {"decline"}
    assert pay(terminal, "sale-1").outcome is PaymentOutcome.DECLINED
    terminal.set_fault("decline", False)
    assert sim.state()["mode"] == "approve"
    assert pay(terminal, "sale-2").outcome is PaymentOutcome.APPROVED

    real = NexoTerminal("real", terminal_url=sim.url, notify_port=free_port())
    assert real.fault_switches() == ()
    with pytest.raises(KeyError):
        real.set_fault("decline", True)
