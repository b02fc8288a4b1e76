"""The app's side of fleet health, without Qt: its heartbeat and the remote actions it performs.

kiosk-agent puts the actions support asked for into the store's `commands` table; the app
looks for them every few seconds. The look (`poll`) runs on the store's writer thread, where it
also marks the actions taken, and hands them back as a future: the Qt thread never reads the
store. The app performs them and writes the outcome back through the store writer, for the agent
to report. A self-test runs each device's own self-test, as technician mode does; a test page
goes to the printer and its outcome is the job's. Screenshots and the test page's drawing need
Qt and are made in kiosk.ui.remote.
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
    from kiosk.devices.base import Device
    from kiosk.devices.status import SelfTestResult
    from kiosk.printing.job import JobEnd, PrintJob
    from kiosk.printing.service import Printing
    from kiosk.store import Store
    from kiosk.store.writer import StoreWriter

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


def take_due(store: Store, *, interrupt_first: bool) -> list[Command]:
    """The writer's thread: the actions waiting for the app, each marked taken (so returned
    once); first in a process, the actions an earlier process took and never finished are
    reported interrupted."""
    fleet = Fleet(store)
    if interrupt_first:
        fleet.interrupt_taken(INTERRUPTED)
    return [c for c in fleet.pending_commands(APP_KINDS) if fleet.take(c.id)]


@dataclass
class _PrintWatch:
    command: Command
    job: PrintJob
    deadline: float


class RemoteActions:
    """Finds the actions waiting for the app and performs those that need no Qt.

    Outcomes may be written from any thread (the store writer takes writes from any thread)."""

    def __init__(
        self,
        writer: StoreWriter,
        *,
        session_active: Callable[[], bool],
        devices: Callable[[], list[Device]],
        printing: Printing | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.writer = writer
        self._session_active = session_active
        self._devices_now = devices
        self.printing = printing
        self._clock = clock
        self.started_at = datetime.now(UTC)
        self._first = True
        self._lock = threading.Lock()
        self._prints: list[_PrintWatch] = []

    # ---- heartbeat ----------------------------------------------------------------------------

    def beat(self) -> bool:
        """Write the app's heartbeat (through the writer); False once the app is stopping."""
        active = self._session_active()
        version, started = software_version(), self.started_at
        try:
            self.writer.submit(
                lambda store: Fleet(store).beat(
                    version=version, session_active=active, started_at=started
                )
            )
        except StoreWriterClosed:
            return False  # the app is shutting down
        return True

    # ---- actions ------------------------------------------------------------------------------

    def poll(self) -> Future[list[Command]]:
        """The actions to perform now, read and marked taken on the writer's thread; each is
        returned once. Test pages past their time are given up here too."""
        self._check_prints()
        due: Future[list[Command]] = Future()
        first, self._first = self._first, False

        def look(store: Store) -> None:
            try:
                fresh = take_due(store, interrupt_first=first)
            except BaseException as exc:
                due.set_exception(exc)
                raise
            for command in fresh:
                log.info(
                    "remote action %s (%s) asked by %s",
                    command.id,
                    command.kind,
                    command.requested_by,
                    extra={"device_id": command.device_id, "event": command.kind},
                )
            due.set_result(fresh)

        try:
            self.writer.submit(look)
        except StoreWriterClosed:
            due.set_result([])  # the app is shutting down
        return due

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
        # Closed: the app is shutting down, and its next process reports the action interrupted.
        with contextlib.suppress(StoreWriterClosed):
            self.writer.submit(
                lambda store: Fleet(store).finish(
                    command.id, ok=ok, message=message, results=results, screenshot=screenshot
                )
            )

    def _devices(self, command: Command) -> list[Device] | None:
        devices = self._devices_now()
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

    def print_test_page(self, command: Command, page: Path) -> None:
        """Print the test page at `page`; the outcome is the print job's."""
        printing = self.printing
        if printing is None or printing.printer is None:
            self.finish(command, ok=False, message="this kiosk has no printer")
            return
        try:
            job = printing.send(page)
        except Exception as exc:
            self.finish(command, ok=False, message=f"not printed: {type(exc).__name__}")
            return
        watch = _PrintWatch(command, job, self._clock() + TEST_PAGE_SECONDS)
        with self._lock:
            self._prints.append(watch)
        job.ended.add_done_callback(lambda ended: self._job_ended(watch, ended))

    def _job_ended(self, watch: _PrintWatch, ended: Future[JobEnd]) -> None:
        from kiosk.devices.status import PrintJobCompleted

        if not self._end_watch(watch):
            return  # given up already, and reported so
        end = ended.result()
        if isinstance(end, PrintJobCompleted):
            self.finish(watch.command, ok=True, message=f"test page printed (job {end.job_id})")
        else:
            self.finish(watch.command, ok=False, message=f"test page not printed: {end.reason}")

    def _end_watch(self, watch: _PrintWatch) -> bool:
        with self._lock:
            if watch not in self._prints:
                return False
            self._prints.remove(watch)
            return True

    def _check_prints(self) -> None:
        now = self._clock()
        with self._lock:
            late = [w for w in self._prints if w.deadline <= now]
        for watch in late:
            if not self._end_watch(watch):
                continue
            printer = watch.job.printer
            state = printer.health().state.value
            watch.job.cancel()
            self.finish(
                watch.command,
                ok=False,
                message=f"test page not printed in {TEST_PAGE_SECONDS} s (printer {state});"
                " cancelled",
            )
