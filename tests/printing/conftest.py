"""Printing and payments without Qt: the simulated printer, both payment terminals (the one in
the kiosk, and the nexo backend against the terminal simulator in its own process), a store on
tmp_path and a real engine loop, as the app wires them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.devices.payment.base import PaymentTerminal
from kiosk.devices.payment.nexo.terminal import NexoTerminal
from kiosk.devices.payment.simulated import SimulatedPaymentTerminal
from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.devices.status import DeviceState
from kiosk.engine import Engine
from kiosk.payments.journal import PaymentJournal, PaymentState
from kiosk.payments.ledger import Ledger
from kiosk.payments.service import Payments
from kiosk.session import UsageRecord
from kiosk.store import Store, open_store
from tests.devices import conftest as devices
from tests.devices.conftest import wait_until
from tests.peers.nexo import (  # noqa: F401 - the fixtures are used by name
    NexoSimulator,
    notify_port_fixture,
    sim_fixture,
)

#: The device tests' fixture: start a device, and always stop it.
start = devices.start

#: Pages a minute: a sheet every 10 ms, so a job ends at once.
FAST = 6000
#: A sheet a second: a job is surely still printing when the test acts on it.
SLOW = 60


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "kiosk.db")
    yield store
    store.close()


@pytest.fixture
def printer(start: Callable, tmp_path: Path) -> SimulatedPrinter:
    printed: SimulatedPrinter = start(
        SimulatedPrinter("printer", pages_per_minute=FAST, output_dir=tmp_path / "printed")
    )
    return printed


@pytest.fixture(params=["simulated", "nexo"])
def terminal(request: pytest.FixtureRequest, start: Callable) -> PaymentTerminal:
    if request.param == "simulated":
        simulated: SimulatedPaymentTerminal = start(
            SimulatedPaymentTerminal("pos", delay_seconds=0.02, timeout_seconds=0.5)
        )
        return simulated
    sim: NexoSimulator = request.getfixturevalue("sim")
    nexo: NexoTerminal = start(
        NexoTerminal(
            "pos",
            terminal_url=sim.url,
            notify_port=request.getfixturevalue("notify_port"),
            timeout_seconds=3.0,
            request_timeout_seconds=5.0,
        )
    )
    wait_until(lambda: nexo.health().state is DeviceState.ONLINE, "the terminal to log in", 20)
    return nexo


class Usage(list[UsageRecord]):
    """The anonymous usage records a service made."""

    def __call__(self, record: UsageRecord) -> None:
        self.append(record)

    def outcomes(self) -> list[str | None]:
        return [r.value for r in list(self) if r.kind == "outcome"]


@pytest.fixture
def usage() -> Usage:
    return Usage()


@pytest.fixture
def payments(store: Store, terminal: PaymentTerminal, engine: Engine) -> Payments:
    ledger = Ledger(PaymentJournal(store), terminal, kiosk_id="k1", alert=lambda *_: None)
    return Payments(ledger, engine.submit, session_id=lambda: "s1")


def states(payments: Payments) -> list[PaymentState]:
    return [entry.state for entry in payments.ledger.journal.entries()]
