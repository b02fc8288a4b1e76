"""After sending: the reference number to quote, and a printed copy of the answers when the
form allows one and the printer is usable."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from eforms.definition import FormDefinition
from kiosk.devices.catalog import DeviceClass
from kiosk.devices.printer.base import Printer
from kiosk.devices.status import DeviceEvent, PrintJobCompleted, PrintJobFailed
from kiosk.i18n import N_
from kiosk.ui.context import ServiceContext
from kiosk.ui.forms.summary import write_summary_pdf
from kiosk.ui.forms.wrapping import WrapButton

log = logging.getLogger(__name__)

SENT = N_("Thank you. Your form has been sent.")
YOUR_REFERENCE = N_("Your reference number:")
KEEP = N_("Write the number down or print a copy: quote it if you ask about your form.")
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
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.ui = ctx.ui
        self.definition = definition
        self.answers = answers
        self.reference = reference
        self.job_id: str | None = None
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
        self.reference_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        row = QHBoxLayout()
        row.addWidget(self.reference_label)
        row.addStretch(1)
        self.keep = QLabel()
        self.keep.setWordWrap(True)
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
        for widget in (self.keep, self.status):
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
    def printer(self) -> Printer | None:
        device = self.ctx.kiosk.device(DeviceClass.PRINTER)
        return device if isinstance(device, Printer) and device.health().state.usable else None

    @property
    def can_print(self) -> bool:
        return self.definition.citizen_copy and self.printer is not None

    def print_copy(self) -> None:
        session = self.ctx.kiosk.session.current
        printer = self.printer
        if session is None or printer is None or self.job_id is not None:
            return
        path = session.folder / f"form-{self.reference}.pdf"
        try:
            if not path.exists():  # sending wrote it; a test may make the view on its own
                write_summary_pdf(
                    self.definition, self.answers, self.reference, self.ui.language, self.ui.t, path
                )
            self.job_id = printer.print_file(path)
        except Exception:
            log.exception("the copy of a form could not be printed", extra={"service": "forms"})
            self._status = NOT_PRINTED
        else:
            log.info("form copy sent to the printer", extra={"service": "forms"})
            self._status = PRINTING
        self.retranslate()

    def _on_event(self, event: DeviceEvent) -> None:
        if self.job_id is None or getattr(event, "job_id", None) != self.job_id:
            return
        if isinstance(event, PrintJobCompleted):
            self.job_id, self._status = None, PRINTED
        elif isinstance(event, PrintJobFailed):
            self.job_id, self._status = None, NOT_PRINTED
        self.retranslate()

    def retranslate(self) -> None:
        t = self.ui.t
        self.heading.setText("✓ " + t(SENT))
        self.title.setText(self.definition.title(self.ui.language))
        self.reference_intro.setText(t(YOUR_REFERENCE))
        self.reference_label.setAccessibleName(f"{t(YOUR_REFERENCE)} {' '.join(self.reference)}")
        self.keep.setText(t(KEEP))
        self.status.setText(t(self._status) if self._status else "")
        self.status.setVisible(bool(self._status))
        self.print_button.set_label(t(PRINT_COPY))
        self.print_button.setAccessibleName(t(PRINT_COPY))
        self.print_button.setVisible(self.can_print and self.job_id is None)
        self.another_button.set_label(t(ANOTHER))
