"""E-mail attaches only what the citizen chooses: every document of the visit starts unticked,
the library-card form with its identity code among them, and each document's name shows in
full however long it is, in every language and text size."""

from __future__ import annotations

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
from tests.ui.text_fits import cut_text, sticks_out

LEFT = Qt.MouseButton.LeftButton
CARD_TITLES = {
    "fi": "Kirjastokorttihakemus",
    "sv": "Ansökan om bibliotekskort",
    "en": "Library card application",
}
LONG_TITLES = {
    "fi": "Yhteydenottopyyntö Kansalaisneuvontaan asumiseen liittyvässä asiassa",
    "sv": "Kontaktbegäran till Medborgarrådgivningen i ett ärende som gäller boende",
    "en": "Contact request to Citizens' Advice (Kansalaisneuvonta) about a housing matter",
}


def open_email_with_documents(
    qtbot: QtBot, window: KioskWindow, language: str, scans: int = 4
) -> EmailScreen:
    """E-mail after a visit with `scans` scans, a library-card application (with an identity
    code) and a contact request with a long title."""
    qtbot.mouseClick(window.attract.language_buttons[language], LEFT)
    session = window.kiosk.session.current
    frame = window.frame
    assert session is not None and frame is not None
    paths = []
    for number in range(1, scans + 1):
        path = session.folder / f"scan-{number}.pdf"
        path.write_bytes(b"%PDF-1.4 a scanned page\n%%EOF\n")
        paths.append(path)
    session.visit.scans = paths
    card = session.folder / "form-CARD2345.pdf"
    card.write_bytes(b"%PDF-1.4 131052-308T\n%%EOF\n")
    contact = session.folder / "form-LONG2345.pdf"
    contact.write_bytes(b"%PDF-1.4 a contact request\n%%EOF\n")
    session.visit.sent_forms = [
        SentForm("library-card", "CARD2345", {"identity_code": "131052-308T"}, card, CARD_TITLES),
        SentForm("kansalaisneuvonta-contact", "LONG2345", {}, contact, LONG_TITLES),
    ]
    qtbot.mouseClick(frame.home.tiles["email"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, EmailScreen)
    return screen


def documents(screen: EmailScreen) -> ChoiceFieldView:
    view = screen.form.fields["documents"]
    assert isinstance(view, ChoiceFieldView)
    return view


def test_nothing_is_attached_until_the_citizen_chooses_it(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_email_with_documents(qtbot, window, "en", scans=1)
    chooser = documents(screen)
    assert set(chooser.buttons) == {"scan-1", "form-card2345", "form-long2345"}
    assert [key for key, b in chooser.buttons.items() if b.isChecked()] == []
    assert not any(b.text().startswith("✓") for b in chooser.buttons.values())
    assert "nothing is attached until you choose it" in chooser.description.text()

    # Only what is ticked goes: the scan, not the library-card application.
    qtbot.mouseClick(chooser.buttons["scan-1"], LEFT)
    assert chooser.buttons["scan-1"].text() == "✓ Scanned document 1"
    form = screen.form
    qtbot.mouseClick(form.next_button, LEFT)
    for name in ("to", "to_again"):
        view = form.fields[name]
        assert isinstance(view, TextFieldView)
        qtbot.keyClicks(view.editor, "friend@example.fi")
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.on_summary
    assert form.summary.values["documents"].text() == "Scanned document 1"
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.sent_to is not None)
    outbox = window.kiosk.outbox
    assert outbox is not None
    [item] = off_ui(outbox.pending)
    opened = open_sealed(item.sealed, bytes(HUB_KEY))
    assert [a["name"] for a in opened["attachments"]] == ["scan-1.pdf"]


def test_sending_only_a_message_attaches_nothing(qtbot: QtBot, window: KioskWindow) -> None:
    screen = open_email_with_documents(qtbot, window, "fi", scans=1)
    form = screen.form
    qtbot.mouseClick(form.next_button, LEFT)  # past the documents, none chosen
    assert form.page == 1
    for name in ("to", "to_again"):
        view = form.fields[name]
        assert isinstance(view, TextFieldView)
        qtbot.keyClicks(view.editor, "friend@example.fi")
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.summary.values["documents"].text() == "Ei annettu"
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.sent_to is not None)
    outbox = window.kiosk.outbox
    assert outbox is not None
    [item] = off_ui(outbox.pending)
    assert open_sealed(item.sealed, bytes(HUB_KEY))["attachments"] == []


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("mode", ["normal", "large-text", "high-contrast"])
def test_every_document_name_shows_in_full(
    qtbot: QtBot, window: KioskWindow, language: str, mode: str
) -> None:
    screen = open_email_with_documents(qtbot, window, language)
    window.ui.set_large_text(mode == "large-text")
    window.ui.set_high_contrast(mode == "high-contrast")
    chooser = documents(screen)
    assert len(chooser.buttons) == 6
    # Ticked and unticked, focused and not: the words all show, inside the screen.
    qtbot.mouseClick(chooser.buttons["form-long2345"], LEFT)
    chooser.buttons["scan-3"].setFocus()
    qtbot.wait(10)
    viewport = screen.area.viewport()
    for key, button in chooser.buttons.items():
        assert cut_text(button) is None, (key, cut_text(button))
        assert not sticks_out(button, viewport), (key, button.text())
    assert screen.area.horizontalScrollBar().maximum() == 0
