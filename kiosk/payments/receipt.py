"""A payment's receipt: what was paid, when, where and how much, for the screen, a QR code and
paper. It names the card by its last four digits only, and never the citizen."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.i18n import N_
from kiosk.payments.payee import Payee, format_vat_rate, vat_included
from kiosk.payments.prices import format_euros

HELSINKI = ZoneInfo("Europe/Helsinki")

RECEIPT = N_("Receipt")
PLACE = N_("Place")
PAYEE = N_("Payee")
BUSINESS_ID = N_("Business ID")
VAT = N_("VAT {rate} %")
PAID_AT = N_("Paid")
FOR = N_("For")
AMOUNT = N_("Amount")
CARD = N_("Card")
SALE = N_("Receipt number")
PAYEE_REFERENCE = N_("Reference")


@dataclass(frozen=True)
class Receipt:
    kiosk_name: str
    location: str
    paid_at: datetime
    #: What was paid for, already in the citizen's language ("Printing, 2 pages").
    what: str
    amount_cents: int
    card_last4: str | None
    sale_reference: str
    #: The payee's own reference of a fee, if it has one.
    payee_reference: str = ""
    #: Who was paid, their business ID, and the VAT the amount includes.
    payee: Payee = field(default_factory=Payee)
    #: A reference the citizen typed (a library card number), with its label in the
    #: citizen's language, or None. Personal: it is on the receipt and in no journal.
    customer_reference: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.paid_at.tzinfo is None:
            raise ValueError("a receipt's time needs a time zone")
        if self.card_last4 is not None and not (
            len(self.card_last4) == 4 and self.card_last4.isdigit()
        ):
            raise ValueError("a receipt shows only the last four digits of a card")

    def title(self, t: Callable[[str], str]) -> str:
        return t(RECEIPT)

    def lines(self, t: Callable[[str], str], language: str) -> list[tuple[str, str]]:
        """(label, value) rows in the citizen's language, in the order they are printed."""
        local = self.paid_at.astimezone(HELSINKI)
        payee = self.payee
        rows = [
            (t(PLACE), f"{self.kiosk_name}, {self.location}"),
            (t(PAID_AT), local.strftime("%d.%m.%Y %H:%M")),
            (t(FOR), self.what),
        ]
        if self.customer_reference is not None:
            rows.append(self.customer_reference)
        rows.append((t(AMOUNT), format_euros(self.amount_cents, language)))
        vat = vat_included(self.amount_cents, payee.vat_basis_points)
        rate = format_vat_rate(payee.vat_basis_points, language)
        rows.append((t(VAT).format(rate=rate), format_euros(vat, language)))
        if payee.name:
            rows.append((t(PAYEE), payee.name))
        if payee.business_id:
            rows.append((t(BUSINESS_ID), payee.business_id))
        if self.card_last4:
            rows.append((t(CARD), f"•••• {self.card_last4}"))
        if self.payee_reference:
            rows.append((t(PAYEE_REFERENCE), self.payee_reference))
        rows.append((t(SALE), self.sale_reference))
        return rows

    def text(self, t: Callable[[str], str], language: str) -> str:
        """The receipt as plain text: what the QR code carries, for a phone to keep."""
        body = [f"{label}: {value}" for label, value in self.lines(t, language)]
        return "\n".join([self.title(t), *body])


def qr_modules(text: str) -> list[list[bool]]:
    """The dark (True) and light modules of a QR code for `text`, quiet zone not included."""
    return [list(row) for row in _qr_matrix(text)]


@functools.lru_cache(maxsize=4)
def _qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    # Encoding is pure Python and takes milliseconds; a receipt's code is drawn more than once
    # (sized, then drawn; on screen and on paper).
    import segno

    code = segno.make(text, error="m", micro=False)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)
