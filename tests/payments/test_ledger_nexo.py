"""The ledger against the nexo terminal simulator's own failures (a separate process): it dies
mid-payment, it drops the connection after approving, it answers Busy until logged in. Each
ends with what the citizen is told, a settled journal, one charge at most, and a reversal for
anything paid and not delivered."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.devices.payment.nexo.terminal import NexoTerminal
from kiosk.devices.status import DeviceState
from kiosk.payments.journal import JournalEntry, PaymentJournal, PaymentState
from kiosk.payments.ledger import Ledger
from kiosk.store import Store, open_store
from kiosk.ui.widgets.payment import OUTCOMES
from tests.devices.conftest import wait_until
from tests.peers.nexo import (  # noqa: F401 - the fixtures are used by name
    NexoSimulator,
    notify_port_fixture,
    sim_fixture,
)

from .test_ledger import Alerts


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "kiosk.db")
    yield store
    store.close()


@pytest.fixture
def terminal(sim: NexoSimulator, notify_port: int, start: Callable) -> NexoTerminal:
    nexo: NexoTerminal = start(
        NexoTerminal(
            "pos",
            terminal_url=sim.url,
            notify_port=notify_port,
            timeout_seconds=3.0,
            request_timeout_seconds=5.0,
        )
    )
    wait_until(lambda: nexo.health().state is DeviceState.ONLINE, "the terminal to log in", 20)
    return nexo


@pytest.fixture
def alerts() -> Alerts:
    return Alerts()


@pytest.fixture
def ledger(store: Store, terminal: NexoTerminal, alerts: Alerts) -> Ledger:
    return Ledger(PaymentJournal(store), terminal, kiosk_id="k1", alert=alerts)


def pay(ledger: Ledger, cents: int = 240) -> JournalEntry:
    return asyncio.run(ledger.pay(session_id="s1", purpose="print", amount_cents=cents))


def approved_on_terminal(sim: NexoSimulator, sale: str) -> int:
    """How many times the terminal's own journal says it charged for `sale`."""
    started = {p["poi_tx"] for p in sim.payments(sale)}
    return len(
        [
            r
            for r in sim.journal()
            if r["record"] == "result" and r["poi_tx"] in started and r["result"] == "Success"
        ]
    )


def test_terminal_dies_mid_payment_nothing_is_charged_and_the_journal_settles(
    ledger: Ledger, sim: NexoSimulator, terminal: NexoTerminal, alerts: Alerts
) -> None:
    sim.control(mode="die_mid_payment")
    entry = pay(ledger)
    assert sim.wait_exit() == 3
    # The citizen is told the payment could not be confirmed; the row stays open.
    assert entry.state is PaymentState.UNKNOWN
    assert "could not confirm" in OUTCOMES[PaymentState.UNKNOWN]
    sale = entry.sale_reference
    assert [e.sale_reference for e in ledger.journal.open_entries()] == [sale]

    sim.start()  # same state folder: the terminal closes the interrupted sale as not completed
    wait_until(lambda: terminal.health().state is DeviceState.ONLINE, "log in again", 20)
    sim.control(mode="approve")
    assert asyncio.run(ledger.resolve_open()) == []
    assert ledger.journal.get(sale).state is PaymentState.FAILED
    assert approved_on_terminal(sim, sale) == 0
    assert asyncio.run(ledger.reconcile(since=None)).matched
    assert alerts.codes() == []


def test_answer_dropped_after_approval_is_learned_not_paid_twice(
    ledger: Ledger, sim: NexoSimulator
) -> None:
    sim.control(mode="drop_after_approve")
    entry = pay(ledger)
    sim.control(mode="approve")
    # TransactionStatus told the kiosk it was approved: the citizen gets what they paid for.
    assert entry.state is PaymentState.APPROVED
    sale = entry.sale_reference
    assert approved_on_terminal(sim, sale) == 1
    asyncio.run(ledger.delivered(sale))
    result = asyncio.run(ledger.reconcile(since=None))
    assert (result.journal_count, result.terminal_count) == (1, 1)
    assert result.matched


def test_answer_dropped_then_the_printer_fails_and_the_payment_is_reversed(
    ledger: Ledger, sim: NexoSimulator
) -> None:
    sim.control(mode="drop_after_approve")
    entry = pay(ledger)
    sim.control(mode="approve")
    sale = entry.sale_reference
    back = asyncio.run(ledger.not_delivered(sale, "printer failed"))
    assert back.state is PaymentState.REVERSED
    reversals = [r for r in sim.journal() if r["record"] == "reversal"]
    assert [r["reason"] for r in reversals] == ["Malfunction"]
    result = asyncio.run(ledger.reconcile(since=None))
    assert (result.journal_count, result.terminal_count) == (0, 0)


def test_busy_before_login_logs_in_and_charges_once(ledger: Ledger, sim: NexoSimulator) -> None:
    sim.control(mode="busy_before_login")
    entry = pay(ledger)
    assert entry.state is PaymentState.APPROVED
    sale = entry.sale_reference
    asyncio.run(ledger.delivered(sale))
    assert approved_on_terminal(sim, sale) == 1
    assert asyncio.run(ledger.reconcile(since=None)).matched


def test_a_kiosk_that_crashed_after_the_terminal_approved_reverses_on_restart(
    store: Store, sim: NexoSimulator, terminal: NexoTerminal, alerts: Alerts
) -> None:
    from kiosk.devices.payment.base import PaymentRequest

    journal = PaymentJournal(store)
    journal.open_intent("k1-crash", session_id="gone", purpose="copy", amount_cents=300)
    asyncio.run(terminal.pay(PaymentRequest("k1-crash", 300)))  # approved; the kiosk died
    restarted = Ledger(journal, terminal, kiosk_id="k1", alert=alerts)
    assert asyncio.run(restarted.resolve_open()) == []
    assert journal.get("k1-crash").state is PaymentState.REVERSED
    assert asyncio.run(restarted.reconcile(since=None)).matched
