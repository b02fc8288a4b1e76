"""Print this PDF and follow the job: a real simulated job is reported to its one end, with
its progress on the way, whether it is printed, cancelled, or refused before its id is known."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.config import Config
from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.devices.status import PrintJobCompleted, PrintJobFailed, PrintJobProgress
from kiosk.printing.job import JobEvent, PrintJob
from kiosk.printing.service import NoPrinter, Printing
from tests.devices.conftest import DEADLINE, make_pdf

from .conftest import SLOW


class Seen(list[JobEvent]):
    def __init__(self) -> None:
        super().__init__()
        self.threads: set[str] = set()

    def __call__(self, event: JobEvent) -> None:
        self.threads.add(threading.current_thread().name)
        self.append(event)


def test_a_printed_job_reports_its_progress_then_completed(
    printer: SimulatedPrinter, tmp_path: Path
) -> None:
    seen = Seen()
    job = PrintJob.send(printer, make_pdf(tmp_path, 2), copies=2, on_event=seen)
    end = job.ended.result(DEADLINE)
    assert isinstance(end, PrintJobCompleted) and end.pages == 4
    assert end.job_id == job.job_id and job.done
    progress = [e for e in seen if isinstance(e, PrintJobProgress)]
    assert progress[0].stage == "pending"
    assert progress[-1].pages_done == 4
    assert seen[-1] == end
    assert all(e.job_id == job.job_id for e in seen)
    assert threading.current_thread().name not in seen.threads  # the printer's thread


def test_a_cancelled_job_reports_failed(start: Callable, tmp_path: Path) -> None:
    slow: SimulatedPrinter = start(SimulatedPrinter("slow", pages_per_minute=SLOW))
    seen = Seen()
    job = PrintJob.send(slow, make_pdf(tmp_path, 5), on_event=seen)
    job.cancel()
    end = job.ended.result(DEADLINE)
    assert isinstance(end, PrintJobFailed) and end.reason == "cancelled"
    assert not any(isinstance(e, PrintJobCompleted) for e in seen)


def test_a_job_that_fails_before_its_id_is_known_still_reports_its_end(
    printer: SimulatedPrinter, tmp_path: Path
) -> None:
    # The printer refuses a missing file on its own thread, possibly before print_file returns.
    job = PrintJob.send(printer, tmp_path / "gone.pdf")
    end = job.ended.result(DEADLINE)
    assert isinstance(end, PrintJobFailed) and end.reason == "file_not_found"
    assert end.job_id == job.job_id


def test_jobs_of_others_are_not_mistaken_for_this_one(
    printer: SimulatedPrinter, tmp_path: Path
) -> None:
    first = PrintJob.send(printer, make_pdf(tmp_path, 1))
    other = printer.print_file(make_pdf(tmp_path, 2))
    end = first.ended.result(DEADLINE)
    assert isinstance(end, PrintJobCompleted) and end.pages == 1
    assert first.job_id != other


def test_without_a_printer_nothing_is_sent(
    tmp_path: Path, make_config: Callable[..., Config]
) -> None:
    printing = Printing(None, make_config())
    assert not printing.usable
    with pytest.raises(NoPrinter):
        printing.send(make_pdf(tmp_path, 1))
