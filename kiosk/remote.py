"""The app's side of fleet health, without Qt: its heartbeat and the remote actions it performs.

kiosk-agent puts the actions support asked for into the store's `commands` table; the app
looks for them every few seconds (kiosk.ui.remote does, on the Qt thread), performs them and
writes the outcome back through the store writer, for the agent to report. A self-test runs
each device's own self-test, as technician mode does; a test page goes to the printer and its
outcome is the job's. Screenshots need Qt and are taken in kiosk.ui.remote.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.store.fleet import Command, Fleet
from kiosk.store.writer import StoreWriterClosed

if TYPE_CHECKING:
    from kiosk.app import Kiosk
    from kiosk.devices.base import Device
    from kiosk.devices.status import DeviceEvent, SelfTestResult
    from kiosk.store import Store

log = logging.getLogger(__name__)

#: The actions the app performs (kiosk-agent restarts the app itself).
APP_KINDS = ("self-test", "test-page", "screenshot")
#: How often the app writes its heartbeat; the agent calls it stale after three missed ones.
HEARTBEAT_SECONDS = 10
#: How long a test page may take before it is reported as not printed (and cancelled).
TEST_PAGE_SECONDS = 180
INTERRUPTED = "the kiosk app restarted before the action finished"


@functools.cache
def software_version() -> str:
    """The installed kiosk software's version, "0+unknown" when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version("kiosk")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def self_test_line(result: Future[SelfTestResult]) -> str:
    """One device's self-test outcome as the hub shows it: "ok" or "failed: ..."."""
    try:
        outcome = result.result()
    except Exception as exc:
        return f"failed: {type(exc).__name__}"
    if outcome.passed:
        return "ok"
    failed = [step for step in outcome.steps if not step.endswith(": ok")]
    return "failed: " + ("; ".join(failed or outcome.steps) or "no detail")


def _take(store: Store, *, command_id: str) -> bool:
    return Fleet(store).take(command_id)


@dataclass
class _PrintWatch:
    command: Command
    deadline: float
    job_id: str | None = None
    done: bool = False
    unsubscribe: Callable[[], None] | None = None


