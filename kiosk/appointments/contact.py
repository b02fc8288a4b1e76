"""The phone number or e-mail address a citizen gives to be reached, checked as forms check
them (eforms.validators): a phone number Finnish unless it has a country code, given back in
E.164 (+358401234567); an e-mail address by its syntax. Never logged, never shown in a repr."""

from __future__ import annotations

from dataclasses import dataclass, field

from eforms import validators
from kiosk.i18n import N_

#: What is wrong with a contact that is neither.
NOT_A_CONTACT = N_(
    "Please give a phone number, like 040 123 4567, or an e-mail address, like name@example.fi."
)


@dataclass(frozen=True)
class Contact:
    #: "phone" or "email".
    kind: str
    value: str = field(repr=False)

    def as_json(self) -> dict[str, str]:
        """As the hub takes it: `{"phone": "+358…"}` or `{"email": "…"}`."""
        return {self.kind: self.value}


@dataclass(frozen=True)
class CheckedContact:
    contact: Contact | None = None
    #: The message id of what is wrong, when `contact` is None.
    error: str | None = None


def check_contact(text: str, *, required: bool = True) -> CheckedContact:
    """A phone number or an e-mail address, whichever `text` looks like (an @ makes it an
    address)."""
    if not text.strip():
        return CheckedContact(error=validators.REQUIRED if required else None)
    if "@" in text:
        checked = validators.email(text)
        kind = "email"
    else:
        checked = validators.phone(text)
        kind = "phone"
    if not checked.ok:
        return CheckedContact(error=NOT_A_CONTACT)
    return CheckedContact(Contact(kind, checked.value))
