"""A receipt names the payee with its business ID and the VAT the amount includes, and every
row says what it is; the config refuses a business ID whose check digit is wrong."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from stdnum.fi import ytunnus

from kiosk.config import Config, ConfigError
from kiosk.i18n import Catalogue
from kiosk.payments.payee import Payee, business_id_valid, format_vat_rate, parse_vat, vat_included
from kiosk.payments.receipt import Receipt
from kiosk.payments.tariff import configured_fees, print_payee

PAID = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)


def receipt(payee: Payee, amount: int = 300) -> Receipt:
    return Receipt(
        kiosk_name="Kiosk 1",
        location="Main library",
        paid_at=PAID,
        what="Lost library card",
        amount_cents=amount,
        card_last4="1234",
        sale_reference="k1-20260302-abc",
        payee=payee,
    )


@pytest.mark.parametrize("text", ["0201256-6", "1234567-1", "0737546-2", "1572860-0"])
def test_a_valid_business_id_is_accepted(text: str) -> None:
    assert business_id_valid(text) and ytunnus.is_valid(text)


@pytest.mark.parametrize("text", ["0201256-5", "1234567-2", "0201256", "201256-6", "0201256 6"])
def test_a_wrong_check_digit_or_form_is_refused(text: str) -> None:
    assert not business_id_valid(text)


def test_the_check_digit_agrees_with_python_stdnum_for_every_remainder() -> None:
    for number in range(1_000_000, 1_000_200):
        digits = f"{number:07d}"
        for check in range(10):
            text = f"{digits}-{check}"
            assert business_id_valid(text) == ytunnus.is_valid(text), text


def test_vat_rates_and_the_share_a_price_includes() -> None:
    assert parse_vat("0") == 0
    assert parse_vat("25.5") == 2550 and parse_vat("25,5") == 2550
    assert parse_vat("14") == 1400
    assert format_vat_rate(2550, "fi") == "25,5" and format_vat_rate(2550, "en") == "25.5"
    assert format_vat_rate(0, "sv") == "0"
    # 3.00 € with 25.5 % VAT included: 300 × 25.5 / 125.5 = 60.96 → 61 cents.
    assert vat_included(300, 2550) == 61
    assert vat_included(300, 0) == 0
    assert vat_included(20, 1400) == 2  # 2.46 → 2


def test_every_row_of_a_receipt_has_a_label_in_every_language() -> None:
    catalogue = Catalogue()
    for language in ("fi", "sv", "en"):

        def t(message: str, language: str = language) -> str:
            return catalogue.gettext(language, message)

        rows = receipt(Payee("City Library", "0201256-6")).lines(t, language)
        assert all(label.strip() for label, _ in rows), rows
        # Its text for the phone has no bare value either.
        text = receipt(Payee()).text(t, language)
        assert all(": " in line for line in text.splitlines()[1:]), text


def test_a_receipt_names_the_payee_its_business_id_and_the_vat() -> None:
    catalogue = Catalogue()
    for language, vat0, place in (
        ("en", "VAT 0 %", "Place"),
        ("fi", "ALV 0 %", "Paikka"),
        ("sv", "Moms 0 %", "Plats"),
    ):

        def t(message: str, language: str = language) -> str:
            return catalogue.gettext(language, message)

        rows = dict(receipt(Payee("City Library", "0201256-6")).lines(t, language))
        assert rows[place] == "Kiosk 1, Main library"
        assert vat0 in rows, rows
        assert "City Library" in rows.values() and "0201256-6" in rows.values()

    rows = dict(receipt(Payee("City Library", "0201256-6", 2550)).lines(lambda m: m, "en"))
    assert rows["VAT 25.5 %"] == "€0.61"
    assert rows["Payee"] == "City Library" and rows["Business ID"] == "0201256-6"


def test_the_config_gives_each_fee_and_printing_a_payee(make_config: Callable[..., Config]) -> None:
    config = make_config(
        """
[prices]
payee_name = "City Library"
business_id = "0201256-6"
[fees.lost-card]
name_fi = "Kadonnut kortti"
amount = "3.00"
[fees.parking]
name_fi = "Pysäköinti"
amount = "2.00"
payee_name = "Parking Ltd"
business_id = "1234567-1"
vat_percent = "25.5"
ask_reference_fi = "Kirjastokortin numero"
ask_reference_length = "10"
"""
    )
    assert print_payee(config) == Payee("City Library", "0201256-6", 0)
    lost, parking = configured_fees(config)
    assert lost.payee == Payee("City Library", "0201256-6", 0)
    assert lost.ask_reference is None
    assert parking.payee == Payee("Parking Ltd", "1234567-1", 2550)
    assert parking.ask_reference is not None
    assert (parking.ask_reference.low, parking.ask_reference.high) == (10, 10)


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ('business_id = "0201256-5"', "fees.lost-card.business_id"),
        ('vat_percent = "25 %"', "fees.lost-card.vat_percent"),
        ('ask_reference_length = "14-8"', "fees.lost-card.ask_reference_length"),
    ],
)
def test_the_config_refuses_a_wrong_payee_key_naming_it(
    make_config: Callable[..., Config], line: str, named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        make_config(f'[fees.lost-card]\nname_fi = "Kortti"\namount = "3.00"\n{line}\n')
