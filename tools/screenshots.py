"""Render every screen in every mode offscreen at 1920×1080 and save PNGs.

    ./dev screenshots [OUT_DIR]      (default out/screenshots)
    KIOSK_SHOTS=forms ./dev screenshots     only the Forms (and E-mail) screens
    KIOSK_SHOTS=email ./dev screenshots     only the E-mail screens

Modes: normal, large text, high contrast. Screens: attract, home, a service, the idle warning,
the session-ended message, the technician PIN pad and the technician screen, and the Forms
service (catalogue, a page with the keyboard up and an error, summary, confirmation, a scan
made from an attachment field and the field with it attached) and the
E-mail service (attachments, the address with the keyboard up and an error, check, sent) in
Finnish and Swedish.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={ROOT / 'tools/qt/kiosk-1080p.json'}"
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk.app import Kiosk  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.ui.main import build  # noqa: E402


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()


def demo_hub_key() -> str:
    """A public key to seal the screenshots' form submissions to (nobody keeps its pair)."""
    import base64

    from nacl.public import PrivateKey

    return base64.b64encode(bytes(PrivateKey.generate().public_key)).decode()


def demo_config() -> str:
    """The demo's prices and fees, with the in-process simulated terminal instead of the
    simulator process the demo starts (the terminal's protocol is the tests' business)."""
    text = (ROOT / "demo" / "kiosk.toml").read_text()
    return re.sub(r"\[devices\.payment\][^\[]*", "", text)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    cfg = tmp / "kiosk.toml"
    cfg.write_text(
        f'[kiosk]\ndata_dir = "{tmp / "data"}"\nhub_public_key = "{demo_hub_key()}"\n'
        f'[session]\nfolder = "{tmp / "s"}"\n'
        "[ui]\nfullscreen = false\n" + demo_config()
    )
    config = load_config(cfg)
    clock = Clock()
    kiosk = Kiosk(config, clock=clock)
    window, _ = build(config, kiosk)
    window.resize(1920, 1080)
    window.show()
    kiosk.start_backend(window.bridge.on_device_event)
    saved: list[Path] = []

    def shot(name: str) -> None:
        settle(app)
        path = out / f"{name}.png"
        window.grab().save(str(path))
        saved.append(path)

    from kiosk.devices.cardreader.simulated import SimulatedCardReader
    from kiosk.devices.catalog import DeviceClass
    from kiosk.ui.screens.fee import FeeScreen
    from kiosk.ui.screens.print import PrintScreen
    from kiosk.ui.screens.scan import ScanScreen

    def wait(condition: object, seconds: float = 10) -> None:
        import time

        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
            app.processEvents()
            time.sleep(0.02)

    def set_mode(mode: str) -> None:
        window.ui.set_large_text(mode == "large-text")
        window.ui.set_high_contrast(mode == "high-contrast")

    def scan_and_print(mode: str) -> None:
        """The Scan service (aiming, the page to approve, the finished scan), then printing it
        (the choice, progress, paper out on the way, and done)."""
        QTest.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
        set_mode(mode)
        assert window.frame is not None
        QTest.mouseClick(window.frame.home.tiles["scan"], Qt.MouseButton.LeftButton)
        scan = window.frame.service_screen
        assert isinstance(scan, ScanScreen)

        wait(lambda: not scan.picture.pixmap().isNull())
        shot(f"{mode}-scan-preview")
        QTest.mouseClick(scan.capture_button, Qt.MouseButton.LeftButton)
        wait(lambda: scan.buttons.currentWidget() is scan.review_row)
        shot(f"{mode}-scan-review")
        QTest.mouseClick(scan.keep_button, Qt.MouseButton.LeftButton)
        wait(lambda: scan.buttons.currentWidget() is scan.aim_row)
        QTest.mouseClick(scan.done_button, Qt.MouseButton.LeftButton)
        wait(lambda: scan.buttons.currentWidget() is scan.ready_row)
        shot(f"{mode}-scan-ready")

        # Print that scan: the choice, printing, paper out on the way, and done.
        QTest.mouseClick(scan.print_button, Qt.MouseButton.LeftButton)
        printing = window.frame.service_screen
        assert isinstance(printing, PrintScreen)
        wait(lambda: printing.pages > 0)
        QTest.mouseClick(printing.more_button, Qt.MouseButton.LeftButton)
        shot(f"{mode}-print-choose")
        printer = kiosk.device(DeviceClass.PRINTER)
        assert printer is not None
        QTest.mouseClick(printing.print_button, Qt.MouseButton.LeftButton)
        wait(lambda: "/" in printing.message.text())
        shot(f"{mode}-print-progress")
        printer.set_fault("paper_out", True)
        wait(lambda: "paperi" in printing.message.text())
        shot(f"{mode}-print-paper-out")
        printer.set_fault("paper_out", False)
        wait(lambda: printing.job_id is None, seconds=30)
        shot(f"{mode}-print-done")

        # Pay a fee: the list, the terminal's prompt, a declined card, and the receipt.
        QTest.mouseClick(window.frame.home_button, Qt.MouseButton.LeftButton)
        QTest.mouseClick(window.frame.home.tiles["fee"], Qt.MouseButton.LeftButton)
        fee = window.frame.service_screen
        assert isinstance(fee, FeeScreen)
        shot(f"{mode}-fee-choose")
        terminal = kiosk.device(DeviceClass.PAYMENT)
        assert terminal is not None
        terminal.set_fault("decline", True)
        QTest.mouseClick(fee.fee_buttons["lost-card"], Qt.MouseButton.LeftButton)
        wait(lambda: "PIN" in fee.payment.message.text())
        shot(f"{mode}-fee-paying")
        wait(lambda: fee.payment.again_button.isVisible())
        shot(f"{mode}-fee-declined")
        terminal.set_fault("decline", False)
        QTest.mouseClick(fee.payment.again_button, Qt.MouseButton.LeftButton)
        wait(lambda: fee.steps.currentWidget() is fee.done_page)
        shot(f"{mode}-fee-receipt")
        QTest.mouseClick(window.frame.end_button, Qt.MouseButton.LeftButton)
        window.attract.erased_banner.hide()

    def forms(mode: str, language: str) -> None:
        """The Forms service: the catalogue, a page with the keyboard up and a wrong identity
        code said in words, the summary and the reference number."""
        from kiosk.ui.forms.fields import ChoiceFieldView, FlagFieldView, TextFieldView
        from kiosk.ui.screens.forms import FormsScreen

        QTest.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
        set_mode(mode)
        assert window.frame is not None
        QTest.mouseClick(window.frame.home.tiles["forms"], Qt.MouseButton.LeftButton)
        screen = window.frame.service_screen
        assert isinstance(screen, FormsScreen)
        shot(f"{mode}-{language}-forms-catalogue")
        QTest.mouseClick(screen.catalogue.buttons["library-card"], Qt.MouseButton.LeftButton)
        form = screen.form
        assert form is not None

        def line(name: str) -> TextFieldView:
            view = form.fields[name]
            assert isinstance(view, TextFieldView)
            return view

        QTest.keyClicks(line("first_names").editor, "Anna")
        QTest.keyClicks(line("last_name").editor, "Virtanen")
        code = line("identity_code").editor
        QTest.mouseClick(code, Qt.MouseButton.LeftButton)
        QTest.keyClicks(code, "131052-308X")
        QTest.mouseClick(line("last_name").editor, Qt.MouseButton.LeftButton)
        QTest.mouseClick(code, Qt.MouseButton.LeftButton)
        shot(f"{mode}-{language}-forms-page-keyboard-error")
        code.setText("131052-308T")
        QTest.mouseClick(form.next_button, Qt.MouseButton.LeftButton)
        for name, text in (("street", "Testikatu 1"), ("postal_code", "00100"), ("city", "HKI")):
            QTest.keyClicks(line(name).editor, text)
        QTest.mouseClick(form.next_button, Qt.MouseButton.LeftButton)
        notices = form.fields["notices_by"]
        rules = form.fields["accepts_rules"]
        assert isinstance(notices, ChoiceFieldView) and isinstance(rules, FlagFieldView)
        QTest.mouseClick(notices.buttons["email"], Qt.MouseButton.LeftButton)
        QTest.mouseClick(rules.box, Qt.MouseButton.LeftButton)
        shot(f"{mode}-{language}-forms-choices")
        QTest.mouseClick(form.next_button, Qt.MouseButton.LeftButton)
        shot(f"{mode}-{language}-forms-summary")
        QTest.mouseClick(form.next_button, Qt.MouseButton.LeftButton)
        shot(f"{mode}-{language}-forms-confirmation")
        QTest.mouseClick(window.frame.end_button, Qt.MouseButton.LeftButton)
        window.attract.erased_banner.hide()

    def form_scan(mode: str, language: str) -> None:
        """Scanning from inside a form: the contact request's attachment field, the scan in the
        form's place, and the form again with the scan attached."""
        from kiosk.ui.forms.attachments import AttachmentFieldView
        from kiosk.ui.forms.fields import ChoiceFieldView, TextFieldView
        from kiosk.ui.screens.forms import FormsScreen

        QTest.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
        set_mode(mode)
        assert window.frame is not None
        QTest.mouseClick(window.frame.home.tiles["forms"], Qt.MouseButton.LeftButton)
        screen = window.frame.service_screen
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
        QTest.mouseClick(form.next_button, Qt.MouseButton.LeftButton)
        attach = form.fields["attachments"]
        assert isinstance(attach, AttachmentFieldView)
        wait(attach.scan_button.isEnabled)
        QTest.mouseClick(attach.scan_button, Qt.MouseButton.LeftButton)
        page = screen.scan_page
        assert page is not None
        QTest.mouseClick(page.capture_button, Qt.MouseButton.LeftButton)
        wait(lambda: page.buttons.currentWidget() is page.review_row)
        shot(f"{mode}-{language}-forms-attachment-scan")
        QTest.mouseClick(page.keep_button, Qt.MouseButton.LeftButton)
        wait(lambda: page.buttons.currentWidget() is page.aim_row)
        QTest.mouseClick(page.done_button, Qt.MouseButton.LeftButton)
        wait(lambda: screen.scan_page is None)
        shot(f"{mode}-{language}-forms-attachment-scanned")
        QTest.mouseClick(window.frame.end_button, Qt.MouseButton.LeftButton)
        window.attract.erased_banner.hide()

    def email(mode: str, language: str) -> None:
        """The E-mail service: a scan and a sent form to attach, the address typed twice with
        the second one wrong and the keyboard up, the check page, and "on its way"."""
        from kiosk.ui.forms.fields import TextFieldView
        from kiosk.ui.screens.email import EmailScreen
        from kiosk.ui.screens.forms import SUBMITTED_KEY, SentForm

        QTest.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
        set_mode(mode)
        session = kiosk.session.current
        assert window.frame is not None and session is not None
        scan = session.folder / "scan-1.pdf"
        scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
        session.data["documents"] = [scan]
        titles = {"fi": "Palaute Helsingin kaupungille", "sv": "Respons till Helsingfors stad"}
        session.data[SUBMITTED_KEY] = [
            SentForm("helsinki-feedback", "K7PX4M2Q", {}, scan, {**titles, "en": "Feedback"})
        ]
        QTest.mouseClick(window.frame.home.tiles["email"], Qt.MouseButton.LeftButton)
        screen = window.frame.service_screen
        assert isinstance(screen, EmailScreen)
        wait(lambda: screen.policy_asked)
        shot(f"{mode}-{language}-email-attachments")
        form = screen.form
        QTest.mouseClick(form.next_button, Qt.MouseButton.LeftButton)

        def line(name: str) -> TextFieldView:
            view = form.fields[name]
            assert isinstance(view, TextFieldView)
            return view

        QTest.mouseClick(line("to").editor, Qt.MouseButton.LeftButton)
        QTest.keyClicks(line("to").editor, "maija.meikalainen@example.fi")
        QTest.mouseClick(line("to_again").editor, Qt.MouseButton.LeftButton)
        QTest.keyClicks(line("to_again").editor, "maija.meikalainen@exmaple.fi")
        QTest.mouseClick(line("message").editor, Qt.MouseButton.LeftButton)
        QTest.mouseClick(line("to_again").editor, Qt.MouseButton.LeftButton)
        shot(f"{mode}-{language}-email-address-keyboard-error")
        line("to_again").editor.setText("maija.meikalainen@example.fi")
        line("message").set_value("Hei! Tässä skannaamani sivut.")
        QTest.mouseClick(form.next_button, Qt.MouseButton.LeftButton)
        shot(f"{mode}-{language}-email-summary")
        QTest.mouseClick(form.next_button, Qt.MouseButton.LeftButton)
        shot(f"{mode}-{language}-email-sent")
        QTest.mouseClick(window.frame.end_button, Qt.MouseButton.LeftButton)
        window.attract.erased_banner.hide()

    only = os.environ.get("KIOSK_SHOTS")
    if only == "email":
        for mode in ("normal", "large-text", "high-contrast"):
            for language in ("fi", "sv"):
                email(mode, language)
        kiosk.shutdown()
        for path in saved:
            print(path)
        return 0
    if only == "advice":
        kiosk.shutdown()
        window.close()
        saved.extend(advice_shots(app, out, tmp))
        for path in saved:
            print(path)
        return 0
    for mode in ("normal", "large-text", "high-contrast"):
        for language in ("fi", "sv"):
            forms(mode, language)
            form_scan(mode, language)
            email(mode, language)
    if only == "forms":
        kiosk.shutdown()
        return 0

    for mode in ("normal", "large-text", "high-contrast"):
        scan_and_print(mode)

    for mode in ("normal", "large-text", "high-contrast"):
        set_mode(mode)
        shot(f"{mode}-attract")
        language = "sv" if mode == "large-text" else "fi"
        QTest.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
        # Starting a session resets nothing; the modes stay as the citizen chose them.
        window.ui.set_large_text(mode == "large-text")
        window.ui.set_high_contrast(mode == "high-contrast")
        shot(f"{mode}-home")
        frame = window.frame
        assert frame is not None
        QTest.mouseClick(frame.home.tiles["help"], Qt.MouseButton.LeftButton)
        shot(f"{mode}-service-help")
        clock.now += config.session.idle_seconds + 3
        window.poll()
        shot(f"{mode}-idle-warning")
        QTest.mouseClick(window.idle.end_button, Qt.MouseButton.LeftButton)
        window.ui.set_large_text(mode == "large-text")
        window.ui.set_high_contrast(mode == "high-contrast")
        shot(f"{mode}-session-ended")
        window.open_pin_pad()
        for digit in "12":
            QTest.mouseClick(window.pin_pad.keys[digit], Qt.MouseButton.LeftButton)
        shot(f"{mode}-technician-pin")
        window.open_technician()
        shot(f"{mode}-technician")
        window.show_attract()
        window.attract.erased_banner.hide()

        # An ID card read for the session; taking it out ends the session.
        QTest.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
        set_mode(mode)
        reader = kiosk.device(DeviceClass.CARD_READER)
        assert isinstance(reader, SimulatedCardReader)
        reader.insert()
        wait(lambda: getattr(kiosk.session.current, "card_used", False))
        shot(f"{mode}-home-id-card-read")
        reader.remove()
        wait(lambda: kiosk.session.current is None)
        window.attract.erased_banner.hide()

    kiosk.shutdown()
    window.close()
    saved.extend(advice_shots(app, out, tmp))
    for path in saved:
        print(path)
    return 0


