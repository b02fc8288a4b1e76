"""The E-mail service: send this visit's scans and sent forms, or only a message, by e-mail.

The message is a form like the Forms service's, built here from the session's documents and
shown by the same pages, checks and summary: what to attach, then the address typed twice (a
typing error must not send a citizen's papers to a stranger), a subject and a message. It is
sealed to the hub's key into the outbox like a form; the hub sends it from its fixed address and
names the kiosk in the text. The hub's limits are asked for when the service opens, so that a
citizen hears of them before typing. Only ids are logged; the address and the text never are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from eforms import LANGUAGES, validators
from eforms.definition import FormDefinition, load_definition
from kiosk.hubclient import HubRefused
from kiosk.i18n import N_
from kiosk.mail import MAX_MESSAGE, MAX_SUBJECT, Attachment, EmailPolicy, email_payload
from kiosk.session import Session
from kiosk.store import utc_iso
from kiosk.ui.context import ServiceContext
from kiosk.ui.forms.form import FormView
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.state import UiState
from kiosk.ui.widgets.typing import TypingScreen

log = logging.getLogger(__name__)

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
TO = N_("Recipient's e-mail address")
TO_HELP = N_("For example name@example.fi")
TO_AGAIN = N_("The same address again")
TO_AGAIN_HELP = N_("Typed twice, so that a typing error cannot send your documents to a stranger.")
SUBJECT = N_("Subject")
DEFAULT_SUBJECT = N_("Documents from the library kiosk")
MESSAGE = N_("Message")
MESSAGE_HELP = N_("At most 2000 characters.")
SEND = N_("Send the e-mail")
CHECK = N_("Check the address and the message before you send them. You can still change them.")
CANCEL = N_("Cancel")
SENDER_KNOWN = N_(
    "The e-mail is sent from {sender}, and the recipient sees that it came from a library "
    "kiosk. This kiosk may send {limit} e-mails an hour; {remaining} of them are left this hour."
)
SENDER_UNKNOWN = N_(
    "The kiosk cannot reach the e-mail service right now. Your e-mail is kept safely and sent "
    "as soon as the connection returns."
)
#: The hub refused this kiosk's credentials: nothing typed here could be delivered until a
#: technician sets the kiosk up again, so no form is offered.
REFUSED = N_(
    "E-mail cannot be sent from this kiosk right now. Library staff can help you, or you can "
    "send it from your own device."
)
EXHAUSTED = N_(
    "This kiosk has sent as many e-mails as it may this hour. Please try again later, or ask "
    "library staff for help."
)
NOT_SENT = N_(
    "The e-mail could not be sent because of a fault in the kiosk. Please ask library staff "
    "for help."
)
SENT_HEADING = N_("Your e-mail is on its way")
SENT_TEXT = N_("It goes to {address}. The kiosk keeps no copy that anyone could read.")
ANOTHER = N_("Send another e-mail")


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


def session_documents(session: Session) -> list[Document]:
    found: list[Document] = []
    for number, path in enumerate(session.visit.existing_scans(), start=1):
        found.append(Document(Attachment(f"scan-{number}", path), SCANNED, {"number": str(number)}))
    for sent in session.visit.sent_forms:
        if sent.pdf.exists():
            key = f"form-{sent.reference.lower()}"
            values = {"reference": sent.reference}
            found.append(Document(Attachment(key, sent.pdf), SENT_FORM, values, sent.titles))
    return found


def message_definition(ctx: ServiceContext, documents: list[Document]) -> FormDefinition:
    """The e-mail as a form: the pages, fields and texts FormView shows and checks."""
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
            return ctx.ui.t_in(lang, message)

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


class MessageView(FormView):
    """The e-mail's pages: a form whose addresses must match and attachments fit the limit."""

    SUBMIT_TEXT = SEND
    CHECK_TEXT = CHECK
    FIRST_BACK_TEXT = CANCEL

    def __init__(self, ctx: ServiceContext, definition: FormDefinition, docs: list[Document]):
        super().__init__(ctx.ui, definition)
        self.sizes = {d.attachment.key: d.attachment.size for d in docs}
        self.max_bytes = EmailPolicy().max_attachment_bytes

    def problems(self) -> dict[str, str]:
        found = super().problems()
        answers = self.answers()
        first, again = answers.get("to", ""), answers.get("to_again", "")
        if "to_again" not in found and again and first.casefold() != again.casefold():
            found["to_again"] = validators.NOT_THE_SAME
        chosen = answers.get("documents", [])
        if sum(self.sizes.get(key, 0) for key in chosen) > self.max_bytes:
            found["documents"] = validators.TOO_LARGE
        return found


