"""What this kiosk charges, as its config says: the price of a printed or copied page, who is
paid for them, and the fees a citizen may pay ([prices] and [fees.<id>] of kiosk.toml)."""

from __future__ import annotations

from kiosk.config import Config
from kiosk.payments.payee import Payee, parse_vat
from kiosk.payments.prices import Fee, PagePrice, ReferenceRule, parse_euros, parse_lengths


def page_price(config: Config, purpose: str) -> PagePrice:
    """The configured price of a page for "print" or "copy"."""
    prices = config.prices
    text = {"print": prices.print_page, "copy": prices.copy_page}.get(purpose)
    if text is None:
        raise ValueError(f"pages are priced for print or copy, not {purpose!r}")
    return PagePrice(parse_euros(text), prices.free_pages)


def print_payee(config: Config) -> Payee:
    """Who is paid for printing and copying, and the VAT in their price ([prices])."""
    prices = config.prices
    return Payee(prices.payee_name, prices.business_id, parse_vat(prices.vat_percent))


def configured_fees(config: Config) -> list[Fee]:
    """The fees of [fees.<id>], in the file's order. A fee names its own payee, or has the
    one of printing ([prices])."""
    default = print_payee(config)
    fees = []
    for fee_id, s in config.fees.items():
        asked = {
            lang: label
            for lang, label in (
                ("fi", s.ask_reference_fi),
                ("sv", s.ask_reference_sv),
                ("en", s.ask_reference_en),
            )
            if label
        }
        rule = None
        if asked:
            low, high = parse_lengths(s.ask_reference_length)
            rule = ReferenceRule(asked, low, high, s.ask_reference_digits_only)
        payee = Payee(
            s.payee_name or default.name,
            s.business_id or (default.business_id if not s.payee_name else ""),
            parse_vat(s.vat_percent),
        )
        names = {
            lang: name
            for lang, name in (("fi", s.name_fi), ("sv", s.name_sv), ("en", s.name_en))
            if name
        }
        fees.append(Fee(fee_id, names, parse_euros(s.amount), s.reference, payee, rule))
    return fees
