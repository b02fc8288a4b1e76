"""Prices in cents, from euro amounts written as text ("0.20"), never through floats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config import Config

_EUROS = re.compile(r"(?P<euros>\d{1,5})(?:[.,](?P<cents>\d{2}))?")


def parse_euros(text: str) -> int:
    """ "2.40" or "2,40" or "3" → cents. Raises ValueError naming the accepted form."""
    match = _EUROS.fullmatch(text.strip())
    if match is None:
        raise ValueError(f'{text!r} is not an amount in euros: write it like "0.20" or "3"')
    return int(match["euros"]) * 100 + int(match["cents"] or 0)


def format_euros(cents: int, language: str) -> str:
    """How the citizen reads an amount: "2,40 €" in Finnish and Swedish, "€2.40" in English."""
    if cents < 0:
        raise ValueError("an amount to show is never negative")
    euros, rest = divmod(cents, 100)
    if language == "en":
        return f"€{euros}.{rest:02d}"
    return f"{euros},{rest:02d}\N{NO-BREAK SPACE}€"


@dataclass(frozen=True)
class PagePrice:
    """What a printed or copied page costs, with the pages a session gets free."""

    cents_per_page: int
    free_pages: int = 0

    def __post_init__(self) -> None:
        if self.cents_per_page < 0 or self.free_pages < 0:
            raise ValueError("a page price and a free quota are never negative")

    def price(self, pages: int, *, already_used: int = 0) -> int:
        """Cents for `pages` more pages when the session has had `already_used` before."""
        if pages < 0 or already_used < 0:
            raise ValueError("pages are counted from zero")
        free_left = max(0, self.free_pages - already_used)
        return max(0, pages - free_left) * self.cents_per_page


@dataclass(frozen=True)
class Fee:
    """A fixed fee a citizen may pay at the kiosk, named in each language."""

    id: str
    names: dict[str, str]
    cents: int
    #: The payee's reference for the fee (shown on the receipt), not personal.
    reference: str = ""

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("fi") or self.id


def page_price(config: Config, purpose: str) -> PagePrice:
    """The configured price of a page for "print" or "copy"."""
    prices = config.prices
    text = {"print": prices.print_page, "copy": prices.copy_page}.get(purpose)
    if text is None:
        raise ValueError(f"pages are priced for print or copy, not {purpose!r}")
    return PagePrice(parse_euros(text), prices.free_pages)


def configured_fees(config: Config) -> list[Fee]:
    """The fees of [fees.<id>], in the file's order."""
    return [
        Fee(
            fee_id,
            {
                lang: name
                for lang, name in (("fi", s.name_fi), ("sv", s.name_sv), ("en", s.name_en))
                if name
            },
            parse_euros(s.amount),
            s.reference,
        )
        for fee_id, s in config.fees.items()
    ]
