"""Prices in cents, from euro amounts written as text ("0.20"), never through floats."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kiosk.i18n import N_, NP_
from kiosk.payments.payee import Payee

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


#: What a reference the citizen types must be, when it is not (message id, values).
REFERENCE_MISSING = N_("Please fill this in to go on.")
DIGITS_EXACT = NP_("Type {n} digit, numbers 0–9 only.", "Type {n} digits, numbers 0–9 only.")
DIGITS_RANGE = N_("Type {low} to {high} digits, numbers 0–9 only.")
CHARS_EXACT = NP_("Type {n} letter or digit.", "Type {n} letters or digits.")
CHARS_RANGE = N_("Type {low} to {high} letters or digits.")
_LETTERS_DIGITS = re.compile(r"[A-Za-z0-9-]+")

_LENGTHS = re.compile(r"(?P<low>\d{1,2})(?:-(?P<high>\d{1,2}))?")
MAX_REFERENCE = 40


def parse_lengths(text: str) -> tuple[int, int]:
    """ "10" or "8-14" → (low, high), each 1..40. Raises ValueError."""
    match = _LENGTHS.fullmatch(text.strip())
    if match is None:
        raise ValueError(f'{text!r} is not a length: write it like "10" or "8-14"')
    low = int(match["low"])
    high = int(match["high"] or low)
    if not 1 <= low <= high <= MAX_REFERENCE:
        raise ValueError(f"lengths are from 1 to {MAX_REFERENCE}, the smaller first")
    return low, high


@dataclass(frozen=True)
class ReferenceRule:
    """A reference the citizen types before paying a fee (a library card number, say): its
    label in each language and what it must look like. It is personal: it goes on the receipt
    the citizen takes, and nowhere that outlives the session."""

    labels: dict[str, str]
    low: int = 1
    high: int = MAX_REFERENCE
    digits_only: bool = True

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("fi") or ""

    @staticmethod
    def clean(text: str) -> str:
        """What was typed, without the spaces people put in long numbers."""
        return "".join(text.split())

    def problem(self, text: str) -> tuple[str | tuple[str, str], dict[str, int]] | None:
        """None when `text` will do; else the message (an N_ id, or an NP_ pair with its
        count in "n") and the values to format it with."""
        value = self.clean(text)
        if not value:
            return REFERENCE_MISSING, {}
        fits = self.low <= len(value) <= self.high
        if self.digits_only:
            fits = fits and value.isascii() and value.isdigit()
        else:
            fits = fits and _LETTERS_DIGITS.fullmatch(value) is not None
        if fits:
            return None
        if self.low == self.high:
            return (DIGITS_EXACT if self.digits_only else CHARS_EXACT), {"n": self.low}
        return (DIGITS_RANGE if self.digits_only else CHARS_RANGE), {
            "low": self.low,
            "high": self.high,
        }


@dataclass(frozen=True)
class Fee:
    """A fixed fee a citizen may pay at the kiosk, named in each language."""

    id: str
    names: dict[str, str]
    cents: int
    #: The payee's reference for the fee (shown on the receipt), not personal.
    reference: str = ""
    payee: Payee = field(default_factory=Payee)
    #: A reference the citizen must type before paying, if the fee asks for one.
    ask_reference: ReferenceRule | None = None

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("fi") or self.id
