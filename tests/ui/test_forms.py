"""A citizen fills in a form: the catalogue and its search, pages with the on-screen keyboard,
errors in words, the summary, the reference number, a printed copy, and a language switch."""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.devices.cardreader.fineid import CardHolder
from kiosk.outbox import open_sealed
from kiosk.ui.forms.fields import ChoiceFieldView, FlagFieldView, TextFieldView
from kiosk.ui.forms.form import FormView
from kiosk.ui.screens.forms import FormsScreen
from kiosk.ui.window import KioskWindow
from tests.conftest import HUB_KEY, FakeClock
from tests.ui.conftest import off_ui

LEFT = Qt.MouseButton.LeftButton
#: What every log record has; its timestamps are numbers that may hold any digits.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({})))


def logged_text(records: list[logging.LogRecord]) -> str:
    """Every record's message and the extra fields it was given, as one text to search."""
    return " ".join(
        f"{r.getMessage()} {[v for k, v in vars(r).items() if k not in _RECORD_FIELDS]}"
        for r in records
    )


def open_forms(qtbot: QtBot, window: KioskWindow, language: str) -> FormsScreen:
    qtbot.mouseClick(window.attract.language_buttons[language], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["forms"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, FormsScreen)
    return screen


def open_form(qtbot: QtBot, screen: FormsScreen, form_id: str) -> FormView:
    qtbot.mouseClick(screen.catalogue.buttons[form_id], LEFT)
    assert screen.form is not None
    return screen.form


def text_field(form: FormView, name: str) -> TextFieldView:
    view = form.fields[name]
    assert isinstance(view, TextFieldView)
    return view


def touch(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, LEFT)
    assert widget.hasFocus()


def tap(qtbot: QtBot, screen: FormsScreen, *keys: str) -> None:
    for key in keys:
        qtbot.mouseClick(screen.keyboard.key(key), LEFT)


def test_fill_in_the_library_card_form_and_send_it(
    qtbot: QtBot, window: KioskWindow, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    screen = open_forms(qtbot, window, "fi")
    assert not screen.keyboard.isVisible(), "no keyboard before a field is touched"
    form = open_form(qtbot, screen, "library-card")
    assert form.heading.text() == "Kirjastokorttihakemus"
    assert form.step.text() == "Sivu 1/3: Henkilötiedot"

    # The first names on the on-screen keyboard: it comes up with the field, and the field
    # keeps the focus while keys are tapped.
    first = text_field(form, "first_names").editor
    touch(qtbot, first)
    assert screen.keyboard.isVisible()
    tap(qtbot, screen, "shift", "v", "ä", "i", "n", "ö")
    assert first.text() == "Väinö"
    assert first.hasFocus()
    tap(qtbot, screen, "enter")
    last = text_field(form, "last_name").editor
    assert last.hasFocus()
    qtbot.keyClicks(last, "Virtanen")

    # A wrong check character: said in words when the citizen leaves the field, gone when
    # it is put right.
    code = text_field(form, "identity_code")
    touch(qtbot, code.editor)
    assert screen.keyboard.pages.currentWidget() is screen.keyboard.symbols
    qtbot.keyClicks(code.editor, "131052-308X")
    assert not code.error.isVisible()
    touch(qtbot, first)
    assert code.error.isVisible()
    assert "Tarkistusmerkki" in code.error.text() or "tarkistus" in code.error.text().lower()
    assert code.error.text().startswith("⚠")
    touch(qtbot, code.editor)
    code.editor.end(False)
    tap(qtbot, screen, "backspace", "letters", "shift", "t")
    assert code.editor.text() == "131052-308T"
    assert not code.error.isVisible()

    qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 1
    assert not screen.keyboard.isVisible()
    qtbot.keyClicks(text_field(form, "street").editor, "Testikatu 1")
    postal = text_field(form, "postal_code").editor
    touch(qtbot, postal)
    tap(qtbot, screen, "0", "0", "1", "0", "0")
    assert postal.text() == "00100"
    qtbot.keyClicks(text_field(form, "city").editor, "Helsinki")
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 2

    # Next on a page with an unanswered question says so and stays.
    rules = form.fields["accepts_rules"]
    assert isinstance(rules, FlagFieldView)
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 2
    assert form.notice.isVisible()
    assert rules.error.isVisible()
    assert form.fields["notices_by"].error.text() == "⚠ Valitse yksi vaihtoehto."
    notices = form.fields["notices_by"]
    assert isinstance(notices, ChoiceFieldView)
    qtbot.mouseClick(notices.buttons["letter"], LEFT)
    qtbot.mouseClick(rules.box, LEFT)
    assert not rules.error.isVisible()
    qtbot.mouseClick(form.next_button, LEFT)

    assert form.on_summary
    shown = {name: label.text() for name, label in form.summary.values.items()}
    assert shown["first_names"] == "Väinö"
    assert shown["identity_code"] == "131052-308T"
    assert shown["postal_code"] == "00100"
    assert shown["phone"] == "Ei annettu"
    assert shown["notices_by"] == "Kirjeellä"
    assert shown["accepts_rules"] == "Kyllä"

    # "Change" goes back to the page; the answers are still there.
    qtbot.mouseClick(form.summary.change_buttons[1], LEFT)
    assert form.page == 1
    assert postal.text() == "00100"
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.on_summary
    assert form.next_button.text() == "Lähetä lomake"
    qtbot.mouseClick(form.next_button, LEFT)
    # Sealed into the outbox off the Qt thread; the form waits, then the confirmation comes.
    qtbot.waitUntil(lambda: screen.confirmation is not None)
    confirmation = screen.confirmation
    assert confirmation is not None
    reference = confirmation.reference
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{8}", reference)
    assert confirmation.reference_label.text() == reference
    # This form gives the citizen no copy (it carries an identity code).
    assert not confirmation.print_button.isVisible()
    session = window.kiosk.session.current
    assert session is not None
    [sent] = session.visit.sent_forms
    assert (sent.form_id, sent.reference) == ("library-card", reference)
    assert sent.answers["first_names"] == "Väinö"
    assert sent.answers["accepts_rules"] is True
    assert "phone" not in sent.answers
    # Its PDF is in the session's folder, which the session's end wipes.
    assert sent.pdf.parent == session.folder
    assert sent.pdf.read_bytes().startswith(b"%PDF")
    # It waits in the outbox, sealed: only the hub's private key opens it.
    outbox = window.kiosk.outbox
    assert outbox is not None
    [item] = off_ui(outbox.pending)
    assert b"V\xc3\xa4in\xc3\xb6" not in item.sealed
    opened = open_sealed(item.sealed, bytes(HUB_KEY))
    assert (opened["form"], opened["reference"]) == ("library-card", reference)
    assert opened["answers"] == sent.answers
    assert opened["kiosk_id"] == window.kiosk.config.kiosk.id
    # The PDF of the answers travels sealed with them; no copy was asked for.
    assert base64.b64decode(opened["pdf"]) == sent.pdf.read_bytes()
    assert "copy_to" not in opened

    # Nothing the citizen typed reached the log.
    logged = logged_text(caplog.records).casefold()
    for typed in ("väinö", "virtanen", "131052", "testikatu", "00100"):
        assert typed not in logged

    qtbot.mouseClick(confirmation.another_button, LEFT)
    assert screen.area.widget() is screen.catalogue


def test_switching_language_keeps_the_answers_and_changes_the_words(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_forms(qtbot, window, "fi")
    form = open_form(qtbot, screen, "library-card")
    first = text_field(form, "first_names")
    assert first.label.text() == "Etunimet (pakollinen)"
    touch(qtbot, first.editor)
    assert "å" in screen.keyboard.letter_keys
    qtbot.keyClicks(first.editor, "Anna")
    code = text_field(form, "identity_code")
    touch(qtbot, code.editor)
    qtbot.keyClicks(code.editor, "1310")
    touch(qtbot, first.editor)
    assert code.error.isVisible()
    finnish_error = code.error.text()

    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.language_buttons["sv"], LEFT)
    assert first.label.text() == "Förnamn (obligatorisk)"
    assert form.heading.text() == "Ansökan om bibliotekskort"
    assert first.editor.text() == "Anna"
    assert code.editor.text() == "1310"
    assert code.error.isVisible() and code.error.text() != finnish_error
    assert form.next_button.text().startswith("Nästa")

    qtbot.mouseClick(frame.language_buttons["en"], LEFT)
    assert first.label.text() == "First names (required)"
    touch(qtbot, first.editor)
    assert "q" in screen.keyboard.letter_keys


def test_the_name_on_the_id_card_fills_in_the_name_fields(
    qtbot: QtBot, window: KioskWindow
) -> None:
    qtbot.mouseClick(window.attract.language_buttons["fi"], LEFT)
    session = window.kiosk.session.current
    assert session is not None
    session.visit.card_holder = CardHolder("Maija", "Meikäläinen", "MEIKÄLÄINEN MAIJA")
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["forms"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, FormsScreen)
    form = open_form(qtbot, screen, "library-card")
    assert text_field(form, "first_names").editor.text() == "Maija"
    assert text_field(form, "last_name").editor.text() == "Meikäläinen"
    # The citizen can change what the card said.
    last = text_field(form, "last_name").editor
    last.clear()
    qtbot.keyClicks(last, "Virtanen")
    assert form.answers()["last_name"] == "Virtanen"

    qtbot.mouseClick(form.back_button, LEFT)
    form = open_form(qtbot, screen, "kansalaisneuvonta-contact")
    assert text_field(form, "name").editor.text() == "Maija Meikäläinen"


def test_searching_the_catalogue(qtbot: QtBot, window: KioskWindow) -> None:
    screen = open_forms(qtbot, window, "fi")
    catalogue = screen.catalogue
    assert set(catalogue.buttons) == {
        "library-card",
        "helsinki-feedback",
        "kansalaisneuvonta-contact",
    }
    assert catalogue.buttons["library-card"].text() == "Kirjastokorttihakemus"
    assert catalogue.topic_labels["library"].text() == "Kirjasto"

    def visible() -> set[str]:
        return {fid for fid, b in catalogue.buttons.items() if b.isVisible()}

    touch(qtbot, catalogue.search)
    assert screen.keyboard.isVisible()
    tap(qtbot, screen, "k", "i", "r", "j")
    assert visible() == {"library-card"}
    assert not catalogue.topic_labels["city"].isVisible()
    qtbot.keyClicks(catalogue.search, "xyz")
    assert visible() == set()
    assert catalogue.empty.isVisible()
    catalogue.search.clear()
    assert len(visible()) == 3
    assert not catalogue.empty.isVisible()
    qtbot.keyClicks(catalogue.search, "PALAUTE")
    assert visible() == {"helsinki-feedback"}


def test_feedback_with_a_reply_address_and_a_printed_copy(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_forms(qtbot, window, "en")
    form = open_form(qtbot, screen, "helsinki-feedback")
    subject = form.fields["subject"]
    assert isinstance(subject, ChoiceFieldView)
    qtbot.mouseClick(subject.buttons["parks"], LEFT)
    assert subject.buttons["parks"].text() == "✓ Parks and green areas"
    feedback = text_field(form, "feedback").editor
    touch(qtbot, feedback)
    tap(qtbot, screen, "shift", "n", "i", "c", "e", "space", "p", "a", "r", "k")
    assert feedback.toPlainText() == "Nice park"
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 1

    # A reply needs an address: the form's own rule, said in words.
    wants = form.fields["wants_reply"]
    assert isinstance(wants, FlagFieldView)
    qtbot.mouseClick(wants.box, LEFT)
    qtbot.mouseClick(form.next_button, LEFT)
    email = text_field(form, "email")
    assert email.error.text() == "⚠ Please fill in this field."
    qtbot.keyClicks(email.editor, "not-an-address")
    touch(qtbot, email.editor)
    qtbot.mouseClick(form.back_button, LEFT)
    qtbot.mouseClick(form.next_button, LEFT)
    assert email.error.text() == "⚠ Please give an e-mail address, like name@example.fi."
    email.editor.clear()
    qtbot.keyClicks(email.editor, "citizen@example.fi")
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.on_summary
    assert form.summary.values["subject"].text() == "Parks and green areas"
    assert form.summary.values["wants_reply"].text() == "Yes"
    # This form allows a copy by e-mail, to the address in the answers; only if asked for.
    copy = form.summary.copy_button
    assert copy is not None
    assert copy.text() == "☐ Send me a copy by e-mail to citizen@example.fi"
    qtbot.mouseClick(copy, LEFT)
    assert form.summary.copy_button is not None
    assert form.summary.copy_button.text().startswith("☑ ")
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.confirmation is not None)
    outbox = window.kiosk.outbox
    assert outbox is not None
    [item] = off_ui(outbox.pending)
    assert open_sealed(item.sealed, bytes(HUB_KEY))["copy_to"] == "citizen@example.fi"

    confirmation = screen.confirmation
    assert confirmation is not None
    assert confirmation.print_button.isVisible()
    qtbot.mouseClick(confirmation.print_button, LEFT)
    qtbot.waitUntil(lambda: "take your copy" in confirmation.status.text(), timeout=20_000)
    session = window.kiosk.session.current
    assert session is not None
    pdf = session.folder / f"form-{confirmation.reference}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_keyboard_is_big_named_and_never_takes_the_focus(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_forms(qtbot, window, "sv")
    form = open_form(qtbot, screen, "kansalaisneuvonta-contact")
    name = text_field(form, "name").editor
    touch(qtbot, name)
    keyboard = screen.keyboard
    for keys in (keyboard.letter_keys, keyboard.symbol_keys):
        for key in keys.values():
            assert key.accessibleName().strip()
            assert key.focusPolicy() == Qt.FocusPolicy.NoFocus
    for key in keyboard.letter_keys.values():
        assert key.height() >= 64 and key.width() >= 64, key.accessibleName()
    assert keyboard.key("backspace").accessibleName() == "Radera det sista tecknet"
    tap(qtbot, screen, "symbols", "1", "letters", "hide")
    assert name.text() == "1"
    assert name.hasFocus()
    assert not keyboard.isVisible()
    qtbot.mouseClick(name, LEFT)
    assert keyboard.isVisible()

    # Every other control of the page: named, big enough and reached by Tab.
    window.ui.set_large_text(True)
    qtbot.wait(10)
    for button in form.findChildren(QAbstractButton):
        if not button.isVisible():
            continue
        assert button.accessibleName().strip(), button
        assert button.height() >= 48 and button.width() >= 48, button.accessibleName()
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus, button.accessibleName()


def test_a_page_with_the_keyboard_up_fits_the_display_at_the_largest_text(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_forms(qtbot, window, "fi")
    window.ui.large_text_scale = 2.5  # the largest a kiosk may be configured with
    window.ui.set_large_text(True)
    form = open_form(qtbot, screen, "library-card")
    touch(qtbot, text_field(form, "identity_code").editor)
    assert screen.keyboard.isVisible()
    qtbot.wait(20)
    assert window.minimumSizeHint().height() <= 1080
    assert window.height() == 1080
    # The page scrolls above the keyboard, which stays in reach at the bottom.
    bottom = screen.keyboard.mapTo(window, screen.keyboard.rect().bottomLeft()).y()
    assert bottom <= window.height()


def test_without_the_hub_key_there_is_no_forms_tile(
    qtbot: QtBot, make_config: Callable[..., Config], clock: FakeClock
) -> None:
    from dataclasses import replace

    from kiosk.app import Kiosk

    config = make_config()
    config = replace(config, kiosk=replace(config.kiosk, hub_public_key=""))
    assert "forms" not in [s.id for s in Kiosk(config, clock=clock).enabled_services()]


def test_a_scanned_letter_goes_with_the_contact_request(qtbot: QtBot, window: KioskWindow) -> None:
    from kiosk.ui.forms.attachments import AttachmentFieldView

    qtbot.mouseClick(window.attract.language_buttons["en"], LEFT)
    session = window.kiosk.session.current
    assert session is not None
    scan = session.folder / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 the letter from the housing office\n%%EOF\n")
    session.visit.scans = [scan]
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["forms"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, FormsScreen)
    form = open_form(qtbot, screen, "kansalaisneuvonta-contact")
    qtbot.keyClicks(text_field(form, "name").editor, "Testi Testinen")
    for name, option in (("contact_by", "phone"), ("language", "fi")):
        view = form.fields[name]
        assert isinstance(view, ChoiceFieldView)
        qtbot.mouseClick(view.buttons[option], LEFT)
    qtbot.keyClicks(text_field(form, "phone").editor, "040 123 4567")
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 1
    subject = form.fields["subject"]
    assert isinstance(subject, ChoiceFieldView)
    qtbot.mouseClick(subject.buttons["housing"], LEFT)
    qtbot.keyClicks(text_field(form, "question").editor, "What does this letter mean?")
    attach = form.fields["attachments"]
    assert isinstance(attach, AttachmentFieldView)
    assert not attach.hint.isVisible()  # there is something to attach
    assert attach.buttons["scan.pdf"].text() == "scan.pdf"
    qtbot.mouseClick(attach.buttons["scan.pdf"], LEFT)
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.on_summary
    assert form.summary.values["attachments"].text() == "scan.pdf"
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.confirmation is not None)

    outbox = window.kiosk.outbox
    assert outbox is not None
    [item] = off_ui(outbox.pending)
    opened = open_sealed(item.sealed, bytes(HUB_KEY))
    assert opened["answers"]["attachments"] == ["scan.pdf"]
    [attached] = opened["attachments"]
    assert (attached["name"], attached["content_type"]) == ("scan.pdf", "application/pdf")
    assert base64.b64decode(attached["data"]) == scan.read_bytes()


def test_with_nothing_scanned_the_form_says_how_to_attach(
    qtbot: QtBot, window: KioskWindow
) -> None:
    from kiosk.ui.forms.attachments import AttachmentFieldView

    screen = open_forms(qtbot, window, "sv")
    form = open_form(qtbot, screen, "kansalaisneuvonta-contact")
    attach = form.fields["attachments"]
    assert isinstance(attach, AttachmentFieldView)
    assert attach.buttons == {}
    assert attach.hint.text().startswith("Ännu inget att bifoga.")


def feedback_on_its_summary(qtbot: QtBot, screen: FormsScreen) -> FormView:
    form = open_form(qtbot, screen, "helsinki-feedback")
    subject = form.fields["subject"]
    assert isinstance(subject, ChoiceFieldView)
    qtbot.mouseClick(subject.buttons["parks"], LEFT)
    qtbot.keyClicks(text_field(form, "feedback").editor, "Nice park")
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.on_summary
    return form


def test_while_the_form_is_sealed_it_waits_and_a_store_fault_loses_nothing(
    qtbot: QtBot, window: KioskWindow
) -> None:
    writer, outbox = window.kiosk.writer, window.kiosk.outbox
    assert writer is not None and outbox is not None
    screen = open_forms(qtbot, window, "en")
    form = feedback_on_its_summary(qtbot, screen)

    # The store fails the submission's usage record, in the same transaction as the sealed row.
    off_ui(
        lambda: writer.store.db.execute(
            "CREATE TRIGGER broken BEFORE INSERT ON usage "
            "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
        )
    )
    # The writer is busy: Send is not answered at once, and the form waits for it.
    busy = threading.Event()
    writer.submit(lambda _store: busy.wait(30))
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.sending
    assert not form.next_button.isEnabled() and not form.back_button.isEnabled()
    qtbot.mouseClick(form.next_button, LEFT)  # a second tap sends nothing more
    busy.set()
    qtbot.waitUntil(lambda: not form.sending)
    # Nothing was sent; the answers are still on the summary, and the citizen is told.
    assert screen.confirmation is None and screen.form is form and form.on_summary
    assert form.notice.text().startswith("⚠ The form could not be sent because of a fault")
    assert form.notice.isVisible() and form.next_button.isEnabled()
    assert off_ui(outbox.pending) == []
    session = window.kiosk.session.current
    assert session is not None and session.visit.sent_forms == []

    # The store is well again: the same answers go, once.
    off_ui(lambda: writer.store.db.execute("DROP TRIGGER broken"))
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.confirmation is not None)
    [item] = off_ui(outbox.pending)
    opened = open_sealed(item.sealed, bytes(HUB_KEY))
    assert opened["answers"]["feedback"] == "Nice park"
    assert [s.reference for s in session.visit.sent_forms] == [opened["reference"]]
