"""Opening a sealed submission and checking that it is one, as docs/outbox-protocol.md says.

Runs in a worker thread (decrypting and decoding up to 25 MiB is no job for the event loop).
A `Refusal` carries the contract's 422 code and an English message for support that names no
person and no address.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from eforms import LANGUAGES
from hub.intake import BadJson, has_control, loads

SUBMISSION_ID = re.compile(r"[0-9a-f]{32}")
KINDS = ("form", "email", "callback")
REFERENCE = re.compile(r"[A-Za-z0-9-]{1,64}")
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")
MAX_SUBJECT = 200
MAX_MESSAGE = 20_000


class Refusal(Exception):
    """A submission the hub will not take; `code` is the contract's 422 code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes


def open_payload(sealed: bytes, key: PrivateKey) -> dict[str, Any]:
    """The submission's JSON object; Refusal `unreadable` if it is not one sealed to `key`."""
    try:
        text = SealedBox(key).decrypt(sealed)
    except CryptoError:
        raise Refusal("unreadable", "not sealed to this hub's key") from None
    try:
        payload = loads(text)
    except BadJson as exc:
        raise Refusal("unreadable", f"the opened submission: {exc}") from None
    if not isinstance(payload, dict):
        raise Refusal("unreadable", "the opened submission is not a JSON object")
    return payload


def check_common(payload: dict[str, Any], submission_id: str, kind: str) -> None:
    if payload.get("submission_id") != submission_id:
        raise Refusal("id-mismatch", "submission_id inside differs from X-Submission-Id")
    if payload.get("kind") != kind:
        raise Refusal("id-mismatch", "kind inside differs from X-Submission-Kind")
    if payload.get("language") not in LANGUAGES:
        raise Refusal("unreadable", f"language must be one of {', '.join(LANGUAGES)}")


def check_form(payload: dict[str, Any]) -> None:
    """The shape of a form submission (whether its form is known is the caller's check)."""
    if not isinstance(payload.get("form"), str):
        raise Refusal("unreadable", "form must be a form id")
    if not isinstance(payload.get("answers"), dict):
        raise Refusal("unreadable", "answers must be an object")
    _check_reference(payload)
    if "pdf" in payload and not _is_base64(payload["pdf"]):
        raise Refusal("unreadable", "pdf must be base64")
    copy_to = payload.get("copy_to")
    if copy_to is not None and not (isinstance(copy_to, str) and ADDRESS.fullmatch(copy_to)):
        raise Refusal("unreadable", "copy_to is not an e-mail address")
    attachments(payload)


def check_email(payload: dict[str, Any], *, max_recipients: int, max_attachment_bytes: int) -> None:
    """An e-mail submission's shape and the hub's limits (the hourly one is the store's)."""
    to = payload.get("to")
    if not isinstance(to, list) or not to:
        raise Refusal("unreadable", "to must be a list of addresses")
    if len(to) > max_recipients:
        raise Refusal(
            "refused", f"too many recipients: {len(to)} given, at most {max_recipients} allowed"
        )
    if not all(isinstance(item, str) and ADDRESS.fullmatch(item) for item in to):
        raise Refusal("refused", "a recipient is not a valid e-mail address")
    subject = payload.get("subject", "")
    # Any control character or line separator (\x0b, \x85, \u2028 as much as \n) makes a
    # header the mail cannot be built with: refused now, not failed at every delivery.
    if not isinstance(subject, str) or len(subject) > MAX_SUBJECT or has_control(subject):
        raise Refusal(
            "refused",
            f"the subject must be one line of at most {MAX_SUBJECT} characters, "
            "without control characters",
        )
    message = payload.get("message", "")
    if not isinstance(message, str) or len(message) > MAX_MESSAGE:
        raise Refusal("refused", f"the message must be text of at most {MAX_MESSAGE} characters")
    if has_control(message, multiline=True):
        raise Refusal("refused", "the message holds a control character")
    total = sum(len(item.data) for item in attachments(payload))
    if total > max_attachment_bytes:
        raise Refusal(
            "refused",
            f"attachments too large: {total} bytes, at most {max_attachment_bytes} allowed",
        )


