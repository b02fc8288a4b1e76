"""A citizen reads the library's rules of use before accepting them: the text opens inside the
kiosk in the form's place, scrolls, follows the language, and Close goes back to the box to
tick, with every answer as it was."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from kiosk.ui.forms.consent import ConsentView
from kiosk.ui.forms.fields import ChoiceFieldView, FlagFieldView, TextFieldView
from kiosk.ui.forms.form import FormView
from kiosk.ui.screens.forms import FormsScreen
from kiosk.ui.window import KioskWindow

LEFT = Qt.MouseButton.LeftButton


def library_card_at_its_last_page(qtbot: QtBot, window: KioskWindow) -> FormsScreen:
    qtbot.mouseClick(window.attract.language_buttons["en"], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["forms"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, FormsScreen)
    qtbot.mouseClick(screen.catalogue.buttons["library-card"], LEFT)
    form = screen.form
    assert form is not None
    for page in (
        (("first_names", "Anna"), ("last_name", "Virtanen"), ("identity_code", "131052-308T")),
        (("street", "Testikatu 1"), ("postal_code", "00100"), ("city", "Helsinki")),
    ):
        for name, value in page:
            view = form.fields[name]
            assert isinstance(view, TextFieldView)
            qtbot.keyClicks(view.editor, value)
        qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 2
    return screen


def rules_of(form: FormView) -> FlagFieldView:
    view = form.fields["accepts_rules"]
    assert isinstance(view, FlagFieldView)
    return view


def test_read_the_rules_of_use_then_accept_them(qtbot: QtBot, window: KioskWindow) -> None:
    screen = library_card_at_its_last_page(qtbot, window)
    form = screen.form
    assert form is not None
    notices = form.fields["notices_by"]
    assert isinstance(notices, ChoiceFieldView)
    qtbot.mouseClick(notices.buttons["sms"], LEFT)
    rules = rules_of(form)
    assert rules.read_button is not None
    assert rules.read_button.isVisible()
    assert rules.read_button.text() == "Read what you accept"

    qtbot.mouseClick(rules.read_button, LEFT)
    consent = screen.area.widget()
    assert isinstance(consent, ConsentView)
    assert consent.heading.text() == "Helsinki City Library rules of use: a summary"
    assert consent.text().startswith("This is a summary, not the official text")
    assert "helmet.fi" in consent.text()
    assert all(paragraph.wordWrap() for paragraph in consent.paragraphs)
    assert len(consent.paragraphs) == 7  # the introduction and six rules
    # Close is in sight in the bar under the text, which scrolls with the screen.
    assert consent.close_button.isVisible()
    assert not screen.area.isAncestorOf(consent.close_button)
    assert all(screen.area.isAncestorOf(p) for p in consent.paragraphs)
    bottom = consent.close_button.mapTo(window, QPoint(0, consent.close_button.height())).y()
    assert bottom <= window.height()
    assert not form.isVisible() and not form.next_button.isVisible()

    # In Finnish, the Finnish rules.
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.language_buttons["fi"], LEFT)
    assert consent.heading.text() == "Helsingin kaupunginkirjaston käyttösäännöt: tiivistelmä"
    assert consent.close_button.text() == "Sulje"
    window.ui.set_large_text(True)
    # A long text scrolls (the scroll bar is asked for anew: a restyle may replace it).
    qtbot.waitUntil(lambda: screen.area.verticalScrollBar().maximum() > 0, timeout=5_000)
    window.ui.set_large_text(False)

    qtbot.mouseClick(consent.close_button, LEFT)
    assert screen.area.widget() is form
    assert form.page == 2
    assert form.next_button.isVisible()
    # Reading is not accepting: the box is still for the citizen to tick; nothing was lost.
    assert not rules.box.isChecked()
    assert notices.buttons["sms"].isChecked()
    assert rules.read_button.hasFocus()
    qtbot.mouseClick(rules.box, LEFT)
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.on_summary
    assert form.summary.values["accepts_rules"].text() == "Kyllä"


def test_a_box_that_is_no_consent_has_nothing_to_read(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.mouseClick(window.attract.language_buttons["sv"], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["forms"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, FormsScreen)
    qtbot.mouseClick(screen.catalogue.buttons["helsinki-feedback"], LEFT)
    form = screen.form
    assert form is not None
    wants = form.fields["wants_reply"]
    assert isinstance(wants, FlagFieldView)
    assert wants.read_button is None
