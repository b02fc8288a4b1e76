"""The simulated terminal's behaviour: what it answers to each nexo request, in each mode.

It keeps to the protocol's rules: Login first (a request before it is answered Failure/LoggedOut,
or Failure/Busy in the busy_before_login mode, as a terminal that is still starting up does);
one Payment, Reversal or Reconciliation at a time (another gets Failure/Busy) while Abort,
Login and TransactionStatus may cross; TransactionStatus answers from the journal on disk, so
also after a restart. The faults are those a real terminal shows; see `Mode` and the module
docstring of kiosk.devices.payment.nexo.simulator.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from kiosk.devices.payment.nexo.messages import (
    AbortRequest,
    Body,
    ErrorCondition,
    GlobalStatus,
    LoginRequest,
    LoginResponse,
    MessageCategory,
    MessageClass,
    MessageHeader,
    MessageType,
    NexoMessage,
    PaymentRequest,
    PaymentResponse,
    ReconciliationRequest,
    ReconciliationResponse,
    Response,
    ResponseBody,
    ReversalRequest,
    ReversalResponse,
    TransactionIdentification,
    TransactionStatusRequest,
    TransactionStatusResponse,
    TransactionTotals,
)
from kiosk.devices.payment.nexo.simulator_state import Control, Journal, Mode, Transaction

log = logging.getLogger(__name__)

#: The exit status of the process when it dies mid-payment on purpose.
DIE_EXIT_STATUS = 3

#: The prompts a payment shows the customer: machine id -> the terminal's own text.
PROMPTS = {
    "insert_card": "Insert or tap card",
    "enter_pin": "Enter PIN",
    "processing": "Processing, please wait",
    "remove_card": "Remove card",
}

#: Card brands the simulator "reads", with a made-up first six digits (IIN) of each.
_CARDS = (("MasterCard", "541333"), ("VISA", "476173"), ("Maestro", "675964"))

#: Show a prompt to the customer; the simulator sends it to the kiosk as a DisplayRequest.
ShowPrompt = Callable[[str, str], Awaitable[None]]


class _Aborted(Exception):
    pass


class ConnectionFate(StrEnum):
    """What the HTTP side does with an answer: send it, hold it back, or drop the connection."""

    SEND = "send"
    HOLD = "hold"
    DROP = "drop"


@dataclass
class Answer:
    body: ResponseBody | None
    fate: ConnectionFate = ConnectionFate.SEND


@dataclass
class _Active:
    service_id: str
    sale_id: str
    abort: asyncio.Event = field(default_factory=asyncio.Event)


def new_id() -> str:
    """A ServiceID of the terminal's own: nexo allows at most 10 characters."""
    return secrets.token_hex(5)


def poi_transaction_id() -> str:
    """The terminal's own transaction id: 12 characters that start with a letter, so that no id
    can pass for a card number (a run of 12 or more digits) in the simulator's records."""
    return "T" + uuid.uuid4().hex[:11].upper()


