"""A remote test page without Qt: found on the store's writer thread, printed through the
printing service and reported by its job's end; one that takes too long (on a fake clock) is
cancelled and reported so, once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.config import Config
from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.devices.status import PrintJobFailed
from kiosk.printing.service import Printing
from kiosk.remote import TEST_PAGE_SECONDS, RemoteActions
from kiosk.store import Store
from kiosk.store.fleet import CommandResult, Fleet
from kiosk.store.writer import StoreWriter
from tests.conftest import FakeClock
from tests.devices.conftest import DEADLINE, Recorder, make_pdf, wait_until

from .conftest import SLOW


@pytest.fixture
def writer(store: Store) -> Iterator[StoreWriter]:
    # The writer owns the store from here; closing it closes the store (again, harmlessly).
    writer = StoreWriter(store)
    yield writer
    writer.close()


def remote_actions(
    writer: StoreWriter, printer: SimulatedPrinter, config: Config, clock: FakeClock
) -> RemoteActions:
    return RemoteActions(
        writer,
        session_active=lambda: False,
        devices=lambda: [printer],
        printing=Printing(printer, config),
        clock=clock,
    )


def results(writer: StoreWriter) -> dict[str, CommandResult]:
    writer.flush()
    return {r.id: r for r in Fleet(writer.store).finished_unreported(10)}


def test_a_test_page_is_found_printed_and_reported(
    writer: StoreWriter,
    printer: SimulatedPrinter,
    make_config: Callable[..., Config],
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    Fleet(writer.store).add_command("page-1", "test-page", device_id=None, requested_by="anna")
    actions = remote_actions(writer, printer, make_config(), clock)
    [command] = actions.poll().result(DEADLINE)
    assert actions.poll().result(DEADLINE) == []  # taken: found once
    actions.print_test_page(command, make_pdf(tmp_path, 1))
    wait_until(lambda: "page-1" in results(writer), "the outcome")
    assert results(writer)["page-1"].ok


def test_a_test_page_that_takes_too_long_is_cancelled_and_reported(
    writer: StoreWriter,
    start: Callable,
    make_config: Callable[..., Config],
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    slow: SimulatedPrinter = start(SimulatedPrinter("slow", pages_per_minute=SLOW))
    slow.set_fault("offline", True)  # the page waits for the printer
    events = Recorder(slow)
    Fleet(writer.store).add_command("page-2", "test-page", device_id=None, requested_by="anna")
    actions = remote_actions(writer, slow, make_config(), clock)
    [command] = actions.poll().result(DEADLINE)
    actions.print_test_page(command, make_pdf(tmp_path, 1))
    clock.advance(TEST_PAGE_SECONDS - 1)
    actions.poll().result(DEADLINE)
    assert "page-2" not in results(writer)
    clock.advance(1)
    actions.poll().result(DEADLINE)
    outcome = results(writer)["page-2"]
    assert not outcome.ok
    assert outcome.message.startswith(f"test page not printed in {TEST_PAGE_SECONDS} s")
    # The cancelled job's own end comes later and is not reported a second time.
    slow.set_fault("offline", False)
    assert events.wait_for(PrintJobFailed).reason == "cancelled"
    writer.flush()
    assert [r.id for r in Fleet(writer.store).finished_unreported(10)] == ["page-2"]
