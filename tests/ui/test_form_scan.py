"""A citizen halfway through a form scans a paper document from its attachment field, without
leaving the form: the scan is attached and sent, going back changes nothing, and without a
camera the button says why."""

from __future__ import annotations

import base64

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.devices.catalog import DeviceClass
from kiosk.outbox import open_sealed
from kiosk.submissions.email import visit_documents
from kiosk.ui.forms.attachments import AttachmentFieldView
from kiosk.ui.forms.fields import ChoiceFieldView, TextFieldView
from kiosk.ui.forms.form import FormView
from kiosk.ui.forms.scanning import FormScanPage
from kiosk.ui.screens.forms import FormsScreen
from kiosk.ui.window import KioskWindow
from tests.conftest import HUB_KEY
from tests.ui.conftest import off_ui

LEFT = Qt.MouseButton.LeftButton
# Focus is checked as the window's focus widget, the one that has the focus whenever the
# window is active: the offscreen platform may leave no window active.
QUESTION = "What does this letter from the housing office mean?"


def contact_request_at_the_attachments(
    qtbot: QtBot, window: KioskWindow, language: str = "en"
) -> tuple[FormsScreen, FormView, AttachmentFieldView]:
    """The contact request filled in up to its attachment field, the question typed."""
    qtbot.mouseClick(window.attract.language_buttons[language], LEFT)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles["forms"], LEFT)
    screen = frame.service_screen
    assert isinstance(screen, FormsScreen)
    qtbot.mouseClick(screen.catalogue.buttons["kansalaisneuvonta-contact"], LEFT)
    form = screen.form
    assert form is not None
    name = form.fields["name"]
    assert isinstance(name, TextFieldView)
    qtbot.keyClicks(name.editor, "Testi Testinen")
    for field, option in (("contact_by", "phone"), ("language", "fi")):
        view = form.fields[field]
        assert isinstance(view, ChoiceFieldView)
        qtbot.mouseClick(view.buttons[option], LEFT)
    phone = form.fields["phone"]
    assert isinstance(phone, TextFieldView)
    qtbot.keyClicks(phone.editor, "040 123 4567")
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.page == 1
    subject = form.fields["subject"]
    assert isinstance(subject, ChoiceFieldView)
    qtbot.mouseClick(subject.buttons["housing"], LEFT)
    qtbot.keyClicks(question(form).editor, QUESTION)
    attach = form.fields["attachments"]
    assert isinstance(attach, AttachmentFieldView)
    return screen, form, attach


def question(form: FormView) -> TextFieldView:
    view = form.fields["question"]
    assert isinstance(view, TextFieldView)
    return view


def start_scan(qtbot: QtBot, screen: FormsScreen, attach: AttachmentFieldView) -> FormScanPage:
    assert attach.scan_button.isVisible()
    qtbot.waitUntil(attach.scan_button.isEnabled, timeout=10_000)  # the camera is up
    qtbot.mouseClick(attach.scan_button, LEFT)
    page = screen.scan_page
    assert page is not None
    assert screen.area.widget() is page
    assert not screen.form.isVisible()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: not page.picture.pixmap().isNull(), timeout=10_000)
    return page


def scan_a_page(qtbot: QtBot, page: FormScanPage) -> None:
    qtbot.mouseClick(page.capture_button, LEFT)
    qtbot.waitUntil(lambda: page.buttons.currentWidget() is page.review_row, timeout=10_000)
    qtbot.mouseClick(page.keep_button, LEFT)
    qtbot.waitUntil(lambda: page.buttons.currentWidget() is page.aim_row, timeout=10_000)


def camera_of(window: KioskWindow) -> SimulatedCamera:
    camera = window.kiosk.device(DeviceClass.CAMERA)
    assert isinstance(camera, SimulatedCamera)
    return camera


