"""The CUPS backend against a real cupsd and a virtual IPP Everywhere printer (tests/peers/cups):
documents arrive at the printer, paper out holds a job until paper is back, an unplugged printer
shows offline and the job still prints once, cancel ends a job, a missing queue is no_device."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from kiosk.devices.base import Device
from kiosk.devices.printer.cups import CupsPrinter, spool_privacy
from kiosk.devices.status import (
    Attention,
    DeviceEvent,
    DeviceState,
    PrintJobCompleted,
    PrintJobFailed,
    PrintJobProgress,
)
from tests.peers.cups import (  # noqa: F401 - the fixtures are used by name
    CupsPeer,
    cups_peer_fixture,
    cups_session_fixture,
    free_port,
)

from .conftest import Recorder, make_pdf, wait_until

#: Generous: a real cupsd, its filters and the printer's simulated speed on a loaded CI machine.
DEADLINE = 30.0

E = TypeVar("E", bound=DeviceEvent)
Start = Callable[[Device], Device]


def wait_event(rec: Recorder, kind: type[E], **match: object) -> E:
    wait_until(lambda: rec.of(kind, **match), f"{kind.__name__} {match}", DEADLINE)
    return rec.of(kind, **match)[0]


def wait_health(device: Device, state: DeviceState, attention: Attention | None = None) -> None:
    def reached() -> bool:
        health = device.health()
        return health.state == state and (attention is None or health.attention == attention)

    wait_until(reached, f"state {state.value} {attention}", DEADLINE)


def finals(rec: Recorder, job_id: str) -> list[DeviceEvent]:
    return [
        e
        for e in rec.events
        if isinstance(e, (PrintJobCompleted, PrintJobFailed)) and e.job_id == job_id
    ]


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path, 2)


@pytest.fixture
def printer(cups_peer: CupsPeer, start: Start) -> CupsPrinter:
    device = CupsPrinter("printer-cups", queue=cups_peer.queue, server=cups_peer.server)
    start(device)
    wait_health(device, DeviceState.ONLINE)
    return device


def test_cups_keeps_no_copy_of_a_printed_document(
    printer: CupsPrinter, record: Callable[[Device], Recorder], cups_peer: CupsPeer, pdf: Path
) -> None:
    rec = record(printer)
    job = printer.print_file(pdf)
    wait_event(rec, PrintJobCompleted, job_id=job)

    # PreserveJobFiles No: the d<job>-<n> document files go when the job is done.
    wait_until(lambda: not cups_peer.queued_job_files(), "no job files in RequestRoot", DEADLINE)


def test_paper_out_holds_the_job_until_paper_is_back_and_it_prints_once(
    printer: CupsPrinter, record: Callable[[Device], Recorder], cups_peer: CupsPeer, pdf: Path
) -> None:
    rec = record(printer)
    cups_peer.hold_busy(True)  # the job stays in the printer until the test lets it go
    job = printer.print_file(pdf)
    wait_event(rec, PrintJobProgress, job_id=job, stage="processing")

    cups_peer.paper_out()
    cups_peer.hold_busy(False)
    wait_health(printer, DeviceState.USER_ERROR, Attention.CLEAR)
    health = printer.health()
    assert health.detail["paper"] == "out"
    assert health.last_error == "media-empty"
    wait_event(rec, PrintJobProgress, job_id=job, stage="held")
    assert not finals(rec, job)

    cups_peer.paper_back()
    done = wait_event(rec, PrintJobCompleted, job_id=job)
    assert done.pages == 2
    wait_health(printer, DeviceState.ONLINE, Attention.NONE)
    assert finals(rec, job) == [done]
    assert len(cups_peer.documents(job)) == 1


def test_a_printer_unplugged_while_printing_shows_offline_and_the_job_ends_once(
    printer: CupsPrinter, record: Callable[[Device], Recorder], cups_peer: CupsPeer, pdf: Path
) -> None:
    rec = record(printer)
    cups_peer.hold_busy(True)
    job = printer.print_file(pdf)
    wait_event(rec, PrintJobProgress, job_id=job, stage="processing")

    cups_peer.printer_gone()
    wait_health(printer, DeviceState.OFFLINE, Attention.MAINTENANCE)
    wait_event(rec, PrintJobProgress, job_id=job, stage="held")

    cups_peer.hold_busy(False)
    cups_peer.printer_back()
    done = wait_event(rec, PrintJobCompleted, job_id=job)
    wait_health(printer, DeviceState.ONLINE)
    assert finals(rec, job) == [done]
    # The printer had the whole document before it went away; CUPS does not send it again.
    assert len(cups_peer.documents(job)) == 1


def test_cancel_ends_the_job_as_cancelled(
    printer: CupsPrinter, record: Callable[[Device], Recorder], cups_peer: CupsPeer, pdf: Path
) -> None:
    rec = record(printer)
    cups_peer.hold_busy(True)
    job = printer.print_file(pdf)
    wait_event(rec, PrintJobProgress, job_id=job, stage="processing")

    printer.cancel(job)
    failed = wait_event(rec, PrintJobFailed, job_id=job)
    assert failed.reason == "cancelled"
    cups_peer.hold_busy(False)
    # A job printed after it still completes, and the cancelled one never gets a second end.
    after = printer.print_file(pdf)
    wait_event(rec, PrintJobCompleted, job_id=after)
    assert finals(rec, job) == [failed]


def test_a_missing_queue_is_no_device(
    cups_peer: CupsPeer, start: Start, record: Callable[[Device], Recorder], pdf: Path
) -> None:
    device = CupsPrinter("printer-cups", queue="no-such-queue", server=cups_peer.server)
    rec = record(device)
    start(device)
    wait_health(device, DeviceState.NO_DEVICE, Attention.MAINTENANCE)
    assert device.health().last_error == "queue-missing"

    job = device.print_file(pdf)
    assert wait_event(rec, PrintJobFailed, job_id=job).reason == "queue_missing"
    result = device.self_test().result(DEADLINE)
    assert not result.passed
    assert result.steps == ("cups: ok", "queue no-such-queue: missing")


def test_cups_not_answering_is_offline(start: Start) -> None:
    device = CupsPrinter("printer-cups", server=f"127.0.0.1:{free_port()}")
    start(device)
    wait_health(device, DeviceState.OFFLINE, Attention.MAINTENANCE)
    assert device.health().last_error == "printer-unreachable"
    result = device.self_test().result(DEADLINE)
    assert not result.passed
    assert result.steps == ("cups: failed",)


def test_self_test_checks_cups_the_queue_and_the_paper(printer: CupsPrinter) -> None:
    result = printer.self_test().result(DEADLINE)
    assert result.passed
    assert result.steps == (
        "cups: ok",
        "queue kiosk: ok",
        "printer: ok",
        "paper: full",
        "toner: full",
        "spool: documents deleted after printing",  # the peer's cupsd.conf, read over IPP
    )


@pytest.mark.parametrize(
    ("settings", "step", "kept"),
    [
        ({"PreserveJobFiles": "Yes"}, "spool: documents kept (set PreserveJobFiles No in", True),
        ({"PreserveJobFiles": "86400"}, "spool: documents kept", True),
        ({"PreserveJobFiles": "No"}, "spool: documents deleted after printing", False),
        (PermissionError("forbidden"), "spool: not checked", False),
    ],
)
def test_the_self_test_says_whether_cupsd_keeps_printed_documents(
    settings: dict[str, str] | Exception, step: str, kept: bool
) -> None:
    """A cupsd that keeps job files (PreserveJobFiles Yes, or a time) keeps citizens' documents:
    the self-test fails and says what to set."""

    def server_settings() -> dict[str, str]:
        if isinstance(settings, Exception):
            raise settings
        return settings

    found, documents_kept = spool_privacy(server_settings)
    assert found.startswith(step)
    assert documents_kept is kept


def test_self_test_fails_for_an_unplugged_printer(
    printer: CupsPrinter, cups_peer: CupsPeer
) -> None:
    cups_peer.printer_gone()
    result = printer.self_test().result(DEADLINE)
    assert not result.passed
    assert "printer: unreachable" in result.steps


def test_jam_and_low_supplies_reported_by_the_printer_reach_the_status(
    printer: CupsPrinter, record: Callable[[Device], Recorder], cups_peer: CupsPeer, pdf: Path
) -> None:
    rec = record(printer)
    cups_peer.hold_busy(True)
    job = printer.print_file(pdf)
    wait_event(rec, PrintJobProgress, job_id=job, stage="processing")

    cups_peer.set_reasons("media-jam")
    wait_health(printer, DeviceState.HARDWARE_ERROR, Attention.CLEAR)
    assert printer.health().detail["paper"] == "jammed"
    assert printer.health().last_error == "media-jam"
    wait_event(rec, PrintJobProgress, job_id=job, stage="held")

    cups_peer.set_reasons("toner-low", "media-low")
    wait_until(
        lambda: dict(printer.health().detail) == {"paper": "low", "toner": "low"},
        "paper and toner low",
        DEADLINE,
    )
    assert printer.health().state == DeviceState.BUSY
    assert printer.health().last_error == "toner-low"

    cups_peer.set_reasons()
    cups_peer.hold_busy(False)
    done = wait_event(rec, PrintJobCompleted, job_id=job)
    assert finals(rec, job) == [done]


def test_without_pycups_the_printer_is_no_device(
    monkeypatch: pytest.MonkeyPatch, start: Start, record: Callable[[Device], Recorder], pdf: Path
) -> None:
    monkeypatch.setitem(sys.modules, "cups", None)  # import cups raises ImportError
    device = CupsPrinter("printer-cups")
    rec = record(device)
    start(device)
    assert device.health().state == DeviceState.NO_DEVICE
    job = device.print_file(pdf)
    assert wait_event(rec, PrintJobFailed, job_id=job).reason == "no_device"
    assert device.self_test().result(DEADLINE).steps == ("pycups: missing",)
