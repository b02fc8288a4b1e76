"""The e-mail messages the hub sends: a form to its authority, the citizen's copy, kiosk e-mail.

Built from an opened, checked payload (hub.delivery.payload). Every message is From the one
configured sender; addresses come from the hub's catalogue, the citizen's own copy address or
the e-mail kind's recipients, never from anything else in a payload.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from eforms.definition import Field, FormDefinition
from hub.delivery.payload import Attachment, attachments, pdf

_YES_NO = {"fi": ("kyllä", "ei"), "sv": ("ja", "nej"), "en": ("yes", "no")}
_REFERENCE = {"fi": "Viite", "sv": "Referens", "en": "Reference"}
_SENT_AT = {"fi": "Lähetetty", "sv": "Skickad", "en": "Sent"}
_COPY = {"fi": "Kopio", "sv": "Kopia", "en": "Copy"}
_COPY_TEXT = {
    "fi": 'Hei,\n\nliitteenä on kopio lomakkeesta "{title}", jonka lähetit yleisöpäätteeltä.\n'
    "Viite: {reference}\n\nTähän viestiin ei voi vastata.\n",
    "sv": 'Hej,\n\nbifogat finns en kopia av blanketten "{title}" som du skickade från en '
    "allmän kiosk.\nReferens: {reference}\n\nDet här meddelandet kan inte besvaras.\n",
    "en": 'Hello,\n\nattached is a copy of the form "{title}" that you sent from a public '
    "kiosk.\nReference: {reference}\n\nThis message cannot be replied to.\n",
}
_KIOSK_NOTICE = {
    "fi": "Tämä viesti on lähetetty yleisöpäätteeltä {name} ({location}). Lähettäjän "
    "sähköpostiosoitetta ei ole varmennettu.",
    "sv": "Det här meddelandet har skickats från den allmänna kiosken {name} ({location}). "
    "Avsändarens e-postadress har inte verifierats.",
    "en": "This message was sent from the public kiosk {name} at {location}. The sender's "
    "e-mail address has not been verified.",
}
_DEFAULT_SUBJECT = {
    "fi": "Viesti yleisöpäätteeltä",
    "sv": "Meddelande från en allmän kiosk",
    "en": "Message from a public kiosk",
}


def form_message(
    payload: Mapping[str, Any], definition: FormDefinition, *, sender: str, at: datetime
) -> EmailMessage:
    """The filled form to the address in the hub's catalogue, with its PDF and attachments."""
    language = payload["language"]
    title = definition.title(language)
    reference = payload["reference"]
    lines = [
        title,
        f"{_REFERENCE[language]}: {reference}",
        f"{_SENT_AT[language]}: {payload.get('submitted_at', '')}",
        "",
    ]
    answers = payload["answers"]
    for field in definition.fields:
        value = answers.get(field.name)
        if value is None or value == "" or value == []:
            continue
        label = definition.text(language, f"{field.key}.label") or field.name
        shown = _shown(definition, field, value, language).replace("\n", "\n    ")
        lines.append(f"{label}: {shown}")
    message = _message(sender, definition.delivery["address"], f"{title} – {reference}", at)
    message.set_content("\n".join(lines) + "\n")
    _attach_pdf(message, payload)
    _attach(message, attachments(dict(payload)))
    return message


def citizen_copy(
    payload: Mapping[str, Any], definition: FormDefinition, *, sender: str, at: datetime
) -> EmailMessage:
    """The citizen's own copy: a short text in their language and the form's PDF."""
    language = payload["language"]
    title = definition.title(language)
    reference = payload["reference"]
    subject = f"{_COPY[language]}: {title} – {reference}"
    message = _message(sender, payload["copy_to"], subject, at)
    message.set_content(_COPY_TEXT[language].format(title=title, reference=reference))
    _attach_pdf(message, payload)
    return message


def kiosk_email(
    payload: Mapping[str, Any], *, kiosk_name: str, location: str, sender: str, at: datetime
) -> EmailMessage:
    """A citizen's e-mail from a kiosk, with the notice that the sender is not verified."""
    language = payload["language"]
    subject = payload.get("subject", "").strip() or _DEFAULT_SUBJECT[language]
    message = _message(sender, ", ".join(payload["to"]), subject, at)
    notice = _KIOSK_NOTICE[language].format(name=kiosk_name, location=location)
    message.set_content(f"{payload.get('message', '')}\n\n-- \n{notice}\n")
    _attach(message, attachments(dict(payload)))
    return message


def _message(sender: str, to: str, subject: str, at: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    return message


def _attach_pdf(message: EmailMessage, payload: Mapping[str, Any]) -> None:
    document = pdf(dict(payload))
    if document is not None:
        name = f"{payload['form']}-{payload['reference']}.pdf"
        message.add_attachment(document, maintype="application", subtype="pdf", filename=name)


def _attach(message: EmailMessage, items: list[Attachment]) -> None:
    for item in items:
        maintype, _, subtype = item.content_type.partition("/")
        name = re.sub(r"[^\w.\- ]", "_", item.name)[:100] or "attachment"
        message.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=name)


def _shown(definition: FormDefinition, field: Field, value: object, language: str) -> str:
    """An answer as the citizen saw it: option texts for choices, yes/no for boxes."""
    if isinstance(value, bool):
        return _YES_NO[language][0 if value else 1]
    if isinstance(value, list):
        return ", ".join(_option(definition, field, item, language) for item in value)
    return _option(definition, field, value, language)


def _option(definition: FormDefinition, field: Field, value: object, language: str) -> str:
    options = [*field.schema.get("enum", []), *field.schema.get("items", {}).get("enum", [])]
    if value in options:
        return definition.text(language, f"{field.key}.{value}") or str(value)
    return str(value)
