"""Help beside the video in a call, as the citizen meets it: text written both ways as it is
typed, a paper shown to the advisor, what the advisor sent opened with a tap while the call goes
on in another service (a strip under every screen leads back to it or ends it), a PDF among the
visit's documents, and nothing left when the call or the session ends. The call and its help
are the scripted stand-ins (tests/ui/advice_double.py); tests/ui/test_call_help.py runs them
against the real hub and a console in Chromium."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.screens.eservices.screen import EServicesScreen
from kiosk.ui.screens.forms import FormsScreen
from kiosk.ui.screens.frame import SessionFrame
from kiosk.ui.screens.print import PrintScreen
from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from kiosk.video.advice import AdvicePhase, CallGuest
from kiosk.visit import AdvisorDocument
from tests.ui.advice_double import ScriptedAdvice, ScriptedHelp
from tests.ui.test_advice import open_window_fixture  # noqa: F401 - used by name
from tests.ui.text_fits import cut_text, sticks_out


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def touch(qtbot: QtBot, field: QWidget) -> None:
    """A tap on a field, in the kiosk's window made the active one first (the only window
    there is on the kiosk; the offscreen platform may leave none active)."""
    window = field.window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    click(qtbot, field)


def in_a_call(
    qtbot: QtBot, window: KioskWindow, advice: ScriptedAdvice, *, from_tile: bool = False
) -> tuple[SessionFrame, AdviceScreen, ScriptedHelp]:
    """A session in English, Virka-info called from the help button (or the home tile),
    answered, its help's channels open and what the kiosk offers read."""
    click(qtbot, window.attract.language_buttons["en"])
    frame = window.frame
    assert frame is not None and frame.advice_button is not None
    click(qtbot, frame.home.tiles["advice"] if from_tile else frame.advice_button)
    screen = frame.service_screen if from_tile else frame.advice_screen
    assert isinstance(screen, AdviceScreen)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.lines_page)
    click(qtbot, screen.line_buttons["virka-info"])
    click(qtbot, screen.call_button)
    advice.answered()
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.call_page)
    helper = advice.scripted_help
    assert helper is not None
    assert not screen.help_panel.show_button.isEnabled(), "not before the channels are open"
    helper.open()
    qtbot.waitUntil(lambda: screen.help_panel.say_button.isEnabled())
    qtbot.waitUntil(lambda: bool(screen.known_services) and bool(screen.known_forms))
    return frame, screen, helper