def advice_shots(app: QApplication, out: Path, tmp: Path) -> list[Path]:
    """Video advice, in Finnish, normal and large text: the lines, the camera check, the queue,
    the call, the rating, a closed line and an unreachable hub. The hub is the tests' scripted
    stand-in (tests/ui/advice_double.py), so every state can be shown on demand."""
    from dataclasses import replace

    from kiosk.ui.screens.advice import AdviceScreen
    from tests.ui.advice_double import ScriptedAdvice

    config = load_config(tmp / "kiosk.toml")
    config = replace(config, kiosk=replace(config.kiosk, hub_token="screenshots"))
    advice = ScriptedAdvice()
    kiosk = Kiosk(config, clock=Clock(), advice=advice)
    window, _ = build(config, kiosk)
    window.resize(1920, 1080)
    window.show()
    kiosk.start_backend(window.bridge.on_device_event)
    saved: list[Path] = []

    def shot(name: str) -> None:
        import time

        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            settle(app)
            time.sleep(0.02)
        path = out / f"{name}.png"
        window.grab().save(str(path))
        saved.append(path)

    for mode in ("normal", "large-text"):
        QTest.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)
        window.ui.set_large_text(mode == "large-text")
        frame = window.frame
        assert frame is not None and frame.advice_button is not None
        QTest.mouseClick(frame.home.tiles["help"], Qt.MouseButton.LeftButton)
        advice.reachable = True
        QTest.mouseClick(frame.advice_button, Qt.MouseButton.LeftButton)
        screen = frame.advice_screen
        assert isinstance(screen, AdviceScreen)
        shot(f"{mode}-advice-lines")
        QTest.mouseClick(screen.line_buttons["virka-info"], Qt.MouseButton.LeftButton)
        shot(f"{mode}-advice-preview")
        QTest.mouseClick(screen.call_button, Qt.MouseButton.LeftButton)
        advice.queued(3, 400)
        shot(f"{mode}-advice-waiting")
        advice.answered()
        settle(app)
        advice.advisor_picture()
        shot(f"{mode}-advice-call")
        QTest.mouseClick(screen.mute_button, Qt.MouseButton.LeftButton)
        shot(f"{mode}-advice-call-muted")
        QTest.mouseClick(screen.end_button, Qt.MouseButton.LeftButton)
        shot(f"{mode}-advice-rating")
        QTest.mouseClick(screen.done_button, Qt.MouseButton.LeftButton)
        QTest.mouseClick(frame.advice_button, Qt.MouseButton.LeftButton)
        screen = frame.advice_screen
        assert isinstance(screen, AdviceScreen)
        settle(app)
        QTest.mouseClick(screen.line_buttons["kansalaisneuvonta"], Qt.MouseButton.LeftButton)
        shot(f"{mode}-advice-closed")
        QTest.mouseClick(screen.leave_button, Qt.MouseButton.LeftButton)
        advice.reachable = False
        QTest.mouseClick(frame.advice_button, Qt.MouseButton.LeftButton)
        shot(f"{mode}-advice-unavailable")
        QTest.mouseClick(frame.end_button, Qt.MouseButton.LeftButton)
        window.attract.erased_banner.hide()
    kiosk.shutdown()
    window.close()
    return saved


if __name__ == "__main__":
    sys.exit(main())
