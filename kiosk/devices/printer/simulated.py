"""A simulated printer that behaves like a CUPS queue on an IPP Everywhere printer.

It ships in the product: the demo prints on it and technician mode trips its faults. Jobs go
pending → processing → held (paper out, jam, printer unreachable) → completed, one sheet at a
time at the configured speed; a held job resumes at the sheet it stopped at. The printer-state
reasons CUPS would report (`media-empty`, `media-jam`, ...) become `last_error`.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import time
import uuid
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from kiosk.devices.base import FaultSwitch
from kiosk.devices.printer.base import Printer, supply_fault, supply_warning
from kiosk.devices.status import (
    Attention,
    DeviceEvent,
    DeviceState,
    PrintJobCompleted,
    PrintJobFailed,
    PrintJobProgress,
    SelfTestResult,
    Supply,
)
from kiosk.i18n import N_

log = logging.getLogger(__name__)

FAULT_SWITCHES = (
    FaultSwitch("paper_out", N_("Paper out")),
    FaultSwitch("paper_low", N_("Paper low")),
    FaultSwitch("toner_low", N_("Toner low")),
    FaultSwitch("jam", N_("Paper jam")),
    FaultSwitch("offline", N_("Printer offline")),
)
_FAULT_NAMES = frozenset(f.name for f in FAULT_SWITCHES)

#: Tray size when the config starts with an empty tray, so "refill" still means something.
_DEFAULT_TRAY_SHEETS = 100

_IMAGE_SUFFIXES = {b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png"}


class UnsupportedDocument(ValueError):
    """The document is not a readable PDF, JPEG or PNG."""


def count_pages(data: bytes) -> tuple[int, str]:
    """Pages of one copy of a document and the file suffix of its format.

    The format comes from the content, not the file name: a session folder may hold anything.
    """
    # A PDF may carry a few bytes of junk before its header (the PDF spec allows 1024).
    if b"%PDF-" in data[:1024]:
        from pypdf import PdfReader  # lazily: pypdf is slow to import and rarely needed

        try:
            pages = len(PdfReader(io.BytesIO(data)).pages)
        except Exception as exc:  # pypdf raises many types for broken or encrypted files
            raise UnsupportedDocument("unreadable PDF") from exc
        if pages < 1:
            raise UnsupportedDocument("PDF without pages")
        return pages, ".pdf"
    for magic, suffix in _IMAGE_SUFFIXES.items():
        if data.startswith(magic):
            return 1, suffix
    raise UnsupportedDocument("not a PDF, JPEG or PNG")


@dataclass
class _Job:
    job_id: str
    source: Path
    copies: int
    data: bytes = b""
    suffix: str = ".pdf"
    pages: int = 0
    #: Sheets printed so far, over all copies; only ever grows, so no sheet is printed twice.
    done: int = 0
    stage: str = "pending"
    cancelled: bool = False

    @property
    def total(self) -> int:
        return self.pages * self.copies


class SimulatedPrinter(Printer):
    FAULT_SWITCHES = FAULT_SWITCHES
    backend = "simulated"

    def __init__(
        self,
        device_id: str,
        *,
        pages_per_minute: int = 20,
        paper_sheets: int = 100,
        output_dir: Path | str | None = None,
    ) -> None:
        if pages_per_minute <= 0:
            raise ValueError("pages_per_minute must be positive")
        if paper_sheets < 0:
            raise ValueError("paper_sheets must not be negative")
        super().__init__(device_id)
        self._sheet_seconds = 60.0 / pages_per_minute
        self._capacity = paper_sheets or _DEFAULT_TRAY_SHEETS
        self._sheets = paper_sheets
        #: None: printed documents are not kept anywhere.
        self._output_dir = Path(output_dir) if output_dir else None
        # One lock for all printer state; the engine thread waits on it for any change, and
        # every change bumps _version so the engine never misses one.
        self._cond = threading.Condition(threading.RLock())
        self._version = 0
        self._jobs: dict[str, _Job] = {}
        self._queue: deque[_Job] = deque()
        self._flags: set[str] = set()
        self._stopping = False
        self._opened = False
        self._engine: threading.Thread | None = None

    # ---- the Printer interface ----------------------------------------------------------------

    def print_file(self, path: Path, copies: int = 1) -> str:
        if copies < 1:
            raise ValueError("copies must be at least 1")
        job = _Job(job_id=uuid.uuid4().hex, source=Path(path), copies=copies)
        with self._cond:
            self._jobs[job.job_id] = job
        accepted = self.worker.submit(lambda: self._accept(job))
        accepted.add_done_callback(lambda fut: self._accept_failed(job, fut))
        return job.job_id

    def cancel(self, job_id: str) -> None:
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None:
                log.info("cancel of an unknown or finished job", extra={"job_id": job_id})
                return
            job.cancelled = True
            self._changed()

    # ---- simulator controls -------------------------------------------------------------------

    def refill(self, sheets: int | None = None) -> None:
        """Fill the tray with `sheets` sheets (default: a full tray); a held job resumes."""
        if sheets is not None and sheets < 0:
            raise ValueError("sheets must not be negative")
        with self._cond:
            self._sheets = self._capacity if sheets is None else sheets
            self._capacity = max(self._capacity, self._sheets)
            self._changed()

    @property
    def sheets(self) -> int:
        """Sheets left in the tray."""
        with self._cond:
            return self._sheets

    def faults(self) -> frozenset[str]:
        with self._cond:
            # "paper_out" is the tray itself: it is on whenever the tray is empty.
            return frozenset(self._flags | ({"paper_out"} if self._sheets <= 0 else set()))

    def set_fault(self, name: str, on: bool) -> None:
        if name not in _FAULT_NAMES:
            raise KeyError(f"simulated printer has no fault switch {name!r}")
        with self._cond:
            if name == "paper_out":
                # Switching paper-out off is the staff member putting paper back.
                self._sheets = 0 if on else self._capacity
            elif on:
                self._flags.add(name)
            else:
                self._flags.discard(name)
            self._changed()

    # ---- lifecycle (device thread) ------------------------------------------------------------

    def _open(self) -> None:
        with self._cond:
            self._stopping = False
            self._opened = True
            self._refresh_health()
        self._engine = threading.Thread(
            target=self._run_engine, name=f"device-{self.device_id}-engine", daemon=True
        )
        self._engine.start()

    def _close(self) -> None:
        with self._cond:
            self._stopping = True
            self._opened = False
            left = list(self._jobs.values())
            self._jobs.clear()
            self._queue.clear()
            self._changed()
        if self._engine is not None:
            self._engine.join()
            self._engine = None
        # Like a queue deleted under its jobs: each still gets its one final event.
        for job in left:
            self._publish(PrintJobFailed(self.device_id, job.job_id, "printer_stopped", job.done))

    # ---- jobs ---------------------------------------------------------------------------------

    def _accept(self, job: _Job) -> None:
        """Spool the document, as CUPS does at submission: the caller may delete its file."""
        reason: str | None = None
        try:
            data = job.source.read_bytes()
            job.pages, job.suffix = count_pages(data)
            job.data = data
        except FileNotFoundError:
            reason = "file_not_found"
        except OSError:
            reason = "unreadable"
        except UnsupportedDocument:
            reason = "unsupported_document"
        if reason is not None:
            with self._cond:
                self._jobs.pop(job.job_id, None)
            self._publish(PrintJobFailed(self.device_id, job.job_id, reason, 0))
            return
        # "pending" goes out before the engine can see the job, so it is always the first event.
        self._publish(self._progress(job))
        with self._cond:
            self._queue.append(job)
            self._changed()

    def _accept_failed(self, job: _Job, accepted: Future[None]) -> None:
        if accepted.cancelled() or accepted.exception() is None:
            return
        with self._cond:
            known = self._jobs.pop(job.job_id, None) is not None
        if known:
            self._publish(PrintJobFailed(self.device_id, job.job_id, "printer_stopped", 0))

    def _run_engine(self) -> None:
        seen = -1
        while True:
            events: list[DeviceEvent] = []
            with self._cond:
                while self._version == seen and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                seen = self._version
                self._take_cancelled(events)
                job = self._queue[0] if self._queue else None
                finished = job is not None and job.done >= job.total
                if job is not None and finished:
                    self._queue.popleft()
                elif job is not None:
                    stage = "held" if self._blocked() else "processing"
                    if job.stage != stage:
                        job.stage = stage
                        events.append(self._progress(job))
                self._refresh_health()
            for event in events:
                self._publish(event)
            if job is not None and finished:
                self._finish(job)
            elif job is not None and job.stage == "processing":
                self._print_sheet(job)

    def _take_cancelled(self, events: list[DeviceEvent]) -> None:
        # A job whose last sheet is out is complete: too late to cancel, as in CUPS.
        for job in [j for j in self._queue if j.cancelled and j.done < j.total]:
            self._queue.remove(job)
            self._jobs.pop(job.job_id, None)
            events.append(PrintJobFailed(self.device_id, job.job_id, "cancelled", job.done))

    def _print_sheet(self, job: _Job) -> None:
        """One sheet through the printer; it only counts if nothing stopped the printer."""
        deadline = time.monotonic() + self._sheet_seconds
        with self._cond:
            while True:
                if self._stopping or job.cancelled or self._blocked():
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            job.done += 1
            self._sheets -= 1
            self._changed()
            event = self._progress(job)
        self._publish(event)

    def _finish(self, job: _Job) -> None:
        event: DeviceEvent
        try:
            if self._output_dir is not None:
                self._write_output(job)
            event = PrintJobCompleted(self.device_id, job.job_id, job.total)
        except OSError:
            log.exception("printed output not written", extra={"job_id": job.job_id})
            event = PrintJobFailed(self.device_id, job.job_id, "output_error", job.done)
        with self._cond:
            self._jobs.pop(job.job_id, None)
            job.data = b""
            self._changed()
        self._publish(event)

    def _write_output(self, job: _Job) -> None:
        assert self._output_dir is not None
        self._output_dir.mkdir(parents=True, exist_ok=True)
        target = self._output_dir / f"{job.job_id}{job.suffix}"
        # Written under a temporary name so a watcher never sees half a document.
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(job.data)
        os.replace(partial, target)

    def _progress(self, job: _Job) -> PrintJobProgress:
        return PrintJobProgress(self.device_id, job.job_id, job.done, job.total, job.stage)

    # ---- status (call with self._cond held) ---------------------------------------------------

    def _changed(self) -> None:
        self._version += 1
        self._cond.notify_all()
        if self._opened:
            self._refresh_health()

    def _blocked(self) -> bool:
        return bool(self._flags & {"offline", "jam"}) or self._sheets <= 0

    def _supplies(self) -> tuple[Supply, Supply]:
        if "jam" in self._flags:
            paper = Supply.JAMMED
        elif self._sheets <= 0:
            paper = Supply.OUT
        elif "paper_low" in self._flags or self._sheets <= self._capacity // 10:
            paper = Supply.LOW
        else:
            paper = Supply.FULL
        toner = Supply.LOW if "toner_low" in self._flags else Supply.FULL
        return paper, toner

    def _refresh_health(self) -> None:
        # Computed and set under the lock so two threads can never publish in the wrong order.
        paper, toner = self._supplies()
        error: str | None
        if "offline" in self._flags:
            # An unreachable printer reports nothing about its supplies.
            paper = toner = Supply.UNKNOWN
            state, attention = DeviceState.OFFLINE, Attention.MAINTENANCE
            error = "printer-unreachable"
        elif fault := supply_fault(paper, toner):
            state, attention, error = fault
        else:
            state = DeviceState.BUSY if self._queue else DeviceState.ONLINE
            attention, error = Attention.NONE, supply_warning(paper, toner)
        detail = {"paper": paper.value, "toner": toner.value}
        self._set_health(state, attention, detail=detail, error=error)

    def _run_self_test(self) -> SelfTestResult:
        with self._cond:
            offline = "offline" in self._flags
            paper, toner = self._supplies()
        if offline:
            return SelfTestResult(self.device_id, False, ("connection: failed",))
        steps = ("connection: ok", f"paper: {paper.value}", f"toner: {toner.value}")
        return SelfTestResult(self.device_id, supply_fault(paper, toner) is None, steps)
