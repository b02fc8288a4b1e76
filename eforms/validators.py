"""Checks of what a citizen types into a form, with messages that say what to fix.

Each check takes the text as typed and returns `Checked`: the value in its standard form
(spaces taken out, letters upper-cased...) or the message id (eforms.N_) of what is wrong.
Digits are ASCII digits (re.ASCII): a pattern's \\d would also take other scripts' digits
(٠٠١٠٠), which int() and date() read as numbers too.

Well-kept libraries do the real work: python-stdnum (Finnish identity code with every century
sign, IBAN), phonenumbers (phone numbers, Finnish by default) and email-validator (syntax only:
the kiosk never asks DNS whether a mailbox exists). A value is never logged here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from eforms import N_

REQUIRED = N_("Please fill in this field.")
HETU_FORMAT = N_(
    "An identity code looks like 131052-308T: date of birth, a sign, 3 digits, a check sign."
)
HETU_DATE = N_("The date of birth in this identity code does not exist.")
HETU_CHECKSUM = N_(
    "The check character does not match: please check each character of the identity code."
)
IBAN_FORMAT = N_("An account number (IBAN) looks like FI21 1234 5600 0007 85.")
IBAN_CHECKSUM = N_("This account number has a typing error: please check it.")
POSTAL_CODE = N_("A Finnish postal code has five digits, like 00100.")
PHONE = N_("Please give a phone number, like 040 123 4567 or +358 40 123 4567.")
EMAIL = N_("Please give an e-mail address, like name@example.fi.")
NUMBER = N_("Please give a number.")
DATE = N_("Please give a date, like 24.12.2026.")
#: A value typed twice (an e-mail address) that differs the second time.
NOT_THE_SAME = N_("This is not the same as the address above. Please check both.")
#: Files chosen to send together that are more than may be sent at once.
TOO_LARGE = N_("These are too large to send together. Please choose fewer.")


@dataclass(frozen=True)
class Checked:
    """The value in standard form, or what is wrong with it (a message id)."""

    value: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _fail(message: str) -> Checked:
    return Checked(error=message)


def identity_code(text: str) -> Checked:
    """A Finnish personal identity code (henkilötunnus), any century sign (+ - Y X W V U
    A B C D E F), temporary codes (individual number 900-999) included."""
    from stdnum import exceptions
    from stdnum.fi import hetu

    value = text.strip().upper()
    if not re.fullmatch(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Z]", value, re.ASCII):
        return _fail(HETU_FORMAT)
    try:
        return Checked(hetu.validate(value, allow_temporary=True))
    except exceptions.InvalidChecksum:
        return _fail(HETU_CHECKSUM)
    except exceptions.InvalidComponent:
        return _fail(HETU_DATE)
    except exceptions.ValidationError:
        return _fail(HETU_FORMAT)


def iban(text: str) -> Checked:
    """An IBAN of any country, shown in groups of four as it is printed on cards and bills."""
    from stdnum import exceptions
    from stdnum import iban as stdnum_iban

    compact = re.sub(r"\s+", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact, re.ASCII):
        return _fail(IBAN_FORMAT)
    try:
        stdnum_iban.validate(compact)
    except exceptions.InvalidChecksum:
        return _fail(IBAN_CHECKSUM)
    except exceptions.ValidationError:
        return _fail(IBAN_FORMAT)
    return Checked(stdnum_iban.format(compact))


def postal_code(text: str) -> Checked:
    """A Finnish postal code: five digits."""
    value = text.strip()
    return Checked(value) if re.fullmatch(r"\d{5}", value, re.ASCII) else _fail(POSTAL_CODE)


def phone(text: str) -> Checked:
    """A phone number, Finnish unless it starts with a country code; given back as +358..."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "FI")
    except phonenumbers.NumberParseException:
        return _fail(PHONE)
    if not phonenumbers.is_valid_number(number):
        return _fail(PHONE)
    return Checked(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def email(text: str) -> Checked:
    """An e-mail address, by its syntax (no DNS look-up from a kiosk)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        found = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        return _fail(EMAIL)
    return Checked(found.normalized)


def number(text: str) -> Checked:
    """A whole or decimal number, with a comma or a point."""
    value = text.strip().replace(",", ".").replace(" ", "")
    return Checked(value) if re.fullmatch(r"-?\d+(\.\d+)?", value, re.ASCII) else _fail(NUMBER)


def day(text: str) -> Checked:
    """A date as Finns write it (24.12.2026, the year in full) or ISO (2026-12-24); given back
    as ISO."""
    value = text.strip()
    found = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value, re.ASCII)
    try:
        if found:
            return Checked(date(int(found[3]), int(found[2]), int(found[1])).isoformat())
        return Checked(date.fromisoformat(value).isoformat())
    except ValueError:
        return _fail(DATE)


#: The checks by the name a form definition gives a field's format.
CHECKS: dict[str, Callable[[str], Checked]] = {
    "fi-hetu": identity_code,
    "iban": iban,
    "fi-postal-code": postal_code,
    "phone": phone,
    "email": email,
    "number": number,
    "date": day,
}


def check(kind: str, text: str, *, required: bool = False) -> Checked:
    """Check `text` as a `kind` field; an empty optional field is fine."""
    if not text.strip():
        return _fail(REQUIRED) if required else Checked("")
    if kind not in CHECKS:
        raise KeyError(f"no check for fields of format {kind!r}; known: {', '.join(CHECKS)}")
    return CHECKS[kind](text)
