"""Sending a form or an e-mail: sealed for the hub and kept in the outbox, off the Qt thread.

Reading the files, sealing and the durable commit can each take a while (a PDF of several
megabytes, an fsync); they run on the store's writer thread, and every call here returns a
`Future` at once. A screen shows that the message is on its way and learns the end through
`kiosk.ui.bridge`. When a submission fails (no outbox, a store fault, a full disk:
kiosk.store.StoreFull) the future says so and nothing is lost: the visit is unchanged, and the
screen still has what the citizen wrote. The hub's e-mail limits are asked for on the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from kiosk.mail import email_payload
from kiosk.store import StoreFull, full_error, is_disk_full, utc_iso
from kiosk.submissions.email import EmailSending
from kiosk.submissions.form import FormSending, form_payload

if TYPE_CHECKING:
    from kiosk.engine import Engine
    from kiosk.hubclient import HubClient
    from kiosk.mail import EmailPolicy
    from kiosk.outbox import Outbox
    from kiosk.session import Session, SessionManager
    from kiosk.store import Store, StoreWriter
    from kiosk.visit import SentForm

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a session's end waits for a submission still on its way (a durable commit).
FINISH_SECONDS = 30.0


class NoOutbox(RuntimeError):
    """Nothing can be sealed: the hub's public key is not configured, or no session runs."""


@dataclass(frozen=True)
class EmailSent:
    """An e-mail in the outbox: its submission id and how many files went with it."""

    submission_id: str
    attachments: int


class Submissions:
    """Forms and e-mails of the running session, into the outbox on the writer thread."""

    def __init__(
        self,
        *,
        sessions: SessionManager,
        writer: StoreWriter,
        outbox: Outbox | None,
        kiosk_id: str,
        engine: Engine | None = None,
        hub: HubClient | None = None,
    ) -> None:
        self.sessions = sessions
        self.writer = writer
        #: None without [kiosk] hub_public_key: every submission then fails.
        self.outbox = outbox
        self.kiosk_id = kiosk_id
        self.engine = engine
        self.hub = hub

    def submit_form(self, form: FormSending) -> Future[SentForm]:
        """Seal the form (answers, PDF, chosen scans) into the outbox with the usage record of
        its sending, in one durable transaction; the future gives what the visit now keeps."""
        session = self.sessions.current

        def send(outbox: Outbox, session: Session) -> SentForm:
            try:
                if form.draw is not None:
                    form.draw(form.pdf)
                payload = form_payload(form, session.visit.scans)
                self._put(outbox, session, "form", payload, f"submitted:{form.definition.id}")
            except Exception as exc:
                # A PDF drawn for a form that did not go is not kept: only a sent form's is.
                if form.draw is not None:
                    form.pdf.unlink(missing_ok=True)
                if is_disk_full(exc) and not isinstance(exc, StoreFull):
                    raise full_error(exc, form.pdf.parent) from exc
                raise
            sent = form.sent_form()
            # A session ended meanwhile has had its visit wiped: nothing is added back to it.
            if self.sessions.current is session:
                session.visit.sent_forms.append(sent)
            return sent

        return self.on_writer(session, send)

    def submit_email(self, mail: EmailSending) -> Future[EmailSent]:
        """Seal the e-mail (with the files it carries) into the outbox for the hub to relay."""
        session = self.sessions.current

        def send(outbox: Outbox, session: Session) -> EmailSent:
            payload = email_payload(
                to=[mail.to],
                subject=mail.subject,
                message=mail.message,
                attachments=mail.attachments,
                language=mail.language,
                submitted_at=utc_iso(datetime.now(UTC)),
            )
            submission_id = self._put(outbox, session, "email", payload, "sent")
            return EmailSent(submission_id, len(mail.attachments))

        return self.on_writer(session, send)

    def email_policy(self) -> Future[EmailPolicy]:
        """What the hub lets this kiosk send by e-mail now (fails when the hub is unreachable,
        or refuses this kiosk's credentials: kiosk.hubclient.HubRefused)."""
        from kiosk.mail import fetch_email_policy

        if self.engine is None or self.hub is None:
            failed: Future[EmailPolicy] = Future()
            failed.set_exception(RuntimeError("no engine or no hub to ask"))
            return failed
        return self.engine.submit(fetch_email_policy(self.hub))

    def _put(
        self, outbox: Outbox, session: Session, kind: str, payload: dict[str, Any], outcome: str
    ) -> str:
        return outbox.put(
            kind,
            {**payload, "kiosk_id": self.kiosk_id},
            session_id=session.id,
            service="forms" if kind == "form" else "email",
            outcome=outcome,
        )

    def on_writer(
        self,
        session: Session | None,
        work: Callable[[Outbox, Session], T],
        resource: str = "submission",
    ) -> Future[T]:
        """`work` on the writer thread, after the writes queued before it; its end as a future.
        The session's end waits for it (as `resource`)."""
        future: Future[T] = Future()
        outbox = self.outbox
        if outbox is None or session is None:
            future.set_exception(
                NoOutbox("no outbox: [kiosk] hub_public_key is not set, or no session")
            )
            return future

        def write(_store: Store) -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = work(outbox, session)
            except Exception as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)

        try:
            self.writer.submit(write)
        except Exception as exc:  # the writer is closed: the kiosk is shutting down
            future.set_exception(exc)
            return future

        # The citizen tapped Send: if the session ends before the writer gets to it, its end
        # waits for it, since the files it reads are in the folder the end removes.
        def finish() -> None:
            wait([future], timeout=FINISH_SECONDS)

        self.sessions.add_resource(resource, finish)
        return future
