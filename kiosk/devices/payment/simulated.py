"""A simulated card payment terminal that behaves like a nexo Retailer (Sale-to-POI) terminal.

It ships in the product: the demo pays on it and technician mode trips its faults. The terminal
keeps its own record of every sale, so after an answer that never came (the "no_answer" fault)
the kiosk learns the truth from `transaction_status`, exactly as with a real terminal.

The interaction with the "customer" runs on the caller's asyncio loop (the engine loop).
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import uuid
from dataclasses import dataclass, replace

from kiosk.devices.base import FaultSwitch
from kiosk.devices.payment.base import (
    PaymentOutcome,
    PaymentRequest,
    PaymentResult,
    PaymentTerminal,
    ReconciliationTotals,
    TerminalUnavailableError,
)
from kiosk.devices.status import (
    Attention,
    DeviceState,
    PaymentDisplay,
    PaymentFinished,
    SelfTestResult,
)
from kiosk.i18n import N_

log = logging.getLogger(__name__)

FAULT_SWITCHES = (
    FaultSwitch("decline", N_("Card declined")),
    FaultSwitch("customer_cancel", N_("Customer cancels")),
    FaultSwitch("no_answer", N_("Terminal does not answer")),
    FaultSwitch("offline", N_("Terminal offline")),
)
_FAULT_NAMES = frozenset(f.name for f in FAULT_SWITCHES)

#: What the terminal shows the citizen, in order; the customer's time is spread over them.
DISPLAY_STEPS = ("insert_card", "enter_pin", "processing")


class TerminalOfflineError(TerminalUnavailableError):
    """The terminal did not answer a query; its record is unknown, not absent."""


class _Aborted(Exception):
    pass


@dataclass
class _Sale:
    result: PaymentResult
    reversed: bool = False
    #: Counted in a reconciliation already (a new period has begun since).
    reconciled: bool = False


@dataclass
class _Active:
    sale_reference: str
    loop: asyncio.AbstractEventLoop
    abort: asyncio.Event


class SimulatedPaymentTerminal(PaymentTerminal):
    FAULT_SWITCHES = FAULT_SWITCHES
    backend = "simulated"

    def __init__(
        self, device_id: str, *, delay_seconds: float = 2.0, timeout_seconds: float = 120.0
    ) -> None:
        if delay_seconds < 0 or timeout_seconds <= 0:
            raise ValueError("delay_seconds must be >= 0 and timeout_seconds > 0")
        super().__init__(device_id)
        #: How long the simulated cardholder takes at the terminal (a test may slow them).
        self.delay_seconds = delay_seconds
        self._timeout = timeout_seconds
        # Guards everything below: the engine loop pays while the technician flips switches.
        self._lock = threading.RLock()
        self._fault: str | None = None
        self._opened = False
        self._active: _Active | None = None
        self._sales: dict[str, _Sale] = {}

    # ---- the PaymentTerminal interface --------------------------------------------------------

    async def pay(self, request: PaymentRequest) -> PaymentResult:
        abort = asyncio.Event()
        with self._lock:
            if self._fault == "offline" or not self._opened:
                reason: str | None = "terminal_offline"
            elif self._active is not None:
                reason = "busy"
            elif request.amount_cents <= 0:
                reason = "invalid_amount"
            else:
                reason = None
                self._active = _Active(request.sale_reference, asyncio.get_running_loop(), abort)
                self._refresh_health()
        if reason is not None:
            return self._finished(_result(request, PaymentOutcome.FAILED, reason))
        try:
            result = await asyncio.wait_for(self._terminal(request, abort), self._timeout)
        except TimeoutError:
            # The kiosk gives up waiting; what the terminal did is for transaction_status.
            result = _result(request, PaymentOutcome.UNKNOWN, "no_answer")
        finally:
            with self._lock:
                self._active = None
                self._refresh_health()
        return self._finished(result)

    async def abort(self, sale_reference: str) -> None:
        with self._lock:
            active = self._active
        if active is None or active.sale_reference != sale_reference:
            log.info("abort of a payment not in progress")
            return
        # The payment may wait on another loop than the one aborting it.
        active.loop.call_soon_threadsafe(active.abort.set)

    async def transaction_status(self, sale_reference: str) -> PaymentResult | None:
        with self._lock:
            if self._fault == "offline" or not self._opened:
                raise TerminalOfflineError("payment terminal is offline")
            sale = self._sales.get(sale_reference)
        if sale is None:
            return None
        return replace(sale.result, reason="reversed") if sale.reversed else sale.result

    async def reverse(self, result: PaymentResult, reason: str) -> bool:
        with self._lock:
            if self._fault == "offline" or not self._opened:
                return False
            sale = self._sales.get(result.sale_reference)
            if (
                sale is None
                or sale.reversed
                or sale.reconciled  # a closed period is not reopened
                or sale.result.outcome != PaymentOutcome.APPROVED
            ):
                return False
            sale.reversed = True
        log.info("payment reversed", extra={"reason": reason})
        return True

    async def reconcile(self) -> ReconciliationTotals:
        with self._lock:
            if self._fault == "offline" or not self._opened:
                raise TerminalOfflineError("payment terminal is offline")
            counted = [
                sale
                for sale in self._sales.values()
                if not sale.reconciled
                and not sale.reversed
                and sale.result.outcome == PaymentOutcome.APPROVED
            ]
            for sale in self._sales.values():
                sale.reconciled = True
        return ReconciliationTotals(
            count=len(counted), total_cents=sum(s.result.amount_cents for s in counted)
        )

    # ---- fault injection ----------------------------------------------------------------------

    def faults(self) -> frozenset[str]:
        with self._lock:
            return frozenset({self._fault} if self._fault else ())

    def set_fault(self, name: str, on: bool) -> None:
        """Turn one fault on (which turns any other off) or off."""
        if name not in _FAULT_NAMES:
            raise KeyError(f"simulated payment terminal has no fault switch {name!r}")
        with self._lock:
            if on:
                self._fault = name
            elif self._fault == name:
                self._fault = None
            self._refresh_health()

    # ---- the terminal and the customer --------------------------------------------------------

    async def _terminal(self, request: PaymentRequest, abort: asyncio.Event) -> PaymentResult:
        """The terminal's side of one sale: talk to the customer, record, answer (or not)."""
        pause = self.delay_seconds / len(DISPLAY_STEPS)
        try:
            for message in DISPLAY_STEPS:
                self._publish(PaymentDisplay(self.device_id, message=message))
                await _wait_unless_aborted(pause, abort)
                if message == "insert_card" and self._current_fault() == "customer_cancel":
                    return self._record(
                        _result(request, PaymentOutcome.CANCELLED, "cancelled_by_customer")
                    )
        except _Aborted:
            return self._record(_result(request, PaymentOutcome.CANCELLED, "aborted"))
        except asyncio.CancelledError:
            # The kiosk stopped waiting mid-sale; a real terminal then abandons the sale too.
            self._record(_result(request, PaymentOutcome.CANCELLED, "abandoned"))
            raise
        fault = self._current_fault()
        if fault == "decline":
            return self._record(_result(request, PaymentOutcome.DECLINED, "declined"))
        approved = self._record(
            PaymentResult(
                sale_reference=request.sale_reference,
                outcome=PaymentOutcome.APPROVED,
                amount_cents=request.amount_cents,
                card_last4=f"{random.randrange(10_000):04d}",
                terminal_reference=uuid.uuid4().hex[:12].upper(),
            )
        )
        if fault in ("no_answer", "offline"):
            # The sale is done on the terminal, but its answer never reaches the kiosk.
            await asyncio.Event().wait()
        return approved

    def _record(self, result: PaymentResult) -> PaymentResult:
        with self._lock:
            self._sales[result.sale_reference] = _Sale(result)
        return result

    def _finished(self, result: PaymentResult) -> PaymentResult:
        self._publish(PaymentFinished(self.device_id, result.sale_reference, result.outcome.value))
        return result

    def _current_fault(self) -> str | None:
        with self._lock:
            return self._fault

    # ---- status --------------------------------------------------------------------------------

    def _open(self) -> None:
        with self._lock:
            self._opened = True
            self._refresh_health()

    def _close(self) -> None:
        with self._lock:
            self._opened = False

    def _refresh_health(self) -> None:
        """Call with self._lock held, so updates from two threads cannot cross."""
        if not self._opened:
            return
        if self._fault == "offline":
            self._set_health(
                DeviceState.OFFLINE,
                Attention.MAINTENANCE,
                detail={"login": "logged_out"},
                error="terminal-unreachable",
            )
            return
        state = DeviceState.BUSY if self._active is not None else DeviceState.ONLINE
        self._set_health(state, Attention.NONE, detail={"login": "logged_in"})

    def _run_self_test(self) -> SelfTestResult:
        with self._lock:
            if self._fault == "offline":
                return SelfTestResult(self.device_id, False, ("connection: failed",))
        return SelfTestResult(self.device_id, True, ("connection: ok", "login: logged_in"))


def _result(request: PaymentRequest, outcome: PaymentOutcome, reason: str) -> PaymentResult:
    return PaymentResult(request.sale_reference, outcome, request.amount_cents, reason=reason)


async def _wait_unless_aborted(seconds: float, abort: asyncio.Event) -> None:
    try:
        await asyncio.wait_for(abort.wait(), seconds)
    except TimeoutError:
        return
    raise _Aborted
