"""The ledger with its journal on a small tmpfs that fills after a payment was approved: a fee
handed over whose delivery could not be written is never given back, a refund whose record
could not be written is not made twice, and both are written once there is room again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.devices.payment.simulated import SimulatedPaymentTerminal
from kiosk.payments.journal import JournalUnwritable, PaymentJournal, PaymentState
from kiosk.payments.ledger import Ledger
from kiosk.store import Store, open_store

from .test_full_disk import SmallDisk
from .test_ledger import Alerts

QUICK = 0.02


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    small = SmallDisk(tmp_path / "data")
    small.mount()
    try:
        yield small
    finally:
        small.unmount()


@pytest.fixture
def store(disk: SmallDisk) -> Iterator[Store]:
    store = open_store(disk.path / "kiosk.db")
    yield store
    store.close()


@pytest.fixture
def terminal(start: Callable) -> SimulatedPaymentTerminal:
    simulated: SimulatedPaymentTerminal = start(
        SimulatedPaymentTerminal("pos", delay_seconds=QUICK, timeout_seconds=0.5)
    )
    return simulated


@pytest.fixture
def ledger(store: Store, terminal: SimulatedPaymentTerminal) -> Ledger:
    return Ledger(PaymentJournal(store), terminal, kiosk_id="k1", alert=Alerts())


def whole(store: Store) -> None:
    with store.lock:
        assert store.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_a_delivery_that_could_not_be_written_is_never_given_back(
    ledger: Ledger, store: Store, disk: SmallDisk, terminal: SimulatedPaymentTerminal
) -> None:
    async def scenario() -> str:
        entry = await ledger.pay(session_id="s1", purpose="fee:lost-card", amount_cents=300)
        assert entry.state is PaymentState.APPROVED
        disk.fill(store)
        with pytest.raises(JournalUnwritable):
            await ledger.delivered(entry.sale_reference)
        # The citizen, who has the receipt, leaves; support's settling runs while still full.
        await ledger.release_session("s1")
        with pytest.raises(JournalUnwritable):
            await ledger.resolve_open()
        assert ledger.needs_settling
        assert ledger.journal.get(entry.sale_reference).state is PaymentState.APPROVED
        disk.free()
        assert await ledger.resolve_open() == []
        return entry.sale_reference

    sale = asyncio.run(scenario())
    assert ledger.journal.get(sale).state is PaymentState.DELIVERED
    assert not ledger.needs_settling
    totals = asyncio.run(terminal.reconcile())
    assert (totals.count, totals.total_cents) == (1, 300)
    whole(store)


def test_a_refund_whose_record_could_not_be_written_is_recorded_later_not_made_twice(
    ledger: Ledger, store: Store, disk: SmallDisk, terminal: SimulatedPaymentTerminal
) -> None:
    async def scenario() -> str:
        entry = await ledger.pay(session_id="s1", purpose="print", amount_cents=240)
        disk.fill(store)
        with pytest.raises(JournalUnwritable):
            await ledger.not_delivered(entry.sale_reference, "printer failed")
        assert ledger.needs_settling
        disk.free()
        assert await ledger.resolve_open() == []
        return entry.sale_reference

    sale = asyncio.run(scenario())
    assert ledger.journal.get(sale).state is PaymentState.REVERSED
    totals = asyncio.run(terminal.reconcile())
    assert (totals.count, totals.total_cents) == (0, 0)
    whole(store)
