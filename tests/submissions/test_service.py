"""Sending a form or an e-mail without a screen: sealed for the hub on the store's writer
thread, the visit told once it is in the outbox, and nothing lost when the store fails."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pytest

from eforms.definition import FormDefinition, load_catalogue, shipped_sources
from kiosk import threads
from kiosk.i18n import Catalogue
from kiosk.mail import Attachment
from kiosk.outbox import Outbox, open_sealed, parse_public_key
from kiosk.session import EndReason, Session, SessionManager
from kiosk.store import Store, StoreWriter, open_store
from kiosk.submissions.email import (
    EmailSending,
    message_definition,
    visit_documents,
)
from kiosk.submissions.form import FormSending
from kiosk.submissions.reference import REFERENCE_ALPHABET, new_reference
from kiosk.submissions.service import NoOutbox, Submissions
from kiosk.visit import SentForm
from tests.conftest import HUB_KEY, HUB_PUBLIC_KEY

KIOSK_ID = "kallio-1"
WAIT = 30
QUESTION = "Mitä tämä kirje tarkoittaa?"


@dataclass
class Rig:
    sessions: SessionManager
    session: Session
    writer: StoreWriter
    outbox: Outbox
    submissions: Submissions

    @property
    def store(self) -> Store:
        return self.writer.store

    def rows(self, table: str) -> list[dict[str, object]]:
        with self.store.lock:
            return list(self.store.db[table].rows)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    sessions = SessionManager(tmp_path / "sessions", idle_seconds=120, warning_seconds=20)
    sessions.prepare_root()
    writer = StoreWriter(open_store(tmp_path / "data" / "kiosk.db"))
    outbox = Outbox(writer.store, parse_public_key(HUB_PUBLIC_KEY))
    submissions = Submissions(sessions=sessions, writer=writer, outbox=outbox, kiosk_id=KIOSK_ID)
    session = sessions.start("fi")
    yield Rig(sessions, session, writer, outbox, submissions)
    sessions.end(EndReason.SHUTDOWN)
    writer.close()


def contact_request() -> FormDefinition:
    forms, errors = load_catalogue(shipped_sources())
    assert errors == []
    return next(f for f in forms if f.id == "kansalaisneuvonta-contact")


def pdf_in(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(f"%PDF-1.4 {text}\n%%EOF\n".encode())
    return path


def sending(session: Session, answers: dict[str, object]) -> FormSending:
    reference = new_reference()
    pdf = pdf_in(session.folder, f"form-{reference}.pdf", reference)
    return FormSending(contact_request(), answers, reference, "fi", pdf)


def test_a_sent_form_opens_with_the_hubs_key_and_holds_answers_pdf_and_attachments(
    rig: Rig,
) -> None:
    letter = pdf_in(rig.session.folder, "scan.pdf", "a letter")
    other = pdf_in(rig.session.folder, "scan-2.pdf", "not chosen")
    rig.session.visit.scans = [letter, other]
    form = sending(rig.session, {"question": QUESTION, "attachments": ["scan.pdf"]})

    sent = rig.submissions.submit_form(form).result(timeout=WAIT)

    assert (sent.form_id, sent.reference, sent.pdf) == (
        "kansalaisneuvonta-contact",
        form.reference,
        form.pdf,
    )
    assert set(form.reference) <= set(REFERENCE_ALPHABET) and len(form.reference) == 8
    [item] = rig.outbox.pending()
    assert QUESTION.encode() not in item.sealed
    opened = open_sealed(item.sealed, bytes(HUB_KEY))
    assert (opened["kind"], opened["form"], opened["reference"]) == (
        "form",
        "kansalaisneuvonta-contact",
        form.reference,
    )
    assert opened["kiosk_id"] == KIOSK_ID and opened["language"] == "fi"
    assert opened["answers"] == {"question": QUESTION, "attachments": ["scan.pdf"]}
    assert base64.b64decode(opened["pdf"]) == form.pdf.read_bytes()
    [attached] = opened["attachments"]
    assert (attached["name"], attached["content_type"]) == ("scan.pdf", "application/pdf")
    assert base64.b64decode(attached["data"]) == letter.read_bytes()
    # Its usage record went with it.
    [usage] = rig.rows("usage")
    assert (usage["session_id"], usage["service"], usage["value"]) == (
        rig.session.id,
        "forms",
        "submitted:kansalaisneuvonta-contact",
    )


def test_the_visit_gets_the_sent_form_once_it_is_in_the_outbox(rig: Rig) -> None:
    form = sending(rig.session, {"question": QUESTION})
    sent = rig.submissions.submit_form(form).result(timeout=WAIT)
    [kept] = rig.session.visit.sent_forms
    assert kept is sent
    assert kept.answers == {"question": QUESTION}
    assert kept.titles["fi"] == contact_request().title("fi")
    # What E-mail then offers to attach: the sent form's PDF.
    [document] = visit_documents(rig.session.visit)
    assert document.attachment.path == form.pdf


def test_the_pdf_is_drawn_off_the_ui_thread_as_the_form_is_sent(rig: Rig) -> None:
    threads.mark_ui_thread()  # this test's thread plays the Qt thread
    reference = new_reference()
    pdf = rig.session.folder / f"form-{reference}.pdf"
    drawn_on: list[bool] = []

    def draw(path: Path) -> None:
        drawn_on.append(threads.on_ui_thread())
        path.write_bytes(b"%PDF-1.4 drawn\n%%EOF\n")

    form = FormSending(contact_request(), {"question": QUESTION}, reference, "fi", pdf, None, draw)
    assert not pdf.exists()
    rig.submissions.submit_form(form).result(timeout=WAIT)
    assert drawn_on == [False]
    threads.clear_ui_thread()
    [item] = rig.outbox.pending()
    opened = open_sealed(item.sealed, bytes(HUB_KEY))
    assert base64.b64decode(opened["pdf"]) == b"%PDF-1.4 drawn\n%%EOF\n"


def test_sending_runs_off_the_ui_thread_and_the_answer_comes_from_there(rig: Rig) -> None:
    threads.mark_ui_thread()  # this test's thread plays the Qt thread
    done_on: list[bool] = []
    future = rig.submissions.submit_form(sending(rig.session, {"question": QUESTION}))
    future.add_done_callback(lambda _f: done_on.append(threads.on_ui_thread()))
    assert isinstance(future.result(timeout=WAIT), SentForm)
    rig.writer.flush(WAIT)
    assert done_on == [False]
    threads.clear_ui_thread()
    assert len(rig.outbox.pending()) == 1


def test_outbox_put_on_the_ui_thread_fails_and_keeps_nothing(rig: Rig) -> None:
    threads.mark_ui_thread()
    with pytest.raises(threads.BlockingOnUiThread):
        rig.outbox.put("form", {}, session_id=rig.session.id, service="forms", outcome="sent")
    threads.clear_ui_thread()
    assert rig.outbox.pending() == []


def test_a_store_fault_gives_an_error_and_loses_nothing(rig: Rig) -> None:
    # The usage record, written after the sealed row in the same transaction, fails.
    with rig.store.lock:
        rig.store.db.execute(
            "CREATE TRIGGER broken BEFORE INSERT ON usage "
            "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
        )
    form = sending(rig.session, {"question": QUESTION})
    future = rig.submissions.submit_form(form)
    with pytest.raises(Exception, match="the disk is full"):
        future.result(timeout=WAIT)
    assert rig.outbox.pending() == [] and rig.rows("usage") == []
    assert rig.session.visit.sent_forms == []
    # The same form can be sent again once the store is well: its PDF is still there.
    with rig.store.lock:
        rig.store.db.execute("DROP TRIGGER broken")
    assert rig.submissions.submit_form(form).result(timeout=WAIT).reference == form.reference
    assert len(rig.outbox.pending()) == 1


def test_without_an_outbox_sending_fails_at_once(rig: Rig) -> None:
    submissions = Submissions(
        sessions=rig.sessions, writer=rig.writer, outbox=None, kiosk_id=KIOSK_ID
    )
    future = submissions.submit_form(sending(rig.session, {}))
    assert isinstance(future.exception(timeout=WAIT), NoOutbox)
    mail = EmailSending("friend@example.fi", "Hei", "", (), "fi")
    assert isinstance(submissions.submit_email(mail).exception(timeout=WAIT), NoOutbox)
    assert rig.session.visit.sent_forms == []


def test_a_form_sent_as_the_session_ends_still_reaches_the_outbox(rig: Rig) -> None:
    release = threading.Event()
    rig.writer.submit(lambda _store: release.wait(WAIT))  # the writer is busy for a while
    future = rig.submissions.submit_form(sending(rig.session, {"question": QUESTION}))
    visit = rig.session.visit
    # The session ends (the citizen walked away) before the writer gets to the form.
    ending = threading.Thread(target=rig.sessions.end, args=(EndReason.USER,))
    ending.start()
    deadline = time.monotonic() + WAIT
    while rig.sessions.current is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    ending.join(WAIT)
    assert not ending.is_alive()
    # Its files were read before the folder went; the wiped visit got nothing back.
    assert future.result(timeout=0).form_id == "kansalaisneuvonta-contact"
    assert len(rig.outbox.pending()) == 1
    assert visit.sent_forms == []
    assert not rig.session.folder.exists()


def test_an_e_mail_is_sealed_with_the_files_chosen(rig: Rig) -> None:
    scan = pdf_in(rig.session.folder, "scan.pdf", "a scan")
    rig.session.visit.scans = [scan]
    documents = visit_documents(rig.session.visit)
    definition = message_definition(documents, Catalogue().gettext)
    assert definition.text("sv", "to.label") == Catalogue().gettext(
        "sv", "Recipient's e-mail address"
    )
    mail = EmailSending.from_answers(
        {"to": "friend@example.fi", "to_again": "friend@example.fi", "documents": ["scan-1"]},
        documents,
        language="en",
        default_subject="Documents from the library kiosk",
    )
    assert mail.attachments == (Attachment("scan-1", scan),)

    sent = rig.submissions.submit_email(mail).result(timeout=WAIT)

    [item] = rig.outbox.pending()
    assert item.id == sent.submission_id and item.kind == "email" and sent.attachments == 1
    opened = open_sealed(item.sealed, bytes(HUB_KEY))
    assert opened["to"] == ["friend@example.fi"]
    assert opened["subject"] == "Documents from the library kiosk"
    assert opened["kiosk_id"] == KIOSK_ID
    [attached] = opened["attachments"]
    assert base64.b64decode(attached["data"]) == scan.read_bytes()
    [usage] = rig.rows("usage")
    assert (usage["service"], usage["value"]) == ("email", "sent")


def test_without_an_engine_the_e_mail_policy_is_not_known(rig: Rig) -> None:
    future: Future[object] = rig.submissions.email_policy()  # type: ignore[assignment]
    assert isinstance(future.exception(timeout=WAIT), RuntimeError)
