"""Every form check with good and bad values: identity codes with each century sign and bad
check characters, IBANs, postal codes, phone numbers, e-mail addresses, numbers and dates."""

from __future__ import annotations

import pytest

from eforms import validators as v

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
CENTURY_SIGNS |= {sign: 2000 for sign in "ABCDEF"}


def hetu(ddmmyy: str, sign: str, individual: str) -> str:
    """An identity code with its check character, computed as DVV publishes it."""
    return f"{ddmmyy}{sign}{individual}{CHECK_CHARS[int(ddmmyy + individual) % 31]}"


def test_the_published_example_is_valid() -> None:
    assert v.identity_code("131052-308T") == v.Checked("131052-308T")
    assert v.identity_code(" 131052-308t ").value == "131052-308T"


@pytest.mark.parametrize("sign", sorted(CENTURY_SIGNS))
def test_every_century_sign_is_accepted(sign: str) -> None:
    code = hetu("290200" if CENTURY_SIGNS[sign] == 2000 else "010150", sign, "123")
    assert v.identity_code(code).ok, code


@pytest.mark.parametrize("sign", sorted(CENTURY_SIGNS))
def test_a_wrong_check_character_is_said_so(sign: str) -> None:
    code = hetu("010150", sign, "123")
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert v.identity_code(wrong).error == v.HETU_CHECKSUM


def test_a_date_that_does_not_exist_is_said_so() -> None:
    # 29 February 1900 was not a day; 2000 was a leap year.
    assert v.identity_code(hetu("290200", "-", "123")).error == v.HETU_DATE
    assert v.identity_code(hetu("290200", "A", "123")).ok
    assert v.identity_code(hetu("320150", "-", "123")).error == v.HETU_DATE


def test_temporary_identity_codes_are_accepted() -> None:
    assert v.identity_code(hetu("010150", "-", "901")).ok


@pytest.mark.parametrize(
    "text", ["", "131052308T", "131052-30T", "131052Z308T", "131052-308", "abcdef-ghij"]
)
def test_the_wrong_shape_says_how_an_identity_code_looks(text: str) -> None:
    assert v.identity_code(text).error == v.HETU_FORMAT


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("FI2112345600000785", "FI21 1234 5600 0007 85"),
        ("fi21 1234 5600 0007 85", "FI21 1234 5600 0007 85"),
        ("SE4550000000058398257466", "SE45 5000 0000 0583 9825 7466"),
        ("DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
    ],
)
def test_good_ibans_are_shown_in_groups_of_four(text: str, shown: str) -> None:
    assert v.iban(text) == v.Checked(shown)


def test_a_typing_error_in_an_iban_is_caught_by_its_check_digits() -> None:
    assert v.iban("FI21 1234 5600 0007 86").error == v.IBAN_CHECKSUM
    assert v.iban("FI12 1234 5600 0007 85").error == v.IBAN_CHECKSUM


@pytest.mark.parametrize("text", ["FI21", "1234 5600 0007 85", "FI21 1234 5600 0007 8", "XX"])
def test_an_iban_of_the_wrong_shape_says_how_one_looks(text: str) -> None:
    assert v.iban(text).error == v.IBAN_FORMAT


@pytest.mark.parametrize(
    ("text", "ok"),
    [("00100", True), (" 99999 ", True), ("0010", False), ("001000", False), ("00 100", False)],
)
def test_postal_codes(text: str, ok: bool) -> None:
    assert v.postal_code(text).ok is ok
    if not ok:
        assert v.postal_code(text).error == v.POSTAL_CODE


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("040 123 4567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("09 310 11111", "+358931011111"),
        ("+46 8 123 456 78", "+46812345678"),
    ],
)
def test_phone_numbers_are_finnish_unless_they_say_otherwise(text: str, e164: str) -> None:
    assert v.phone(text) == v.Checked(e164)


@pytest.mark.parametrize("text", ["12", "phone me", "040 123", "+358 00 000"])
def test_phone_numbers_that_cannot_be_called(text: str) -> None:
    assert v.phone(text).error == v.PHONE


@pytest.mark.parametrize("text", ["maija@example.fi", " Maija.Meikalainen@Example.FI "])
def test_email_addresses(text: str) -> None:
    assert v.email(text).ok


@pytest.mark.parametrize(
    "text", ["maija", "maija@", "@example.fi", "maija@@example.fi", "a b@c.fi"]
)
def test_not_email_addresses(text: str) -> None:
    assert v.email(text).error == v.EMAIL


def test_numbers_and_dates() -> None:
    assert v.number("12,5") == v.Checked("12.5")
    assert v.number("1 200") == v.Checked("1200")
    assert v.number("12e3").error == v.NUMBER
    assert v.day("24.12.2026") == v.Checked("2026-12-24")
    assert v.day("2026-12-24") == v.Checked("2026-12-24")
    assert v.day("31.2.2026").error == v.DATE
    assert v.day("24.12.26").error == v.DATE


def test_required_and_optional_fields_and_unknown_formats() -> None:
    assert v.check("email", "  ", required=True).error == v.REQUIRED
    assert v.check("email", "") == v.Checked("")
    assert v.check("fi-hetu", "131052-308T").ok
    with pytest.raises(KeyError, match="no check for fields of format 'shoe-size'"):
        v.check("shoe-size", "44")
