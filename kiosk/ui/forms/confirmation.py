"""After sending: the reference number to quote, and a printed copy of the answers when the
form allows one and the printer is usable. The words say only what is offered: no printed copy
is mentioned where there is none to print, and an e-mailed copy is mentioned where one goes."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from eforms.definition import FormDefinition
from kiosk.devices.catalog import DeviceClass
from kiosk.devices.status import DeviceEvent, PrintJobCompleted, StatusChanged
from kiosk.i18n import N_
from kiosk.ui.context import ServiceContext
from kiosk.ui.forms.summary import write_summary_pdf
from kiosk.ui.forms.wrapping import WrapButton

if TYPE_CHECKING:
    from kiosk.printing.job import JobEnd, PrintJob

log = logging.getLogger(__name__)

SENT = N_("Thank you. Your form has been sent.")
YOUR_REFERENCE = N_("Your reference number:")
#: What to do with the number: said only with what the kiosk offers at that moment.
KEEP = N_("Write the number down or print a copy: quote it if you ask about your form.")
KEEP_WRITE = N_("Write the number down: quote it if you ask about your form.")
KEEP_PRINTED = N_("The number is also on your printed copy: quote it if you ask about your form.")
COPY_SENT = N_("A copy of your answers is sent by e-mail to {address}.")
PRINT_COPY = N_("Print a copy")
PRINTING = N_("Printing your copy…")
PRINTED = N_("Please take your copy from the printer.")
NOT_PRINTED = N_("The copy could not be printed. Please write the reference number down.")
ANOTHER = N_("Fill in another form")


class ConfirmationView(QWidget):
    another = Signal()

    def __init__(
        self,
        ctx: ServiceContext,
        definition: FormDefinition,
        answers: dict[str, Any],
        reference: str,
        copy_to: str | None = None,
    ) -> None:
        """`copy_to` is the address a copy of the answers goes to, if the citizen asked."""
        super().__init__()
        self.ctx = ctx
        self.copy_to = copy_to
        #: A copy came out of the printer (or is on its way).
        self.printed = False
        self.ui = ctx.ui
        self.definition = definition
        self.answers = answers
        self.reference = reference
        self.job: PrintJob | None = None
        self._status = ""
        column = QVBoxLayout(self)
        column.setContentsMargins(96, 48, 96, 48)
        column.setSpacing(28)
        self.heading = QLabel()
        self.heading.setProperty("role", "h2")
        self.heading.setWordWrap(True)
        self.title = QLabel()
        self.title.setProperty("role", "lead")
        self.title.setWordWrap(True)
        self.reference_intro = QLabel()
        self.reference_intro.setProperty("role", "lead")
        self.reference_label = QLabel(reference)
        self.reference_label.setProperty("role", "reference")
        # Read aloud says the reference with the screen, spelt out (its accessible name).
        self.reference_label.setProperty("speech", "screen")
        self.reference_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        row = QHBoxLayout()
        row.addWidget(self.reference_label)
        row.addStretch(1)
        self.keep = QLabel()
        self.keep.setWordWrap(True)
        self.copy_note = QLabel()
        self.copy_note.setWordWrap(True)
        self.status = QLabel()
        self.status.setProperty("role", "lead")
        self.status.setWordWrap(True)
        self.print_button = WrapButton(role="primary")
        self.print_button.setMinimumHeight(88)
        self.print_button.clicked.connect(self.print_copy)
        self.another_button = WrapButton()
        self.another_button.setMinimumHeight(88)
        self.another_button.clicked.connect(self.another.emit)
        for widget in (self.heading, self.title, self.reference_intro):
            column.addWidget(widget)
        column.addLayout(row)
        for widget in (self.keep, self.copy_note, self.status):
            column.addWidget(widget)
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.another_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        column.addStretch(1)
        ctx.bridge.device_event.connect(self._on_event)
        self.ui.changed.connect(self.retranslate)
        self.retranslate()

    @property
    def can_print(self) -> bool:
        printing = self.ctx.printing
        return self.definition.citizen_copy and printing is not None and printing.usable

    @property
    def printing_now(self) -> bool:
        return self.job is not None and not self.job.done

    def print_copy(self) -> None:
        session = self.ctx.sessions.current
        printing = self.ctx.printing
        if session is None or printing is None or not printing.usable or self.printing_now:
            return
        path = session.folder / f"form-{self.reference}.pdf"
        try:
            if not path.exists():  # sending wrote it; a test may make the view on its own
                write_summary_pdf(
                    self.definition, self.answers, self.reference, self.ui.language, self.ui.t, path
                )
            job = printing.send(path)
        except Exception:
            log.exception("the copy of a form could not be printed", extra={"service": "forms"})
            self._status = NOT_PRINTED
        else:
            log.info("form copy sent to the printer", extra={"service": "forms"})
            self.job = job
            self._status = PRINTING
            self.printed = True
            self.ctx.bridge.when_done(job.ended, self._job_ended)
        self.retranslate()

    def _on_event(self, event: DeviceEvent) -> None:
        if isinstance(event, StatusChanged) and event.health.device_class is DeviceClass.PRINTER:
            self.retranslate()  # the printer came or went: so does the offer of a copy

    def _job_ended(self, ended: Future[JobEnd]) -> None:
        if isinstance(ended.result(), PrintJobCompleted):
            self._status = PRINTED
        else:
            self._status, self.printed = NOT_PRINTED, False
        self.retranslate()

    @property
    def offers_print(self) -> bool:
        """Whether the Print a copy button is there to press."""
        return self.can_print and not self.printing_now and not self.printed

    def retranslate(self) -> None:
        t = self.ui.t
        self.heading.setText("✓ " + t(SENT))
        self.title.setText(self.definition.title(self.ui.language))
        self.reference_intro.setText(t(YOUR_REFERENCE))
        self.reference_label.setAccessibleName(f"{t(YOUR_REFERENCE)} {' '.join(self.reference)}")
        offers = self.offers_print
        self.keep.setText(t(KEEP if offers else KEEP_PRINTED if self.printed else KEEP_WRITE))
        copy_note = t(COPY_SENT).format(address=self.copy_to) if self.copy_to else ""
        self.copy_note.setText(copy_note)
        self.copy_note.setVisible(bool(copy_note))
        self.status.setText(t(self._status) if self._status else "")
        self.status.setVisible(bool(self._status))
        self.print_button.set_label(t(PRINT_COPY))
        self.print_button.setAccessibleName(t(PRINT_COPY))
        self.print_button.setVisible(offers)
        self.another_button.set_label(t(ANOTHER))
