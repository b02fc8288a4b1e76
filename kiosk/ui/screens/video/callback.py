"""Video advice's callback page: where a call would meet nobody, the citizen leaves a phone
number or an e-mail address, the topic, the time of day and the language, and gets a reference
at once. The form is the Forms service's (pages, checks, summary, on-screen keyboard); the
request is sealed into the outbox off the Qt thread (kiosk.appointments.service). What the
citizen typed lives only in this page, which the session's end throws away with the screen."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.appointments.callback import CallbackSent
from kiosk.appointments.forms import callback_definition, callback_request
from kiosk.appointments.options import AppointmentOptions
from kiosk.appointments.service import Appointments
from kiosk.i18n import N_
from kiosk.store import StoreFull
from kiosk.ui.bridge import Bridge
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.screens.video import appointment_texts as T
from kiosk.ui.screens.video.appointment_form import AppointmentForm
from kiosk.ui.state import UiState
from kiosk.ui.widgets.typing import TypingScreen
from kiosk.video.advice import AdviceLine

log = logging.getLogger(__name__)

SEND = N_("Send the request")
CHECK = N_("Check your answers before you send them. You can still change them.")


class CallbackForm(AppointmentForm):
    SUBMIT_TEXT = SEND
    CHECK_TEXT = CHECK


class CallbackDone(QWidget):
    """The request is in the outbox: its reference, large, and the way out."""

    def __init__(self, ui: UiState) -> None:
        super().__init__()
        self.ui = ui
        self.reference = ""
        self.line_name = ""
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 16, 0, 16)
        column.setSpacing(24)
        self.heading = _label("h2")
        self.intro = _label("lead")
        self.reference_label = _label("h1")
        self.text = _label("lead")
        self.done_button = WrapButton(role="primary")
        self.done_button.setMinimumHeight(88)
        for widget in (self.heading, self.intro, self.reference_label, self.text):
            column.addWidget(widget)
        column.addWidget(self.done_button)
        column.addStretch(1)

    def show_sent(self, reference: str, line_name: str) -> None:
        self.reference, self.line_name = reference, line_name
        self.retranslate()

    def retranslate(self) -> None:
        t = self.ui.t
        self.heading.setText("✓ " + t(T.CALLBACK_SENT))
        self.intro.setText(t(T.CALLBACK_REFERENCE))
        self.reference_label.setText(self.reference)
        # Read out character by character, as a reference is copied.
        self.reference_label.setAccessibleName(
            f"{t(T.CALLBACK_REFERENCE)} {' '.join(self.reference)}"
        )
        self.text.setText(t(T.CALLBACK_SENT_TEXT).format(line=self.line_name))
        self.done_button.set_label(t(T.DONE))


class CallbackPage(TypingScreen):
    #: Back from the first step: to the page the citizen came from.
    closed = Signal()
    #: Done after the reference was shown.
    finished = Signal()

    def __init__(self, ui: UiState, appointments: Appointments, bridge: Bridge) -> None:
        super().__init__(ui)
        self.ui = ui
        self.appointments = appointments
        self.bridge = bridge
        self.line: AdviceLine | None = None
        self.form: CallbackForm | None = None
        #: The request on its way into the outbox, and the last one sent.
        self.sending = False
        self.sent: CallbackSent | None = None
        self.done = CallbackDone(ui)
        self.done.done_button.clicked.connect(self.finished)
        self.keep(self.done)
        ui.changed.connect(self.retranslate)

    def sizeHint(self) -> QSize:
        # Hidden in the screen's stack, it asks for no room (as the screen's own pages).
        return QSize(0, 0) if self.isHidden() else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0) if self.isHidden() else super().minimumSizeHint()

    def start(self, line: AdviceLine, options: AppointmentOptions) -> None:
        """A fresh form for `line`, in the citizen's language by default."""
        self.line, self.sent, self.sending = line, None, False
        definition = callback_definition(options, line.names, self.ui.t_in)
        form = CallbackForm(self.ui, definition)
        layout = form.layout()
        assert layout is not None
        layout.setContentsMargins(0, 8, 0, 16)
        form.prefill({"language": self.ui.language})
        form.cancelled.connect(self.closed)
        form.submitted.connect(self._submitted)
        form.page_changed.connect(lambda: self.area.verticalScrollBar().setValue(0))
        form.page_changed.connect(self.chain_bar)
        old, self.form = self.form, form
        self.set_content(form, form.bar)
        if old is not None:
            old.bar.deleteLater()
        form.go_to(0)

    def enter_pressed(self, field: QWidget) -> None:
        if self.form is not None:
            self.form.next_field(field)

    def _submitted(self, answers: dict[str, Any]) -> None:
        form, line = self.form, self.line
        if form is None or line is None or self.sending:
            return
        request = callback_request(line.id, answers)
        self.sending = True
        form.set_sending(True)
        self.bridge.when_done(self.appointments.send_callback(request), self._sent)

    def _sent(self, future: Future[CallbackSent]) -> None:
        self.sending = False
        form = self.form
        if form is not None:
            form.set_sending(False)
        error = future.exception()
        if error is not None or form is None or self.line is None:
            log.error(
                "a callback request could not be put in the outbox",
                exc_info=error,
                extra={"service": "advice"},
            )
            if form is not None:
                words = (
                    T.CALLBACK_NOT_SENT_FULL
                    if isinstance(error, StoreFull)
                    else T.CALLBACK_NOT_SENT
                )
                form.fail(words)
            return
        self.sent = future.result()
        self.keyboard.hide()
        self.done.show_sent(self.sent.reference, self.line.name(self.ui.language))
        self.set_content(self.done)
        self.form = None
        form.deleteLater()
        self.done.done_button.setFocus()

    def retranslate(self) -> None:
        if self.line is not None and self.sent is not None:
            self.done.show_sent(self.sent.reference, self.line.name(self.ui.language))


def _label(role: str) -> QLabel:
    label = QLabel()
    label.setProperty("role", role)
    label.setWordWrap(True)
    return label
