"""Where a video call would meet nobody, Video advice offers a callback and a booking: on the
apology for a line closed or without advisors, after a call that ended for the same reasons, and
before a call to a line whose estimated wait is longer than the hub's `long_wait_s`. The desk
puts the two buttons on those pages and the callback and booking pages into the screen's stack,
and takes the citizen back to where they came from."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.appointments.options import DEAD_END_REASONS, AppointmentOptions, dead_end
from kiosk.appointments.service import Appointments
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.screens.video import appointment_texts as T
from kiosk.ui.screens.video.booking import BookingPage
from kiosk.ui.screens.video.callback import CallbackPage
from kiosk.video.advice import AdvicePhase

if TYPE_CHECKING:
    from kiosk.ui.screens.video.screen import AdviceScreen


class AppointmentOffer(QWidget):
    """ "Ask for a callback" and "Book a video appointment", with a word on why."""

    def __init__(self) -> None:
        super().__init__()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 8, 0, 8)
        column.setSpacing(16)
        self.text = QLabel()
        self.text.setProperty("role", "lead")
        self.text.setWordWrap(True)
        column.addWidget(self.text)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.callback_button = WrapButton(role="primary")
        self.booking_button = WrapButton(role="primary")
        for button in (self.callback_button, self.booking_button):
            button.setMinimumHeight(88)
            row.addWidget(button, 1)
        column.addLayout(row)


class AppointmentDesk(QObject):
    def __init__(self, screen: AdviceScreen) -> None:
        super().__init__(screen)
        self.screen = screen
        ctx = screen.ctx
        self.ui = ctx.ui
        submissions = ctx.root.submissions
        #: None before the back end runs (no outbox, no hub): nothing is offered then.
        self.appointments = (
            Appointments(submissions, ctx.printing) if submissions is not None else None
        )
        self.options = AppointmentOptions()
        self._asking = False
        #: The page the citizen came to the callback or booking page from.
        self.came_from: QWidget | None = None
        self.offers: dict[QWidget, AppointmentOffer] = {}
        for page in (screen.sorry_page, screen.after_page, screen.preview_page):
            offer = AppointmentOffer()
            offer.hide()
            offer.callback_button.clicked.connect(self.open_callback)
            offer.booking_button.clicked.connect(self.open_booking)
            layout = page.layout()
            assert isinstance(layout, QVBoxLayout)
            # Above the page's closing stretch, under its own words and buttons.
            layout.insertWidget(max(0, layout.count() - 1), offer)
            self.offers[page] = offer
        self.callback_page: CallbackPage | None = None
        self.booking_page: BookingPage | None = None
        if self.appointments is not None:
            printing = ctx.printing
            self.callback_page = CallbackPage(self.ui, self.appointments, ctx.bridge)
            self.booking_page = BookingPage(
                self.ui,
                self.appointments,
                ctx.bridge,
                can_print=printing is not None and printing.usable,
            )
            for shown in (self.callback_page, self.booking_page):
                shown.closed.connect(self.back)
                shown.finished.connect(screen.leave)
                screen.pages.addWidget(shown)
            self.ask_options()
        screen.pages.currentChanged.connect(self.update)
        screen.call_changed.connect(self.update)
        self.ui.changed.connect(self.update)

    def ask_options(self) -> None:
        """What the hub offers for callbacks and bookings (asked again where it was not heard)."""
        if self.appointments is None or self._asking:
            return
        self._asking = True
        self.screen.ctx.bridge.when_done(self.appointments.options(), self._options_heard)

    def _options_heard(self, future: Future[AppointmentOptions]) -> None:
        self._asking = False
        if future.exception() is None:
            self.options = future.result()
        self.update()

    @property
    def holds_citizen(self) -> bool:
        """The callback or booking page is shown: the screen leaves the citizen there whatever
        the hub's link does (what they typed stays; the page says what cannot be done)."""
        shown = self.screen.pages.currentWidget()
        return shown is not None and shown in (self.callback_page, self.booking_page)

    @property
    def offered_on(self) -> QWidget | None:
        """The page that offers a callback and a booking now, if one does."""
        screen = self.screen
        page, line, status = screen.pages.currentWidget(), screen.line, screen.status
        if line is None or self.appointments is None or page not in self.offers:
            return None
        reason = status.reason in DEAD_END_REASONS
        if page is screen.sorry_page and status.phase is AdvicePhase.REFUSED and reason:
            return page
        if page is screen.after_page and status.phase is AdvicePhase.ENDED and reason:
            return page
        if page is screen.preview_page and dead_end(line, self.options):
            return page
        return None

    def update(self) -> None:
        if not shiboken6.isValid(self.screen):
            return
        offered = self.offered_on
        if offered is not None and not self.options.known:
            self.ask_options()
        t = self.ui.t
        for page, offer in self.offers.items():
            offer.text.setText(t(T.OFFER))
            offer.callback_button.set_label(t(T.ASK_CALLBACK))
            offer.booking_button.set_label(t(T.BOOK))
            offer.setVisible(page is offered and self.options.known)

    def _open(self, page: QWidget) -> None:
        screen = self.screen
        self.came_from = screen.pages.currentWidget()
        if self.came_from is screen.preview_page:
            screen.show_lines()  # the camera goes off while the citizen types
        screen.pages.setCurrentWidget(page)
        screen.retranslate()

    def open_callback(self) -> None:
        line = self.screen.line
        if self.callback_page is None or line is None:
            return
        self.callback_page.start(line, self.options)
        self._open(self.callback_page)

    def open_booking(self) -> None:
        line = self.screen.line
        if self.booking_page is None or line is None:
            return
        self.booking_page.start(line, self.options)
        self._open(self.booking_page)

    def back(self) -> None:
        """Back to the page the citizen came from (the camera check starts the camera again)."""
        screen, came_from = self.screen, self.came_from
        if came_from is screen.preview_page and screen.line is not None:
            screen.choose(screen.line)
        elif came_from is not None:
            screen.pages.setCurrentWidget(came_from)
            screen.retranslate()
        else:
            screen.back_to_lines()
