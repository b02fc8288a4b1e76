"""The on-screen keyboard's ↵ moves on to the next field, in E-mail as in Forms: what is typed
next goes where the citizen sees the cursor, and after the last field ↵ leads to Next."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.ui.forms.fields import ChoiceFieldView, TextFieldView
from kiosk.ui.forms.form import FormView
from kiosk.ui.screens.email import EmailScreen
from kiosk.ui.screens.forms import FormsScreen
from kiosk.ui.widgets.typing import TypingScreen
from kiosk.ui.window import KioskWindow

LEFT = Qt.MouseButton.LeftButton


def tap(qtbot: QtBot, screen: TypingScreen, *keys: str) -> None:
    for key in keys:
        qtbot.mouseClick(screen.keyboard.key(key), LEFT)


def line(form: FormView, name: str) -> TextFieldView:
    view = form.fields[name]
    assert isinstance(view, TextFieldView)
    return view


def test_enter_moves_through_the_e_mail_fields_to_next(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.mouseClick(window.attract.language_buttons["en"], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["email"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, EmailScreen)
    form = screen.form
    to, again = line(form, "to"), line(form, "to_again")
    subject, message = line(form, "subject"), line(form, "message")

    qtbot.mouseClick(to.editor, LEFT)
    assert screen.keyboard.isVisible()
    tap(qtbot, screen, "a", "@", "b")
    tap(qtbot, screen, "enter")
    # The keyboard stays, and the next letters go into the second address, not the subject.
    assert again.editor.hasFocus()
    assert screen.keyboard.isVisible()
    tap(qtbot, screen, "a", "@", "b")
    assert (to.value(), again.value()) == ("a@b", "a@b")
    assert subject.value() == "Documents from the library kiosk"
    tap(qtbot, screen, "enter")
    assert subject.editor.hasFocus()
    tap(qtbot, screen, "enter")
    assert message.editor.hasFocus()
    tap(qtbot, screen, "h", "i")
    assert message.value() == "hi"
    # After the last field: Next, with the keyboard put away.
    tap(qtbot, screen, "enter")
    assert form.next_button.hasFocus()
    assert not screen.keyboard.isVisible()
    assert message.value() == "hi"


def test_enter_in_forms_goes_to_the_next_field_whatever_its_kind(
    qtbot: QtBot, window: KioskWindow
) -> None:
    qtbot.mouseClick(window.attract.language_buttons["fi"], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["forms"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, FormsScreen)
    qtbot.mouseClick(screen.catalogue.buttons["kansalaisneuvonta-contact"], LEFT)
    form = screen.form
    assert form is not None
    name = line(form, "name")
    qtbot.mouseClick(name.editor, LEFT)
    tap(qtbot, screen, "shift", "a", "n", "n", "a")
    tap(qtbot, screen, "enter")
    # The next question is a choice: it has the focus and is in sight; no keyboard over it.
    contact_by = form.fields["contact_by"]
    assert isinstance(contact_by, ChoiceFieldView)
    assert contact_by.buttons["phone"].hasFocus()
    assert not screen.keyboard.isVisible()
    qtbot.mouseClick(contact_by.buttons["phone"], LEFT)
    phone = line(form, "phone")
    qtbot.mouseClick(phone.editor, LEFT)
    tap(qtbot, screen, "0", "4", "0")
    tap(qtbot, screen, "enter")
    assert line(form, "email").editor.hasFocus()
    assert screen.keyboard.isVisible()
    tap(qtbot, screen, "enter")
    language = form.fields["language"]
    assert isinstance(language, ChoiceFieldView)
    assert language.buttons["fi"].hasFocus()
    assert QApplication.focusWidget() is language.buttons["fi"]
    assert name.value() == "Anna" and phone.value() == "040"


def test_enter_on_a_keypad_moves_on_too(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.mouseClick(window.attract.language_buttons["sv"], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["email"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, EmailScreen)
    form = screen.form
    to, again = line(form, "to"), line(form, "to_again")
    qtbot.mouseClick(to.editor, LEFT)
    qtbot.keyClicks(to.editor, "a@b.fi")
    qtbot.keyClick(to.editor, Qt.Key.Key_Return)
    assert again.editor.hasFocus()
    qtbot.keyClick(again.editor, Qt.Key.Key_Enter)  # the keypad's Enter
    assert line(form, "subject").editor.hasFocus()
