"""The payment ledger and its journal: each outcome a terminal gives ends with the journal
consistent, no double charge, and nothing paid for and not delivered without a reversal.

Every test runs against both terminals: the simulated one in the kiosk, and the nexo backend
talking to the terminal simulator in a separate process (tests/peers/nexo.py). The switches
only the nexo simulator has (dying mid-payment, dropping the answer, Busy before Login) are in
test_ledger_nexo.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.devices.payment.base import PaymentRequest, PaymentTerminal
from kiosk.devices.payment.nexo.terminal import NexoTerminal
from kiosk.devices.payment.simulated import SimulatedPaymentTerminal
from kiosk.devices.status import DeviceState
from kiosk.payments.journal import JournalError, PaymentJournal, PaymentState
from kiosk.payments.ledger import Ledger
from kiosk.store import Store, open_store
from tests.devices.conftest import wait_until
from tests.peers.nexo import (  # noqa: F401 - the fixtures are used by name
    NexoSimulator,
    notify_port_fixture,
    sim_fixture,
)

QUICK = 0.02


class Alerts(list[tuple[str, dict[str, Any]]]):
    def __call__(self, code: str, details: dict[str, Any]) -> None:
        self.append((code, details))

    def codes(self) -> list[str]:
        return [code for code, _ in self]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "kiosk.db")
    yield store
    store.close()


class Rig:
    """A terminal and its switches, the same for both backends."""

    def __init__(self, terminal: PaymentTerminal, switch: Callable[[str, bool], None]) -> None:
        self.terminal = terminal
        self._switch = switch

    def set_fault(self, name: str, on: bool) -> None:
        self._switch(name, on)


@pytest.fixture(params=["simulated", "nexo"])
def rig(request: pytest.FixtureRequest, start: Callable) -> Rig:
    if request.param == "simulated":
        simulated: SimulatedPaymentTerminal = start(
            SimulatedPaymentTerminal("pos", delay_seconds=QUICK, timeout_seconds=0.5)
        )
        return Rig(simulated, simulated.set_fault)
    sim: NexoSimulator = request.getfixturevalue("sim")
    nexo = start(
        NexoTerminal(
            "pos",
            terminal_url=sim.url,
            notify_port=request.getfixturevalue("notify_port"),
            timeout_seconds=3.0,
            request_timeout_seconds=5.0,
        )
    )
    wait_until(lambda: nexo.health().state is DeviceState.ONLINE, "the terminal to log in")

    def switch(name: str, on: bool) -> None:
        sim.control(mode=name if on else "approve")
        if name == "offline" and not on:
            wait_until(lambda: nexo.health().state.usable, "the terminal back from maintenance")

    return Rig(nexo, switch)


@pytest.fixture
def terminal(rig: Rig) -> Rig:
    return rig


@pytest.fixture
def alerts() -> Alerts:
    return Alerts()


@pytest.fixture
def ledger(store: Store, terminal: Rig, alerts: Alerts) -> Ledger:
    return Ledger(PaymentJournal(store), terminal.terminal, kiosk_id="k1", alert=alerts)


def pay(ledger: Ledger, cents: int = 240) -> Any:
    return asyncio.run(ledger.pay(session_id="s1", purpose="print", amount_cents=cents))


def reconcile(ledger: Ledger) -> Any:
    return asyncio.run(ledger.reconcile(since=None))


def test_an_approved_payment_is_delivered_and_reconciles(ledger: Ledger, alerts: Alerts) -> None:
    entry = pay(ledger)
    assert entry.state is PaymentState.APPROVED
    assert entry.card_last4 is not None and len(entry.card_last4) == 4
    assert entry.terminal_reference

    done = asyncio.run(ledger.delivered(entry.sale_reference))
    assert done.state is PaymentState.DELIVERED and done.resolved_at
    assert ledger.journal.open_entries() == []
    result = reconcile(ledger)
    assert (result.journal_count, result.journal_total_cents) == (1, 240)
    assert result.matched and alerts == []


@pytest.mark.parametrize(
    ("fault", "state"),
    [("decline", PaymentState.DECLINED), ("customer_cancel", PaymentState.CANCELLED)],
)
def test_declined_or_cancelled_is_not_charged_and_can_be_tried_again(
    ledger: Ledger, terminal: Rig, fault: str, state: PaymentState
) -> None:
    terminal.set_fault(fault, True)
    first = pay(ledger)
    assert first.state is state
    terminal.set_fault(fault, False)
    second = pay(ledger)
    assert second.state is PaymentState.APPROVED
    assert second.sale_reference != first.sale_reference
    asyncio.run(ledger.delivered(second.sale_reference))
    assert reconcile(ledger).matched
    assert [e.state for e in ledger.journal.entries()] == [state, PaymentState.DELIVERED]


def test_a_lost_answer_is_settled_by_the_terminal_record_not_by_paying_again(
    ledger: Ledger, terminal: Rig
) -> None:
    terminal.set_fault("no_answer", True)
    entry = pay(ledger)
    # The terminal took the card but its answer never came; TransactionStatus told the truth.
    assert entry.state is PaymentState.APPROVED
    assert len(ledger.journal.entries()) == 1
    asyncio.run(ledger.delivered(entry.sale_reference))
    assert reconcile(ledger).matched


def test_an_offline_terminal_charges_nothing(ledger: Ledger, terminal: Rig) -> None:
    terminal.set_fault("offline", True)
    entry = pay(ledger)
    assert entry.state is PaymentState.FAILED
    terminal.set_fault("offline", False)
    assert reconcile(ledger).terminal_count == 0


def test_paid_but_not_delivered_is_reversed(ledger: Ledger, terminal: Rig) -> None:
    entry = pay(ledger)
    back = asyncio.run(ledger.not_delivered(entry.sale_reference, "printer failed"))
    assert back.state is PaymentState.REVERSED
    assert back.note == "printer failed"
    result = reconcile(ledger)
    assert (result.terminal_count, result.journal_count) == (0, 0)
    assert result.matched


def test_a_reversal_the_terminal_refuses_is_an_alert(
    ledger: Ledger, terminal: Rig, alerts: Alerts
) -> None:
    entry = pay(ledger)
    terminal.set_fault("offline", True)
    back = asyncio.run(ledger.not_delivered(entry.sale_reference, "printer failed"))
    assert back.state is PaymentState.REVERSAL_FAILED
    assert alerts.codes() == ["reversal_failed"]
    assert [e.sale_reference for e in ledger.journal.needing_support()] == [entry.sale_reference]
    # When the terminal is back, start-up's settling gives the money back after all.
    terminal.set_fault("offline", False)
    left = asyncio.run(ledger.resolve_open())
    assert left == []
    assert ledger.journal.get(entry.sale_reference).state is PaymentState.REVERSED


def test_after_a_crash_an_intent_the_terminal_never_saw_is_failed(
    store: Store, terminal: Rig, alerts: Alerts
) -> None:
    journal = PaymentJournal(store)
    journal.open_intent("k1-crash-1", session_id="gone", purpose="print", amount_cents=100)
    # The kiosk restarts: a new ledger settles what the old one left.
    restarted = Ledger(journal, terminal.terminal, kiosk_id="k1", alert=alerts)
    left = asyncio.run(restarted.resolve_open())
    assert left == [] and alerts == []
    assert journal.get("k1-crash-1").state is PaymentState.FAILED


def test_after_a_crash_a_payment_the_terminal_approved_is_reversed(
    store: Store, terminal: Rig, alerts: Alerts
) -> None:
    journal = PaymentJournal(store)
    journal.open_intent("k1-crash-2", session_id="gone", purpose="copy", amount_cents=300)
    # The terminal approved it, and the kiosk died before it heard.
    asyncio.run(terminal.terminal.pay(PaymentRequest("k1-crash-2", 300)))
    ledger = Ledger(journal, terminal.terminal, kiosk_id="k1", alert=alerts)
    assert asyncio.run(ledger.resolve_open()) == []
    entry = journal.get("k1-crash-2")
    assert entry.state is PaymentState.REVERSED
    assert entry.card_last4 is not None
    assert reconcile(ledger).matched


def test_what_the_terminal_cannot_tell_is_kept_and_shown_to_support(
    store: Store, terminal: Rig, alerts: Alerts
) -> None:
    journal = PaymentJournal(store)
    journal.open_intent("k1-crash-3", session_id="gone", purpose="fee", amount_cents=500)
    terminal.set_fault("offline", True)
    ledger = Ledger(journal, terminal.terminal, kiosk_id="k1", alert=alerts)
    left = asyncio.run(ledger.resolve_open())
    assert [e.sale_reference for e in left] == ["k1-crash-3"]
    assert left[0].state is PaymentState.UNKNOWN
    assert alerts.codes() == ["payment_unresolved"]
    terminal.set_fault("offline", False)
    assert asyncio.run(ledger.resolve_open()) == []
    assert journal.get("k1-crash-3").state is PaymentState.FAILED


def test_a_reconciliation_that_does_not_match_is_an_alert(
    ledger: Ledger, terminal: Rig, alerts: Alerts
) -> None:
    entry = pay(ledger)
    asyncio.run(ledger.delivered(entry.sale_reference))
    # A payment the journal never heard of (taken by hand on the terminal, say).
    asyncio.run(terminal.terminal.pay(PaymentRequest("by-hand", 999)))
    result = reconcile(ledger)
    assert not result.matched
    assert (result.journal_count, result.terminal_count) == (1, 2)
    assert alerts.codes() == ["reconciliation_mismatch"]
    with ledger.journal.store.lock:
        rows = list(ledger.journal.store.db["reconciliations"].rows)
    assert [r["matched"] for r in rows] == [0]


def test_the_journal_refuses_a_step_the_states_do_not_allow(store: Store) -> None:
    journal = PaymentJournal(store)
    journal.open_intent("k1-x", session_id=None, purpose="print", amount_cents=100)
    journal.move("k1-x", PaymentState.DECLINED)
    with pytest.raises(JournalError, match="cannot go from declined to delivered"):
        journal.move("k1-x", PaymentState.DELIVERED)
    with pytest.raises(JournalError, match="no payment"):
        journal.move("nope", PaymentState.FAILED)
    with pytest.raises(ValueError, match="last four digits"):
        journal.open_intent("k1-y", session_id=None, purpose="print", amount_cents=100)
        journal.move("k1-y", PaymentState.APPROVED, card_last4="4111111111111111")
    with pytest.raises(ValueError, match="positive"):
        journal.open_intent("k1-z", session_id=None, purpose="print", amount_cents=0)


def test_an_intent_is_on_disk_before_the_terminal_is_asked(
    tmp_path: Path, store: Store, alerts: Alerts
) -> None:
    seen: list[list[dict[str, Any]]] = []

    class Watching(SimulatedPaymentTerminal):
        async def pay(self, request: PaymentRequest) -> Any:
            # Another connection, as kiosk-agent or a restarted kiosk would open it.
            other = open_store(tmp_path / "kiosk.db")
            try:
                seen.append(list(other.db["payment_journal"].rows))
            finally:
                other.close()
            return await super().pay(request)

    watching = Watching("pos", delay_seconds=QUICK)
    watching.start()
    try:
        ledger = Ledger(PaymentJournal(store), watching, kiosk_id="k1", alert=alerts)
        entry = pay(ledger)
    finally:
        watching.stop()
    assert [(r["sale_reference"], r["state"]) for r in seen[0]] == [
        (entry.sale_reference, "intent")
    ]


def test_a_session_that_ends_gives_back_what_it_paid_for_and_did_not_get(
    ledger: Ledger, terminal: Rig
) -> None:
    printing = pay(ledger)
    waiting = pay(ledger)
    # One sale's print job is still running when the citizen leaves; the other got nothing.
    asyncio.run(ledger.release_session("s1", keep={printing.sale_reference}))
    assert ledger.journal.get(waiting.sale_reference).state is PaymentState.REVERSED
    assert ledger.journal.get(printing.sale_reference).state is PaymentState.APPROVED
    asyncio.run(ledger.delivered(printing.sale_reference))
    result = reconcile(ledger)
    assert (result.journal_count, result.terminal_count) == (1, 1)


def test_a_payment_that_ends_after_its_session_is_not_kept(ledger: Ledger, terminal: Rig) -> None:
    async def leave_while_paying() -> Any:
        paying = asyncio.ensure_future(
            ledger.pay(session_id="s1", purpose="print", amount_cents=100)
        )
        while ledger.paying is None:
            await asyncio.sleep(0.001)
        await ledger.release_session("s1")
        return await paying

    entry = asyncio.run(leave_while_paying())
    # Aborted in time (cancelled), or approved just before the abort and then given back.
    assert entry.state in (PaymentState.CANCELLED, PaymentState.REVERSED)
    assert ledger.journal.open_entries() == []
    assert reconcile(ledger).terminal_count == 0


def test_the_daily_reconciliation_is_made_once_when_due(ledger: Ledger, terminal: Rig) -> None:
    from datetime import UTC, datetime, time, timedelta

    at = time(21, 0)
    today = datetime.now(UTC)
    assert not asyncio.run(ledger.reconcile_if_due(at, now=today)), "nothing paid yet"
    entry = pay(ledger)
    asyncio.run(ledger.delivered(entry.sale_reference))
    tomorrow = today + timedelta(days=1, hours=1)
    assert asyncio.run(ledger.reconcile_if_due(at, now=tomorrow))
    assert not asyncio.run(ledger.reconcile_if_due(at, now=tomorrow))
    with ledger.journal.store.lock:
        rows = list(ledger.journal.store.db["reconciliations"].rows)
    assert [(r["journal_count"], r["terminal_count"], r["matched"]) for r in rows] == [(1, 1, 1)]
