"""The simulated printer prints, runs out of paper, jams, goes offline and recovers like a CUPS
queue: every job ends with exactly one completed or failed event and no sheet twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.devices.status import (
    Attention,
    DeviceError,
    DeviceState,
    PrintJobCompleted,
    PrintJobFailed,
    PrintJobProgress,
)

from .conftest import Recorder, make_pdf, wait_until

FAST = 6000  # pages per minute: a sheet every 10 ms
SLOW = 60  # a sheet a second: a job is surely still printing when the test acts on it


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path, 2)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "printed"


def sheets_done(rec: Recorder, job_id: str) -> list[int]:
    """pages_done of each sheet that came out (processing events after the first)."""
    progress = rec.of(PrintJobProgress, job_id=job_id, stage="processing")
    return [p.pages_done for p in progress]


def test_two_page_pdf_with_copies_completes_into_output_dir(
    start: Callable, record: Callable, pdf: Path, out_dir: Path
) -> None:
    printer = SimulatedPrinter("p", pages_per_minute=FAST, paper_sheets=50, output_dir=out_dir)
    rec = record(printer)
    start(printer)

    job = printer.print_file(pdf, copies=3)
    done = rec.wait_for(PrintJobCompleted, job_id=job)

    assert done.pages == 6
    printed = out_dir / f"{job}.pdf"
    assert len(PdfReader(printed).pages) == 2
    assert printer.sheets == 44
    stages = [e.stage for e in rec.of(PrintJobProgress, job_id=job)]
    assert stages[0] == "pending"
    assert set(stages[1:]) == {"processing"}
    assert sheets_done(rec, job)[-1] == 6
    assert not rec.of(PrintJobFailed)
    rec.wait_state(DeviceState.ONLINE)


def test_printer_is_busy_while_printing(
    start: Callable, record: Callable, pdf: Path, out_dir: Path
) -> None:
    printer = start(SimulatedPrinter("p", pages_per_minute=SLOW, output_dir=out_dir))
    rec = record(printer)
    assert printer.health().state is DeviceState.ONLINE

    job = printer.print_file(pdf)
    rec.wait_for(PrintJobProgress, job_id=job, stage="processing")
    assert printer.health().state is DeviceState.BUSY
    printer.cancel(job)
    rec.wait_state(DeviceState.ONLINE)


def test_image_prints_as_one_page_with_its_suffix(
    start: Callable, record: Callable, tmp_path: Path, out_dir: Path
) -> None:
    image = tmp_path / "scan.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    printer = SimulatedPrinter("p", pages_per_minute=FAST, output_dir=out_dir)
    rec = record(printer)
    start(printer)

    job = printer.print_file(image, copies=2)

    assert rec.wait_for(PrintJobCompleted, job_id=job).pages == 2
    assert (out_dir / f"{job}.png").read_bytes() == image.read_bytes()


def test_document_is_spooled_so_the_caller_may_delete_it(
    start: Callable, record: Callable, pdf: Path, out_dir: Path
) -> None:
    printer = SimulatedPrinter("p", pages_per_minute=FAST, output_dir=out_dir)
    rec = record(printer)
    printer.set_fault("offline", True)
    start(printer)

    job = printer.print_file(pdf)
    rec.wait_for(PrintJobProgress, job_id=job, stage="held")
    pdf.unlink()  # the session ends and its folder is wiped
    printer.set_fault("offline", False)

    assert rec.wait_for(PrintJobCompleted, job_id=job).pages == 2
    assert len(PdfReader(out_dir / f"{job}.pdf").pages) == 2


def test_paper_out_mid_job_holds_it_and_refill_resumes_without_reprinting(
    start: Callable, record: Callable, pdf: Path, out_dir: Path
) -> None:
    printer = SimulatedPrinter("p", pages_per_minute=FAST, paper_sheets=3, output_dir=out_dir)
    rec = record(printer)
    start(printer)

    job = printer.print_file(pdf, copies=2)
    held = rec.wait_for(PrintJobProgress, job_id=job, stage="held")

    assert held.pages_done == 3
    assert held.pages_total == 4
    health = printer.health()
    assert (health.state, health.attention) == (DeviceState.USER_ERROR, Attention.CLEAR)
    assert health.detail["paper"] == "out"
    assert health.last_error == "media-empty"
    assert "paper_out" in printer.faults()
    assert not rec.of(PrintJobCompleted)

    printer.refill(10)

    assert rec.wait_for(PrintJobCompleted, job_id=job).pages == 4
    assert sheets_done(rec, job) == [0, 1, 2, 3, 3, 4]  # resumed at sheet 3, none twice
    assert printer.sheets == 9
    rec.wait_state(DeviceState.ONLINE)
    assert printer.health().detail["paper"] == "full"


def test_paper_out_switch_holds_and_switching_it_off_refills(
    start: Callable, record: Callable, pdf: Path
) -> None:
    printer = SimulatedPrinter("p", pages_per_minute=FAST, paper_sheets=20)
    rec = record(printer)
    start(printer)
    printer.set_fault("paper_out", True)

    job = printer.print_file(pdf)
    assert rec.wait_for(PrintJobProgress, job_id=job, stage="held").pages_done == 0
    assert printer.health().state is DeviceState.USER_ERROR

    printer.set_fault("paper_out", False)

    assert rec.wait_for(PrintJobCompleted, job_id=job).pages == 2
    assert printer.sheets == 18


def test_paper_low_and_toner_low_are_warnings(start: Callable, record: Callable) -> None:
    printer = start(SimulatedPrinter("p", paper_sheets=100))
    printer.refill(10)
    assert printer.health().state is DeviceState.ONLINE
    assert printer.health().detail["paper"] == "low"

    printer.refill()
    assert printer.health().detail["paper"] == "full"
    printer.set_fault("paper_low", True)
    assert printer.health().detail["paper"] == "low"

    printer.set_fault("toner_low", True)
    health = printer.health()
    assert (health.state, health.attention) == (DeviceState.ONLINE, Attention.NONE)
    assert health.detail["toner"] == "low"
    assert health.last_error == "toner-low"
    assert printer.faults() == {"paper_low", "toner_low"}


def test_jam_holds_the_job_until_cleared(
    start: Callable, record: Callable, pdf: Path, out_dir: Path
) -> None:
    printer = SimulatedPrinter("p", pages_per_minute=FAST, output_dir=out_dir)
    rec = record(printer)
    start(printer)

    tripped: list[object] = []

    def jam_after_first_sheet(event: object) -> None:
        if isinstance(event, PrintJobProgress) and event.pages_done == 1 and not tripped:
            tripped.append(event)
            printer.set_fault("jam", True)

    printer.events.subscribe(jam_after_first_sheet)
    job = printer.print_file(pdf)
    held = rec.wait_for(PrintJobProgress, job_id=job, stage="held")

    assert held.pages_done == 1
    health = printer.health()
    assert (health.state, health.attention) == (DeviceState.HARDWARE_ERROR, Attention.CLEAR)
    assert health.detail["paper"] == "jammed"

    printer.set_fault("jam", False)
    assert rec.wait_for(PrintJobCompleted, job_id=job).pages == 2
    assert sheets_done(rec, job) == [0, 1, 1, 2]


def test_offline_printer_holds_the_job_and_resumes_when_back(
    start: Callable, record: Callable, pdf: Path, out_dir: Path
) -> None:
    printer = SimulatedPrinter("p", pages_per_minute=FAST, output_dir=out_dir)
    rec = record(printer)
    start(printer)

    tripped: list[object] = []

    def unplug_after_first_sheet(event: object) -> None:
        if isinstance(event, PrintJobProgress) and event.pages_done == 1 and not tripped:
            tripped.append(event)
            printer.set_fault("offline", True)

    printer.events.subscribe(unplug_after_first_sheet)
    job = printer.print_file(pdf, copies=2)
    held = rec.wait_for(PrintJobProgress, job_id=job, stage="held")

    assert held.pages_done == 1
    health = printer.health()
    assert (health.state, health.attention) == (DeviceState.OFFLINE, Attention.MAINTENANCE)
    assert health.last_error == "printer-unreachable"
    assert health.detail["paper"] == "unknown"

    printer.set_fault("offline", False)
    assert rec.wait_for(PrintJobCompleted, job_id=job).pages == 4
    assert sheets_done(rec, job) == [0, 1, 1, 2, 3, 4]


def test_cancel_stops_printing_and_fails_the_job(
    start: Callable, record: Callable, pdf: Path, out_dir: Path
) -> None:
    printer = SimulatedPrinter("p", pages_per_minute=SLOW, output_dir=out_dir)
    rec = record(printer)
    start(printer)

    job = printer.print_file(pdf, copies=5)
    rec.wait_for(PrintJobProgress, job_id=job, stage="processing")
    printer.cancel(job)
    failed = rec.wait_for(PrintJobFailed, job_id=job)

    assert failed.reason == "cancelled"
    assert failed.pages_done < 10
    assert not rec.of(PrintJobCompleted)
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_jobs_print_in_order_and_a_queued_job_can_be_cancelled(
    start: Callable, record: Callable, tmp_path: Path, out_dir: Path
) -> None:
    printer = SimulatedPrinter("p", pages_per_minute=FAST, output_dir=out_dir)
    rec = record(printer)
    printer.set_fault("offline", True)  # hold the queue while it fills
    start(printer)

    first = printer.print_file(make_pdf(tmp_path, 1))
    second = printer.print_file(make_pdf(tmp_path, 2))
    third = printer.print_file(make_pdf(tmp_path, 3))
    rec.wait_for(PrintJobProgress, job_id=third, stage="pending")
    printer.cancel(second)
    assert rec.wait_for(PrintJobFailed, job_id=second).pages_done == 0
    printer.set_fault("offline", False)
    rec.wait_for(PrintJobCompleted, job_id=third)

    completed = [e.job_id for e in rec.of(PrintJobCompleted)]
    assert completed == [first, third]
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([f"{first}.pdf", f"{third}.pdf"])


def test_self_test_reports_connection_paper_and_toner(start: Callable) -> None:
    printer = start(SimulatedPrinter("p", paper_sheets=100))
    result = printer.self_test().result(10)
    assert result.passed
    assert result.steps == ("connection: ok", "paper: full", "toner: full")

    printer.set_fault("paper_out", True)
    result = printer.self_test().result(10)
    assert not result.passed
    assert "paper: out" in result.steps

    printer.set_fault("offline", True)
    result = printer.self_test().result(10)
    assert not result.passed
    assert result.steps == ("connection: failed",)


def test_fault_switches_have_labels_and_unknown_names_are_refused() -> None:
    printer = SimulatedPrinter("p")
    names = {s.name for s in printer.fault_switches()}
    assert names == {"paper_out", "paper_low", "toner_low", "jam", "offline"}
    assert all(s.label for s in printer.fault_switches())
    with pytest.raises(KeyError):
        printer.set_fault("on_fire", True)


def test_waits_for_a_held_job_see_it_resume(start: Callable, record: Callable, pdf: Path) -> None:
    printer = SimulatedPrinter("p", pages_per_minute=FAST, paper_sheets=0)
    rec = record(printer)
    start(printer)
    assert printer.health().state is DeviceState.USER_ERROR

    job = printer.print_file(pdf)
    rec.wait_for(PrintJobProgress, job_id=job, stage="held")
    printer.refill()
    wait_until(lambda: rec.of(PrintJobCompleted, job_id=job), "job completed")
    assert printer.sheets == 98


def test_paper_running_out_again_alerts_staff_again(start: Callable, record: Callable) -> None:
    printer = SimulatedPrinter("p")
    rec = record(printer)
    start(printer)

    printer.set_fault("paper_out", True)
    printer.refill()
    printer.set_fault("paper_out", True)

    alerts = rec.of(DeviceError, code="media-empty")
    assert [a.attention for a in alerts] == [Attention.CLEAR, Attention.CLEAR]
