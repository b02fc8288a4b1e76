"""The nexo XML a payment terminal sends, fuzzed in-process: any bytes give a decoded message or
the codec's own NexoProtocolError, never another exception (the terminal is a device on the
network, and the kiosk's payment loop must be able to say what was wrong)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kiosk.devices.payment.nexo.bodies import check_masked_pan
from kiosk.devices.payment.nexo.messages import (
    NexoProtocolError,
    amount_to_cents,
    cents_to_amount,
    decode,
    encode,
)
from tests.devices.test_nexo_messages import BODIES, message
from tests.fuzz import strategies as fz
from tests.fuzz.tally import tried

#: In-process cases cost little: four times the profile's number.
MORE = settings(max_examples=4 * settings.default.max_examples)

#: Every message of the codec's own tests, as the kiosk and the terminal exchange them.
VALID = [encode(message(body)) for body in BODIES]
XML_SAFE = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
NAMES = st.sampled_from(
    (
        "Result",
        "ErrorCondition",
        "TimeStamp",
        "TransactionID",
        "Currency",
        "AuthorizedAmount",
        "RequestedAmount",
        "MaskedPAN",
        "MessageType",
        "MessageCategory",
        "MessageClass",
        "ServiceID",
        "POIID",
        "SaleID",
        "ReferenceID",
        "EventToNotify",
        "MaintenanceRequiredFlag",
    )
)
VALUES = st.one_of(
    fz.nasty_text().map(lambda s: "".join(c for c in s if c.isprintable() or c == " ")),
    st.sampled_from(
        (
            "",
            "-1",
            "1e9",
            "12.345",
            "NaN",
            "١٢.٣٤",
            "2025-13-45T99:99:99Z",
            "true",
            "Success",
            "Failure",
            "Partial",
            "Response",
            "Request",
            "Notification",
        )
    ),
)


def _mutate(data: bytes, changes: list[tuple[int, str, str, str]]) -> bytes:
    root = ET.fromstring(data)
    elements = list(root.iter())
    for index, how, name, value in changes:
        element = elements[index % len(elements)]
        if how == "attribute":
            element.set(name, value)
        elif how == "drop-attribute" and element.attrib:
            del element.attrib[sorted(element.attrib)[index % len(element.attrib)]]
        elif how == "text":
            element.text = value
        elif how == "tag":
            element.tag = name
        elif how == "drop":
            for parent in elements:
                if element in list(parent):
                    parent.remove(element)
        elif how == "twice":
            for parent in elements:
                if element in list(parent):
                    parent.append(element)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


CHANGES = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60),
        st.sampled_from(("attribute", "drop-attribute", "text", "tag", "drop", "twice")),
        NAMES,
        VALUES,
    ),
    min_size=1,
    max_size=4,
)


@st.composite
def _bytes_changed(draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(st.integers(min_value=0, max_value=len(data)))
    how = draw(st.sampled_from(("cut", "insert", "replace")))
    extra = draw(
        st.one_of(
            st.binary(max_size=8),
            st.sampled_from(
                (b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"&a;", b"<![CDATA[x]]>", b"\xff", b"\x00")
            ),
        )
    )
    if how == "cut":
        return data[:at]
    if how == "insert":
        return data[:at] + extra + data[at:]
    return data[:at] + extra + data[at + len(extra) :]


TERMINAL_BYTES = st.one_of(
    st.tuples(st.sampled_from(VALID), CHANGES).map(lambda pair: _mutate(*pair)),
    st.sampled_from(VALID).flatmap(_bytes_changed),
    fz.raw_bodies(),
    st.binary(max_size=300),
)


@MORE
@given(data=TERMINAL_BYTES)
def test_terminal_bytes_give_a_message_or_a_protocol_error(data: bytes) -> None:
    tried("nexo XML from the terminal")
    try:
        decoded = decode(data)
    except NexoProtocolError:
        return
    # What the kiosk reads of a decoded message must be there: re-encoding touches every part.
    encode(decoded)


AMOUNTS = st.one_of(
    st.from_regex(r"[0-9]{1,9}(\.[0-9]{1,2})?", fullmatch=True),
    st.text(st.sampled_from("0123456789.,-+eE _١٢٣𝟏²\u0660\uff11"), max_size=14),
    fz.nasty_text(),
)


@MORE
@given(text=AMOUNTS)
@example("١٢.٥")
def test_an_amount_is_plain_decimal_digits_or_refused(text: str) -> None:
    """Found by the fuzzing: amounts in other scripts' digits ("١٢.٥") were read as 12.50."""
    tried("nexo amounts")
    try:
        cents = amount_to_cents(text, "AuthorizedAmount")
    except NexoProtocolError:
        return
    assert text.isascii(), text
    assert amount_to_cents(cents_to_amount(cents), "again") == cents


@MORE
@given(
    text=st.one_of(
        st.from_regex(r"[0-9]{0,6}\*{2,8}[0-9]{4}", fullmatch=True),
        st.text(st.sampled_from("0123456789*١٢٣٤𝟏\uff11 "), max_size=18),
    )
)
@example("541333******١٢٣٤")
def test_a_masked_card_number_is_plain_digits_or_refused(text: str) -> None:
    """Found with the amounts: the last four of a card in other scripts' digits were taken."""
    tried("nexo masked card numbers")
    try:
        check_masked_pan(text)
    except NexoProtocolError:
        return
    assert text.isascii(), text