class EmailScreen(TypingScreen):
    #: The citizen cancelled: back to the home screen.
    leave = Signal()

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx.ui, parent)
        self.ctx = ctx
        self.ui = ctx.ui
        session = ctx.sessions.current
        assert session is not None, "the E-mail screen belongs to a session"
        self.session = session
        self.policy = EmailPolicy()
        self.policy_asked = False
        #: The hub refused this kiosk's id and token when asked for the policy.
        self.refused = False
        self.sent_to: str | None = None
        self.documents = session_documents(session)
        self.view = QWidget()
        column = QVBoxLayout(self.view)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        # The sender and what is left this hour, or that the service cannot be reached; when
        # nothing more may be sent this hour, a warning instead.
        self.info = QLabel()
        self.info.setProperty("role", "muted")
        self.info.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setProperty("role", "warning")
        self.warning.setWordWrap(True)
        limits_row = QVBoxLayout()
        limits_row.setContentsMargins(96, 24, 96, 0)
        limits_row.addWidget(self.info)
        limits_row.addWidget(self.warning)
        column.addLayout(limits_row)
        self.form = self._new_form()
        column.addWidget(self.form)
        column.addStretch(1)  # a warning alone keeps its own size at the top
        self.kept.add(self.view)
        self.set_content(self.view, self.form.bar)
        self.done = DoneView(self.ui)
        self.done.another.clicked.connect(self.start_again)
        self.keep(self.done)
        self.ui.changed.connect(self.retranslate)
        self.retranslate()
        try:
            self.ctx.bridge.when_done(ctx.root.email_policy(), self._policy_known)
        except Exception:
            log.exception("the e-mail policy could not be asked", extra={"service": "email"})

    def enter_pressed(self, field: QWidget) -> None:
        # ↵ moves on to the next field, as in Forms; after the last one to Next.
        self.form.next_field(field)

    def _new_form(self) -> MessageView:
        definition = message_definition(self.ctx, self.documents)
        form = MessageView(self.ctx, definition, self.documents)
        form.max_bytes = self.policy.max_attachment_bytes
        form.prefill({"subject": self.ui.t(DEFAULT_SUBJECT)})
        # Nothing is attached until the citizen chooses it: a sent form may carry an identity
        # code, and a scan may be someone else's letter.
        form.cancelled.connect(self.leave)
        form.submitted.connect(self._submitted)
        form.page_changed.connect(lambda: self.area.verticalScrollBar().setValue(0))
        form.page_changed.connect(self.chain_bar)
        form.go_to(0)
        return form

    def _policy_known(self, future: Future[EmailPolicy]) -> None:
        self.policy_asked = True
        try:
            self.policy = future.result()
        except HubRefused:
            # Logged as an error for support by the client; the citizen is told plainly.
            self.refused = True
            self.policy = EmailPolicy()
        except Exception as exc:
            # The hub's limits still apply when the message arrives; the citizen is told that
            # it will wait for the connection.
            log.warning(
                "the hub's e-mail policy is not known",
                extra={"service": "email", "reason": str(exc)},
            )
            self.policy = EmailPolicy()
        self.form.max_bytes = self.policy.max_attachment_bytes
        log.info(
            "e-mail policy",
            extra={
                "service": "email",
                "known": self.policy.known,
                "exhausted": self.policy.exhausted,
                "refused": self.refused,
            },
        )
        self.retranslate()

    @property
    def closed(self) -> bool:
        """No message can be written: the hourly limit is reached, or the hub refuses the kiosk."""
        return self.policy.exhausted or self.refused

    @property
    def limits(self) -> QLabel:
        """What the citizen is told of the e-mail service's limits (the one shown)."""
        return self.warning if self.closed else self.info

    def retranslate(self) -> None:
        t, policy = self.ui.t, self.policy
        self.warning.setText("⚠ " + t(REFUSED if self.refused else EXHAUSTED))
        self.warning.setVisible(self.closed)
        if policy.known:
            text = t(SENDER_KNOWN).format(
                sender=policy.sender,
                limit=policy.messages_per_hour,
                remaining=policy.remaining_this_hour,
            )
        else:
            text = t(SENDER_UNKNOWN) if self.policy_asked else ""
        self.info.setText(text)
        self.info.setVisible(bool(text) and not self.closed)
        self.form.setVisible(not self.closed)
        if self.bar is self.form.bar:
            self.form.bar.setVisible(not self.closed)

    def _submitted(self, answers: dict[str, Any]) -> None:
        if self.closed:
            return
        chosen = set(answers.get("documents", []))
        attachments = [d.attachment for d in self.documents if d.attachment.key in chosen]
        address = str(answers["to"])
        try:
            payload = email_payload(
                to=[address],
                subject=str(answers.get("subject", "")) or self.ui.t(DEFAULT_SUBJECT),
                message=str(answers.get("message", "")),
                attachments=attachments,
                language=self.ui.language,
                submitted_at=utc_iso(datetime.now(UTC)),
            )
            self.ctx.root.submit("email", payload, service="email", outcome="sent")
        except Exception:
            # Nothing is lost: the message stays on the summary, and the citizen is told.
            log.exception("an e-mail could not be put in the outbox", extra={"service": "email"})
            self.form.notice.setText("⚠ " + self.ui.t(NOT_SENT))
            self.form.notice.show()
            return
        log.info("e-mail sent", extra={"service": "email", "attachments": len(attachments)})
        self.sent_to = address
        self.keyboard.hide()
        self.done.show_sent(address)
        self.set_content(self.done)
        self.done.another.setFocus()

    def start_again(self) -> None:
        old = self.form
        self.form = self._new_form()
        layout = self.view.layout()
        assert layout is not None
        layout.replaceWidget(old, self.form)
        self.sent_to = None
        self.set_content(self.view, self.form.bar)
        old.deleteLater()
        self.retranslate()


class DoneView(QWidget):
    def __init__(self, ui: UiState) -> None:
        super().__init__()
        self.ui = ui
        self.address = ""
        column = QVBoxLayout(self)
        column.setContentsMargins(96, 48, 96, 48)
        column.setSpacing(28)
        self.heading = QLabel()
        self.heading.setProperty("role", "h2")
        self.heading.setWordWrap(True)
        self.text = QLabel()
        self.text.setProperty("role", "lead")
        self.text.setWordWrap(True)
        self.another = WrapButton(role="primary")
        self.another.setMinimumHeight(88)
        column.addWidget(self.heading)
        column.addWidget(self.text)
        column.addWidget(self.another)
        column.addStretch(1)
        ui.changed.connect(self.retranslate)

    def show_sent(self, address: str) -> None:
        self.address = address
        self.retranslate()

    def retranslate(self) -> None:
        t = self.ui.t
        self.heading.setText("✓ " + t(SENT_HEADING))
        self.text.setText(t(SENT_TEXT).format(address=self.address))
        self.another.set_label(t(ANOTHER))