class RemoteActions:
    """Finds the actions waiting for the app and performs those that need no Qt.

    `due()` runs on the Qt thread; outcomes may be written from device threads (the store
    writer takes writes from any thread).
    """

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk
        self.started_at = datetime.now(UTC)
        self._seen: set[str] = set()
        self._first = True
        self._lock = threading.Lock()
        self._prints: list[_PrintWatch] = []

    # ---- heartbeat ----------------------------------------------------------------------------

    def beat(self) -> bool:
        """Write the app's heartbeat (through the writer); False before the store is open."""
        writer = self.kiosk.writer
        if writer is None:
            return False
        active = self.kiosk.session.current is not None
        version, started = software_version(), self.started_at
        try:
            writer.submit(
                lambda store: Fleet(store).beat(
                    version=version, session_active=active, started_at=started
                )
            )
        except StoreWriterClosed:
            return False  # the app is shutting down
        return True

    # ---- actions ------------------------------------------------------------------------------

    def due(self) -> list[Command]:
        """The actions to perform now, each returned once; marked taken in the store."""
        writer = self.kiosk.writer
        if writer is None:
            return []
        if self._first:
            self._first = False
            writer.submit(lambda store: Fleet(store).interrupt_taken(INTERRUPTED))
        self._check_prints()
        pending = Fleet(writer.store).pending_commands(APP_KINDS)
        fresh = [c for c in pending if c.id not in self._seen]
        for command in fresh:
            self._seen.add(command.id)
            writer.submit(functools.partial(_take, command_id=command.id))
            log.info(
                "remote action %s (%s) asked by %s",
                command.id,
                command.kind,
                command.requested_by,
                extra={"device_id": command.device_id, "event": command.kind},
            )
        return fresh

    def finish(
        self,
        command: Command,
        *,
        ok: bool,
        message: str,
        results: dict[str, str] | None = None,
        screenshot: bytes | None = None,
    ) -> None:
        """Write the outcome for the agent to report; any thread."""
        log.log(
            logging.INFO if ok else logging.WARNING,
            "remote action %s (%s) %s: %s",
            command.id,
            command.kind,
            "done" if ok else "failed",
            message,
            extra={"device_id": command.device_id, "event": command.kind, "outcome": str(ok)},
        )
        writer = self.kiosk.writer
        if writer is None:
            return
        # Closed: the app is shutting down, and its next process reports the action interrupted.
        with contextlib.suppress(StoreWriterClosed):
            writer.submit(
                lambda store: Fleet(store).finish(
                    command.id, ok=ok, message=message, results=results, screenshot=screenshot
                )
            )

    def _devices(self, command: Command) -> list[Device] | None:
        devices = self.kiosk.devices_list()
        if command.device_id is None:
            return devices
        chosen = [d for d in devices if d.device_id == command.device_id]
        return chosen or None

    def self_test(self, command: Command) -> None:
        """Run each device's self-test (or the one device named); the outcome when all end."""
        devices = self._devices(command)
        if not devices:
            self.finish(command, ok=False, message=f"no device {command.device_id or ''}".strip())
            return
        futures = {device.device_id: device.self_test() for device in devices}
        left = [len(futures)]
        lock = threading.Lock()

        def one_done(_: Future[SelfTestResult]) -> None:
            with lock:
                left[0] -= 1
                if left[0]:
                    return
            results = {device_id: self_test_line(f) for device_id, f in futures.items()}
            failed = sorted(d for d, line in results.items() if line != "ok")
            message = "all devices passed" if not failed else "failed: " + ", ".join(failed)
            self.finish(command, ok=not failed, message=message, results=results)

        for future in futures.values():
            future.add_done_callback(one_done)

    def print_test_page(self, command: Command, write_pdf: Callable[[Path], Path]) -> None:
        """Print the test page `write_pdf` makes; the outcome is the print job's."""
        from kiosk.devices.catalog import DeviceClass
        from kiosk.devices.printer.base import Printer

        printer = self.kiosk.device(DeviceClass.PRINTER)
        if not isinstance(printer, Printer):
            self.finish(command, ok=False, message="this kiosk has no printer")
            return
        path = write_pdf(self.kiosk.config.data_dir / "test-page.pdf")
        watch = _PrintWatch(command, time.monotonic() + TEST_PAGE_SECONDS)
        early: list[DeviceEvent] = []

        def on_event(event: DeviceEvent) -> None:
            with self._lock:
                if watch.job_id is None:
                    early.append(event)
                    return
            self._job_event(watch, event)

        # Subscribed before the job exists: its end may come before print_file returns.
        watch.unsubscribe = printer.events.subscribe(on_event)
        try:
            job_id = printer.print_file(path)
        except Exception as exc:
            watch.unsubscribe()
            self.finish(command, ok=False, message=f"not printed: {type(exc).__name__}")
            return
        with self._lock:
            watch.job_id = job_id
            self._prints.append(watch)
            pending, early[:] = list(early), []
        for event in pending:
            self._job_event(watch, event)

    def _job_event(self, watch: _PrintWatch, event: DeviceEvent) -> None:
        from kiosk.devices.status import PrintJobCompleted, PrintJobFailed

        if not isinstance(event, PrintJobCompleted | PrintJobFailed):
            return
        if event.job_id != watch.job_id or not self._end_watch(watch):
            return
        if isinstance(event, PrintJobCompleted):
            self.finish(watch.command, ok=True, message=f"test page printed (job {event.job_id})")
        else:
            self.finish(watch.command, ok=False, message=f"test page not printed: {event.reason}")

    def _end_watch(self, watch: _PrintWatch) -> bool:
        with self._lock:
            if watch.done:
                return False
            watch.done = True
            if watch in self._prints:
                self._prints.remove(watch)
        if watch.unsubscribe is not None:
            watch.unsubscribe()
        return True

    def _check_prints(self) -> None:
        now = time.monotonic()
        with self._lock:
            late = [w for w in self._prints if w.deadline <= now]
        for watch in late:
            if not self._end_watch(watch):
                continue
            from kiosk.devices.catalog import DeviceClass
            from kiosk.devices.printer.base import Printer

            printer = self.kiosk.device(DeviceClass.PRINTER)
            state = printer.health().state.value if printer is not None else "gone"
            if isinstance(printer, Printer) and watch.job_id is not None:
                printer.cancel(watch.job_id)
            self.finish(
                watch.command,
                ok=False,
                message=f"test page not printed in {TEST_PAGE_SECONDS} s (printer {state});"
                " cancelled",
            )