def test_scan_a_letter_from_inside_the_form_and_send_it(qtbot: QtBot, window: KioskWindow) -> None:
    screen, form, attach = contact_request_at_the_attachments(qtbot, window)
    assert attach.scan_button.accessibleName() == "Scan a document now"
    assert attach.buttons == {}
    assert attach.hint.text().startswith("Nothing to attach yet. Tap “Scan a document now”")

    page = start_scan(qtbot, screen, attach)
    assert page.heading.text() == "Scan a document for the form"
    assert window.focusWidget() is page.capture_button
    assert not page.done_button.isEnabled()  # nothing to attach yet
    scan_a_page(qtbot, page)
    scan_a_page(qtbot, page)
    assert page.count.text() == "2 pages scanned"
    assert page.done_button.text() == "Attach to the form"
    qtbot.mouseClick(page.done_button, LEFT)

    # Back at the same field of the form, everything typed still there, the scan ticked.
    qtbot.waitUntil(lambda: screen.area.widget() is form, timeout=10_000)
    assert screen.scan_page is None
    assert (form.page, question(form).value()) == (1, QUESTION)
    assert list(attach.buttons) == ["scan-1.pdf"]
    assert attach.buttons["scan-1.pdf"].isChecked()
    assert window.focusWidget() is attach.buttons["scan-1.pdf"]
    assert attach.hint.text() == "Scanned and attached: scan-1.pdf, 2 pages."
    # Scrolled to where the citizen left it: the field and its scan are in sight.
    qtbot.waitUntil(lambda: not attach.buttons["scan-1.pdf"].visibleRegion().isEmpty())
    qtbot.waitUntil(lambda: not attach.hint.visibleRegion().isEmpty())
    qtbot.waitUntil(lambda: camera_of(window).latest() is None)  # the camera is off again

    # It is one of this visit's documents, like any scan: E-mail offers it too.
    session = window.kiosk.session.current
    assert session is not None
    pdf = session.folder / "scan-1.pdf"
    assert session.visit.scans == [pdf]
    assert len(PdfReader(pdf).pages) == 2
    assert [d.attachment.path for d in visit_documents(session.visit)] == [pdf]

    qtbot.mouseClick(form.next_button, LEFT)
    assert form.on_summary
    assert form.summary.values["attachments"].text() == "scan-1.pdf"
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.confirmation is not None)
    outbox = window.kiosk.outbox
    assert outbox is not None
    [item] = off_ui(outbox.pending)
    opened = open_sealed(item.sealed, bytes(HUB_KEY))
    assert opened["answers"]["question"] == QUESTION
    assert opened["answers"]["attachments"] == ["scan-1.pdf"]
    [attached] = opened["attachments"]
    assert (attached["name"], attached["content_type"]) == ("scan-1.pdf", "application/pdf")
    assert base64.b64decode(attached["data"]) == pdf.read_bytes()


def test_an_earlier_scan_stays_and_the_new_one_is_ticked_beside_it(
    qtbot: QtBot, window: KioskWindow
) -> None:
    qtbot.mouseClick(window.attract.language_buttons["fi"], LEFT)
    session = window.kiosk.session.current
    assert session is not None
    earlier = session.folder / "scan.pdf"  # made with the Scan service before the form
    earlier.write_bytes(b"%PDF-1.4 an earlier scan\n%%EOF\n")
    session.visit.scans = [earlier]
    screen, form, attach = contact_request_at_the_attachments(qtbot, window, "fi")
    assert attach.scan_button.accessibleName() == "Skannaa asiakirja nyt"
    page = start_scan(qtbot, screen, attach)
    scan_a_page(qtbot, page)
    qtbot.mouseClick(page.done_button, LEFT)
    qtbot.waitUntil(lambda: screen.area.widget() is form, timeout=10_000)

    assert list(attach.buttons) == ["scan.pdf", "scan-2.pdf"]
    assert not attach.buttons["scan.pdf"].isChecked()
    assert attach.buttons["scan-2.pdf"].isChecked()
    assert attach.hint.text() == "Skannattu ja liitetty: scan-2.pdf, 1 sivu."
    assert earlier.read_bytes() == b"%PDF-1.4 an earlier scan\n%%EOF\n"
    assert session.visit.scans == [earlier, session.folder / "scan-2.pdf"]


