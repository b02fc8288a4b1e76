"""The E-mail service: send this visit's documents (its scans, sent forms, downloads and what
advisors sent), or only a message, by e-mail.

The message is a form like the Forms service's (kiosk.submissions.email), shown by the same
pages, checks and summary: what to attach, then the address typed twice, a subject and a
message. It is sealed to the hub's key into the outbox like a form, off the Qt thread
(kiosk.submissions); the hub sends it from its fixed address and names the kiosk in the text.
The hub's limits are asked for when the service opens, so that a citizen hears of them before
typing. Only ids are logged; the address and the text never are.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.hubclient import HubRefused
from kiosk.i18n import N_
from kiosk.mail import EmailPolicy
from kiosk.store import StoreFull
from kiosk.submissions.email import (
    DEFAULT_SUBJECT,
    EmailSending,
    message_definition,
    visit_documents,
)
from kiosk.submissions.service import EmailSent
from kiosk.ui.context import ServiceContext
from kiosk.ui.forms.message import DoneView, MessageView
from kiosk.ui.widgets.typing import TypingScreen

log = logging.getLogger(__name__)

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
#: The kiosk's disk is full: nothing of the citizen's was kept, and room may come back later.
NOT_SENT_FULL = N_(
    "The e-mail was not sent: the kiosk has no room to store it just now. Nothing you wrote has "
    "been kept in the kiosk, and your message is still here. Please try again in a while, or "
    "ask library staff for help."
)


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
        self.documents = visit_documents(session.visit)
        #: The e-mail on its way into the outbox.
        self.sending: EmailSending | None = None
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
            self.ctx.bridge.when_done(ctx.submissions.email_policy(), self._policy_known)
        except Exception:
            log.exception("the e-mail policy could not be asked", extra={"service": "email"})

    def enter_pressed(self, field: QWidget) -> None:
        # ↵ moves on to the next field, as in Forms; after the last one to Next.
        self.form.next_field(field)

    def _new_form(self) -> MessageView:
        definition = message_definition(self.documents, self.ui.t_in)
        form = MessageView(self.ui, definition, self.documents)
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
        if self.closed or self.sending is not None:
            return
        mail = EmailSending.from_answers(
            answers,
            self.documents,
            language=self.ui.language,
            default_subject=self.ui.t(DEFAULT_SUBJECT),
        )
        self.sending = mail
        self.form.set_sending(True)
        self.ctx.bridge.when_done(self.ctx.submissions.submit_email(mail), self._sent)

    def _sent(self, future: Future[EmailSent]) -> None:
        mail, self.sending = self.sending, None
        self.form.set_sending(False)
        error = future.exception()
        if error is not None or mail is None:
            # Nothing is lost: the message stays on the summary, and the citizen is told.
            log.error(
                "an e-mail could not be put in the outbox",
                exc_info=error,
                extra={"service": "email"},
            )
            words = NOT_SENT_FULL if isinstance(error, StoreFull) else NOT_SENT
            self.form.notice.setText("⚠ " + self.ui.t(words))
            self.form.notice.show()
            return
        log.info(
            "e-mail sent", extra={"service": "email", "attachments": future.result().attachments}
        )
        self.sent_to = mail.to
        self.keyboard.hide()
        self.done.show_sent(mail.to)
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
