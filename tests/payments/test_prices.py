"""Prices are cents from euro text, never floats; the free quota is used before paying."""

from __future__ import annotations

import pytest

from kiosk.payments.prices import Fee, PagePrice, format_euros, parse_euros


@pytest.mark.parametrize(
    ("text", "cents"), [("0.20", 20), ("2,40", 240), ("3", 300), (" 12.05 ", 1205)]
)
def test_euro_text_becomes_cents(text: str, cents: int) -> None:
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["0.2", "-1.00", "1e3", "abc", "", "0.205", "1.000,00"])
def test_anything_else_is_refused_with_the_form_to_use(text: str) -> None:
    with pytest.raises(ValueError, match=r'write it like "0\.20"'):
        parse_euros(text)


def test_amounts_read_as_each_language_writes_them() -> None:
    assert format_euros(240, "fi") == "2,40\N{NO-BREAK SPACE}€"
    assert format_euros(5, "sv") == "0,05\N{NO-BREAK SPACE}€"
    assert format_euros(1200, "en") == "€12.00"


def test_free_pages_come_first_then_each_page_costs() -> None:
    price = PagePrice(cents_per_page=20, free_pages=5)
    assert price.price(3) == 0
    assert price.price(7) == 40
    assert price.price(4, already_used=3) == 40
    assert price.price(2, already_used=9) == 40
    assert PagePrice(cents_per_page=0).price(100) == 0


def test_a_fee_is_named_in_the_language_or_in_finnish() -> None:
    fee = Fee("lost-card", {"fi": "Kadonnut kortti", "en": "Lost card"}, 300)
    assert fee.name("en") == "Lost card"
    assert fee.name("sv") == "Kadonnut kortti"