def test_going_back_from_the_scan_leaves_the_form_as_it_was(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen, form, attach = contact_request_at_the_attachments(qtbot, window, "sv")
    page = start_scan(qtbot, screen, attach)
    scan_a_page(qtbot, page)  # a page kept, then the citizen changes their mind
    assert page.back_button.text() == "‹ Tillbaka till blanketten"
    qtbot.mouseClick(page.back_button, LEFT)

    assert screen.area.widget() is form
    assert screen.scan_page is None
    assert (form.page, question(form).value()) == (1, QUESTION)
    assert attach.buttons == {}
    assert attach.hint.text().startswith("Ännu inget att bifoga.")
    assert window.focusWidget() is attach.scan_button
    session = window.kiosk.session.current
    assert session is not None
    assert session.visit.scans == []
    # The page kept before going back is deleted, and the camera is off.
    qtbot.waitUntil(lambda: not (session.folder / "scan-1").exists())
    qtbot.waitUntil(lambda: camera_of(window).latest() is None)

    # The form goes on without an attachment.
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.on_summary


@pytest.mark.kiosk_config('[devices.camera]\nbackend = "none"\n')
def test_without_a_camera_the_button_says_why_and_the_form_goes_on(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen, form, attach = contact_request_at_the_attachments(qtbot, window)
    assert attach.scan_button.isVisible()
    assert not attach.scan_button.isEnabled()
    reason = "camera is not available"
    assert reason in attach.reason.text()
    assert attach.reason.isVisible()
    assert reason in attach.scan_button.accessibleDescription()
    assert not attach.hint.isVisible()  # no advice to scan that cannot be followed
    screen.scan_for("attachments")  # nothing opens, whatever asks
    assert screen.area.widget() is form
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.on_summary


def test_the_button_follows_the_camera_going_away_and_coming_back(
    qtbot: QtBot, window: KioskWindow
) -> None:
    _screen, _form, attach = contact_request_at_the_attachments(qtbot, window)
    qtbot.waitUntil(attach.scan_button.isEnabled, timeout=10_000)
    camera = camera_of(window)
    camera.set_fault("unplugged", True)
    qtbot.waitUntil(lambda: not attach.scan_button.isEnabled(), timeout=10_000)
    assert attach.reason.isVisible()
    camera.set_fault("unplugged", False)
    qtbot.waitUntil(attach.scan_button.isEnabled, timeout=10_000)
    assert not attach.reason.isVisible()


def test_the_scan_button_never_opens_as_a_window_of_its_own(qtbot: QtBot) -> None:
    """Shown before it had a parent, the button flashed up as a separate top-level window."""
    from pathlib import Path

    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QWidget

    import eforms
    from eforms.definition import load_definition
    from kiosk.i18n import Catalogue
    from kiosk.ui.state import UiState

    ui = UiState(Catalogue(), language="fi", large_text_scale=1.5, high_contrast=False)
    shipped = Path(eforms.__file__).parent / "catalogue" / "kansalaisneuvonta-contact.json"
    definition = load_definition(shipped.read_bytes())
    field = next(f for f in definition.fields if f.name == "attachments")
    windows: list[str] = []

    class WindowsShown(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            shown = event.type() == QEvent.Type.Show
            if shown and isinstance(watched, QWidget) and watched.isWindow():
                windows.append(type(watched).__name__)
            return False

    spy = WindowsShown()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(spy)
    try:
        view = AttachmentFieldView(field, definition, ui, [], scanning=True)
        qtbot.addWidget(view)
    finally:
        app.removeEventFilter(spy)
    assert windows == [], f"opened as windows of their own: {windows}"
    assert not view.scan_button.isHidden()
