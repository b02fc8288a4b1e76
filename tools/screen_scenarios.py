"""The flows the screenshots and the screen checks walk through, one function per service.

Each scenario drives a Rig's window through a flow in one language and mode and yields the name
of each state to look at, with the window showing it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tools.screen_rig import Rig

#: A scenario drives the rig's window through a flow in one language and mode and yields the
#: name of each state to look at, with the window showing it.
Scenario = Callable[[Rig, str, str], Iterator[str]]


def _scroll_to_end(widget: Any) -> bool:
    """Scroll every scroll area shown in `widget` to its end; whether there was any way to go."""
    from PySide6.QtWidgets import QScrollArea

    moved = False
    for area in widget.findChildren(QScrollArea):
        bar = area.verticalScrollBar()
        if area.isVisible() and bar.maximum() > bar.value():
            bar.setValue(bar.maximum())
            moved = True
    return moved


def attract(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """The welcome (in every language at once), and the home screen, Help, the idle warning and
    the session-ended message in `language`."""
    window = rig.window
    rig.set_mode(mode)
    window.show_attract()
    yield "attract"
    frame = rig.start(language, mode)
    yield "home"
    rig.click(frame.home.tiles["help"])
    yield "help"
    if _scroll_to_end(frame):
        yield "help-end"  # the privacy notice and the rest below the fold
    rig.clock.now += rig.config.session.idle_seconds + 3
    window.poll()
    rig.settle()
    yield "idle-warning"
    rig.click(window.idle.end_button)
    rig.set_mode(mode)  # the modes go with the session; the citizen's stay on the screen
    yield "session-ended"
    window.attract.erased_banner.hide()


def technician(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """The PIN pad behind the hidden gesture (and a wrong PIN), and the technician's screen with
    every device's panel, scrolled down to the last."""
    window = rig.window
    window.ui.set_language(language)
    rig.set_mode(mode)
    window.open_pin_pad()
    for digit in "12":
        rig.click(window.pin_pad.keys[digit])
    yield "technician-pin"
    rig.click(window.pin_pad.ok_button)
    rig.wait(lambda: not window.gate.checking)  # the PIN is checked on a worker
    yield "technician-pin-wrong"
    window.open_technician()
    window.ui.set_language(language)
    rig.set_mode(mode)
    tech = window.technician
    assert tech is not None
    rig.wait(lambda: tech.payments.text())  # the journal is read on a worker
    yield "technician"
    if _scroll_to_end(tech):
        yield "technician-scrolled"
    window.show_attract()
    rig.settle()


