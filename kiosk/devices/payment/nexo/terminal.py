"""The nexo Retailer payment terminal backend: a real terminal (or the simulator) over HTTP.

The protocol runs on one asyncio loop of this device's own, on a thread named after the device:
its HTTP client, the notification server the terminal posts DisplayRequests and
EventNotifications to, the Login at start and the re-Login when the terminal comes back. The
interface's coroutines may be awaited on any loop (the engine's): they hand their work to the
device loop and wait for it, and cancelling one cancels that work.

Rules a careful integrator keeps, and this backend does:
- Login before anything else, again whenever the terminal says Busy or LoggedOut (then the
  request is sent once more: such an answer means the terminal did not start it), and when it
  announces it is back (Initialised, EndMaintenance).
- A Payment is never sent twice blindly. No answer in time, or a dropped connection, gives
  UNKNOWN; `transaction_status` then asks the terminal, waiting with backoff while it says
  InProgress. The Payment's ServiceID comes from the sale reference (outcomes.payment_service_id)
  so the question can be asked after a kiosk restart, and a repeated PaymentRequest for an
  approved sale is refused by the terminal.
- Only the last four digits of a card number are kept.

What is remembered of recent sales, TransactionStatus and Reversal are `nexo.after_sale`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit

from kiosk.devices.base import FaultSwitch
from kiosk.devices.payment.base import (
    PaymentOutcome,
    PaymentRequest,
    PaymentResult,
    PaymentTerminal,
    ReconciliationTotals,
    TerminalUnavailableError,
)
from kiosk.devices.payment.nexo.after_sale import AfterSale
from kiosk.devices.payment.nexo.client import (
    AnswerLost,
    NexoClient,
    RequestRefused,
    TerminalNotReached,
)
from kiosk.devices.payment.nexo.device_loop import DeviceLoop, LoopStopped
from kiosk.devices.payment.nexo.messages import (
    AbortRequest,
    EventNotification,
    NexoProtocolError,
    PaymentResponse,
    ReconciliationRequest,
    ReconciliationResponse,
    TransactionIdentification,
)
from kiosk.devices.payment.nexo.messages import PaymentRequest as NexoPaymentRequest
from kiosk.devices.payment.nexo.notify_server import NotificationServer
from kiosk.devices.payment.nexo.outcomes import (
    euro_totals,
    failed,
    payment_service_id,
)
from kiosk.devices.payment.nexo.session import TerminalSession
from kiosk.devices.payment.nexo.simulator_switches import SWITCHES, SimulatorSwitches
from kiosk.devices.status import PaymentDisplay, PaymentFinished, SelfTestResult

log = logging.getLogger(__name__)

DEFAULT_TERMINAL_URL = "http://127.0.0.1:8470/nexo"
DEFAULT_NOTIFY_PORT = 8471


class NexoTerminal(PaymentTerminal):
    backend = "nexo"

    def __init__(
        self,
        device_id: str,
        *,
        terminal_url: str = DEFAULT_TERMINAL_URL,
        notify_port: int = DEFAULT_NOTIFY_PORT,
        poi_id: str = "SIMPOI01",
        sale_id: str = "kiosk",
        timeout_seconds: float = 120.0,
        request_timeout_seconds: float = 15.0,
        reconnect_seconds: float = 30.0,
        simulator_control_url: str = "",
    ) -> None:
        if urlsplit(terminal_url).scheme not in ("http", "https"):
            raise ValueError(f"terminal_url must be an http(s) URL, not {terminal_url!r}")
        if not 0 < notify_port < 65536:
            raise ValueError(f"notify_port must be a TCP port, not {notify_port}")
        if min(timeout_seconds, request_timeout_seconds, reconnect_seconds) <= 0:
            raise ValueError("timeouts must be > 0")
        super().__init__(device_id)
        self._url = terminal_url
        self._notify_port = notify_port
        self._poi_id = poi_id
        self._sale_id = sale_id
        #: The customer's time at the terminal plus a margin: how long a Payment may take.
        self._payment_timeout = timeout_seconds
        self._request_timeout = request_timeout_seconds
        self._reconnect = reconnect_seconds
        self._io = DeviceLoop(f"device-{device_id}-nexo")
        self._session: TerminalSession | None = None
        self._server: NotificationServer | None = None
        self._watch: asyncio.Task[None] | None = None
        self._aborts: set[asyncio.Task[None]] = set()
        self._sales = AfterSale(
            self._started,
            device_id=device_id,
            sale_id=sale_id,
            poi_id=poi_id,
            payment_timeout=timeout_seconds,
            request_timeout=request_timeout_seconds,
        )
        #: The simulator's modes as technician-mode switches (the demo); None for a terminal.
        self._switches = SimulatorSwitches(simulator_control_url) if simulator_control_url else None

    # ---- the simulator's switches (demo only) -------------------------------------------------

    def fault_switches(self) -> tuple[FaultSwitch, ...]:
        return SWITCHES if self._switches is not None else ()

    def faults(self) -> frozenset[str]:
        return self._switches.faults() if self._switches is not None else frozenset()

    def set_fault(self, name: str, on: bool) -> None:
        if self._switches is None:
            super().set_fault(name, on)
            return
        self._switches.set(name, on)

    # ---- the PaymentTerminal interface --------------------------------------------------------

    async def pay(self, request: PaymentRequest) -> PaymentResult:
        try:
            result = await self._io.call(self._pay(request))
        except LoopStopped:
            result = failed(request.sale_reference, request.amount_cents, "terminal_offline")
        self._publish(PaymentFinished(self.device_id, result.sale_reference, result.outcome.value))
        return result

    async def abort(self, sale_reference: str) -> None:
        try:
            await self._io.call(self._abort(sale_reference))
        except LoopStopped:
            log.info("abort while the terminal is not started", extra={"device_id": self.device_id})

    async def transaction_status(self, sale_reference: str) -> PaymentResult | None:
        try:
            return await self._io.call(self._sales.transaction_status(sale_reference))
        except LoopStopped:
            raise TerminalUnavailableError("payment terminal is not started") from None

    async def reverse(self, result: PaymentResult, reason: str) -> bool:
        try:
            return await self._io.call(self._sales.reverse(result, reason))
        except LoopStopped:
            return False

    async def reconcile(self) -> ReconciliationTotals:
        try:
            return await self._io.call(self._reconcile())
        except LoopStopped:
            raise TerminalUnavailableError("payment terminal is not started") from None

    # ---- the work, on the device loop ---------------------------------------------------------

    async def _pay(self, request: PaymentRequest) -> PaymentResult:
        session = self._started()
        ref, cents = request.sale_reference, request.amount_cents
        if cents <= 0:
            return failed(ref, cents, "invalid_amount")
        if session.paying is not None:
            return failed(ref, cents, "busy")
        self._sales.remember(ref, cents, None)
        body = NexoPaymentRequest(
            TransactionIdentification(ref, datetime.now(UTC)), cents, request.currency
        )
        service_id = payment_service_id(ref)
        session.paying = ref
        try:
            answer = await session.service(
                body,
                PaymentResponse,
                service_id=service_id,
                timeout=self._payment_timeout,
                sale_reference=ref,
            )
        except TerminalNotReached:
            return failed(ref, cents, "terminal_offline")
        except (RequestRefused, NexoProtocolError) as exc:
            log.error("payment request refused: %s", exc, extra={"sale_reference": ref})
            return failed(ref, cents, "terminal_error")
        except AnswerLost:
            return PaymentResult(ref, PaymentOutcome.UNKNOWN, cents, reason="no_answer")
        except asyncio.CancelledError:
            # The kiosk stopped waiting (its session ended): tell the terminal to stop too.
            if self._session is not None:
                abort = asyncio.get_running_loop().create_task(self._abort(ref))
                self._aborts.add(abort)
                abort.add_done_callback(self._aborts.discard)
            raise
        finally:
            session.paying = None
        return self._sales.result(ref, cents, answer)

    async def _abort(self, sale_reference: str) -> None:
        session = self._started()
        reference = self._sales.reference(sale_reference)
        try:
            await session.send(AbortRequest(reference), timeout=self._request_timeout)
        except (TerminalNotReached, AnswerLost, RequestRefused):
            log.warning("abort not delivered", extra={"sale_reference": sale_reference})

    async def _reconcile(self) -> ReconciliationTotals:
        session = self._started()
        try:
            answer = await session.service(
                ReconciliationRequest(), ReconciliationResponse, timeout=self._request_timeout
            )
        except (TerminalNotReached, AnswerLost, RequestRefused) as exc:
            raise TerminalUnavailableError(f"terminal did not answer: {exc}") from None
        if not answer.response.ok:
            raise TerminalUnavailableError(
                f"reconciliation refused: {answer.response.error_condition}"
            )
        return euro_totals(answer.totals)

    # ---- the terminal's messages to the kiosk -------------------------------------------------

    def _on_prompt(self, message_id: str) -> None:
        self._publish(PaymentDisplay(self.device_id, message=message_id))

    def _on_event(self, event: EventNotification) -> None:
        if self._session is not None:
            self._session.on_event(event)

    # ---- lifecycle ----------------------------------------------------------------------------

    def _started(self) -> TerminalSession:
        if self._session is None:
            raise LoopStopped
        return self._session

    def _open(self) -> None:
        if self._switches is not None:
            self._switches.refresh()
        self._io.start()
        self._io.submit(self._start()).result(timeout=self._request_timeout + 5)

    async def _start(self) -> None:
        extra = {"device_id": self.device_id}
        session = TerminalSession(
            NexoClient(
                self._url,
                sale_id=self._sale_id,
                poi_id=self._poi_id,
                connect_timeout=min(5.0, self._request_timeout),
                log_extra=extra,
            ),
            request_timeout=self._request_timeout,
            set_health=self._set_health,
        )
        await session.client.start()
        self._session = session
        server = NotificationServer(
            self._notify_port, on_prompt=self._on_prompt, on_event=self._on_event, log_extra=extra
        )
        try:
            await server.start()
        except OSError:
            log.exception("notification port unavailable", extra=extra)
            session.fail("notify-port-unavailable")
            return
        self._server = server
        await session.login()
        self._watch = asyncio.get_running_loop().create_task(
            session.keep_logged_in(self._reconnect)
        )

    def _close(self) -> None:
        if not self._io.running:
            return
        try:
            self._io.submit(self._stop()).result(timeout=3)
        except Exception:
            log.exception("nexo backend did not stop cleanly", extra={"device_id": self.device_id})
        self._io.stop()

    async def _stop(self) -> None:
        session, self._session = self._session, None
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if self._server is not None:
            await self._server.stop()
            self._server = None
        if session is not None:
            await session.client.close()

    def _run_self_test(self) -> SelfTestResult:
        session = self._session
        if session is None or not self._io.running:
            return SelfTestResult(self.device_id, False, ("connection: not started",))
        steps = self._io.submit(session.self_test()).result(timeout=self._request_timeout + 5)
        return SelfTestResult(self.device_id, steps[-1].endswith("logged_in"), steps)
