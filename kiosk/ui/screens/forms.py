"""The Forms service: the catalogue, a form's pages and summary, and the reference number.

The content scrolls above an on-screen keyboard docked at the bottom, shown while a text field
has the focus. Answers live only in this screen's widgets and, once sent, in the visit: the
session's end takes both away. A name read from the ID card fills in the name fields; the
citizen can change it. An attachment field can scan a document in place: the scan takes the
form's room while the form waits, kept as it was, and then comes back. Sending is
kiosk.submissions' work, off the Qt thread: this screen draws the summary PDF (Qt's painter),
waits for the outbox, and shows the reference number.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QWidget

from eforms.definition import FormDefinition
from kiosk.devices.camera.base import Camera
from kiosk.devices.status import DeviceClass, DeviceEvent, StatusChanged
from kiosk.i18n import N_
from kiosk.store import StoreFull
from kiosk.submissions.form import FormSending, card_prefill
from kiosk.submissions.reference import new_reference
from kiosk.ui.context import ServiceContext
from kiosk.ui.forms.attachments import AttachmentFieldView
from kiosk.ui.forms.catalogue import CatalogueView
from kiosk.ui.forms.confirmation import ConfirmationView
from kiosk.ui.forms.consent import ConsentView
from kiosk.ui.forms.flag import FlagFieldView
from kiosk.ui.forms.form import FormView
from kiosk.ui.forms.scanning import FormScanPage
from kiosk.ui.forms.summary import write_summary_pdf
from kiosk.ui.widgets.typing import TypingScreen
from kiosk.visit import SentForm

log = logging.getLogger(__name__)

NOT_SENT = N_(
    "The form could not be sent because of a fault in the kiosk. Your answers are still here. "
    "Please ask library staff for help."
)
#: The kiosk's disk is full: nothing of the citizen's was kept, and room may come back later.
NOT_SENT_FULL = N_(
    "The form was not sent: the kiosk has no room to store it just now. Nothing you wrote has "
    "been kept in the kiosk, and your answers are still here. Please try again in a while, or "
    "ask library staff for help."
)


class FormsScreen(TypingScreen):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx.ui, parent)
        self.ctx = ctx
        self.ui = ctx.ui
        session = ctx.sessions.current
        assert session is not None, "the Forms screen belongs to a session"
        self.session = session
        # The hub's catalogue as kiosk-agent last fetched it; the shipped one until then.
        loaded = ctx.forms.current()
        self.forms = loaded.forms
        for error in loaded.errors:
            log.error("a form cannot be offered: %s", error, extra={"service": "forms"})
        self.form: FormView | None = None
        self.confirmation: ConfirmationView | None = None
        #: A scan for the form, shown in its place while the citizen scans.
        self.scan_page: FormScanPage | None = None
        #: Whether forms offer to scan an attachment: where the kiosk offers scanning at all.
        self.scanning = "scan" in ctx.config.services.enabled
        ctx.bridge.device_event.connect(self._device_event)
        self.catalogue = CatalogueView(self.ui, self.forms)
        self.catalogue.form_chosen.connect(self.open_form)
        self.kept.add(self.catalogue)
        self.set_content(self.catalogue)

    # ---- content ------------------------------------------------------------------------------

    def definition(self, form_id: str) -> FormDefinition:
        return next(f for f in self.forms if f.id == form_id)

    def open_form(self, form_id: str) -> None:
        definition = self.definition(form_id)
        files = [p.name for p in self.documents()]
        self.form = FormView(self.ui, definition, files, scanning=self.scanning)
        self.form.set_camera_usable(self.camera_usable())
        self.form.scan_requested.connect(self.scan_for)
        self.form.consent_requested.connect(self.show_consent)
        holder = self.session.visit.card_holder
        if holder is not None:
            self.form.prefill(card_prefill(holder))
        self.form.cancelled.connect(self.show_catalogue)
        self.form.submitted.connect(lambda answers, d=definition: self._submitted(d, answers))
        self.form.page_changed.connect(lambda: self.area.verticalScrollBar().setValue(0))
        self.form.page_changed.connect(self.chain_bar)
        log.info("form opened", extra={"service": "forms", "form": form_id})
        self.set_content(self.form, self.form.bar)
        self.form.go_to(0)

    def show_catalogue(self) -> None:
        self.form = None
        self.confirmation = None
        self.keyboard.hide()
        self.catalogue.search.clear()
        self.set_content(self.catalogue)
        first = self.catalogue.first_button()
        if first is not None:
            first.setFocus()

    def _submitted(self, definition: FormDefinition, answers: dict[str, Any]) -> None:
        form = self.form
        if form is None or form.sending:
            return
        form.set_sending(True)
        future: Future[SentForm]
        try:
            future = self.submit_answers(definition, answers, copy_to=form.summary.copy_to)
        except Exception as exc:  # the PDF could not be written
            future = Future()
            future.set_exception(exc)
        self.ctx.bridge.when_done(future, self._sent)

    def _sent(self, future: Future[SentForm]) -> None:
        form = self.form
        if form is not None:
            form.set_sending(False)
        error = future.exception()
        if error is not None:
            # Nothing is lost: the answers stay on the summary, and the citizen is told.
            log.error(
                "a form could not be put in the outbox",
                exc_info=error,
                extra={"form": form.definition.id if form is not None else None},
            )
            if form is not None:
                words = NOT_SENT_FULL if isinstance(error, StoreFull) else NOT_SENT
                form.notice.setText("⚠ " + self.ui.t(words))
                form.notice.show()
            return
        sent = future.result()
        definition = self.definition(sent.form_id)
        copy_to = form.summary.copy_to if form is not None else None
        self.form = None
        self.keyboard.hide()
        sent_copy = copy_to if definition.citizen_copy else None
        self.confirmation = ConfirmationView(
            self.ctx, definition, sent.answers, sent.reference, copy_to=sent_copy
        )
        self.confirmation.another.connect(self.show_catalogue)
        self.set_content(self.confirmation)
        self.confirmation.another_button.setFocus()

    # ---- scanning an attachment ---------------------------------------------------------------

    def camera_usable(self) -> bool:
        camera = self.ctx.device(DeviceClass.CAMERA)
        return isinstance(camera, Camera) and camera.health().state.usable

    def _device_event(self, event: DeviceEvent) -> None:
        health = event.health if isinstance(event, StatusChanged) else None
        form = self.form
        if health is not None and health.device_class is DeviceClass.CAMERA and form is not None:
            form.set_camera_usable(health.state.usable)

    def scan_name(self) -> str:
        """A name for a new scan's pages and PDF that no document of this visit has. The
        Scan service's own is "scan"; these are numbered after the documents already made."""
        folder = self.session.folder
        number = len(self.documents()) + 1
        while (folder / f"scan-{number}").exists() or (folder / f"scan-{number}.pdf").exists():
            number += 1
        return f"scan-{number}"

    def scan_for(self, field_name: str) -> None:
        """Scan a document for the form's attachment field `field_name`, in the form's place."""
        form = self.form
        if form is None or self.scan_page is not None or not self.camera_usable():
            return
        page = FormScanPage(self.ctx, self.scan_name())
        page.scanned.connect(lambda pdf, pages: self._scanned(field_name, pdf, pages))
        page.cancelled.connect(lambda: self._back_to_form(field_name))
        self.scan_page = page
        self.keyboard.hide()
        self.kept.add(form)  # the form waits as it is, everything typed in it
        self.set_content(page)
        page.capture_button.setFocus(Qt.FocusReason.OtherFocusReason)
        log.info("form scan opened", extra={"service": "forms", "form": form.definition.id})

    def _scanned(self, field_name: str, pdf: Path, pages: int) -> None:
        if self.form is not None:
            self.form.attach_scan(field_name, pdf.name, pages)
            log.info(
                "form scan attached",
                extra={"service": "forms", "form": self.form.definition.id, "pages": pages},
            )
        self._back_to_form(field_name, pdf.name)

    def _back_to_form(self, field_name: str, document: str | None = None) -> None:
        page, self.scan_page = self.scan_page, None
        form = self.form
        if page is None or form is None:
            return
        self.kept.discard(form)
        self.set_content(form, form.bar)  # the scan page goes
        page.release()
        view = form.fields[field_name]
        assert isinstance(view, AttachmentFieldView)
        button = view.buttons.get(document) if document is not None else None
        (button or view.scan_button).setFocus(Qt.FocusReason.OtherFocusReason)
        # Once the form has its room again, the field is in sight where the citizen left it.
        QTimer.singleShot(0, view, lambda: self.area.ensureWidgetVisible(view, 0, 48))

    # ---- reading a consent --------------------------------------------------------------------

    def show_consent(self, field_name: str) -> None:
        """What the consent `field_name` agrees to, in full, in the form's place."""
        form = self.form
        if form is None or self.scan_page is not None:
            return
        view = ConsentView(self.ui, form.definition, form.fields[field_name].field)
        view.closed.connect(lambda: self._back_from_consent(field_name))
        self.keyboard.hide()
        self.kept.add(form)  # the form waits as it is
        self.set_content(view, view.bar)
        view.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
        log.info("consent text shown", extra={"service": "forms", "form": form.definition.id})

    def _back_from_consent(self, field_name: str) -> None:
        form = self.form
        if form is None:
            return
        self.kept.discard(form)
        self.set_content(form, form.bar)  # the text goes
        view = form.fields[field_name]
        assert isinstance(view, FlagFieldView)
        (view.read_button or view.box).setFocus(Qt.FocusReason.OtherFocusReason)
        QTimer.singleShot(0, view, lambda: self.area.ensureWidgetVisible(view, 0, 48))

    def documents(self) -> list[Path]:
        """This visit's scanned documents that still exist, which a form may attach."""
        return self.session.visit.existing_scans()

    def submit_answers(
        self,
        definition: FormDefinition,
        answers: Mapping[str, Any],
        *,
        copy_to: str | None = None,
    ) -> Future[SentForm]:
        """Send the answers with their PDF, drawn into the session's folder on the way (for the
        hub, a printed copy or an e-mail); the future gives the sent form, with its reference
        number, once it is sealed in the outbox (see kiosk.submissions)."""
        reference = new_reference()
        language = self.ui.language
        pdf = self.session.folder / f"form-{reference}.pdf"
        kept = dict(answers)
        ui = self.ui

        def draw(path: Path) -> None:
            # In the language the form was filled in, whatever the screen shows meanwhile.
            t = partial(ui.t_in, language)
            write_summary_pdf(definition, kept, reference, language, t, path)

        sending = FormSending(definition, kept, reference, language, pdf, copy_to, draw)
        return self.ctx.submissions.submit_form(sending)

    # ---- keyboard -----------------------------------------------------------------------------

    def enter_pressed(self, field: QWidget) -> None:
        if self.form is not None:
            self.form.next_field(field)
        else:
            self.keyboard.hide()

    def focusNextPrevChild(self, next: bool) -> bool:
        # Opening the service puts the focus on the first form, not on the search line: the
        # keyboard comes up only when the citizen touches the search.
        if self.focusWidget() in (None, self):
            first = self.catalogue.first_button()
            if first is not None:
                first.setFocus()
                return True
        return super().focusNextPrevChild(next)
