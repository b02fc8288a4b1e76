"""What every device backend has: an id, a health snapshot, a self-test, events, one I/O thread.

Each backend owns exactly one worker thread for its blocking library (a pycups connection, a
PC/SC context, a capture device). Public methods may be called from any thread; they hand the
work to the device thread with `run_in_device_thread` and never block the caller on I/O.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any, ClassVar, TypeVar

from kiosk.devices.status import (
    Attention,
    DeviceClass,
    DeviceError,
    DeviceEvent,
    DeviceHealth,
    DeviceState,
    EventHub,
    SelfTestResult,
    StatusChanged,
)

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class FaultSwitch:
    """A fault a simulator can be told to show, from tests and the technician screen."""

    name: str
    #: Message id of a short label for the technician screen, e.g. "Paper out".
    label: str


class DeviceWorker:
    """One thread that runs every blocking call of one device, in order."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ident: int | None = None
        # Held while a job is queued or the stop marker is put, so no job lands behind it.
        self._gate = threading.Lock()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def stop(self, timeout: float = 5.0) -> None:
        with self._gate:
            thread, self._thread = self._thread, None
            if thread is None:
                return
            self._jobs.put(None)
        thread.join(timeout)
        if thread.is_alive():
            log.error("device thread did not stop in time", extra={"device_id": self._name})
        # Anything still queued will never run: fail it rather than leave its caller waiting.
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[1].set_exception(RuntimeError(f"device thread {self._name} stopped"))

    @property
    def in_thread(self) -> bool:
        return threading.get_ident() == self._ident

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        fut: Future[T] = Future()
        with self._gate:
            if self._thread is None:
                fut.set_exception(RuntimeError(f"device thread {self._name} is not running"))
                return fut
            self._jobs.put((fn, fut))
        return fut

    def _run(self) -> None:
        self._ident = threading.get_ident()
        while True:
            item = self._jobs.get()
            if item is None:
                return
            fn, fut = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn())
            except BaseException as exc:  # handed to the caller through the future
                fut.set_exception(exc)


class Device(ABC):
    """Base of every backend. Subclasses set `device_class` and `backend` and implement the
    class interface of their family's base.py."""

    device_class: DeviceClass
    backend: str
    #: Keys of `detail` that are readings, not state (a camera's measured fps): they change
    #: all the time, so a change of them alone is neither logged nor stored as an event.
    READINGS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, device_id: str) -> None:
        self.device_id = device_id
        self.events = EventHub()
        self.worker = DeviceWorker(f"device-{device_id}")
        self._health_lock = threading.Lock()
        self._health = DeviceHealth(
            device_id=device_id,
            device_class=self.device_class,
            backend=self.backend,
            state=DeviceState.OFFLINE,
        )

    # ---- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the device thread and open the device there. Never raises for a missing device:
        the backend reports `no_device` instead."""
        self.worker.start()
        self.worker.submit(self._open_logged)

    def stop(self) -> None:
        if not self.worker.running:
            return
        done = self.worker.submit(self._close_logged)
        try:
            done.result(timeout=5)
        except Exception:
            log.exception("device close failed", extra={"device_id": self.device_id})
        self.worker.stop()

    def _open_logged(self) -> None:
        try:
            self._open()
        except Exception as exc:
            log.exception("device open failed", extra={"device_id": self.device_id})
            self._set_health(
                DeviceState.HARDWARE_ERROR, Attention.MAINTENANCE, error=type(exc).__name__
            )

    def _close_logged(self) -> None:
        self._close()

    @abstractmethod
    def _open(self) -> None:
        """Open the device; runs on the device thread."""

    def _close(self) -> None:  # noqa: B027 - most backends have nothing to release
        """Release the device; runs on the device thread."""

    # ---- health -------------------------------------------------------------------------------

    def health(self) -> DeviceHealth:
        with self._health_lock:
            return self._health

    def _set_health(
        self,
        state: DeviceState,
        attention: Attention = Attention.NONE,
        *,
        detail: Mapping[str, str] | None = None,
        error: str | None = None,
    ) -> None:
        """Record a new snapshot and publish StatusChanged (and DeviceError for a new error).

        `detail` is merged into the previous detail; `error` replaces last_error when given.
        Only a change of state, attention, error or class detail is logged (once); a change
        of readings alone is published as `readings_only`, for screens that show them.
        """
        with self._health_lock:
            old = self._health
            merged = dict(old.detail)
            merged.update(detail or {})
            new = DeviceHealth(
                device_id=self.device_id,
                device_class=self.device_class,
                backend=self.backend,
                state=state,
                attention=attention,
                detail=merged,
                last_error=error if error is not None else old.last_error,
                changed_at=old.changed_at,
            )
            if (new.state, new.attention, dict(new.detail), new.last_error) == (
                old.state,
                old.attention,
                dict(old.detail),
                old.last_error,
            ):
                return
            readings_only = (new.state, new.attention, new.last_error) == (
                old.state,
                old.attention,
                old.last_error,
            ) and self._state_detail(new) == self._state_detail(old)
            if not readings_only:
                new = replace(new, changed_at=time.time())
            self._health = new
        if readings_only:
            self._publish(StatusChanged(self.device_id, health=new, readings_only=True))
            return
        log.info(
            "device status",
            extra={
                "device_id": self.device_id,
                "state": state.value,
                "attention": attention.value,
                "error": error,
            },
        )
        self._publish(StatusChanged(self.device_id, health=new))
        # last_error outlives the fault, so the same fault coming back (paper out again after
        # a refill) is recognised by the device becoming unusable, not by a new code.
        fell_over = old.state.usable and not state.usable
        if error is not None and (error != old.last_error or fell_over):
            self._publish(DeviceError(self.device_id, code=error, attention=attention))

    def _state_detail(self, health: DeviceHealth) -> dict[str, str]:
        return {k: v for k, v in health.detail.items() if k not in self.READINGS}

    def _publish(self, event: DeviceEvent) -> None:
        try:
            self.events.publish(event)
        except Exception:
            log.exception("event subscriber failed", extra={"device_id": self.device_id})

    def self_test(self) -> Future[SelfTestResult]:
        """Check the device end to end (for technician mode and provisioning), on its thread."""
        return self.worker.submit(self._run_self_test)

    @abstractmethod
    def _run_self_test(self) -> SelfTestResult:
        """The checks of `self_test`; runs on the device thread."""

    # ---- fault injection (simulators only) ----------------------------------------------------

    #: The faults a simulator can be switched to show; a real backend has none.
    FAULT_SWITCHES: tuple[FaultSwitch, ...] = ()

    def fault_switches(self) -> tuple[FaultSwitch, ...]:
        return self.FAULT_SWITCHES

    def faults(self) -> frozenset[str]:
        return frozenset()

    def set_fault(self, name: str, on: bool) -> None:
        raise KeyError(f"{self.backend} backend has no fault switch {name!r}")
