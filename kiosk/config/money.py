"""The kiosk's money settings: what printing and copying cost, the fees a kiosk takes, who is
paid (named with the business ID and VAT on the receipt), and when the day's payments are
reconciled. Part of kiosk.config.settings, which imports them; the checks import the payment
modules only when a value is read."""

from __future__ import annotations

from typing import Any

from kiosk.config.rules import frozen_settings, key


def _is_euros(text: str) -> bool:
    from kiosk.payments.prices import parse_euros

    try:
        parse_euros(text)
    except ValueError:
        return False
    return True


def _euros(default: str) -> Any:
    return key(default, check=_is_euros, text='an amount in euros written as text, like "0.20"')


def _is_business_id(text: str) -> bool:
    from kiosk.payments.payee import business_id_valid

    return not text or business_id_valid(text)


def _is_vat(text: str) -> bool:
    from kiosk.payments.payee import parse_vat

    try:
        parse_vat(text)
    except ValueError:
        return False
    return True


def _is_lengths(text: str) -> bool:
    from kiosk.payments.prices import parse_lengths

    try:
        parse_lengths(text)
    except ValueError:
        return False
    return True


#: Who is paid (printing, copying, a fee): named with the business ID on the receipt.
_PAYEE_NAME: dict[str, Any] = {"max_length": 80}
_BUSINESS_ID: dict[str, Any] = {
    "check": _is_business_id,
    "text": '"" or a Finnish business ID (Y-tunnus) with its check digit, like "1234567-1"',
}
_VAT: dict[str, Any] = {
    "check": _is_vat,
    "text": 'the VAT rate in per cent written as text, like "0", "14" or "25.5"',
}


@frozen_settings()
class PricesSettings:
    print_page: str = _euros("0.00")
    copy_page: str = _euros("0.00")
    free_pages: int = key(0, low=0, high=1000)
    #: The payee of printing and copying (and of a fee that names none), on the receipt.
    payee_name: str = key("", **_PAYEE_NAME)
    business_id: str = key("", **_BUSINESS_ID)
    vat_percent: str = key("0", **_VAT)


@frozen_settings()
class PaymentsSettings:
    reconcile_at: str = key(
        "21:00", r"([01]\d|2[0-3]):[0-5]\d", text='a time of day, "HH:MM" (Europe/Helsinki)'
    )


@frozen_settings()
class FeeSettings:
    name_fi: str = key("", max_length=80)
    name_sv: str = key("", max_length=80)
    name_en: str = key("", max_length=80)
    amount: str = _euros("")
    reference: str = key("", max_length=40)
    payee_name: str = key("", **_PAYEE_NAME)
    business_id: str = key("", **_BUSINESS_ID)
    vat_percent: str = key("0", **_VAT)
    #: A reference the citizen types before paying (a library card number): its label in each
    #: language ("" = not asked), its length ("10" or "8-14") and whether it is digits only.
    ask_reference_fi: str = key("", max_length=60)
    ask_reference_sv: str = key("", max_length=60)
    ask_reference_en: str = key("", max_length=60)
    ask_reference_length: str = key(
        "1-40", check=_is_lengths, text='a length like "10", or a range like "8-14" (1 to 40)'
    )
    ask_reference_digits_only: bool = key(True)