def id_card(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """An ID card read for the session, and the reminder to take it when the session ends."""
    from kiosk.devices.cardreader.simulated import SimulatedCardReader
    from kiosk.devices.catalog import DeviceClass

    rig.start(language, mode)
    reader = rig.kiosk.device(DeviceClass.CARD_READER)
    assert isinstance(reader, SimulatedCardReader)
    reader.insert()
    rig.wait(lambda: getattr(rig.kiosk.session.current, "card_used", False))
    yield "home-id-card-read"
    frame = rig.window.frame
    assert frame is not None
    rig.click(frame.end_button)  # with the card still in the reader: a reminder to take it
    yield "card-reminder"
    reader.remove()
    rig.wait(lambda: rig.window.stack.currentWidget() is rig.window.attract)
    rig.window.attract.erased_banner.hide()
    rig.settle()


def _usable(device: Any, usable: bool) -> bool:
    return bool(device.health().state.usable) is usable


def unavailable(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """The home screen while the printer, the camera and the card terminal are out of use: their
    services' tiles say so."""
    from kiosk.devices.catalog import DeviceClass

    faults = {
        DeviceClass.PRINTER: "offline",
        DeviceClass.CAMERA: "unplugged",
        DeviceClass.PAYMENT: "offline",
    }
    devices = {kind: rig.kiosk.device(kind) for kind in faults}
    for kind, fault in faults.items():
        device = devices[kind]
        assert device is not None
        rig.wait(partial(_usable, device, True))  # opened and working
        device.set_fault(fault, True)
        rig.wait(partial(_usable, device, False))
    frame = rig.start(language, mode)
    rig.wait(lambda: not frame.home.tiles["print"].isEnabled())
    rig.wait(lambda: not frame.home.tiles["fee"].isEnabled())
    yield "home-devices-unavailable"
    for kind, fault in faults.items():
        device = devices[kind]
        assert device is not None
        device.set_fault(fault, False)
    rig.wait(lambda: frame.home.tiles["print"].isEnabled())
    rig.wait(lambda: frame.home.tiles["fee"].isEnabled())
    rig.end()


def forms(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """The Forms service: the catalogue, a page with the keyboard up and a wrong identity code
    said in words, the choices, the summary and the reference number."""
    from kiosk.ui.forms.fields import ChoiceFieldView, FlagFieldView, TextFieldView
    from kiosk.ui.screens.forms import FormsScreen

    rig.start(language, mode)
    screen = rig.open("forms")
    assert isinstance(screen, FormsScreen)
    yield "forms-catalogue"
    rig.click(screen.catalogue.buttons["library-card"])
    form = screen.form
    assert form is not None

    def line(name: str) -> TextFieldView:
        view = form.fields[name]
        assert isinstance(view, TextFieldView)
        return view

    QTest.keyClicks(line("first_names").editor, "Anna")
    QTest.keyClicks(line("last_name").editor, "Virtanen")
    code = line("identity_code").editor
    rig.click(code)
    QTest.keyClicks(code, "131052-308X")
    rig.click(line("last_name").editor)
    rig.click(code)
    yield "forms-page-keyboard-error"
    keyboard = screen.keyboard
    if hasattr(keyboard, "show_alternatives"):
        rig.click(line("last_name").editor)  # the letters again
        key = keyboard.key("a")  # held: the row of other letters (à á â ã å æ ...)
        QTest.mousePress(key, Qt.MouseButton.LeftButton)
        rig.wait(lambda: keyboard.popup is not None)
        yield "forms-keyboard-more-letters"
        keyboard.close_alternatives()
        QTest.mouseRelease(key, Qt.MouseButton.LeftButton)
        rig.settle()
    line("identity_code").set_value("131052-308T")
    rig.click(form.next_button)
    for name, text in (("street", "Testikatu 1"), ("postal_code", "00100"), ("city", "HKI")):
        QTest.keyClicks(line(name).editor, text)
    rig.click(form.next_button)
    notices = form.fields["notices_by"]
    rules = form.fields["accepts_rules"]
    assert isinstance(notices, ChoiceFieldView) and isinstance(rules, FlagFieldView)
    rig.click(notices.buttons["email"])
    rig.click(rules.box)
    yield "forms-choices"
    read = getattr(rules, "read_button", None)
    if read is not None:  # what the consent agrees to, in the form's place
        from kiosk.ui.forms.consent import ConsentView

        rig.click(read)
        consent = next(v for v in screen.findChildren(ConsentView) if v.isVisible())
        yield "forms-consent-text"
        rig.click(consent.close_button)
    rig.click(form.next_button)
    yield "forms-summary"
    rig.click(form.next_button)
    rig.wait(lambda: screen.confirmation is not None)
    yield "forms-confirmation"
    rig.end()


def form_scan(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """Scanning from inside a form: the contact request's attachment field, the scan in the
    form's place, and the form again with the scan attached."""
    from kiosk.ui.forms.attachments import AttachmentFieldView
    from kiosk.ui.forms.fields import ChoiceFieldView, TextFieldView
    from kiosk.ui.screens.forms import FormsScreen

    rig.start(language, mode)
    screen = rig.open("forms")
    assert isinstance(screen, FormsScreen)
    screen.open_form("kansalaisneuvonta-contact")
    form = screen.form
    assert form is not None
    name, phone = form.fields["name"], form.fields["phone"]
    assert isinstance(name, TextFieldView) and isinstance(phone, TextFieldView)
    name.set_value("Anna Virtanen")
    phone.set_value("040 123 4567")
    for field, option in (("contact_by", "phone"), ("language", language)):
        view = form.fields[field]
        assert isinstance(view, ChoiceFieldView)
        view.set_value(option)
    rig.click(form.next_button)
    attach = form.fields["attachments"]
    assert isinstance(attach, AttachmentFieldView)
    rig.wait(attach.scan_button.isEnabled)
    rig.click(attach.scan_button)
    page = screen.scan_page
    assert page is not None
    rig.wait(lambda: not page.picture.pixmap().isNull())
    rig.click(page.capture_button)
    rig.wait(lambda: page.buttons.currentWidget() is page.review_row)
    yield "forms-attachment-scan"
    rig.click(page.keep_button)
    rig.wait(lambda: page.buttons.currentWidget() is page.aim_row)
    rig.click(page.done_button)
    rig.wait(lambda: screen.scan_page is None)
    yield "forms-attachment-scanned"
    rig.end()


def email(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """The E-mail service: two scans and a sent form to attach, the address typed twice with
    the second one wrong and the keyboard up, the check page, and "on its way"."""
    from kiosk.ui.forms.fields import TextFieldView
    from kiosk.ui.screens.email import EmailScreen
    from kiosk.visit import SentForm

    rig.start(language, mode)
    session = rig.kiosk.session.current
    assert session is not None
    scans = []
    for number in (1, 2):
        scan = session.folder / f"scan-{number}.pdf"
        scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
        scans.append(scan)
    session.visit.scans = list(scans)
    titles = {
        "fi": "Kirjastokortin hakemus",
        "sv": "Ansökan om bibliotekskort",
        "en": "Library card application",
    }
    session.visit.sent_forms = [SentForm("library-card", "K7PX4M2Q", {}, scans[0], titles)]
    screen = rig.open("email")
    assert isinstance(screen, EmailScreen)
    rig.wait(lambda: screen.policy_asked)
    yield "email-attachments"
    form = screen.form
    documents = form.fields.get("documents")
    if documents is not None:  # the citizen chooses the scans, never the form
        documents.set_value(["scan-1", "scan-2"])
    rig.click(form.next_button)

    def line(name: str) -> TextFieldView:
        view = form.fields[name]
        assert isinstance(view, TextFieldView)
        return view

    rig.click(line("to").editor)
    QTest.keyClicks(line("to").editor, "maija.meikalainen@example.fi")
    rig.click(line("to_again").editor)
    QTest.keyClicks(line("to_again").editor, "maija.meikalainen@exmaple.fi")
    rig.click(line("message").editor)
    rig.click(line("to_again").editor)
    yield "email-address-keyboard-error"
    line("to_again").set_value("maija.meikalainen@example.fi")
    line("message").set_value("Hei! Tässä skannaamani sivut.")
    rig.click(form.next_button)
    yield "email-summary"
    rig.click(form.next_button)
    rig.wait(lambda: screen.sent_to is not None)
    yield "email-sent"
    rig.end()
    for remaining, state in ((0, "email-limit-reached"), (None, "email-offline")):
        rig.email_remaining = remaining
        rig.start(language, mode)
        again = rig.open("email")
        assert isinstance(again, EmailScreen)
        rig.wait(partial(getattr, again, "policy_asked"))
        yield state
        rig.end()
    rig.email_remaining = 9
    if importlib.util.find_spec("kiosk.hubclient") is not None:  # the hub refuses the kiosk
        rig.email_refused = True
        rig.start(language, mode)
        refused = rig.open("email")
        assert isinstance(refused, EmailScreen)
        rig.wait(partial(getattr, refused, "policy_asked"))
        yield "email-refused"
        rig.end()
        rig.email_refused = False


def scan_and_print(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """The Scan service (aiming, the page to approve, the finished scan), then printing it: the
    choice, paying for the pages past the free ones, printing, paper out on the way, and done."""
    from kiosk.devices.catalog import DeviceClass
    from kiosk.ui.screens.print import PrintScreen
    from kiosk.ui.screens.scan import ScanScreen

    frame = rig.start(language, mode)
    scan = rig.open("scan")
    assert isinstance(scan, ScanScreen)
    rig.wait(lambda: not scan.picture.pixmap().isNull())
    yield "scan-preview"
    rig.click(scan.capture_button)
    rig.wait(lambda: scan.buttons.currentWidget() is scan.review_row)
    yield "scan-review"
    rig.click(scan.keep_button)
    rig.wait(lambda: scan.buttons.currentWidget() is scan.aim_row)
    rig.click(scan.done_button)
    rig.wait(lambda: scan.buttons.currentWidget() is scan.ready_row)
    yield "scan-ready"

    rig.click(scan.print_button)
    printing = frame.service_screen
    assert isinstance(printing, PrintScreen)
    rig.wait(lambda: printing.pages > 0)
    for _ in range(2):  # three copies: one page past the two free ones
        rig.click(printing.more_button)
    yield "print-choose"
    chooser = getattr(printing, "chooser", None)
    if chooser is not None and chooser.chosen is not None:  # the pages, larger
        chooser.show_preview(chooser.chosen)
        rig.wait(lambda: chooser.previewing and chooser.preview.pictures is not None)
        yield "print-pages"
        chooser.close_preview()
        rig.settle()
    printer = rig.kiosk.device(DeviceClass.PRINTER)
    assert printer is not None
    rig.click(printing.print_button)
    printer.set_fault("paper_out", True)  # while paying: the pages wait for paper
    rig.wait(lambda: printing.payment.paying or printing.job_id is not None)
    yield "print-paying"
    rig.wait(lambda: printing.job_id is not None)
    rig.wait(lambda: "⚠" in printing.message.text())
    yield "print-paper-out"
    printer.set_fault("paper_out", False)
    rig.wait(lambda: printing.job_id is None, seconds=30)
    yield "print-done"
    if printing.receipt_button.isVisible():
        rig.click(printing.receipt_button)
        yield "print-receipt"
    rig.end()


def copy(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """Copy: a page photographed, then the copies to print, printed."""
    from kiosk.ui.screens.scan import ScanScreen

    frame = rig.start(language, mode)
    scan = rig.open("copy")
    assert isinstance(scan, ScanScreen)
    rig.wait(lambda: not scan.picture.pixmap().isNull())
    yield "copy-preview"
    rig.click(scan.capture_button)
    rig.wait(lambda: scan.buttons.currentWidget() is scan.review_row)
    rig.click(scan.keep_button)
    rig.wait(lambda: scan.buttons.currentWidget() is scan.aim_row)
    rig.click(scan.done_button)

    def printing() -> Any:  # the copies are chosen under Copy, or on the Print screen
        inside = getattr(scan, "printing", None)
        return inside if inside is not None else frame.service_screen

    rig.wait(lambda: printing() is not scan and printing().pages > 0)
    yield "copy-choose"
    rig.click(printing().print_button)
    rig.wait(lambda: printing().job_id is None and not printing().payment.paying, seconds=30)
    yield "copy-done"
    rig.end()


def fee(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """Pay a fee: the list, the terminal's prompt, a declined card, and the receipt."""
    from kiosk.devices.catalog import DeviceClass
    from kiosk.ui.screens.fee import FeeScreen

    rig.start(language, mode)
    screen = rig.open("fee")
    assert isinstance(screen, FeeScreen)
    yield "fee-choose"
    terminal = rig.kiosk.device(DeviceClass.PAYMENT)
    assert terminal is not None
    terminal.set_fault("decline", True)
    rig.click(screen.fee_buttons["lost-card"])
    confirm = getattr(screen, "confirm_page", None)
    if confirm is not None:  # what, to whom, how much, and the card number the fee asks for
        yield "fee-confirm"
        rig.click(confirm.pay_button)
        yield "fee-confirm-error"
        rig.click(confirm.reference)
        QTest.keyClicks(confirm.reference, "1234567890")
        rig.click(confirm.pay_button)
    # Paying, or on a slow machine already declined: the terminal does not wait for the screen.
    rig.wait(lambda: screen.payment.paying or screen.payment.again_button.isVisible())
    yield "fee-paying"
    rig.wait(lambda: screen.payment.again_button.isVisible())
    yield "fee-declined"
    terminal.set_fault("decline", False)
    rig.click(screen.payment.again_button)
    rig.wait(lambda: screen.steps.currentWidget() is screen.done_page)
    yield "fee-receipt"
    rig.end()


def advice(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """Video advice from the button under every screen: the lines, the camera check, the queue,
    the call, its text with the keyboard up, a paper shown and what the advisor sent, the call
    going on in E-services, muted, the rating, a closed line and an unreachable hub."""
    from kiosk.ui.screens.video.screen import AdviceScreen

    scripted = rig.advice
    frame = rig.start(language, mode)
    rig.click(frame.home.tiles["help"])
    scripted.reachable = True
    assert frame.advice_button is not None
    rig.click(frame.advice_button)
    screen = frame.advice_screen
    assert isinstance(screen, AdviceScreen)
    rig.wait(lambda: screen.pages.currentWidget() is screen.lines_page)
    yield "advice-lines"
    rig.click(screen.line_buttons["virka-info"])
    yield "advice-preview"
    rig.click(screen.call_button)
    scripted.queued(3, 400)
    rig.wait(lambda: screen.pages.currentWidget() is screen.waiting_page)
    yield "advice-waiting"
    scripted.answered()
    rig.wait(lambda: screen.pages.currentWidget() is screen.call_page)
    scripted.advisor_picture()
    rig.wait(lambda: not screen.remote_view.pixmap().isNull())
    yield "advice-call"
    # Help beside the video: the advisor writes, the citizen answers, a paper is shown and the
    # advisor sends an e-service, a form and a document.
    helper = scripted.scripted_help
    assert helper is not None
    helper.open()
    rig.wait(lambda: screen.help_panel.say_button.isEnabled())
    panel = screen.help_panel
    words = {
        "fi": ("Hei! Miten voin auttaa?", "Tarvitsen apua asumistuen hakemisessa.", "Lähetän"),
        "sv": ("Hej! Hur kan jag hjälpa?", "Jag behöver hjälp med bostadsbidraget.", "Jag skick"),
        "en": ("Hello! How can I help?", "I need help applying for housing allowance.", "I'll se"),
    }[language]
    helper.advisor_writes(words[0])
    helper.advisor_ends_line()
    rig.click(panel.text_field)
    panel.text_field.setText(words[1])
    panel.say()
    helper.advisor_writes(words[2])
    rig.wait(lambda: panel.advisor_text.text().endswith(words[2]))
    yield "advice-call-typing"
    rig.click(screen.keyboard.key("hide"))
    rig.wait(lambda: not screen.keyboard.isVisible())
    rig.wait(lambda: bool(screen.known_services) and bool(screen.known_forms))
    helper.advisor_sends("a1", "eservice", "omavero")
    helper.advisor_sends("a2", "form", "library-card")
    helper.advisor_sends_pdf("a3", "asumistuki-ohje.pdf")
    rig.wait(lambda: len(panel.arrived_buttons) == 3)
    rig.click(panel.show_button)
    rig.wait(lambda: panel.shown_label.text() != "" and panel.show_button.isEnabled())
    helper.advisor_has_page(1)
    rig.pause(0.1)
    yield "advice-call-help"
    rig.click(panel.arrived_buttons["a1"])
    rig.wait(lambda: frame.back_to_call_button.isVisible())
    rig.pause(0.3)
    yield "advice-call-elsewhere"
    rig.click(frame.back_to_call_button)
    rig.wait(lambda: screen.pages.currentWidget() is screen.call_page)
    rig.click(screen.mute_button)
    yield "advice-call-muted"
    rig.click(screen.end_button)
    rig.wait(lambda: screen.pages.currentWidget() is screen.after_page)
    yield "advice-rating"
    rig.click(screen.done_button)
    rig.click(frame.advice_button)
    screen = frame.advice_screen
    assert isinstance(screen, AdviceScreen)
    rig.wait(lambda: screen.pages.currentWidget() is screen.lines_page)
    rig.click(screen.line_buttons["kansalaisneuvonta"])
    yield "advice-closed"
    rig.click(screen.leave_button)
    scripted.reachable = False
    rig.click(frame.advice_button)
    screen = frame.advice_screen
    assert isinstance(screen, AdviceScreen)
    rig.wait(lambda: screen.pages.currentWidget() is screen.sorry_page)
    yield "advice-unavailable"
    scripted.reachable = True
    rig.end()


def eservices(rig: Rig, language: str, mode: str) -> Iterator[str]:
    """E-services: the list by topic, a page with the kiosk's bar, its keyboard under a web
    field, the kiosk's own page for an address off the list, a PDF saved, and a window the
    page opened."""
    import json

    from kiosk.ui.screens.eservices.screen import EServicesScreen
    from kiosk.web.cache import CACHE_FILE

    content = {"version": "screens", "fetched_at": "2026-01-01T00:00:00.000Z"}
    content["catalogue"] = rig.demo_site_catalogue()  # type: ignore[assignment]
    (rig.config.data_dir / CACHE_FILE).write_text(json.dumps(content), encoding="utf-8")
    rig.start(language, mode)
    screen = rig.open("eservices")
    assert isinstance(screen, EServicesScreen)
    rig.wait(lambda: screen.catalogue is not None)
    yield "eservices-list"
    browser = screen.browser
    page = browser.page
    rig.wait(lambda: browser.warm)  # the empty page that readies the renderer
    loaded: list[bool] = []
    page.loadFinished.connect(loaded.append)
    rig.click(screen.list.buttons["demo-service"])
    rig.wait(lambda: bool(loaded) and not browser.loading)
    rig.pause(0.5)
    yield "eservices-page"

    def go(path: str) -> None:
        loaded.clear()
        page.runJavaScript(f"location.href = {json.dumps(path)}", 0)
        rig.wait(lambda: bool(loaded) and not browser.loading)
        rig.pause(0.3)

    go("/form")
    page.runJavaScript("document.getElementById('name').focus()", 0)
    browser.view.setFocus()
    rig.wait(lambda: browser.keyboard.isVisible())
    rig.pause(0.3)
    yield "eservices-page-keyboard"
    page.runJavaScript("document.activeElement.blur()", 0)
    rig.wait(lambda: browser.keyboard.isHidden())
    go("/done")
    page.runJavaScript("document.getElementById('receipt').click()", 0)
    rig.wait(lambda: "receipt.pdf" in browser.banner.text() and "…" not in browser.banner.text())
    yield "eservices-pdf-saved"
    page.runJavaScript("location.href = document.body.dataset.offlist || '/'", 0)
    go("/try")
    page.runJavaScript("document.getElementById('offlist-link').click()", 0)
    rig.wait(lambda: browser.stack.currentWidget() is browser.notice_area)
    yield "eservices-not-available"
    rig.click(browser.notice.back_button)
    rig.wait(lambda: not browser.loading)
    page.runJavaScript("document.getElementById('popup-open').click()", 0)
    rig.wait(lambda: browser.stack.currentWidget() is browser.popup_panel)
    rig.pause(0.5)
    yield "eservices-window"
    rig.click(browser.close_popup_button)
    rig.end()


SCENARIOS: dict[str, Scenario] = {
    "attract": attract,
    "technician": technician,
    "id-card": id_card,
    "unavailable": unavailable,
    "forms": forms,
    "form-scan": form_scan,
    "email": email,
    "scan-print": scan_and_print,
    "copy": copy,
    "fee": fee,
    "advice": advice,
    "eservices": eservices,
}