def check_callback(
    payload: dict[str, Any],
    *,
    lines: Collection[str],
    topics: Collection[str],
    times: Collection[str],
) -> None:
    """A callback request's shape (docs/appointments.md): a service line of this hub, a topic and
    a time of day from its lists, and exactly one contact, a phone number in E.164 form or an
    e-mail address. The messages name the field, never its value (it may be a phone number)."""
    _check_reference(payload)
    asked_at = payload.get("asked_at")
    if not isinstance(asked_at, str) or _aware(asked_at) is None:
        raise Refusal("unreadable", "asked_at must be an ISO 8601 time with a time zone")
    callback = payload.get("callback")
    if not isinstance(callback, dict):
        raise Refusal("unreadable", "callback must be an object")
    if callback.get("line") not in lines:
        raise Refusal("refused", "callback.line is not a service line of this hub")
    if callback.get("topic") not in topics:
        raise Refusal("refused", "callback.topic is not one of the hub's topics")
    if callback.get("time_of_day") not in times:
        raise Refusal("refused", f"callback.time_of_day must be one of {', '.join(times)}")
    contact = callback.get("contact")
    if not isinstance(contact, dict) or len(contact) != 1:
        raise Refusal("refused", "callback.contact must hold exactly one of phone and email")
    if "phone" in contact:
        if not is_phone(contact["phone"]):
            raise Refusal("refused", "callback.contact.phone is not a phone number in E.164 form")
    elif "email" in contact:
        email = contact["email"]
        if not (isinstance(email, str) and len(email) <= 254 and ADDRESS.fullmatch(email)):
            raise Refusal("refused", "callback.contact.email is not an e-mail address")
    else:
        raise Refusal("refused", "callback.contact must hold exactly one of phone and email")


def is_phone(value: object) -> bool:
    """A possible phone number written as E.164 (`+` and at most 15 digits), as the kiosk
    normalises what the citizen typed."""
    if not isinstance(value, str) or not re.fullmatch(r"\+[1-9][0-9]{5,14}", value):
        return False
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(number)


def asked_at(payload: dict[str, Any]) -> datetime:
    """A checked callback's `asked_at` (check_callback has made sure it is one)."""
    found = _aware(payload["asked_at"])
    assert found is not None
    return found


def _aware(text: str) -> datetime | None:
    if len(text) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _check_reference(payload: dict[str, Any]) -> None:
    reference = payload.get("reference")
    if not isinstance(reference, str) or not REFERENCE.fullmatch(reference):
        raise Refusal("unreadable", "reference must be 1 to 64 of A-Z, a-z, 0-9 and -")


def attachments(payload: dict[str, Any]) -> list[Attachment]:
    """The decoded attachments; Refusal `unreadable` if the list is not as the contract says."""
    listed = payload.get("attachments", [])
    if not isinstance(listed, list):
        raise Refusal("unreadable", "attachments must be a list")
    found = []
    for item in listed:
        if not isinstance(item, dict):
            raise Refusal("unreadable", "an attachment must be an object")
        name, content_type = item.get("name"), item.get("content_type")
        if not isinstance(name, str) or not name or has_control(name):
            raise Refusal("unreadable", "an attachment's name must be one line of text")
        if not isinstance(content_type, str) or not _CONTENT_TYPE.fullmatch(content_type):
            raise Refusal("unreadable", "an attachment's content_type must be like type/subtype")
        data = _decoded(item.get("data"))
        if data is None:
            raise Refusal("unreadable", "an attachment's data must be base64")
        found.append(Attachment(name, content_type, data))
    return found


def pdf(payload: dict[str, Any]) -> bytes | None:
    return _decoded(payload["pdf"]) if "pdf" in payload else None


def _decoded(value: object) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _is_base64(value: object) -> bool:
    return _decoded(value) is not None
