"""Video advice's booking page: the line's free times by day, the topic (and, if the citizen
wishes, a contact for the advisor), then the booking code shown large, with the choice to print
it (free, as a receipt) or e-mail it. The hub is asked on the engine (kiosk.appointments); a time
someone else took meanwhile sends the citizen back to the times with a word, and a hub that
cannot be reached books nothing and says so, keeping what the citizen chose.

What the citizen typed (a contact, an e-mail address) and the code live only in this page,
which the session's end throws away with the screen."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from eforms import validators
from kiosk.appointments.booking import (
    Booking,
    BookingRefused,
    NoSlot,
    Slot,
    SlotTaken,
    by_day,
)
from kiosk.appointments.contact import check_contact
from kiosk.appointments.forms import BOOK_TITLE, booking_definition
from kiosk.appointments.options import AppointmentOptions
from kiosk.appointments.service import Appointments
from kiosk.appointments.slip import CODE, LINE, Slip, clock_text, day_text
from kiosk.devices.status import PrintJobCompleted
from kiosk.i18n import N_
from kiosk.ui.bridge import Bridge
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.screens.video import appointment_texts as T
from kiosk.ui.screens.video.appointment_form import AppointmentForm
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.typing import TypingScreen
from kiosk.video.advice import AdviceLine

log = logging.getLogger(__name__)

BOOK_THIS = N_("Book this time")
CHECK = N_("Check the time and your answers before you book. You can still change them.")
#: Times side by side in a day's row (fewer with large text).
TIMES_PER_ROW = 6
TIMES_PER_ROW_LARGE = 3


class BookingForm(AppointmentForm):
    SUBMIT_TEXT = BOOK_THIS
    CHECK_TEXT = CHECK
    CONTACT_REQUIRED = False


def _label(role: str | None = None) -> QLabel:
    label = QLabel()
    if role:
        label.setProperty("role", role)
    label.setWordWrap(True)
    return label


def _column(widget: QWidget, spacing: int = 24) -> QVBoxLayout:
    column = QVBoxLayout(widget)
    column.setContentsMargins(0, 8, 0, 16)
    column.setSpacing(spacing)
    return column


class BookingPage(TypingScreen):
    #: Back from the list of times: to the page the citizen came from.
    closed = Signal()
    #: Done once the code was shown.
    finished = Signal()

    def __init__(
        self, ui: UiState, appointments: Appointments, bridge: Bridge, *, can_print: bool
    ) -> None:
        super().__init__(ui)
        self.ui = ui
        self.appointments = appointments
        self.bridge = bridge
        self.can_print = can_print
        self.line: AdviceLine | None = None
        self.options = AppointmentOptions()
        self.slots: list[Slot] = []
        #: What the list of times says: loading, choose, none, taken, unavailable.
        self.slots_state = "loading"
        self.chosen: Slot | None = None
        self.booking: Booking | None = None
        self.booking_now = False
        self.form: BookingForm | None = None
        self._print_status = ""
        self._email_status = ""
        self._email_address = ""

        # The free times, by day.
        self.times_view = QWidget()
        times = _column(self.times_view)
        self.times_heading = _label("h2")
        self.times_info = _label("lead")
        self.times_warning = _label("warning")
        self.days = QVBoxLayout()
        self.days.setSpacing(16)
        self.time_buttons: dict[str, BigButton] = {}
        for widget in (self.times_heading, self.times_warning, self.times_info):
            times.addWidget(widget)
        times.addLayout(self.days)
        times.addStretch(1)
        self.times_bar = QWidget()
        bar = QHBoxLayout(self.times_bar)
        bar.setContentsMargins(0, 8, 0, 8)
        bar.setSpacing(24)
        self.back_button = BigButton()
        self.back_button.setProperty("keypad", "back")
        self.back_button.clicked.connect(self.closed)
        self.retry_button = BigButton(role="primary")
        self.retry_button.clicked.connect(self.load_slots)
        bar.addWidget(self.back_button)
        bar.addWidget(self.retry_button)
        bar.addStretch(1)
        self.keep(self.times_view)
        self.keep(self.times_bar)

        # The topic and a contact, under the chosen time.
        self.details_view = QWidget()
        details = _column(self.details_view, 8)
        #: The chosen time, under the form's heading (made with each form).
        self.chosen_label = _label("lead")
        #: That the booking is under way: under the form, above its buttons.
        self.details_warning = _label("lead")
        details.addWidget(self.details_warning)
        self.keep(self.details_view)

        # The code, and what to do with it.
        self.booked_view = QWidget()
        booked = _column(self.booked_view, 20)
        self.booked_heading = _label("h2")
        self.slip_label = _label("lead")
        self.code_intro = _label("lead")
        self.code_label = QLabel()
        self.code_label.setProperty("role", "h1")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.code_hint = _label("muted")
        for widget in (
            self.booked_heading,
            self.slip_label,
            self.code_intro,
            self.code_label,
            self.code_hint,
        ):
            booked.addWidget(widget)
        self.print_button = WrapButton()
        self.print_button.clicked.connect(self.print_slip)
        self.print_status = _label("lead")
        booked.addWidget(self.print_button)
        booked.addWidget(self.print_status)
        self.email_label = _label("lead")
        self.email_field = QLineEdit()
        self.email_field.setMaxLength(254)
        self.email_field.setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
        self.email_field.returnPressed.connect(self.email_code)
        self.email_label.setBuddy(self.email_field)
        self.email_button = BigButton()
        self.email_button.clicked.connect(self.email_code)
        email_row = QHBoxLayout()
        email_row.setSpacing(16)
        email_row.addWidget(self.email_field, 1)
        email_row.addWidget(self.email_button)
        self.email_status = _label("lead")
        booked.addWidget(self.email_label)
        booked.addLayout(email_row)
        booked.addWidget(self.email_status)
        self.done_button = WrapButton(role="primary")
        self.done_button.setMinimumHeight(88)
        self.done_button.clicked.connect(self.finished)
        booked.addWidget(self.done_button)
        booked.addStretch(1)
        self.keep(self.booked_view)

        ui.changed.connect(self.retranslate)

    def sizeHint(self) -> QSize:
        return QSize(0, 0) if self.isHidden() else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0) if self.isHidden() else super().minimumSizeHint()

    # ---- the flow -----------------------------------------------------------------------------

    def start(self, line: AdviceLine, options: AppointmentOptions) -> None:
        """The free times of `line`, asked of the hub now."""
        self.line, self.options = line, options
        self.chosen, self.booking = None, None
        self._print_status = self._email_status = self._email_address = ""
        self.email_field.clear()
        self.set_content(self.times_view, self.times_bar)
        self.load_slots()

    def load_slots(self) -> None:
        if self.line is None:
            return
        if self.slots_state not in ("taken",):
            self.slots_state = "loading"
        self.slots = []
        self._show_times()
        self.bridge.when_done(self.appointments.slots(self.line.id), self._slots_loaded)

    def _slots_loaded(self, future: Future[list[Slot]]) -> None:
        error = future.exception()
        if error is not None:
            log.warning(
                "the free times could not be asked",
                extra={"service": "advice", "reason": type(error).__name__},
            )
            self.slots_state = "unavailable"
        else:
            self.slots = future.result()
            if self.slots_state != "taken":
                self.slots_state = "choose" if self.slots else "none"
            elif not self.slots:
                self.slots_state = "none"
        self._show_times()

    def choose(self, slot: Slot) -> None:
        """The citizen tapped a time: what it is about, and a contact if they wish."""
        if self.line is None:
            return
        self.chosen = slot
        definition = booking_definition(self.options, self.line.names, self.ui.t_in)
        form = BookingForm(self.ui, definition)
        layout = form.layout()
        assert layout is not None
        layout.setContentsMargins(0, 0, 0, 0)
        form.cancelled.connect(self.back_to_times)
        form.submitted.connect(self._submitted)
        form.page_changed.connect(lambda: self.area.verticalScrollBar().setValue(0))
        form.page_changed.connect(self.chain_bar)
        old, self.form = self.form, form
        column = self.details_view.layout()
        assert isinstance(column, QVBoxLayout)
        if old is not None:
            column.removeWidget(old)
            old.bar.deleteLater()
            old.deleteLater()
        column.insertWidget(0, form)
        self.chosen_label = _label("lead")
        outer = form.layout()
        assert isinstance(outer, QVBoxLayout)
        outer.insertWidget(1, self.chosen_label)  # under the form's heading
        self.details_warning.hide()
        self.set_content(self.details_view, form.bar)
        form.go_to(0)
        self.retranslate()

    def back_to_times(self) -> None:
        self.set_content(self.times_view, self.times_bar)
        self._show_times()

    def enter_pressed(self, field: QWidget) -> None:
        if self.form is not None and self.form.isAncestorOf(field):
            self.form.next_field(field)
        else:
            self.keyboard.hide()

    def _submitted(self, answers: dict[str, Any]) -> None:
        slot, form = self.chosen, self.form
        if slot is None or form is None or self.booking_now:
            return
        contact = check_contact(str(answers.get("contact", "")), required=False).contact
        self.booking_now = True
        form.set_sending(True)
        self.details_warning.setText(self.ui.t(T.BOOKING))
        self.details_warning.show()
        form.notice.hide()
        future = self.appointments.book(
            slot, language=self.ui.language, topic=str(answers["topic"]), contact=contact
        )
        self.bridge.when_done(future, self._booked)

    def _booked(self, future: Future[Booking]) -> None:
        self.booking_now = False
        if self.form is not None:
            self.form.set_sending(False)
        error = future.exception()
        if isinstance(error, SlotTaken | NoSlot):
            log.info("the chosen time was taken meanwhile", extra={"service": "advice"})
            self.slots_state = "taken"
            self.back_to_times()
            self.load_slots()
            return
        if error is not None:
            log.warning(
                "a time could not be booked",
                extra={"service": "advice", "reason": type(error).__name__},
            )
            words = T.BOOKING_FAILED if isinstance(error, BookingRefused) else T.BOOKING_UNAVAILABLE
            # Said beside the button that was pressed, as a form's sending error is; the
            # citizen's choices stay on the summary for another try.
            self.details_warning.hide()
            if self.form is not None:
                self.form.fail(words)
            return
        self.booking = future.result()
        self.keyboard.hide()
        self.set_content(self.booked_view)
        self.retranslate()
        self.done_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- the code: print it, e-mail it --------------------------------------------------------

    def slip(self) -> Slip | None:
        if self.booking is None or self.line is None:
            return None
        name = self.line.name(self.ui.language)
        return Slip(self.booking, name, self.options.home_url)

    def print_slip(self) -> None:
        slip = self.slip()
        if slip is None or self._print_status == T.PRINTING_SLIP:
            return
        language = self.ui.language
        t_in = self.ui.t_in
        future = self.appointments.print_slip(slip, lambda m: t_in(language, m), language)
        self._print_status = T.PRINTING_SLIP
        self.retranslate()
        self.bridge.when_done(future, self._print_sent)

    def _print_sent(self, future: Future[Any]) -> None:
        error = future.exception()
        if error is not None:
            log.warning(
                "the appointment's note could not be printed",
                extra={"service": "advice", "reason": type(error).__name__},
            )
            self._print_status = T.SLIP_NOT_PRINTED
            self.retranslate()
            return
        self.bridge.when_done(future.result().ended, self._print_ended)

    def _print_ended(self, ended: Future[Any]) -> None:
        printed = ended.exception() is None and isinstance(ended.result(), PrintJobCompleted)
        self._print_status = T.SLIP_PRINTED if printed else T.SLIP_NOT_PRINTED
        self.retranslate()

    def email_code(self) -> None:
        slip = self.slip()
        if slip is None:
            return
        checked = validators.email(self.email_field.text())
        if not checked.ok:
            self._email_status = checked.error or validators.EMAIL
            self.retranslate()
            self.email_field.setFocus()
            return
        language = self.ui.language
        t_in = self.ui.t_in
        self._email_address = checked.value
        self.email_button.setEnabled(False)
        future = self.appointments.email_slip(
            slip, lambda m: t_in(language, m), language, checked.value
        )
        self.bridge.when_done(future, self._email_sent)

    def _email_sent(self, future: Future[Any]) -> None:
        self.email_button.setEnabled(True)
        if future.exception() is not None:
            log.error(
                "the appointment's e-mail could not be put in the outbox",
                exc_info=future.exception(),
                extra={"service": "advice"},
            )
            self._email_status = T.EMAIL_NOT_SENT
        else:
            self._email_status = T.EMAIL_SENT
            self.email_field.clear()
            self.keyboard.hide()
        self.retranslate()

    # ---- words --------------------------------------------------------------------------------

    def _show_times(self) -> None:
        """The days and their times as the hub gave them, or what stands in their place."""
        while self.days.count():
            item = self.days.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.time_buttons.clear()
        t, language = self.ui.t, self.ui.language
        per_row = TIMES_PER_ROW_LARGE if self.ui.large_text else TIMES_PER_ROW
        for day, slots in by_day(self.slots):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(8)
            title = _label("h2")
            shown = day_text(t, day)
            title.setText(shown[:1].upper() + shown[1:])  # a weekday is lower case mid-sentence
            column.addWidget(title)
            grid = QGridLayout()
            grid.setSpacing(12)
            for index, slot in enumerate(slots):
                button = BigButton(clock_text(language, slot.starts_at))
                button.setMinimumSize(160, 80)
                button.setAccessibleName(f"{day_text(t, day)} {button.text()}")
                button.clicked.connect(lambda _=False, s=slot: self.choose(s))
                grid.addWidget(button, index // per_row, index % per_row)
                self.time_buttons[slot.id] = button
            grid.setColumnStretch(per_row, 1)
            column.addLayout(grid)
            self.days.addWidget(box)
        self.retranslate()

    def retranslate(self) -> None:
        t, language = self.ui.t, self.ui.language
        line = self.line.name(language) if self.line is not None else ""
        self.times_heading.setText(t(BOOK_TITLE).format(line=line))
        state = self.slots_state
        info = {"loading": T.LOADING_SLOTS, "choose": T.CHOOSE_TIME, "none": T.NO_SLOTS}
        self.times_info.setText(t(info[state]) if state in info else "")
        self.times_info.setVisible(state in info)
        if state == "taken":
            self.times_info.setText(t(T.CHOOSE_TIME))
            self.times_info.setVisible(bool(self.slots))
        warning = {"taken": T.SLOT_TAKEN, "unavailable": T.BOOKING_UNAVAILABLE}.get(state)
        self.times_warning.setText("⚠ " + t(warning) if warning else "")
        self.times_warning.setVisible(warning is not None)
        self.back_button.set_label("‹ " + t(T.BACK))
        self.retry_button.set_label(t(T.TRY_AGAIN))
        self.retry_button.setVisible(state == "unavailable")
        if self.chosen is not None:
            chosen = self.chosen
            start, end = (
                clock_text(language, chosen.starts_at),
                clock_text(language, chosen.ends_at),
            )
            when = f"{day_text(t, chosen.day)} {start}–{end}"
            self.chosen_label.setText(t(T.CHOSEN_TIME).format(time=when))
        slip = self.slip()
        if slip is not None:
            self.booked_heading.setText("✓ " + t(T.BOOKED))
            self.slip_label.setText(
                "\n".join((t(LINE).format(line=slip.line_name), slip.when(t, language)))
            )
            self.code_intro.setText(t(CODE))
            self.code_label.setText(slip.booking.shown_code)
            self.code_label.setAccessibleName(f"{t(CODE)} {' '.join(slip.booking.code)}")
            self.code_hint.setText(f"{slip.where(t)} {t(T.CODE_HINT)}")
        self.print_button.set_label(t(T.PRINT_SLIP))
        self.print_button.setVisible(self.can_print and self._print_status != T.PRINTING_SLIP)
        self.print_status.setText(t(self._print_status) if self._print_status else "")
        self.print_status.setVisible(bool(self._print_status))
        self.email_label.setText(t(T.EMAIL_TO))
        self.email_field.setAccessibleName(t(T.EMAIL_TO))
        self.email_button.set_label(t(T.SEND_EMAIL))
        status = self._email_status
        text = t(status).format(address=self._email_address) if status else ""
        self.email_status.setText(text)
        self.email_status.setVisible(bool(text))
        self.done_button.set_label(t(T.DONE))
