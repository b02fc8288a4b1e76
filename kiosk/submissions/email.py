"""An e-mail from the kiosk as a form: the visit's documents to attach, the address typed twice,
a subject and a message; and the message the answers make.

The E-mail screen shows this form with the Forms service's pages, checks and summary. Nothing is
attached until the citizen chooses it: a sent form may carry an identity code, and a scan may be
someone else's letter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eforms import LANGUAGES
from eforms.definition import FormDefinition, load_definition
from kiosk.i18n import N_
from kiosk.mail import MAX_MESSAGE, MAX_SUBJECT, Attachment
from kiosk.visit import Visit

TITLE = N_("Send by e-mail")
WHAT = N_("What to send")
WHOM = N_("Address and message")
DOCUMENTS = N_("Documents to attach")
DOCUMENTS_HELP = N_(
    "Scans and forms from this visit. Tick what you want to send: nothing is attached until you "
    "choose it. You can also send only a message."
)
SCANNED = N_("Scanned document {number}")
SENT_FORM = N_("{title}, reference {reference}")
#: A PDF an e-service page downloaded in this visit, by its file name.
DOWNLOADED = N_("{name}, from an e-service")
#: A PDF an advisor sent in a video call of this visit, by its name as the advisor gave it.
FROM_ADVISOR = N_("From the advisor: {name}")
TO = N_("Recipient's e-mail address")
TO_HELP = N_("For example name@example.fi")
TO_AGAIN = N_("The same address again")
TO_AGAIN_HELP = N_("Typed twice, so that a typing error cannot send your documents to a stranger.")
SUBJECT = N_("Subject")
DEFAULT_SUBJECT = N_("Documents from the library kiosk")
MESSAGE = N_("Message")
MESSAGE_HELP = N_("At most 2000 characters.")

#: A message in a language: `(language, message id) -> text`.
TranslateIn = Callable[[str, str], str]


@dataclass(frozen=True)
class Document:
    """A file of this visit the citizen may attach, with its label's message and values."""

    attachment: Attachment
    label: str
    values: dict[str, str]
    #: A sent form's title in each language (the label's {title}).
    titles: dict[str, str] = field(default_factory=dict)

    def text(self, language: str, t: Callable[[str], str]) -> str:
        return t(self.label).format(**self.values, title=self.titles.get(language, ""))


def visit_documents(visit: Visit) -> list[Document]:
    """What the visit made that an e-mail may carry: its scans, its sent forms' PDFs, the PDFs
    it downloaded from e-services, then those advisors sent in its video calls."""
    found: list[Document] = []
    for number, path in enumerate(visit.existing_scans(), start=1):
        found.append(Document(Attachment(f"scan-{number}", path), SCANNED, {"number": str(number)}))
    for sent in visit.sent_forms:
        if sent.pdf.exists():
            key = f"form-{sent.reference.lower()}"
            values = {"reference": sent.reference}
            found.append(Document(Attachment(key, sent.pdf), SENT_FORM, values, sent.titles))
    for number, download in enumerate(visit.downloads, start=1):
        if download.pdf.exists():
            attachment = Attachment(f"download-{number}", download.pdf)
            found.append(Document(attachment, DOWNLOADED, {"name": download.name}))
    for number, document in enumerate(visit.advisor_documents, start=1):
        if document.pdf.exists():
            attachment = Attachment(f"advisor-{number}", document.pdf)
            found.append(Document(attachment, FROM_ADVISOR, {"name": document.name}))
    return found


def message_definition(documents: list[Document], t_in: TranslateIn) -> FormDefinition:
    """The e-mail as a form: the pages, fields and texts a form view shows and checks."""
    properties: dict[str, Any] = {
        "to": {"type": "string", "format": "email", "maxLength": 254},
        "to_again": {"type": "string", "format": "email", "maxLength": 254},
        "subject": {"type": "string", "maxLength": MAX_SUBJECT},
        "message": {"type": "string", "maxLength": MAX_MESSAGE},
    }
    whom = {
        "type": "Category",
        "i18n": "whom",
        "elements": [
            {"type": "Control", "scope": "#/properties/to"},
            {"type": "Control", "scope": "#/properties/to_again"},
            {"type": "Control", "scope": "#/properties/subject"},
            {"type": "Control", "scope": "#/properties/message", "options": {"multi": True}},
        ],
    }
    pages: list[dict[str, Any]] = [whom]
    if documents:
        keys = [d.attachment.key for d in documents]
        properties["documents"] = {
            "type": "array",
            "items": {"type": "string", "enum": keys},
            "uniqueItems": True,
        }
        what = {
            "type": "Category",
            "i18n": "what",
            "elements": [{"type": "Control", "scope": "#/properties/documents"}],
        }
        pages.insert(0, what)
    texts: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:

        def t(message: str, lang: str = lang) -> str:
            return t_in(lang, message)

        words = {
            "title": t(TITLE),
            "what.label": t(WHAT),
            "whom.label": t(WHOM),
            "documents.label": t(DOCUMENTS),
            "documents.description": t(DOCUMENTS_HELP),
            "to.label": t(TO),
            "to.description": t(TO_HELP),
            "to_again.label": t(TO_AGAIN),
            "to_again.description": t(TO_AGAIN_HELP),
            "subject.label": t(SUBJECT),
            "message.label": t(MESSAGE),
            "message.description": t(MESSAGE_HELP),
        }
        for document in documents:
            words[f"documents.{document.attachment.key}"] = document.text(lang, t)
        texts[lang] = words
    return load_definition(
        {
            "id": "email",
            "version": 1,
            "schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": properties,
                "required": ["to", "to_again"],
            },
            "uischema": {"type": "Categorization", "elements": pages},
            "i18n": texts,
            # The citizen's own address is in the answers; the hub relays from its own address.
            "delivery": {"to": "email", "address": ""},
            "citizen_copy": False,
        }
    )


@dataclass(frozen=True)
class EmailSending:
    """An e-mail the citizen sends: one recipient, the words, the chosen files."""

    to: str = field(repr=False)
    subject: str = field(repr=False)
    message: str = field(repr=False)
    attachments: tuple[Attachment, ...]
    language: str

    @classmethod
    def from_answers(
        cls,
        answers: Mapping[str, Any],
        documents: list[Document],
        *,
        language: str,
        default_subject: str,
    ) -> EmailSending:
        """The message the e-mail form's answers make; `default_subject` stands in for an
        emptied subject (in the citizen's language)."""
        chosen = set(answers.get("documents", []))
        return cls(
            to=str(answers["to"]),
            subject=str(answers.get("subject", "")) or default_subject,
            message=str(answers.get("message", "")),
            attachments=tuple(d.attachment for d in documents if d.attachment.key in chosen),
            language=language,
        )
