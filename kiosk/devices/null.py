"""Backends for a device that is not there: `backend = "none"`, or a backend that cannot load.

Each reports `no_device` and fails every operation cleanly, with the same events a real failure
gives, so the rest of the kiosk runs the same code with or without the device.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from kiosk.devices.base import Device
from kiosk.devices.camera.base import Camera, Frame
from kiosk.devices.cardreader.base import CardInfo, CardReader, CardReaderError, T
from kiosk.devices.payment.base import (
    PaymentOutcome,
    PaymentRequest,
    PaymentResult,
    PaymentTerminal,
    ReconciliationTotals,
)
from kiosk.devices.printer.base import Printer
from kiosk.devices.status import (
    Attention,
    DeviceClass,
    DeviceState,
    PaymentFinished,
    PrintJobFailed,
    SelfTestResult,
)

NO_DEVICE_REASON = "no_device"


class NoDeviceError(CardReaderError):
    """The operation needs a device, and none is configured or available."""


class _NullDevice(Device):
    backend = "none"

    def __init__(self, device_id: str, *, backend: str = "none", reason: str | None = None) -> None:
        """`backend` names the configured backend this one stands in for; `reason` is the error
        code when it stands in for one that failed (then a technician must look)."""
        self.backend = backend  # read by Device.__init__
        super().__init__(device_id)
        self._reason = reason
        # Reported at once: a device that is not there need not be started to say so.
        self._report()

    def _report(self) -> None:
        if self._reason is None:
            self._set_health(DeviceState.NO_DEVICE, Attention.NONE)
        else:
            self._set_health(DeviceState.NO_DEVICE, Attention.MAINTENANCE, error=self._reason)

    def _open(self) -> None:
        self._report()

    def self_test(self) -> Future[SelfTestResult]:
        # Answered at once: a null device may never have started a thread.
        fut: Future[SelfTestResult] = Future()
        fut.set_result(self._run_self_test())
        return fut

    def _run_self_test(self) -> SelfTestResult:
        steps = ["no device configured"]
        if self._reason is not None:
            steps.append(f"{self.backend}: {self._reason}")
        return SelfTestResult(self.device_id, False, tuple(steps))

    def _soon(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the device thread, so its events come after the caller has returned;
        on a device that was never started there is no thread, and it runs now."""
        queued = self.worker.submit(fn)
        if queued.done() and queued.exception() is not None:
            fn()


class NullPrinter(_NullDevice, Printer):
    def print_file(self, path: Path, copies: int = 1) -> str:
        job_id = uuid.uuid4().hex
        self._soon(
            lambda: self._publish(PrintJobFailed(self.device_id, job_id, NO_DEVICE_REASON, 0))
        )
        return job_id

    def cancel(self, job_id: str) -> None:
        pass  # every job has already failed


class NullCardReader(_NullDevice, CardReader):
    def card(self) -> CardInfo | None:
        return None

    def _on_device_thread(self, fn: Callable[[], T]) -> Future[T]:
        fut: Future[T] = Future()
        fut.set_exception(NoDeviceError("no card reader"))
        return fut

    def _exchange(self, apdu: bytes) -> bytes:
        raise NoDeviceError("no card reader")


class NullCamera(_NullDevice, Camera):
    def start_stream(self) -> None:
        pass

    def stop_stream(self) -> None:
        pass

    def latest(self) -> Frame | None:
        return None


class NullPaymentTerminal(_NullDevice, PaymentTerminal):
    async def pay(self, request: PaymentRequest) -> PaymentResult:
        result = PaymentResult(
            request.sale_reference,
            PaymentOutcome.FAILED,
            request.amount_cents,
            reason=NO_DEVICE_REASON,
        )
        self._publish(PaymentFinished(self.device_id, result.sale_reference, result.outcome.value))
        return result

    async def abort(self, sale_reference: str) -> None:
        pass

    async def transaction_status(self, sale_reference: str) -> PaymentResult | None:
        return None

    async def reverse(self, result: PaymentResult, reason: str) -> bool:
        return False

    async def reconcile(self) -> ReconciliationTotals:
        # No terminal, so no payment can have been taken.
        return ReconciliationTotals(count=0, total_cents=0)


NULL_BACKENDS: dict[DeviceClass, type[_NullDevice]] = {
    DeviceClass.PRINTER: NullPrinter,
    DeviceClass.CARD_READER: NullCardReader,
    DeviceClass.CAMERA: NullCamera,
    DeviceClass.PAYMENT: NullPaymentTerminal,
}


def null_device(
    device_class: DeviceClass, device_id: str, *, backend: str = "none", reason: str | None = None
) -> Device:
    """The null backend of `device_class`, standing in for `backend`."""
    return NULL_BACKENDS[device_class](device_id, backend=backend, reason=reason)
