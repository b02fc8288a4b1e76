"""The CUPS printer backend: jobs go to a CUPS queue (IPP Everywhere) through pycups.

Every pycups call runs on the device thread, on the one `cups.Connection` that thread opened
(pycups connections must not cross threads). CUPS is polled, not subscribed to: a ticker thread
asks the device thread every half second to follow the open jobs, and to re-read the queue's
state every two seconds. What the queue's and the jobs' attributes mean (printer-state-reasons
as the status model, job states as job stages, the direct probe of the printer behind the queue)
is `kiosk.devices.printer.ipp`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.devices.printer.base import Printer, supply_fault
from kiosk.devices.printer.ipp import (
    IPP_NOT_FOUND,
    JOB_ABORTED,
    JOB_ATTRIBUTES,
    JOB_CANCELED,
    JOB_COMPLETED,
    JOB_PENDING,
    PRINTER_ATTRIBUTES,
    PRINTER_STOPPED,
    QUEUE_MISSING,
    QueueStatus,
    job_stage,
    queue_status,
    sheets_printed,
    unreachable,
)
from kiosk.devices.printer.simulated import UnsupportedDocument, count_pages
from kiosk.devices.status import (
    Attention,
    DeviceState,
    PrintJobCompleted,
    PrintJobFailed,
    PrintJobProgress,
    SelfTestResult,
)

log = logging.getLogger(__name__)

#: How often the open jobs are followed, in seconds.
TICK_SECONDS = 0.5
#: The queue's state is re-read every this many ticks (about every 2 s).
STATUS_EVERY_TICKS = 4


class _CupsDown(Exception):
    """CUPS itself did not answer (refused, timed out, or the connection broke)."""


@dataclass
class _Job:
    job_id: str
    source: Path
    copies: int
    pages: int = 0
    cups_id: int | None = None
    done: int = 0
    stage: str = "pending"

    @property
    def total(self) -> int:
        return self.pages * self.copies


class CupsPrinter(Printer):
    backend = "cups"

    def __init__(self, device_id: str, *, queue: str = "kiosk", server: str = "") -> None:
        super().__init__(device_id)
        self._queue = queue
        self._server = server
        # Device thread only: the pycups module, its connection, the jobs being followed.
        self._cups: Any = None
        self._conn: Any = None
        self._jobs: dict[str, _Job] = {}
        self._ticks = 0
        self._opened = False
        # The ticker thread only asks the device thread to tick; it never touches CUPS.
        self._ticker: threading.Thread | None = None
        self._ticker_stop = threading.Event()
        self._tick_queued = threading.Event()

    # ---- the Printer interface ----------------------------------------------------------------

    def print_file(self, path: Path, copies: int = 1) -> str:
        if copies < 1:
            raise ValueError("copies must be at least 1")
        job = _Job(job_id=uuid.uuid4().hex, source=Path(path), copies=copies)
        accepted = self.worker.submit(lambda: self._submit(job))
        accepted.add_done_callback(lambda fut: self._submit_failed(job, fut))
        return job.job_id

    def cancel(self, job_id: str) -> None:
        self.worker.submit(lambda: self._cancel(job_id))

    # ---- lifecycle (device thread) ------------------------------------------------------------

    def _open(self) -> None:
        try:
            import cups  # lazily: a kiosk without CUPS must still start
        except ImportError:
            log.warning("pycups is not installed", extra={"device_id": self.device_id})
            self._set_health(DeviceState.NO_DEVICE, Attention.MAINTENANCE, error="pycups-missing")
            return
        self._cups = cups
        self._opened = True
        self._ticks = 0
        self._refresh_status()
        self._ticker_stop.clear()
        self._tick_queued.clear()
        self._ticker = threading.Thread(
            target=self._run_ticker, name=f"device-{self.device_id}-ticker", daemon=True
        )
        self._ticker.start()

    def _close(self) -> None:
        self._opened = False
        self._ticker_stop.set()
        if self._ticker is not None:
            # The ticker never waits for this thread, so it ends within one tick.
            self._ticker.join()
            self._ticker = None
        # Jobs we stop following still get their one final event; CUPS must not print what we
        # reported as failed, so they are cancelled there too.
        left = list(self._jobs.values())
        self._jobs.clear()
        for job in left:
            if job.cups_id is not None:
                try:
                    self._connection().cancelJob(job.cups_id)
                except Exception:
                    log.warning("cancel on close failed", extra={"job_id": job.job_id})
            self._publish(PrintJobFailed(self.device_id, job.job_id, "printer_stopped", job.done))
        self._conn = None

    def _run_ticker(self) -> None:
        while not self._ticker_stop.wait(TICK_SECONDS):
            if not self._tick_queued.is_set():
                self._tick_queued.set()
                self.worker.submit(self._tick)

    def _tick(self) -> None:
        self._tick_queued.clear()
        if not self._opened:
            return
        self._ticks += 1
        if self._ticks % STATUS_EVERY_TICKS == 0:
            self._refresh_status()
        if self._jobs:
            self._follow_jobs()

    # ---- CUPS (device thread) -----------------------------------------------------------------

    def _connection(self) -> Any:
        """The device thread's connection to CUPS, opened on first use after a failure."""
        if self._conn is None:
            if self._server:
                self._cups.setServer(self._server)
            try:
                self._conn = self._cups.Connection()
            except RuntimeError as exc:  # pycups: "failed to connect to server"
                raise _CupsDown(str(exc)) from exc
        return self._conn

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """One pycups call; a broken connection becomes _CupsDown and is reopened next time."""
        conn = self._connection()
        try:
            return getattr(conn, name)(*args, **kwargs)
        except self._cups.IPPError as exc:
            status = exc.args[0] if exc.args else None
            if isinstance(status, int) and 0 < status < 0x0500:
                raise  # CUPS answered: the request was refused (not found, not possible, ...)
            self._conn = None
            raise _CupsDown(str(exc)) from exc
        except (self._cups.HTTPError, RuntimeError, OSError) as exc:
            self._conn = None
            raise _CupsDown(str(exc)) from exc

    def _is_not_found(self, exc: BaseException) -> bool:
        return (
            self._cups is not None
            and isinstance(exc, self._cups.IPPError)
            and bool(exc.args)
            and exc.args[0] == IPP_NOT_FOUND
        )

    # ---- status (device thread) ---------------------------------------------------------------

    def _read_status(self) -> QueueStatus:
        try:
            attrs = self._call(
                "getPrinterAttributes", self._queue, requested_attributes=PRINTER_ATTRIBUTES
            )
        except _CupsDown:
            return unreachable(answered=False)
        except Exception as exc:
            if self._is_not_found(exc):
                return QUEUE_MISSING
            log.warning("printer attributes failed", extra={"device_id": self.device_id})
            return unreachable(answered=False)
        return queue_status(attrs, has_jobs=bool(self._jobs))

    def _refresh_status(self) -> None:
        self._apply(self._read_status())

    def _apply(self, status: QueueStatus) -> None:
        detail = {"paper": status.paper.value, "toner": status.toner.value}
        self._set_health(status.state, status.attention, detail=detail, error=status.error)

    # ---- jobs (device thread) -----------------------------------------------------------------

    def _submit(self, job: _Job) -> None:
        reason: str | None = None
        try:
            job.pages, _ = count_pages(job.source.read_bytes())
        except FileNotFoundError:
            reason = "file_not_found"
        except OSError:
            reason = "unreadable"
        except UnsupportedDocument:
            reason = "unsupported_document"
        if reason is None and not self._opened:
            reason = "no_device"
        if reason is None:
            try:
                # The title is our id: a file name may say something about the citizen.
                job.cups_id = int(
                    self._call(
                        "printFile",
                        self._queue,
                        str(job.source),
                        f"kiosk-{job.job_id}",
                        {"copies": str(job.copies)},
                    )
                )
            except Exception as exc:
                # libcups reports a missing queue as an internal error: ask CUPS what is wrong.
                log.warning("print job refused", extra={"job_id": job.job_id, "error": str(exc)})
                status = self._read_status()
                self._apply(status)
                if status.error == "queue-missing":
                    reason = "queue_missing"
                elif not status.answered:
                    reason = "printer_unreachable"
                else:
                    reason = "rejected"
        if reason is not None:
            self._publish(PrintJobFailed(self.device_id, job.job_id, reason, 0))
            return
        log.info("print job queued", extra={"job_id": job.job_id, "cups_job": job.cups_id})
        self._jobs[job.job_id] = job
        # CUPS has spooled the document by now, so the caller may delete its file.
        self._publish(self._progress(job))
        self._refresh_status()

    def _submit_failed(self, job: _Job, submitted: Future[None]) -> None:
        # The device thread stopped before the job got to it: it still gets its final event.
        if not submitted.cancelled() and submitted.exception() is not None:
            self._publish(PrintJobFailed(self.device_id, job.job_id, "printer_stopped", 0))

    def _follow_jobs(self) -> None:
        blocked = not self.health().state.usable
        for job in list(self._jobs.values()):
            assert job.cups_id is not None
            try:
                attrs = self._call(
                    "getJobAttributes", job.cups_id, requested_attributes=JOB_ATTRIBUTES
                )
            except _CupsDown:
                return  # the status poll reports CUPS down; the job is followed once it is back
            except Exception as exc:
                if self._is_not_found(exc):
                    # CUPS forgot the job (history purged): its outcome is unknown.
                    self._finish(job, PrintJobFailed(self.device_id, job.job_id, "lost", job.done))
                else:
                    log.warning("job attributes failed", extra={"job_id": job.job_id})
                continue
            self._update_job(job, attrs, blocked)

    def _update_job(self, job: _Job, attrs: dict[str, Any], blocked: bool) -> None:
        state = int(attrs.get("job-state", JOB_PENDING))
        if state == JOB_COMPLETED:
            self._finish(job, PrintJobCompleted(self.device_id, job.job_id, job.total))
            return
        if state in (JOB_CANCELED, JOB_ABORTED):
            reason = "cancelled" if state == JOB_CANCELED else "aborted"
            self._finish(job, PrintJobFailed(self.device_id, job.job_id, reason, job.done))
            return
        done = max(job.done, min(sheets_printed(attrs), job.total))
        stage = job_stage(state, blocked=blocked)
        if (stage, done) != (job.stage, job.done):
            job.stage, job.done = stage, done
            self._publish(self._progress(job))

    def _finish(self, job: _Job, event: PrintJobCompleted | PrintJobFailed) -> None:
        if self._jobs.pop(job.job_id, None) is None:
            return  # already ended: exactly one final event per job
        if isinstance(event, PrintJobCompleted):
            job.done = job.total
        self._publish(event)
        if not self._jobs:
            self._refresh_status()

    def _cancel(self, job_id: str) -> None:
        job = self._jobs.get(job_id)
        if job is None or job.cups_id is None:
            log.info("cancel of an unknown or finished job", extra={"job_id": job_id})
            return
        try:
            self._call("cancelJob", job.cups_id)
        except Exception:
            # Too late (already completed) or CUPS is down: following the job tells its end.
            log.warning("cancel failed", extra={"job_id": job_id})
            return
        self._finish(job, PrintJobFailed(self.device_id, job_id, "cancelled", job.done))

    def _progress(self, job: _Job) -> PrintJobProgress:
        return PrintJobProgress(self.device_id, job.job_id, job.done, job.total, job.stage)

    # ---- self-test (device thread) ------------------------------------------------------------

    def _run_self_test(self) -> SelfTestResult:
        if self._cups is None:
            try:
                import cups
            except ImportError:
                return SelfTestResult(self.device_id, False, ("pycups: missing",))
            self._cups = cups
        try:
            self._connection()
        except _CupsDown:
            return SelfTestResult(self.device_id, False, ("cups: failed",))
        status = self._read_status()
        if self._opened:
            self._apply(status)
        if not status.answered:
            return SelfTestResult(self.device_id, False, ("cups: failed",))
        steps = ["cups: ok"]
        if status.error == "queue-missing":
            steps.append(f"queue {self._queue}: missing")
            return SelfTestResult(self.device_id, False, tuple(steps))
        queue_ok = status.accepting and status.printer_state != PRINTER_STOPPED
        steps.append(f"queue {self._queue}: {'ok' if queue_ok else 'not accepting jobs'}")
        steps.append(f"printer: {'ok' if status.reachable else 'unreachable'}")
        steps.append(f"paper: {status.paper.value}")
        steps.append(f"toner: {status.toner.value}")
        privacy, kept = self._spool_privacy()
        steps.append(privacy)
        passed = (
            queue_ok
            and status.reachable
            and supply_fault(status.paper, status.toner) is None
            and not kept
        )
        return SelfTestResult(self.device_id, passed, tuple(steps))

    def _spool_privacy(self) -> tuple[str, bool]:
        return spool_privacy(lambda: self._connection().adminGetServerSettings())


def spool_privacy(server_settings: Callable[[], Mapping[str, Any]]) -> tuple[str, bool]:
    """Whether cupsd keeps printed documents in its spool (PreserveJobFiles), read through
    `server_settings` (pycups' adminGetServerSettings): a citizen's document must not outlive
    its job. Returns the self-test step and True if documents are kept."""
    try:
        settings = server_settings()
    except Exception:  # not allowed to read cupsd.conf: say so, do not fail the printer
        return "spool: not checked (cupsd.conf not readable)", False
    value = str(settings.get("PreserveJobFiles", "No")).strip().lower()
    if value in ("no", "off", "false", "0"):
        return "spool: documents deleted after printing", False
    return "spool: documents kept (set PreserveJobFiles No in cupsd.conf)", True