class SimulatedPoi:
    """One payment terminal (POI) with its journal, its mode and the login of its sale system."""

    def __init__(self, folder: Path, poi_id: str, control: Control, show: ShowPrompt) -> None:
        self.poi_id = poi_id
        self.journal = Journal.open(folder)
        self.control = control
        self._show = show
        self.logged_in: str | None = None
        self.active: _Active | None = None
        for tx in self.journal.interrupted:
            log.warning("payment %s closed as failed: interrupted by restart", tx.service_id)

    # ---- dispatch -----------------------------------------------------------------------------

    async def handle(self, message: NexoMessage) -> Answer:
        header, body = message.header, message.body
        if (
            header.message_class is not MessageClass.SERVICE
            or header.type is not MessageType.REQUEST
        ):
            return Answer(None)  # nothing a kiosk sends this way needs an answer
        if isinstance(body, AbortRequest):
            self._abort(body)
            return Answer(None)  # nexo has no AbortResponse: the aborted payment answers
        mode = self.control.mode
        if header.poi_id != self.poi_id:
            return Answer(self._refused(body, ErrorCondition.NOT_ALLOWED, "unknown POIID"))
        if mode is Mode.OFFLINE:
            return Answer(self._refused(body, ErrorCondition.DEVICE_OUT, "in maintenance"))
        if isinstance(body, LoginRequest):
            return Answer(self._login(header, body))
        if self.logged_in != header.sale_id:
            if mode is Mode.BUSY_BEFORE_LOGIN:
                return Answer(self._refused(body, ErrorCondition.BUSY, "starting up"))
            return Answer(self._refused(body, ErrorCondition.LOGGED_OUT, "login first"))
        if isinstance(body, TransactionStatusRequest):
            return Answer(self._status(header, body))
        if self.active is not None:
            return Answer(self._refused(body, ErrorCondition.BUSY, "a payment is in progress"))
        if isinstance(body, PaymentRequest):
            return await self._payment(header, body)
        if isinstance(body, ReversalRequest):
            return Answer(self._reversal(body))
        if isinstance(body, ReconciliationRequest):
            return Answer(self._reconciliation(body))
        return Answer(self._refused(body, ErrorCondition.UNAVAILABLE_SERVICE, "not supported"))

    def log_out(self) -> None:
        self.logged_in = None

    # ---- services -----------------------------------------------------------------------------

    def _login(self, header: MessageHeader, body: LoginRequest) -> LoginResponse:
        self.logged_in = header.sale_id
        log.info("logged in: %s (%s)", body.application_name, body.terminal_environment)
        return LoginResponse(Response.success(), _now(), GlobalStatus.OK)

    def _abort(self, body: AbortRequest) -> None:
        active = self.active
        ref = body.reference
        if active is None or ref.service_id != active.service_id:
            log.info("abort of %s ignored: not in progress", ref.service_id)
            return
        active.abort.set()

    def _status(
        self, header: MessageHeader, body: TransactionStatusRequest
    ) -> TransactionStatusResponse:
        ref = body.reference
        if ref is None:
            tx = self.journal.last()
        elif ref.category is MessageCategory.PAYMENT:
            tx = self.journal.by_service_id(ref.service_id, ref.sale_id or header.sale_id)
        else:
            return TransactionStatusResponse(
                Response.failure(ErrorCondition.NOT_FOUND, "only payments are kept"), ref
            )
        if tx is None:
            return TransactionStatusResponse(Response.failure(ErrorCondition.NOT_FOUND), ref)
        if tx.in_progress:
            return TransactionStatusResponse(Response.failure(ErrorCondition.IN_PROGRESS), ref)
        repeated = MessageHeader(
            MessageClass.SERVICE,
            MessageCategory.PAYMENT,
            MessageType.RESPONSE,
            tx.service_id,
            tx.sale_id,
            self.poi_id,
        )
        details = {"reversed": "true"} if tx.reversal_id else {}
        return TransactionStatusResponse(
            Response.success(**details), ref, repeated, _payment_response(tx)
        )

    async def _payment(self, header: MessageHeader, body: PaymentRequest) -> Answer:
        if body.currency != "EUR" or body.requested_cents <= 0:
            refusal = ErrorCondition.PAYMENT_RESTRICTION, "EUR amounts above zero only"
            return Answer(self._refused(body, *refusal))
        earlier = self.journal.by_service_id(header.service_id, header.sale_id)
        if earlier is not None and (earlier.in_progress or earlier.approved):
            # The same ServiceID again would be a second charge for one sale.
            return Answer(self._refused(body, ErrorCondition.NOT_ALLOWED, "ServiceID used"))
        mode = self.control.mode
        tx = self.journal.start_payment(
            service_id=header.service_id,
            sale_id=header.sale_id,
            sale_transaction=body.sale_transaction,
            poi_transaction=TransactionIdentification(poi_transaction_id(), _now()),
            amount_cents=body.requested_cents,
            currency=body.currency,
        )
        self.active = active = _Active(header.service_id, header.sale_id)
        try:
            await self._customer(tx, mode, active)
        finally:
            self.active = None
        answer = _payment_response(tx)
        if tx.approved and mode is Mode.NO_ANSWER:
            return Answer(answer, ConnectionFate.HOLD)
        if tx.approved and mode is Mode.DROP_AFTER_APPROVE:
            return Answer(answer, ConnectionFate.DROP)
        return Answer(answer)

    async def _customer(self, tx: Transaction, mode: Mode, active: _Active) -> None:
        """The customer at the terminal, prompt by prompt, then the issuer's answer."""
        pace = self.control.pace
        try:
            await self._prompt("insert_card", pace, active)
            if mode is Mode.CUSTOMER_CANCEL:
                self.journal.finish(tx, Response.failure(ErrorCondition.CANCEL, "by customer"))
                return
            await self._prompt("enter_pin", pace, active)
            await self._show("processing", PROMPTS["processing"])
            if mode is Mode.DIE_MID_PAYMENT:
                log.error("dying in the middle of payment %s, as told", tx.service_id)
                logging.shutdown()
                os._exit(DIE_EXIT_STATUS)
            await _wait_unless_aborted(pace, active.abort)
        except _Aborted:
            self.journal.finish(tx, Response.failure(ErrorCondition.ABORTED, "by sale system"))
            return
        if mode is Mode.DECLINE:
            self.journal.finish(tx, Response.failure(ErrorCondition.REFUSAL, "declined"))
        else:
            brand, iin = random.choice(_CARDS)
            masked = f"{iin}******{random.randrange(10_000):04d}"
            self.journal.finish(tx, Response.success(), masked, brand)
        await self._show("remove_card", PROMPTS["remove_card"])

    async def _prompt(self, prompt: str, pace: float, active: _Active) -> None:
        await self._show(prompt, PROMPTS[prompt])
        await _wait_unless_aborted(pace, active.abort)

    def _reversal(self, body: ReversalRequest) -> ReversalResponse:
        tx = self.journal.by_poi_transaction(body.original.transaction_id)
        if tx is None:
            return ReversalResponse(Response.failure(ErrorCondition.NOT_FOUND))
        if not tx.approved or tx.reversal_id is not None:
            why = "already reversed" if tx.reversal_id else "not an approved payment"
            return ReversalResponse(Response.failure(ErrorCondition.NOT_ALLOWED, why))
        if tx.period != self.journal.period:
            return ReversalResponse(Response.failure(ErrorCondition.NOT_ALLOWED, "reconciled"))
        reversal = TransactionIdentification(poi_transaction_id(), _now())
        self.journal.reverse(tx, reversal.transaction_id, body.reason.value)
        return ReversalResponse(Response.success(), reversal, tx.amount_cents)

    def _reconciliation(self, body: ReconciliationRequest) -> ReconciliationResponse:
        period, counted = self.journal.reconcile()
        by_currency: dict[str, list[Transaction]] = {}
        for tx in counted:
            by_currency.setdefault(tx.currency, []).append(tx)
        totals = tuple(
            TransactionTotals(currency, len(txs), sum(t.amount_cents for t in txs))
            for currency, txs in sorted(by_currency.items())
        )
        return ReconciliationResponse(
            Response.success(), body.reconciliation_type, str(period), totals
        )

    def _refused(self, body: Body, condition: ErrorCondition, why: str) -> ResponseBody | None:
        """The Failure answer of `body`'s kind; nothing for a request without an answer."""
        response = Response.failure(condition, why)
        if isinstance(body, LoginRequest):
            return LoginResponse(response)
        if isinstance(body, PaymentRequest):
            return PaymentResponse(response, body.sale_transaction)
        if isinstance(body, TransactionStatusRequest):
            return TransactionStatusResponse(response, body.reference)
        if isinstance(body, ReversalRequest):
            return ReversalResponse(response)
        if isinstance(body, ReconciliationRequest):
            return ReconciliationResponse(response, body.reconciliation_type)
        return None


def _payment_response(tx: Transaction) -> PaymentResponse:
    assert tx.response is not None
    return PaymentResponse(
        response=tx.response,
        sale_transaction=tx.sale_transaction,
        poi_transaction=tx.poi_transaction,
        authorized_cents=tx.amount_cents if tx.approved else None,
        currency=tx.currency,
        masked_pan=tx.masked_pan,
        payment_brand=tx.payment_brand,
    )


def _now() -> datetime:
    return datetime.now(UTC)


async def _wait_unless_aborted(seconds: float, abort: asyncio.Event) -> None:
    try:
        await asyncio.wait_for(abort.wait(), seconds)
    except TimeoutError:
        return
    raise _Aborted
