"""After sending, the confirmation speaks only of what it offers: a printed copy is mentioned
exactly when there is a button to print one (the form allows a copy and the printer works),
an e-mailed copy when one was asked for; in every form of the catalogue and every state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.devices.catalog import DeviceClass
from kiosk.ui.forms.confirmation import ConfirmationView
from kiosk.ui.forms.fields import ChoiceFieldView, FlagFieldView, TextFieldView
from kiosk.ui.screens.forms import FormsScreen
from kiosk.ui.window import KioskWindow

LEFT = Qt.MouseButton.LeftButton
#: How each language says "print".
PRINT = {"fi": "tulost", "sv": "skriv ut", "en": "print"}


def open_forms(qtbot: QtBot, window: KioskWindow, language: str) -> FormsScreen:
    qtbot.mouseClick(window.attract.language_buttons[language], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["forms"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, FormsScreen)
    return screen


def says_print(confirmation: ConfirmationView, language: str) -> bool:
    return PRINT[language] in confirmation.keep.text().casefold()


def set_printer(window: KioskWindow, qtbot: QtBot, usable: bool) -> None:
    printer = window.kiosk.device(DeviceClass.PRINTER)
    assert printer is not None
    printer.set_fault("offline", not usable)
    qtbot.waitUntil(lambda: printer.health().state.usable is usable, timeout=10_000)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_form_says_print_only_where_a_copy_can_be_printed(
    qtbot: QtBot, window: KioskWindow, language: str
) -> None:
    screen = open_forms(qtbot, window, language)
    assert len(screen.forms) == 3
    for printer_works in (True, False):
        set_printer(window, qtbot, printer_works)
        for definition in screen.forms:
            view = ConfirmationView(screen.ctx, definition, {}, "ABCD2345")
            screen.set_content(view)
            offered = view.print_button.isVisible()
            assert offered == (definition.citizen_copy and printer_works), definition.id
            assert says_print(view, language) == offered, (definition.id, view.keep.text())
            assert view.keep.text(), "the number is always to be kept"


def test_the_library_card_application_offers_no_copy_and_says_none(
    qtbot: QtBot, window: KioskWindow
) -> None:
    """Sent as a citizen sends it: it carries an identity code, so no copy is printed, and
    the words say to write the number down, nothing about a copy."""
    screen = open_forms(qtbot, window, "fi")
    qtbot.mouseClick(screen.catalogue.buttons["library-card"], LEFT)
    form = screen.form
    assert form is not None
    for name, value in (
        ("first_names", "Anna"),
        ("last_name", "Virtanen"),
        ("identity_code", "131052-308T"),
    ):
        view = form.fields[name]
        assert isinstance(view, TextFieldView)
        qtbot.keyClicks(view.editor, value)
    qtbot.mouseClick(form.next_button, LEFT)
    for name, value in (("street", "Testikatu 1"), ("postal_code", "00100"), ("city", "HKI")):
        view = form.fields[name]
        assert isinstance(view, TextFieldView)
        qtbot.keyClicks(view.editor, value)
    qtbot.mouseClick(form.next_button, LEFT)
    notices, rules = form.fields["notices_by"], form.fields["accepts_rules"]
    assert isinstance(notices, ChoiceFieldView) and isinstance(rules, FlagFieldView)
    qtbot.mouseClick(notices.buttons["letter"], LEFT)
    qtbot.mouseClick(rules.box, LEFT)
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.confirmation is not None)
    confirmation = screen.confirmation
    assert confirmation is not None
    assert not confirmation.print_button.isVisible()
    assert confirmation.keep.text() == (
        "Kirjoita numero muistiin: kerro se, jos kysyt lomakkeestasi."
    )
    assert not confirmation.copy_note.isVisible()


def test_feedback_says_where_its_copies_go_and_what_was_printed(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_forms(qtbot, window, "en")
    qtbot.mouseClick(screen.catalogue.buttons["helsinki-feedback"], LEFT)
    form = screen.form
    assert form is not None
    subject = form.fields["subject"]
    assert isinstance(subject, ChoiceFieldView)
    qtbot.mouseClick(subject.buttons["parks"], LEFT)
    feedback = form.fields["feedback"]
    assert isinstance(feedback, TextFieldView)
    qtbot.keyClicks(feedback.editor, "Nice park")
    qtbot.mouseClick(form.next_button, LEFT)
    email = form.fields["email"]
    assert isinstance(email, TextFieldView)
    qtbot.keyClicks(email.editor, "citizen@example.fi")
    qtbot.mouseClick(form.next_button, LEFT)
    copy = form.summary.copy_button
    assert copy is not None
    qtbot.mouseClick(copy, LEFT)
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.confirmation is not None)
    confirmation = screen.confirmation
    assert confirmation is not None
    assert confirmation.copy_note.text() == (
        "A copy of your answers is sent by e-mail to citizen@example.fi."
    )
    assert confirmation.print_button.isVisible()
    assert says_print(confirmation, "en")

    # The printer goes away: so do the button and the words about it.
    set_printer(window, qtbot, False)
    qtbot.waitUntil(lambda: not confirmation.print_button.isVisible(), timeout=10_000)
    assert not says_print(confirmation, "en")
    set_printer(window, qtbot, True)
    qtbot.waitUntil(confirmation.print_button.isVisible, timeout=10_000)
    assert says_print(confirmation, "en")

    # Printed: the number is on the paper; no second button to press.
    qtbot.mouseClick(confirmation.print_button, LEFT)
    qtbot.waitUntil(lambda: "take your copy" in confirmation.status.text(), timeout=20_000)
    assert not confirmation.print_button.isVisible()
    assert confirmation.keep.text() == (
        "The number is also on your printed copy: quote it if you ask about your form."
    )
