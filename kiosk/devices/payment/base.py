"""The payment terminal interface, shaped after nexo Retailer (Sale-to-POI).

Calls are coroutines on the engine loop (the protocol is HTTP). Amounts are integer cents in
EUR; a card number is never seen in full, only its last four digits.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from enum import StrEnum

from kiosk.devices.base import Device
from kiosk.devices.status import DeviceClass


class PaymentOutcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    #: No answer in time: the result must be asked later with transaction_status().
    UNKNOWN = "unknown"
    FAILED = "failed"


@dataclass(frozen=True)
class PaymentRequest:
    sale_reference: str
    amount_cents: int
    currency: str = "EUR"


@dataclass(frozen=True)
class PaymentResult:
    sale_reference: str
    outcome: PaymentOutcome
    amount_cents: int
    #: Last four digits of the card, or None.
    card_last4: str | None = None
    terminal_reference: str | None = None
    #: Message id for the citizen ("declined", "cancelled_by_customer", ...).
    reason: str | None = None


@dataclass(frozen=True)
class ReconciliationTotals:
    """What the terminal counted since the previous reconciliation: approved payments that were
    not reversed. Reconciling starts a new period."""

    count: int
    total_cents: int
    currency: str = "EUR"


class TerminalUnavailableError(ConnectionError):
    """The terminal could not tell (unreachable, out of order, or no usable answer): its record
    is unknown, not absent."""


class PaymentTerminal(Device):
    device_class = DeviceClass.PAYMENT

    @abstractmethod
    async def pay(self, request: PaymentRequest) -> PaymentResult:
        """Take a payment. Emits PaymentDisplay events while the terminal talks to the citizen."""

    @abstractmethod
    async def abort(self, sale_reference: str) -> None:
        """Ask the terminal to stop the payment in progress."""

    @abstractmethod
    async def transaction_status(self, sale_reference: str) -> PaymentResult | None:
        """The terminal's own record of a payment, after a lost answer; None if it has none.

        Raises (TerminalUnavailableError) when the terminal cannot be reached: "no answer" must
        never read as "no payment".
        """

    @abstractmethod
    async def reverse(self, result: PaymentResult, reason: str) -> bool:
        """Undo an approved payment; True when the terminal confirms the reversal."""

    @abstractmethod
    async def reconcile(self) -> ReconciliationTotals:
        """Close the terminal's period and return its totals (for the day's accounting).

        Raises TerminalUnavailableError when the terminal does not answer with its totals.
        """
