"""A filled-in form as it is sent: its answers, its summary PDF and the documents it attaches.

The PDF is drawn with Qt's painter, which the kiosk's UI gives as `draw`; it runs on the
writer thread with everything else (drawing into a PDF is one of the paint devices Qt paints on
outside its GUI thread), so that the screen only waits for the future.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eforms.definition import FormDefinition
from kiosk.store import utc_iso
from kiosk.threads import blocking
from kiosk.visit import SentForm

if TYPE_CHECKING:
    from kiosk.devices.cardreader.fineid import CardHolder

#: Field names a card holder's names fill in.
GIVEN_NAME_FIELDS = ("first_names", "given_name", "given_names", "first_name")
SURNAME_FIELDS = ("last_name", "surname")
FULL_NAME_FIELDS = ("name", "full_name")


def card_prefill(holder: CardHolder) -> dict[str, str]:
    """What the ID card's holder fills in: their names, in every field named for them."""
    values: dict[str, str] = {}
    for names, value in (
        (GIVEN_NAME_FIELDS, holder.given_name),
        (SURNAME_FIELDS, holder.surname),
        (FULL_NAME_FIELDS, holder.name),
    ):
        if value:
            values.update(dict.fromkeys(names, value))
    return values


@dataclass(frozen=True)
class FormSending:
    """A form the citizen sends: the answers, the reference and its PDF (drawn by `draw`
    when it is sent, or already written)."""

    definition: FormDefinition
    answers: Mapping[str, Any] = field(repr=False)
    reference: str
    #: The language the citizen filled it in.
    language: str
    #: The summary PDF in the session's folder (kept there for a printed copy or an e-mail).
    pdf: Path
    #: Where the citizen asked for a copy by e-mail; only a form that allows one sends it.
    copy_to: str | None = field(default=None, repr=False)
    #: Draws the summary PDF at `pdf`, off the Qt thread as the form is sent; None when the
    #: PDF is already there.
    draw: Callable[[Path], object] | None = field(default=None, repr=False, compare=False)

    def sent_form(self) -> SentForm:
        """What the visit keeps of it once it is in the outbox."""
        definition = self.definition
        return SentForm(
            definition.id,
            self.reference,
            dict(self.answers),
            self.pdf,
            {lang: definition.title(lang) for lang in definition.i18n},
        )


def chosen_attachments(definition: FormDefinition, answers: Mapping[str, Any]) -> list[str]:
    """The file names the answers' attachment fields name, each once, in the form's order."""
    chosen: list[str] = []
    for field_ in definition.fields:
        if field_.is_attachment:
            chosen.extend(n for n in answers.get(field_.name, []) if n not in chosen)
    return chosen


@blocking
def form_payload(form: FormSending, documents: Iterable[Path]) -> dict[str, Any]:
    """The form as it is sealed for the hub (docs/outbox-protocol.md, kind "form"): the answers,
    the PDF and the chosen ones of this visit's `documents`, read from the session's folder."""
    by_name = {p.name: p for p in documents if p.exists()}
    definition = form.definition
    payload: dict[str, Any] = {
        "form": definition.id,
        "version": definition.version,
        "reference": form.reference,
        "language": form.language,
        "answers": dict(form.answers),
        "submitted_at": utc_iso(datetime.now(UTC)),
        "pdf": base64.b64encode(form.pdf.read_bytes()).decode("ascii"),
        "attachments": [
            {
                "name": name,
                "content_type": "application/pdf",
                "data": base64.b64encode(by_name[name].read_bytes()).decode("ascii"),
            }
            for name in chosen_attachments(definition, form.answers)
            if name in by_name
        ],
    }
    if form.copy_to and definition.citizen_copy:
        payload["copy_to"] = form.copy_to
    return payload
