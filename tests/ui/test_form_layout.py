"""How a form's page sits on the screen: fields side by side on one line, nothing moving when
a problem is pointed out, Back and Next always in sight in a bar under the page, and no
button's words cut off, in every language and mode."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.forms.confirmation import ConfirmationView
from kiosk.ui.forms.fields import ChoiceFieldView, FlagFieldView, TextFieldView
from kiosk.ui.forms.form import FormView
from kiosk.ui.screens.email import EmailScreen
from kiosk.ui.screens.forms import FormsScreen
from kiosk.ui.window import KioskWindow
from tests.ui.text_fits import cut_text

LEFT = Qt.MouseButton.LeftButton
MODES = ["normal", "large-text", "high-contrast"]


def set_mode(window: KioskWindow, mode: str) -> None:
    window.ui.set_large_text(mode == "large-text")
    window.ui.set_high_contrast(mode == "high-contrast")


def open_form(qtbot: QtBot, window: KioskWindow, language: str, form_id: str) -> FormsScreen:
    qtbot.mouseClick(window.attract.language_buttons[language], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["forms"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, FormsScreen)
    qtbot.mouseClick(screen.catalogue.buttons[form_id], LEFT)
    assert screen.form is not None
    return screen


def settle(qtbot: QtBot, window: KioskWindow) -> None:
    """Let the layouts settle; the offscreen platform may leave no window active meanwhile,
    and focus (the keyboard follows it) needs an active window."""
    qtbot.wait(10)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)


def line(form: FormView, name: str) -> TextFieldView:
    view = form.fields[name]
    assert isinstance(view, TextFieldView)
    return view


def top(widget: QWidget, window: QWidget) -> int:
    return widget.mapTo(window, QPoint(0, 0)).y()


def bottom(widget: QWidget, window: QWidget) -> int:
    return top(widget, window) + widget.height()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_postal_code_and_post_office_sit_on_one_line(
    qtbot: QtBot, window: KioskWindow, language: str
) -> None:
    screen = open_form(qtbot, window, language, "library-card")
    form = screen.form
    assert form is not None
    for name, text in (("first_names", "Anna"), ("last_name", "Virtanen")):
        qtbot.keyClicks(line(form, name).editor, text)
    qtbot.keyClicks(line(form, "identity_code").editor, "131052-308T")
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 1
    postal, city = line(form, "postal_code"), line(form, "city")
    settle(qtbot, window)

    def aligned() -> None:
        assert top(postal.label, window) == top(city.label, window)
        assert top(postal.editor, window) == top(city.editor, window)
        assert postal.editor.height() == city.editor.height()

    aligned()
    # A wrong postal code said under it leaves the post office where it was, beside it.
    qtbot.mouseClick(postal.editor, LEFT)
    qtbot.keyClicks(postal.editor, "123")
    qtbot.mouseClick(city.editor, LEFT)
    assert postal.error.isVisible()
    settle(qtbot, window)
    aligned()


@pytest.mark.parametrize("mode", MODES)
def test_nothing_moves_when_problems_are_pointed_out(
    qtbot: QtBot, window: KioskWindow, mode: str
) -> None:
    screen = open_form(qtbot, window, "fi", "library-card")
    set_mode(window, mode)
    form = screen.form
    assert form is not None
    settle(qtbot, window)
    watched = [line(form, n).editor for n in ("first_names", "last_name", "identity_code")]
    page = screen.area.viewport()
    before = [top(w, page) for w in watched]
    # Next with nothing filled in: every field says what is missing, and the page says so.
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 0
    assert form.notice.isVisible()
    assert all(line(form, n).error.isVisible() for n in ("first_names", "last_name"))
    settle(qtbot, window)
    screen.area.verticalScrollBar().setValue(0)  # where it was, whatever the focus brought up
    settle(qtbot, window)
    assert [top(w, page) for w in watched] == before
    # Put right, the problem goes, and still nothing moves.
    qtbot.keyClicks(watched[0], "Anna")
    assert not line(form, "first_names").error.isVisible()
    settle(qtbot, window)
    screen.area.verticalScrollBar().setValue(0)
    settle(qtbot, window)
    assert [top(w, page) for w in watched] == before


@pytest.mark.parametrize("mode", MODES)
def test_back_and_next_stay_in_sight_under_a_long_page(
    qtbot: QtBot, window: KioskWindow, mode: str
) -> None:
    screen = open_form(qtbot, window, "sv", "kansalaisneuvonta-contact")
    set_mode(window, mode)
    form = screen.form
    assert form is not None
    settle(qtbot, window)
    scroll = screen.area.verticalScrollBar()
    assert scroll.maximum() > 0, "the page is longer than the screen"
    for position in (0, scroll.maximum()):
        scroll.setValue(position)
        settle(qtbot, window)
        for button in (form.back_button, form.next_button):
            assert button.isVisible()
            assert not screen.area.isAncestorOf(button), "it does not scroll with the page"
            assert bottom(button, window) <= window.height()
            assert top(button, window) >= bottom(screen.area, window)
    # With the keyboard up, the bar sits right above it.
    name = line(form, "name").editor
    qtbot.mouseClick(name, LEFT)
    settle(qtbot, window)
    assert screen.keyboard.isVisible()
    assert bottom(form.next_button, window) <= top(screen.keyboard, window)
    # The bar leaves with the form and comes back with the next one.
    qtbot.mouseClick(form.back_button, LEFT)
    assert screen.area.widget() is screen.catalogue
    assert not form.next_button.isVisible()
    qtbot.mouseClick(screen.catalogue.buttons["library-card"], LEFT)
    assert screen.form is not None and screen.form.next_button.isVisible()


@pytest.mark.parametrize("mode", MODES)
def test_the_e_mail_pages_keep_back_and_next_in_a_bar_too(
    qtbot: QtBot, window: KioskWindow, mode: str
) -> None:
    qtbot.mouseClick(window.attract.language_buttons["fi"], LEFT)
    set_mode(window, mode)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["email"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, EmailScreen)
    form = screen.form
    settle(qtbot, window)
    for button in (form.back_button, form.next_button):
        assert button.isVisible()
        assert not screen.area.isAncestorOf(button)
        assert bottom(button, window) <= window.height()


def buttons_cut(root: QWidget) -> list[str]:
    """What is cut on the buttons shown in `root`."""
    return [
        f"{cut_text(b)}"
        for b in root.findChildren(QPushButton)
        if b.isVisible() and cut_text(b) is not None
    ]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("mode", MODES)
def test_no_words_are_cut_on_the_buttons_of_a_form(
    qtbot: QtBot, window: KioskWindow, language: str, mode: str
) -> None:
    """Back, Next (focused, as ↵ leaves it), the options, the summary's buttons, Send, and
    the confirmation's "Fill in another form" (focused, as it comes up) and "Print a copy"."""
    screen = open_form(qtbot, window, language, "helsinki-feedback")
    set_mode(window, mode)
    form = screen.form
    assert form is not None
    subject = form.fields["subject"]
    assert isinstance(subject, ChoiceFieldView)
    qtbot.mouseClick(subject.buttons["parks"], LEFT)
    qtbot.keyClicks(line(form, "feedback").editor, "Nice park")
    form.next_button.setFocus()
    settle(qtbot, window)
    assert buttons_cut(screen) == []
    form.back_button.setFocus()
    settle(qtbot, window)
    assert buttons_cut(screen) == []
    qtbot.mouseClick(form.next_button, LEFT)
    wants = form.fields["wants_reply"]
    assert isinstance(wants, FlagFieldView)
    qtbot.mouseClick(wants.box, LEFT)
    qtbot.keyClicks(line(form, "email").editor, "citizen@example.fi")
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.on_summary
    settle(qtbot, window)
    assert form.next_button.hasFocus()
    assert buttons_cut(screen) == []
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.confirmation is not None)
    confirmation = screen.confirmation
    assert isinstance(confirmation, ConfirmationView)
    settle(qtbot, window)
    assert confirmation.another_button.hasFocus()
    assert confirmation.print_button.isVisible()
    assert buttons_cut(screen) == []
    confirmation.print_button.setFocus()
    settle(qtbot, window)
    assert buttons_cut(screen) == []


def test_tab_goes_from_the_last_field_to_back_and_next(qtbot: QtBot, window: KioskWindow) -> None:
    screen = open_form(qtbot, window, "en", "library-card")
    form = screen.form
    assert form is not None
    settle(qtbot, window)
    code = line(form, "identity_code").editor
    code.setFocus()
    qtbot.keyClick(code, Qt.Key.Key_Tab)
    assert form.back_button.hasFocus()
    qtbot.keyClick(form.back_button, Qt.Key.Key_Tab)
    assert form.next_button.hasFocus()
    # The summary's buttons are made when it is shown: Tab still ends at Back and Next.
    form.go_to(len(form.pages))
    assert form.on_summary
    last_change = form.summary.change_buttons[len(form.pages) - 1]
    last_change.setFocus()
    qtbot.keyClick(last_change, Qt.Key.Key_Tab)
    assert form.back_button.hasFocus()
