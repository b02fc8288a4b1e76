"""A citizen sends a scan and a sent form by e-mail: the attachments, the address typed twice,
the check page, the sealed message in the outbox, and what is said when the hub cannot be
asked for its limits."""

from __future__ import annotations

import base64
import logging

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.outbox import open_sealed
from kiosk.ui.forms.fields import ChoiceFieldView, TextFieldView
from kiosk.ui.screens.email import EmailScreen
from kiosk.ui.window import KioskWindow
from kiosk.visit import SentForm
from tests.conftest import HUB_KEY
from tests.ui.conftest import off_ui

LEFT = Qt.MouseButton.LeftButton
SCAN = b"%PDF-1.4 a scanned page\n%%EOF\n"


def open_email(qtbot: QtBot, window: KioskWindow, language: str) -> EmailScreen:
    qtbot.mouseClick(window.attract.language_buttons[language], LEFT)
    frame = window.frame
    assert frame is not None
    session = window.kiosk.session.current
    assert session is not None
    scan = session.folder / "scan-1.pdf"
    scan.write_bytes(SCAN)
    session.visit.scans = [scan]
    form_pdf = session.folder / "form-ABCD2345.pdf"
    form_pdf.write_bytes(b"%PDF-1.4 a form\n%%EOF\n")
    titles = {"fi": "Palaute", "sv": "Respons", "en": "Feedback"}
    session.visit.sent_forms = [
        SentForm("helsinki-feedback", "ABCD2345", {"feedback": "x"}, form_pdf, titles)
    ]
    qtbot.mouseClick(frame.home.tiles["email"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, EmailScreen)
    return screen


def text(screen: EmailScreen, name: str) -> TextFieldView:
    view = screen.form.fields[name]
    assert isinstance(view, TextFieldView)
    return view


def test_send_a_scan_by_e_mail(
    qtbot: QtBot, window: KioskWindow, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    screen = open_email(qtbot, window, "en")
    form = screen.form
    # The hub of the test window is not running: the citizen hears the message will wait.
    qtbot.waitUntil(lambda: screen.policy_asked, timeout=10_000)
    assert "cannot reach the e-mail service" in screen.limits.text()
    assert screen.form.isVisible()

    documents = form.fields["documents"]
    assert isinstance(documents, ChoiceFieldView)
    labels = {key: button.text() for key, button in documents.buttons.items()}
    # Nothing is attached until it is chosen.
    assert labels == {
        "scan-1": "Scanned document 1",
        "form-abcd2345": "Feedback, reference ABCD2345",
    }
    qtbot.mouseClick(documents.buttons["scan-1"], LEFT)  # only the scan goes
    assert documents.buttons["scan-1"].text() == "✓ Scanned document 1"
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 1

    to, again = text(screen, "to"), text(screen, "to_again")
    qtbot.mouseClick(to.editor, LEFT)
    assert screen.keyboard.isVisible()
    qtbot.keyClicks(to.editor, "friend@example.fi")
    qtbot.mouseClick(again.editor, LEFT)
    qtbot.keyClicks(again.editor, "freind@example.fi")
    qtbot.mouseClick(text(screen, "message").editor, LEFT)
    assert again.error.text() == "⚠ This is not the same as the address above. Please check both."
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 1  # not past a mistyped address
    again.editor.clear()
    qtbot.keyClicks(again.editor, "friend@example.fi")
    qtbot.keyClicks(text(screen, "message").editor, "Here is the page.")
    assert text(screen, "subject").value() == "Documents from the library kiosk"
    qtbot.mouseClick(form.next_button, LEFT)

    assert form.on_summary
    assert form.next_button.text() == "Send the e-mail"
    assert form.summary.values["to"].text() == "friend@example.fi"
    assert form.summary.values["documents"].text() == "Scanned document 1"
    qtbot.mouseClick(form.next_button, LEFT)

    # Sealed into the outbox off the Qt thread; the page says so once it is there.
    qtbot.waitUntil(lambda: screen.area.widget() is screen.done)
    assert screen.done.heading.text() == "✓ Your e-mail is on its way"
    assert "friend@example.fi" in screen.done.text.text()
    outbox = window.kiosk.outbox
    assert outbox is not None
    [item] = off_ui(outbox.pending)
    assert item.kind == "email"
    assert b"friend@" not in item.sealed
    opened = open_sealed(item.sealed, bytes(HUB_KEY))
    assert opened["kind"] == "email"
    assert opened["to"] == ["friend@example.fi"]
    assert opened["subject"] == "Documents from the library kiosk"
    assert opened["message"] == "Here is the page."
    assert opened["language"] == "en"
    [attached] = opened["attachments"]
    assert (attached["name"], attached["content_type"]) == ("scan-1.pdf", "application/pdf")
    assert base64.b64decode(attached["data"]) == SCAN

    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records).casefold()
    for secret in ("friend@", "freind@", "here is the page"):
        assert secret not in logged

    # Another e-mail starts from a fresh page.
    qtbot.mouseClick(screen.done.another, LEFT)
    assert screen.area.widget() is screen.view
    assert text(screen, "to").value() == ""


def test_the_address_must_be_given_twice_in_swedish(qtbot: QtBot, window: KioskWindow) -> None:
    screen = open_email(qtbot, window, "sv")
    form = screen.form
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 1
    assert text(screen, "to").error.isVisible()
    assert text(screen, "to_again").error.isVisible()
    assert form.heading.text() == "Skicka per e-post"


def test_a_kiosk_at_its_hourly_limit_says_so_and_sends_nothing(
    qtbot: QtBot, window: KioskWindow
) -> None:
    from concurrent.futures import Future

    from kiosk.mail import EmailPolicy

    # The hub's answer when the service opens: nothing more this hour.
    answer: Future[EmailPolicy] = Future()
    answer.set_result(EmailPolicy(remaining_this_hour=0, sender="kiosk@example.fi"))
    submissions = window.kiosk.submissions
    assert submissions is not None
    submissions.email_policy = lambda: answer  # type: ignore[method-assign]
    screen = open_email(qtbot, window, "en")
    qtbot.waitUntil(lambda: screen.policy_asked, timeout=10_000)
    assert "has sent as many e-mails as it may this hour" in screen.limits.text()
    qtbot.wait(10)
    # A framed warning of its own size at the top, its words inside the frame.
    warning = screen.limits
    assert warning.isVisible()
    assert warning.height() <= warning.heightForWidth(warning.width()) + 8
    assert warning.contentsRect().height() >= warning.fontMetrics().lineSpacing()
    assert not screen.form.isVisible()
    assert not screen.form.next_button.isVisible()  # nor its bar: nothing to send
    # Even a send that got through the screen puts nothing in the outbox.
    screen.form.submitted.emit({"to": "friend@example.fi", "to_again": "friend@example.fi"})
    writer = window.kiosk.writer
    assert writer is not None and writer.flush(10)  # whatever was queued has been written
    outbox = window.kiosk.outbox
    assert outbox is not None
    assert off_ui(outbox.pending) == []
    assert screen.area.widget() is screen.view
