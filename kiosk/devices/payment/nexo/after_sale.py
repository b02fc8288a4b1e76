"""After a payment: what the nexo backend remembers of its recent sales, and what it asks the
terminal about them.

A Payment whose answer was lost is settled with TransactionStatus, asked again with backoff
while the terminal says InProgress. An approved payment is undone with a Reversal, which names
the POI's transaction (its id and time): remembered from the payment's answer, or read from the
terminal's record when the kiosk does not have it. All of it runs on the device loop, over the
terminal session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from kiosk.devices.payment.base import PaymentOutcome, PaymentResult, TerminalUnavailableError
from kiosk.devices.payment.nexo.client import AnswerLost, RequestRefused, TerminalNotReached
from kiosk.devices.payment.nexo.messages import (
    ErrorCondition,
    MessageCategory,
    MessageReference,
    PaymentResponse,
    ReversalReason,
    ReversalRequest,
    ReversalResponse,
    TransactionIdentification,
    TransactionStatusRequest,
    TransactionStatusResponse,
)
from kiosk.devices.payment.nexo.outcomes import payment_result, payment_service_id, status_result
from kiosk.devices.payment.nexo.session import TerminalSession

log = logging.getLogger(__name__)

#: TransactionStatus while the terminal says InProgress: first pause, longest pause (seconds).
STATUS_FIRST_PAUSE = 0.5
STATUS_LONGEST_PAUSE = 5.0
#: Payments whose amount and POI time are remembered for status and reversal.
REMEMBERED = 500


class AfterSale:
    """The recent sales of one terminal and the requests that follow a payment up.

    `started` gives the terminal session, or raises when the backend is not started.
    """

    def __init__(
        self,
        started: Callable[[], TerminalSession],
        *,
        device_id: str,
        sale_id: str,
        poi_id: str,
        payment_timeout: float,
        request_timeout: float,
    ) -> None:
        self._started = started
        self._device_id = device_id
        self._sale_id = sale_id
        self._poi_id = poi_id
        self._payment_timeout = payment_timeout
        self._request_timeout = request_timeout
        #: sale reference -> (amount, POITransactionID with its time), newest last.
        self._known: dict[str, tuple[int, TransactionIdentification | None]] = {}

    def reference(self, sale_reference: str) -> MessageReference:
        """The reference of a sale's Payment, for Abort and TransactionStatus."""
        return MessageReference(
            MessageCategory.PAYMENT, payment_service_id(sale_reference), self._sale_id, self._poi_id
        )

    def remember(self, ref: str, cents: int, poi: TransactionIdentification | None) -> None:
        self._known.pop(ref, None)
        self._known[ref] = (cents, poi)
        while len(self._known) > REMEMBERED:
            del self._known[next(iter(self._known))]

    def result(self, sale_reference: str, cents: int, response: PaymentResponse) -> PaymentResult:
        """The result of a Payment the terminal answered."""
        if response.sale_transaction.transaction_id != sale_reference:
            log.error(
                "terminal answered for another sale", extra={"sale_reference": sale_reference}
            )
            return PaymentResult(sale_reference, PaymentOutcome.UNKNOWN, cents, reason="no_answer")
        if response.poi_transaction is not None:
            self.remember(sale_reference, cents, response.poi_transaction)
        return payment_result(sale_reference, cents, response)

    async def transaction_status(self, sale_reference: str) -> PaymentResult | None:
        session = self._started()
        body = TransactionStatusRequest(self.reference(sale_reference))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._payment_timeout
        pause = STATUS_FIRST_PAUSE
        cents = self._known.get(sale_reference, (0, None))[0]
        while True:
            try:
                answer = await session.service(
                    body,
                    TransactionStatusResponse,
                    timeout=self._request_timeout,
                    sale_reference=sale_reference,
                )
            except (TerminalNotReached, AnswerLost, RequestRefused) as exc:
                raise TerminalUnavailableError(f"terminal did not answer: {exc}") from None
            response = answer.response
            if response.ok and answer.repeated_payment is not None:
                return self._status_result(sale_reference, cents, answer)
            condition = response.error_condition
            if condition is ErrorCondition.NOT_FOUND:
                return None
            if condition is not ErrorCondition.IN_PROGRESS:
                raise TerminalUnavailableError(f"terminal answered {condition or 'no record'}")
            if loop.time() + pause > deadline:
                return PaymentResult(
                    sale_reference, PaymentOutcome.UNKNOWN, cents, reason="in_progress"
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, STATUS_LONGEST_PAUSE)

    def _status_result(
        self, sale_reference: str, cents: int, answer: TransactionStatusResponse
    ) -> PaymentResult:
        payment = answer.repeated_payment
        assert payment is not None
        if payment.sale_transaction.transaction_id != sale_reference:
            raise TerminalUnavailableError("the terminal's record is of another sale")
        if payment.poi_transaction is not None:
            self.remember(sale_reference, cents, payment.poi_transaction)
        reversed_ = answer.response.details().get("reversed") == "true"
        return status_result(sale_reference, cents, payment, reversed_)

    async def reverse(self, result: PaymentResult, reason: str) -> bool:
        session = self._started()
        ref = result.sale_reference
        if result.outcome is not PaymentOutcome.APPROVED or not result.terminal_reference:
            return False
        original = self._known.get(ref, (0, None))[1]
        if original is None or original.transaction_id != result.terminal_reference:
            try:  # the POI's time of the payment is needed: ask the terminal's record
                await self.transaction_status(ref)
            except TerminalUnavailableError:
                return False
            original = self._known.get(ref, (0, None))[1]
            if original is None or original.transaction_id != result.terminal_reference:
                return False
        known = {r.value for r in ReversalReason}
        nexo_reason = ReversalReason(reason) if reason in known else ReversalReason.MALFUNCTION
        try:
            answer = await session.service(
                ReversalRequest(original, nexo_reason),
                ReversalResponse,
                timeout=self._request_timeout,
                sale_reference=ref,
            )
        except (TerminalNotReached, AnswerLost, RequestRefused):
            return False
        log.info(
            "reversal %s",
            "done" if answer.response.ok else "refused",
            extra={"device_id": self._device_id, "sale_reference": ref, "reason": reason},
        )
        return answer.response.ok
