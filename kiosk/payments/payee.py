"""Who is paid, and the VAT a price includes: the Finnish business ID (Y-tunnus) and its check
digit, VAT rates written as text ("25.5"), and the VAT share of a price, all in whole cents.

Stdlib only: the config's checks use it before the first window is painted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BUSINESS_ID = re.compile(r"(\d{7})-(\d)")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_VAT = re.compile(r"(?P<whole>\d{1,2})(?:[.,](?P<part>\d{1,2}))?")


def business_id_valid(text: str) -> bool:
    """A Finnish business ID, "1234567-1", whose check digit is right."""
    match = _BUSINESS_ID.fullmatch(text)
    if match is None:
        return False
    rest = sum(int(d) * w for d, w in zip(match[1], _WEIGHTS, strict=True)) % 11
    if rest == 1:
        return False  # no ID is ever given this remainder
    return int(match[2]) == (0 if rest == 0 else 11 - rest)


def parse_vat(text: str) -> int:
    """ "25.5" (or "25,5", "0", "14") per cent → basis points (2550). Raises ValueError."""
    match = _VAT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f'{text!r} is not a VAT rate: write it like "0", "14" or "25.5"')
    part = (match["part"] or "").ljust(2, "0")
    return int(match["whole"]) * 100 + int(part)


def format_vat_rate(basis_points: int, language: str) -> str:
    """2550 → "25,5" in Finnish and Swedish, "25.5" in English; 0 → "0"."""
    whole, part = divmod(basis_points, 100)
    if not part:
        return str(whole)
    decimals = f"{part:02d}".rstrip("0")
    return f"{whole}{'.' if language == 'en' else ','}{decimals}"


def vat_included(amount_cents: int, basis_points: int) -> int:
    """The VAT share of a price that includes VAT at `basis_points`, rounded half up."""
    if amount_cents < 0 or basis_points < 0:
        raise ValueError("amounts and rates are never negative")
    whole = 10_000 + basis_points
    return (2 * amount_cents * basis_points + whole) // (2 * whole)


@dataclass(frozen=True)
class Payee:
    """Who receives a payment (named on the receipt) and the VAT its price includes."""

    name: str = ""
    business_id: str = ""
    vat_basis_points: int = 0

    def __post_init__(self) -> None:
        if self.business_id and not business_id_valid(self.business_id):
            raise ValueError(f"{self.business_id!r} is not a valid Finnish business ID")
        if not 0 <= self.vat_basis_points < 10_000:
            raise ValueError("a VAT rate is from 0 to 99.99 per cent")
