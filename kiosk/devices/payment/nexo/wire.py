"""How single values are written in nexo XML, and the error for a message that breaks the rules.

Amounts are integer cents in code and decimal strings on the wire ("2.40"), never floats; times
are ISO 8601 with a UTC offset. Reading an element goes through `Reader`, so that every missing
or malformed part is reported with the path of the element it was expected in.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)

#: ASCII digits only: a str pattern's \d also takes other scripts' digits (Arabic-Indic,
#: mathematical bold), which Decimal reads as numbers too.
_AMOUNT = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?")
#: Every identifier nexo carries (ServiceID, SaleID, TransactionID, ...) is printable text.
_MAX_ID = 64


class NexoProtocolError(ValueError):
    """A nexo message that cannot be used; str() says what is wrong and where."""


def cents_to_amount(cents: int) -> str:
    """250 -> "2.50". Negative amounts do not exist in these messages."""
    if isinstance(cents, bool) or not isinstance(cents, int) or cents < 0:
        raise NexoProtocolError(f"amount must be a whole number of cents >= 0, not {cents!r}")
    return f"{cents // 100}.{cents % 100:02d}"


def amount_to_cents(text: str, where: str) -> int:
    """ "2.4" or "2.40" -> 240; anything but plain digits with at most two decimals is refused."""
    if not _AMOUNT.fullmatch(text):
        raise NexoProtocolError(f"{where}: {text!r} is not an amount such as 2.40")
    return int(Decimal(text) * 100)


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise NexoProtocolError("a nexo time needs a UTC offset")
    return moment.isoformat()


def parse_time(text: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise NexoProtocolError(f"{where}: {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise NexoProtocolError(f"{where}: time {text!r} has no UTC offset")
    return moment


def parse_bool(text: str, where: str) -> bool:
    if text not in ("true", "false"):
        raise NexoProtocolError(f"{where}: {text!r} is not true or false")
    return text == "true"


def set_attributes(element: ET.Element, **attributes: str | None) -> ET.Element:
    """Set the attributes that have a value (None leaves an optional attribute out)."""
    for name, value in attributes.items():
        if value is not None:
            element.set(name, value)
    return element


class Reader:
    """One received element, read with errors that name the element's path in the message."""

    def __init__(self, element: ET.Element, path: str) -> None:
        self.element = element
        self.path = path

    def child(self, tag: str) -> Reader:
        found = self.optional_child(tag)
        if found is None:
            raise NexoProtocolError(f"{self.path}: missing element <{tag}>")
        return found

    def optional_child(self, tag: str) -> Reader | None:
        found = self.element.find(tag)
        return None if found is None else Reader(found, f"{self.path}/{tag}")

    def children(self, tag: str) -> list[Reader]:
        return [Reader(e, f"{self.path}/{tag}") for e in self.element.findall(tag)]

    def text(self, tag: str) -> str:
        value = self.optional_text(tag)
        if value is None:
            raise NexoProtocolError(f"{self.path}: missing element <{tag}>")
        return value

    def optional_text(self, tag: str) -> str | None:
        found = self.element.find(tag)
        if found is None:
            return None
        return (found.text or "").strip()

    def attr(self, name: str) -> str:
        value = self.element.get(name)
        if value is None or not value.strip():
            raise NexoProtocolError(f"{self.path}: missing attribute {name}")
        return value.strip()

    def optional_attr(self, name: str) -> str | None:
        value = self.element.get(name)
        return value.strip() if value is not None and value.strip() else None

    def ident(self, name: str) -> str:
        value = self.attr(name)
        if len(value) > _MAX_ID or not value.isprintable():
            raise NexoProtocolError(f"{self.path}: {name} {value[:_MAX_ID]!r} is not a valid id")
        return value

    def optional_ident(self, name: str) -> str | None:
        return self.ident(name) if self.element.get(name) is not None else None

    def enum(self, name: str, kind: type[E]) -> E:
        return self._member(self.attr(name), name, kind)

    def optional_enum(self, name: str, kind: type[E]) -> E | None:
        value = self.optional_attr(name)
        return None if value is None else self._member(value, name, kind)

    def amount(self, name: str) -> int:
        return amount_to_cents(self.attr(name), f"{self.path}@{name}")

    def optional_amount(self, name: str) -> int | None:
        value = self.optional_attr(name)
        return None if value is None else amount_to_cents(value, f"{self.path}@{name}")

    def time_attr(self, name: str) -> datetime:
        return parse_time(self.attr(name), f"{self.path}@{name}")

    def time_text(self, tag: str) -> datetime:
        return parse_time(self.text(tag), f"{self.path}/{tag}")

    def count(self, name: str) -> int:
        value = self.attr(name)
        if not value.isdigit():
            raise NexoProtocolError(f"{self.path}: {name} {value!r} is not a count")
        return int(value)

    def _member(self, value: str, name: str, kind: type[E]) -> E:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(m.value for m in kind)
            raise NexoProtocolError(
                f"{self.path}: {name}={value!r} is not one of: {allowed}"
            ) from None