def test_the_citizen_writes_character_by_character_and_ends_the_line(
    qtbot: QtBot, open_window: Callable[[ScriptedAdvice], KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    _, screen, helper = in_a_call(qtbot, window, advice)
    panel = screen.help_panel
    assert "not kept" in panel.not_kept.text()

    # The advisor writes: the line shows as it is typed, then ended, then the next one.
    helper.advisor_writes("Hel")
    qtbot.waitUntil(lambda: panel.advisor_text.text() == "Hel")
    helper.advisor_writes("Hello!")
    helper.advisor_ends_line()
    helper.advisor_writes("How can")
    qtbot.waitUntil(lambda: panel.advisor_text.text() == "Hello!\nHow can")

    # The citizen touches the field: the keyboard comes up, the picture shrinks above it.
    big = screen.remote_view.width()
    touch(qtbot, panel.text_field)
    assert panel.text_field.hasFocus()
    assert screen.keyboard.isVisible()
    assert screen.remote_view.width() < big
    qtbot.keyClicks(panel.text_field, "Hi")
    click(qtbot, screen.keyboard.key("space"))
    click(qtbot, screen.keyboard.key("a"))
    assert helper.drafts == ["H", "Hi", "Hi ", "Hi a"]
    qtbot.keyClick(panel.text_field, Qt.Key.Key_Backspace)
    assert helper.drafts[-1] == "Hi "
    qtbot.keyClicks(panel.text_field, "there")
    qtbot.keyClick(panel.text_field, Qt.Key.Key_Return)
    assert helper.lines_ended == 1
    assert helper.own_lines() == ("Hi there",)
    assert panel.text_field.text() == ""
    assert helper.drafts[-1] == "Hi there", "clearing the field sends nothing more"
    assert panel.own_text.text() == "Hi there"

    # The keyboard's own Enter, and Send line, end lines too; an empty field ends none.
    qtbot.keyClicks(panel.text_field, "Ok")
    click(qtbot, screen.keyboard.key("enter"))
    assert helper.lines_ended == 2
    click(qtbot, panel.say_button)
    assert helper.lines_ended == 2
    assert panel.own_text.text() == "Hi there\nOk"

    # The keyboard goes when put away, and the picture is as large as before.
    click(qtbot, screen.keyboard.key("hide"))
    assert not screen.keyboard.isVisible()
    assert screen.remote_view.width() == big

    # The call ends: nothing of the text stays on the screen.
    click(qtbot, screen.end_button)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.after_page)
    assert panel.advisor_text.text() == "" and panel.own_text.text() == ""
    assert panel.help is None


def test_a_paper_is_shown_and_the_advisor_has_it(
    qtbot: QtBot, open_window: Callable[[ScriptedAdvice], KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    _, screen, helper = in_a_call(qtbot, window, advice)
    panel = screen.help_panel
    assert screen.camera is not None
    assert "under the camera" in panel.show_hint.text()
    click(qtbot, panel.show_button)
    qtbot.waitUntil(lambda: panel.shown_label.text() == "Page 1 shown to the advisor.")
    assert helper.pages_asked == 1
    helper.advisor_has_page(1)
    qtbot.waitUntil(lambda: panel.shown_label.text() == "The advisor has page 1.")
    helper.next_page = None
    click(qtbot, panel.show_button)
    qtbot.waitUntil(lambda: panel.shown_label.text().startswith("No paper found"))
    helper.next_page = ConnectionError("the channel is gone")
    click(qtbot, panel.show_button)
    qtbot.waitUntil(lambda: panel.shown_label.text().startswith("The page could not be sent"))
    assert panel.show_button.isEnabled()


def test_an_e_service_from_the_advisor_opens_and_the_call_goes_on(
    qtbot: QtBot, open_window: Callable[[ScriptedAdvice], KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    frame, screen, helper = in_a_call(qtbot, window, advice)
    panel = screen.help_panel
    assert helper.advisor_sends("x1", "eservice", "no-such-service") is None
    assert helper.refused == [("x1", "unknown_service")]
    assert helper.advisor_sends("a1", "eservice", "omavero") is not None
    qtbot.waitUntil(lambda: "a1" in panel.arrived_buttons)
    button = panel.arrived_buttons["a1"]
    assert button.isVisible()
    assert button.shown_text() == "E-service\nMyTax"

    click(qtbot, button)
    assert helper.opened_items == ["a1"]
    eservices = frame.service_screen
    assert isinstance(eservices, EServicesScreen)
    qtbot.waitUntil(lambda: eservices.browser.service is not None)
    assert eservices.browser.service is not None and eservices.browser.service.id == "omavero"
    assert frame.title.text() == "E-services"
    # The call goes on, and the strip under the screen says so.
    assert advice.status.phase is AdvicePhase.CONNECTED and advice.cancels == 0
    assert frame.call_strip.isVisible()
    assert frame.call_label.text().replace("\u2011", "-") == "In a call with Virka-info"
    assert frame.back_to_call_button.isVisible() and frame.end_call_button.isVisible()
    assert frame.advice_button is not None and not frame.advice_button.isVisible()

    click(qtbot, frame.back_to_call_button)
    assert frame.advice_screen is screen
    assert frame.stack.currentWidget().isAncestorOf(screen)
    assert screen.pages.currentWidget() is screen.call_page
    assert not frame.call_strip.isVisible()
    assert frame.title.text() == "Video advice"

    # Home, and the call goes on there too, until the strip ends it.
    click(qtbot, frame.home_button)
    assert frame.stack.currentWidget() is frame.home_page
    assert frame.call_strip.isVisible() and advice.cancels == 0
    click(qtbot, frame.end_call_button)
    assert advice.cancels == 1
    qtbot.waitUntil(lambda: not frame.call_strip.isVisible())
    assert frame.advice_button.isVisible()
    assert frame.advice_screen is None
    assert advice.listeners == 0
    assert advice.help_listener is None and advice.documents_folder is None


def test_a_form_from_the_advisor_opens_in_forms(
    qtbot: QtBot, open_window: Callable[[ScriptedAdvice], KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    frame, screen, helper = in_a_call(qtbot, window, advice)
    panel = screen.help_panel
    assert helper.advisor_sends("x1", "form", "no-such-form") is None
    assert helper.refused == [("x1", "unknown_form")]
    helper.advisor_sends("a2", "form", "library-card")
    qtbot.waitUntil(lambda: "a2" in panel.arrived_buttons)
    assert panel.arrived_buttons["a2"].shown_text().startswith("Form\n")
    click(qtbot, panel.arrived_buttons["a2"])
    forms = frame.service_screen
    assert isinstance(forms, FormsScreen)
    assert forms.form is not None and forms.form.definition.id == "library-card"
    assert frame.call_strip.isVisible()
    assert advice.status.phase is AdvicePhase.CONNECTED
    # The advisor hangs up while the citizen fills in the form: the strip goes, the form stays.
    advice.ended("advisor_hung_up", can_rate=True)
    qtbot.waitUntil(lambda: not frame.call_strip.isVisible())
    assert frame.service_screen is forms and forms.form is not None
    assert frame.advice_button is not None and frame.advice_button.isVisible()
    assert frame.advice_screen is None


def test_a_pdf_from_the_advisor_is_one_of_the_visits_documents(
    qtbot: QtBot, open_window: Callable[[ScriptedAdvice], KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    frame, screen, helper = in_a_call(qtbot, window, advice)
    session = window.kiosk.session.current
    assert session is not None
    assert advice.documents_folder == session.folder
    item = helper.advisor_sends_pdf("a3", "guide.pdf", free=True)
    assert item is not None and item.pdf is not None
    panel = screen.help_panel
    qtbot.waitUntil(lambda: "a3" in panel.arrived_buttons)
    [document] = session.visit.advisor_documents
    assert isinstance(document, AdvisorDocument)
    assert (document.name, document.line, document.print_free) == ("guide.pdf", "virka-info", True)
    assert document.pdf == item.pdf and document.pdf.parent == session.folder
    click(qtbot, panel.arrived_buttons["a3"])
    assert helper.opened_items == ["a3"]
    # Print opens on it, free as the line says; the call goes on.
    printing = frame.service_screen
    assert isinstance(printing, PrintScreen)
    assert printing.chooser.document == document.pdf
    assert printing.cost_cents == 0
    assert frame.call_strip.isVisible() and advice.status.phase is AdvicePhase.CONNECTED
    click(qtbot, frame.back_to_call_button)
    assert panel.saved_label.isVisible()
    assert panel.saved_label.text().startswith("guide.pdf is saved to your documents")
    assert len(session.visit.advisor_documents) == 1, "kept once"


def test_the_call_from_the_tile_goes_on_elsewhere_and_the_tile_leads_back(
    qtbot: QtBot, open_window: Callable[[ScriptedAdvice], KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    frame, screen, _ = in_a_call(qtbot, window, advice, from_tile=True)
    assert frame.service_id == "advice"
    click(qtbot, frame.home_button)
    assert frame.call_strip.isVisible() and advice.cancels == 0
    assert frame.advice_screen is screen and frame.service_screen is None
    click(qtbot, frame.home.tiles["help"])
    assert frame.call_strip.isVisible()
    came_from = frame.service_screen
    click(qtbot, frame.home_button)
    click(qtbot, frame.home.tiles["advice"])
    assert frame.stack.currentWidget().isAncestorOf(screen), "the call, not a new screen"
    assert came_from is not None
    click(qtbot, screen.end_button)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.after_page)
    click(qtbot, screen.done_button)
    assert frame.advice_screen is None
    assert frame.advice_button is not None and frame.advice_button.isVisible()


def test_the_sessions_end_hangs_up_a_call_going_on_elsewhere(
    qtbot: QtBot, open_window: Callable[[ScriptedAdvice], KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    frame, _, helper = in_a_call(qtbot, window, advice)
    helper.advisor_sends("a1", "eservice", "omavero")
    qtbot.waitUntil(lambda: advice.help_listener is not None)
    click(qtbot, frame.home_button)
    assert frame.call_strip.isVisible()
    click(qtbot, frame.end_button)
    assert window.kiosk.session.current is None
    assert advice.cancels == 1
    assert advice.listeners == 0
    assert advice.help_listener is None
    assert advice.help_admission is None and advice.documents_folder is None


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_call_strip_fits_the_footer_at_the_largest_text(
    qtbot: QtBot, open_window: Callable[[ScriptedAdvice], KioskWindow], language: str
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    window.ui.large_text_scale = 2.5
    frame, _, _ = in_a_call(qtbot, window, advice)
    click(qtbot, frame.language_buttons[language])
    window.ui.set_large_text(True)
    click(qtbot, frame.home_button)
    assert frame.call_strip.isVisible()
    strip = frame.call_strip
    qtbot.waitUntil(lambda: strip.width() >= strip.sizeHint().width())  # the footer laid out
    assert window.minimumSizeHint().width() <= 1920 and window.width() == 1920
    for button in (frame.back_to_call_button, frame.end_call_button):
        assert cut_text(button) is None, button.text()
        assert button.height() >= 48 and button.accessibleName().strip()
        assert not sticks_out(button, window)
    assert not sticks_out(frame.call_label, window)


def test_a_third_person_shows_beside_the_advisor_with_who_they_are_and_why(
    qtbot: QtBot, open_window: Callable[[ScriptedAdvice], KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    _, screen, _ = in_a_call(qtbot, window, advice)
    advice.advisor_picture()
    qtbot.waitUntil(lambda: not screen.remote_view.pixmap().isNull())
    alone = screen.remote_view.width()
    click(qtbot, screen.mute_button)
    assert advice.muted is True

    interpreter = CallGuest(
        "tulkki-fse",
        {"fi": "Viittomakielen tulkkaus", "en": "Sign language interpreting"},
        "interpreter",
        "fse",
    )
    advice.guest_joins(interpreter)
    qtbot.waitUntil(lambda: screen.guest_view.isVisible())
    qtbot.waitUntil(lambda: not screen.guest_view.pixmap().isNull())
    assert screen.guest_note.text() == (
        "An interpreter of Finnish Sign Language joined the call: Sign language interpreting."
    )
    # Both people side by side, in the room the advisor had alone.
    assert screen.remote_view.width() + screen.guest_view.width() < alone
    assert screen.guest_view.pixmap().toImage().pixelColor(10, 10).green() > 150
    # Someone joining is no new call: the microphone stays as the citizen left it.
    assert screen.mute_button.isChecked() and advice.muted is True
    assert screen.pages.currentWidget() is screen.call_page

    window.ui.set_language("fi")
    qtbot.waitUntil(lambda: "suomalaisen viittomakielen" in screen.guest_note.text())

    advice.guest_leaves()
    qtbot.waitUntil(lambda: not screen.guest_view.isVisible())
    assert not screen.guest_note.isVisible()
    assert screen.remote_view.width() == alone
    assert advice.status.phase is AdvicePhase.CONNECTED


def test_when_the_advisor_leaves_the_call_to_the_interpreter_the_screen_names_them(
    qtbot: QtBot, open_window: Callable[[ScriptedAdvice], KioskWindow]
) -> None:
    advice = ScriptedAdvice()
    window = open_window(advice)
    _, screen, _ = in_a_call(qtbot, window, advice)
    assert "Virka-info" in screen.heading.text()
    advice.guest_joins(
        CallGuest("tulkki-fse", {"en": "Sign language interpreting"}, "interpreter", "fse")
    )
    qtbot.waitUntil(lambda: screen.guest_view.isVisible())
    advice.host_leaves()
    qtbot.waitUntil(lambda: "Sign language interpreting" in screen.heading.text())
    assert not screen.guest_view.isVisible()
    assert screen.pages.currentWidget() is screen.call_page
    assert not screen.help_panel.say_button.isEnabled()  # the help went with the advisor
