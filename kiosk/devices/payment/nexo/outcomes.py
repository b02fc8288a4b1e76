"""What a nexo PaymentResponse means for the kiosk: the outcome and the reason the citizen is told.

Reasons are message ids shared with the simulated terminal ("declined", "cancelled_by_customer",
"aborted", "terminal_offline", "busy", ...), so the screens need not know which backend ran.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import replace

from kiosk.devices.payment.base import PaymentOutcome, PaymentResult, ReconciliationTotals
from kiosk.devices.payment.nexo.messages import (
    ErrorCondition,
    PaymentResponse,
    Result,
    TransactionTotals,
)

log = logging.getLogger(__name__)

#: Failure conditions of a payment -> (outcome, reason).
FAILURES: dict[ErrorCondition, tuple[PaymentOutcome, str]] = {
    ErrorCondition.REFUSAL: (PaymentOutcome.DECLINED, "declined"),
    ErrorCondition.WRONG_PIN: (PaymentOutcome.DECLINED, "wrong_pin"),
    ErrorCondition.PAYMENT_RESTRICTION: (PaymentOutcome.DECLINED, "card_not_accepted"),
    ErrorCondition.INSERTED_CARD: (PaymentOutcome.DECLINED, "card_unreadable"),
    ErrorCondition.CANCEL: (PaymentOutcome.CANCELLED, "cancelled_by_customer"),
    ErrorCondition.ABORTED: (PaymentOutcome.CANCELLED, "aborted"),
    ErrorCondition.BUSY: (PaymentOutcome.FAILED, "busy"),
    ErrorCondition.LOGGED_OUT: (PaymentOutcome.FAILED, "terminal_offline"),
    ErrorCondition.DEVICE_OUT: (PaymentOutcome.FAILED, "terminal_offline"),
    ErrorCondition.UNAVAILABLE_DEVICE: (PaymentOutcome.FAILED, "terminal_offline"),
    ErrorCondition.UNAVAILABLE_SERVICE: (PaymentOutcome.FAILED, "terminal_offline"),
    ErrorCondition.UNREACHABLE_HOST: (PaymentOutcome.FAILED, "terminal_offline"),
    ErrorCondition.IN_PROGRESS: (PaymentOutcome.UNKNOWN, "in_progress"),
}
#: Any other failure: the terminal refused the request itself (format, not allowed, ...).
OTHER_FAILURE = (PaymentOutcome.FAILED, "terminal_error")


def payment_service_id(sale_reference: str) -> str:
    """The ServiceID of the PaymentRequest for a sale, made from the sale reference alone.

    nexo finds a payment again (TransactionStatus, Abort) only by its ServiceID, at most ten
    characters. Deriving it means the kiosk can still ask after a restart, and the terminal
    refuses a second PaymentRequest for a sale it already approved. 50 bits of SHA-256 make a
    clash between two sale references practically impossible.
    """
    digest = hashlib.sha256(sale_reference.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii")[:10]


def payment_result(
    sale_reference: str, requested_cents: int, response: PaymentResponse
) -> PaymentResult:
    outcome = response.response
    if outcome.result is not Result.FAILURE:
        poi = response.poi_transaction
        return PaymentResult(
            sale_reference=sale_reference,
            outcome=PaymentOutcome.APPROVED,
            amount_cents=response.authorized_cents
            if response.authorized_cents is not None
            else requested_cents,
            card_last4=response.card_last4,
            terminal_reference=poi.transaction_id if poi else None,
            # A partial approval is never asked for; the caller must see it if one comes.
            reason="partial_approval" if outcome.result is Result.PARTIAL else None,
        )
    condition = outcome.error_condition
    kind, reason = FAILURES.get(condition, OTHER_FAILURE) if condition else OTHER_FAILURE
    return PaymentResult(sale_reference, kind, requested_cents, reason=reason)


def failed(sale_reference: str, cents: int, reason: str) -> PaymentResult:
    return PaymentResult(sale_reference, PaymentOutcome.FAILED, cents, reason=reason)


def status_result(
    sale_reference: str, requested_cents: int, payment: PaymentResponse, reversed_: bool
) -> PaymentResult:
    """The payment a TransactionStatusResponse repeats; a reversed one has reason "reversed"."""
    result = payment_result(sale_reference, requested_cents, payment)
    if reversed_ and result.outcome is PaymentOutcome.APPROVED:
        return replace(result, reason="reversed")
    return result


def euro_totals(totals: Iterable[TransactionTotals]) -> ReconciliationTotals:
    """The kiosk's totals from a ReconciliationResponse: its card debits in euros."""
    debits = [t for t in totals if t.transaction_type == "Debit"]
    others = sorted({t.currency for t in debits if t.currency != "EUR"})
    if others:
        log.warning("terminal has totals in other currencies: %s", ", ".join(others))
    euro = [t for t in debits if t.currency == "EUR"]
    return ReconciliationTotals(
        count=sum(t.count for t in euro), total_cents=sum(t.amount_cents for t in euro)
    )
