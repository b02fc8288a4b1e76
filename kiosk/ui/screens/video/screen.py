"""Video advice: choose a service line, check the camera, wait in the queue, talk, and rate.

While the lines (or the camera check) are shown, the lines' states are asked of the hub again
every few seconds, so that "2 advisors free" or "closed" is what a tap would meet.

The call itself is the AdviceClient's (kiosk.video): the screen starts, cancels and ends it and
follows its status, handed to the Qt thread by a queued signal. The advisor's picture comes
through the client's newest-frame slot, taken when the screen is told one is waiting; the
citizen's own picture is read from the camera by a timer, as Scan's preview is. The pages and
their words are kiosk.ui.screens.video.view's.

Beside the picture, the call's help (kiosk.video.help: text both ways, a paper shown, what the
advisor sends) is heard the same way, through a queued signal. What the advisor sends is taken
only when this kiosk can open it: the e-services and forms it offers are read off the Qt thread
when the screen opens, and the client asks `admit` on its loop without waiting. A call goes on
while the citizen opens what arrived: the session frame keeps the screen and says so
(`open_requested`, `call_changed`, `in_call`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Protocol

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QImage, QKeyEvent, QPixmap, QShowEvent
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.devices.camera.base import Camera
from kiosk.devices.catalog import DeviceClass
from kiosk.speech.cue import TURN, Chime
from kiosk.ui.context import ServiceContext
from kiosk.ui.screens.scan import to_pixmap
from kiosk.ui.screens.video import texts as T
from kiosk.ui.screens.video.view import CODE_REFUSALS, AdviceView, LineButton
from kiosk.ui.widgets.buttons import BigButton
from kiosk.video.advice import (
    BOOKING_CODE_DIGITS,
    AdviceLine,
    AdvicePhase,
    AdviceStatus,
    LineState,
    booking_code,
)
from kiosk.video.help import Arrived, CallHelp, HelpEvent, ShownPage
from kiosk.visit import AdvisorDocument

if TYPE_CHECKING:
    from eforms.definition import FormDefinition
    from eservices.catalogue import Catalogue, Checked
    from kiosk.forms.catalogue import LoadedCatalogue

log = logging.getLogger(__name__)

PREVIEW_MS = 66
#: How often the lines' states are asked again while the citizen is choosing.
LINES_REFRESH_MS = 5000
#: While a call is under way the screen keeps the session from timing out, checking this often.
HOLD_MS = 5000
#: In the queue the session is kept this long after the citizen last touched the kiosk (a wait
#: may be long, and watching the queue is use of the kiosk); past it the idle warning asks
#: whether they are still there, and "Continue" keeps their place. A connected call is kept
#: all along: the citizen talks, and touches nothing.
QUEUE_HOLD_S = 15 * 60
IN_CALL = (AdvicePhase.REQUESTING, AdvicePhase.QUEUED, AdvicePhase.RINGING, AdvicePhase.CONNECTED)


class CitizenHold(Protocol):
    """A page of the screen's own that keeps the citizen whatever the hub's link does."""

    @property
    def holds_citizen(self) -> bool: ...


class AdviceScreen(AdviceView):
    #: The citizen is done here: back to where they were.
    leave = Signal()
    #: Whether a call is under way may have changed (`in_call`): the frame keeps the screen
    #: while it is, wherever the citizen goes.
    call_changed = Signal()
    #: Open what the advisor sent: the service ("eservices", "forms", "print") and its item
    #: there (an e-service's or a form's id, a document's path).
    open_requested = Signal(str, str)
    _status_changed = Signal(object)
    _video_waiting = Signal()
    _help_changed = Signal(object, object)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        device = ctx.device(DeviceClass.CAMERA)
        self.camera: Camera | None = device if isinstance(device, Camera) else None
        self._unsubscribe: Any = None
        self.call_button.clicked.connect(self.call)
        self.back_button.clicked.connect(self.back_to_lines)
        self.cancel_button.clicked.connect(self.hang_up)
        self.mute_button.toggled.connect(self._mute)
        self.end_button.clicked.connect(self.hang_up)
        for n, button in self.star_buttons.items():
            button.clicked.connect(lambda _=False, n=n: self.rate(n))
        self.done_button.clicked.connect(self.leave.emit)
        self.other_button.clicked.connect(self.back_to_lines)
        self.leave_button.clicked.connect(self.leave.emit)
        self.code_button.clicked.connect(self.show_code_pad)
        for digit, button in self.digit_buttons.items():
            button.clicked.connect(lambda _=False, digit=digit: self.type_digit(digit))
        self.erase_button.clicked.connect(self.erase_digit)
        self.code_call_button.clicked.connect(self.call_with_code)
        self.code_back_button.clicked.connect(self.back_to_lines)
        self.code_again_button.clicked.connect(self.show_code_pad)

        #: The turn's chime, on the call's speaker (kiosk.speech.cue).
        call = ctx.config.call
        self.chime = Chime(call.speaker, call.speaker_device)
        #: An advisor answered while the citizen was on another screen and they have not come
        #: back yet: the frame says so over whatever they are doing.
        self.turn_unseen = False
        #: Keeps the session from timing out while a call is under way (`_hold_session`).
        self.hold_timer = QTimer(self)
        self.hold_timer.setInterval(HOLD_MS)
        self.hold_timer.timeout.connect(self._hold_session)
        #: The session's last touch as this screen left it, and when (`clock`) the citizen
        #: themselves last touched the kiosk while queued.
        self._held_touch: float | None = None
        self._citizen_seen = 0.0
        #: Monotonic seconds (a test may set another clock).
        self.clock: Callable[[], float] = time.monotonic

        #: Whether the camera should run for this screen (the check before a call, the call).
        self._camera_wanted = False
        self._preview = QTimer(self)
        self._preview.timeout.connect(self._show_own_picture)
        self.lines_timer = QTimer(self)
        self.lines_timer.setInterval(LINES_REFRESH_MS)
        self.lines_timer.timeout.connect(self._refresh_lines)
        self._refreshing = False
        self.pages.currentChanged.connect(self._page_changed)
        self._status_changed.connect(self._on_status, Qt.ConnectionType.QueuedConnection)
        self._video_waiting.connect(self._show_remote, Qt.ConnectionType.QueuedConnection)
        self._help_changed.connect(self._on_help, Qt.ConnectionType.QueuedConnection)

        panel = self.help_panel
        panel.namer = self._name_of
        panel.show_requested.connect(self._show_page)
        panel.item_chosen.connect(self._open_arrived)
        self.keyboard.enter_pressed.connect(lambda _field: panel.say())
        self.keyboard.hide_requested.connect(lambda: self.set_typing(False))
        panel.text_field.installEventFilter(self)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)
        #: What the advisor may send: the ids of the e-services and forms this kiosk offers,
        #: read off the Qt thread (empty until then, and for a service not offered here).
        self.known_services: frozenset[str] = frozenset()
        self.known_forms: frozenset[str] = frozenset()
        self._eservices: Catalogue | None = None
        self._forms: dict[str, FormDefinition] = {}
        #: What arrived in this call and is already among the visit's documents.
        self._kept: set[str] = set()
        self._load_offered()

        ctx.sessions.add_resource("advice-call", self.release)
        if self.client is not None:
            self._unsubscribe = self.client.subscribe(self._from_any_thread)
            self.client.on_remote_video = self._video_from_any_thread
            self.client.help_listener = self._help_from_any_thread
            self.client.help_admission = self.admit
            self.client.documents_folder = ctx.session.folder
        self.ui.changed.connect(self.retranslate)
        #: A callback or a booking where a call would meet nobody (appointment_desk), put in
        #: by whoever composes the screen (compose.advice_screen).
        self.appointments: CitizenHold | None = None
        self._load_lines()

    # ---- flow ---------------------------------------------------------------------------------

    def _load_lines(self) -> None:
        self.pages.setCurrentWidget(self.loading_page)
        self.retranslate()
        if self.client is None:
            self._unavailable()
            return
        self.ctx.bridge.when_done(self.client.refresh_lines(), self._lines_loaded)

    def _lines_loaded(self, future: Future[list[AdviceLine]]) -> None:
        if future.exception() is not None or not future.result():
            log.info("video advice unavailable", extra={"service": "advice"})
            self._unavailable()
            return
        self._set_lines(future.result())
        if self.status.phase is AdvicePhase.UNAVAILABLE:
            self.status = AdviceStatus(AdvicePhase.IDLE)
        self.show_lines()
        if self.focusWidget() is self:
            self.focusNextPrevChild(True)

    def _set_lines(self, lines: list[AdviceLine]) -> None:
        """The lines as the hub gave them; the same lines keep their buttons (and focus)."""
        self.lines = {line.id: line for line in lines}
        if self.line is not None and self.line.id in self.lines:
            self.line = self.lines[self.line.id]
        if list(self.line_buttons) == list(self.lines):
            return
        while self.lines_layout.count():  # other lines than before: start afresh
            item = self.lines_layout.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        self.line_buttons.clear()
        for line_id in self.lines:
            button = LineButton()
            button.clicked.connect(
                lambda _=False, line_id=line_id: self.choose(self.lines[line_id])
            )
            self.line_buttons[line_id] = button
            self.lines_layout.addWidget(button)
        # The keypad goes down the lines and then to the booking code, as they are shown.
        chain: list[QWidget] = [*self.line_buttons.values(), self.code_button]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _choose_id(self, line_id: str) -> None:
        self.choose(self.lines[line_id])  # as the hub said last, not when the button was made

    def _page_changed(self) -> None:
        """Keep the lines' states fresh while the citizen is choosing, and only then."""
        choosing = self.pages.currentWidget() in (self.lines_page, self.preview_page)
        if choosing and not self.lines_timer.isActive():
            self.lines_timer.start()
        elif not choosing:
            self.lines_timer.stop()

    def _refresh_lines(self) -> None:
        if self.client is None or self._refreshing:
            return
        self._refreshing = True
        self.ctx.bridge.when_done(self.client.refresh_lines(), self._lines_refreshed)

    def _lines_refreshed(self, future: Future[list[AdviceLine]]) -> None:
        self._refreshing = False
        if not shiboken6.isValid(self):
            return
        if future.exception() is not None or not future.result():
            return  # the client has said "not available" to its listeners: _on_status
        if self.pages.currentWidget() not in (self.lines_page, self.preview_page):
            return
        self._set_lines(future.result())
        self.retranslate()

    # ---- a booking code -----------------------------------------------------------------------

    def show_code_pad(self) -> None:
        """The pad for a booking code: the digits typed before (to correct) kept."""
        self._camera_off()
        self.pages.setCurrentWidget(self.code_page)
        self.retranslate()
        first = self.digit_buttons["1"]
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    def type_digit(self, digit: str) -> None:
        if len(self.code) < BOOKING_CODE_DIGITS and digit.isdigit():
            self.code += digit
            self.retranslate()
            if len(self.code) == BOOKING_CODE_DIGITS:
                # The way on is where the keypad's focus goes once the code is whole.
                self.code_call_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def erase_digit(self) -> None:
        self.code = self.code[:-1]
        self.retranslate()
        if not self.code:
            self.digit_buttons["1"].setFocus(Qt.FocusReason.OtherFocusReason)

    def call_with_code(self) -> None:
        """A call to the advisor who holds the booking's slot; the hub names its line."""
        code = booking_code(self.code)
        if self.client is None or code is None:
            return
        self.line = None
        self.status = AdviceStatus(AdvicePhase.REQUESTING)
        self.pages.setCurrentWidget(self.waiting_page)
        self.client.start_booked(code, self.ui.language)
        self.ctx.sessions.outcome("advice", "called-booking")
        self.retranslate()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A keyboard's digits type the code; the keypad's keys move and press, as everywhere.
        text = event.text()
        on_pad = self.pages.currentWidget() is self.code_page
        keypad = bool(event.modifiers() & Qt.KeyboardModifier.KeypadModifier)
        if on_pad and not keypad and len(text) == 1 and text.isdigit():
            self.type_digit(text)
            return
        super().keyPressEvent(event)

    def back_to_lines(self) -> None:
        """The list again, its states asked of the hub at once: they may have changed since."""
        self.show_lines()
        if self.pages.currentWidget() is self.lines_page:
            self._refresh_lines()

    def show_lines(self) -> None:
        self._camera_off()
        self.pages.setCurrentWidget(self.lines_page if self.line_buttons else self.sorry_page)
        self.retranslate()

    def choose(self, line: AdviceLine) -> None:
        self.line = line
        if not line.open_now or line.state is LineState.CLOSED:
            self.status = AdviceStatus(
                AdvicePhase.REFUSED,
                line=line.id,
                reason="line_closed",
                next_opening=line.next_opening,
            )
            self.pages.setCurrentWidget(self.sorry_page)
        elif line.state is LineState.UNSTAFFED:
            # The hub would refuse the call at once: say so now, with the phone number.
            self.status = AdviceStatus(AdvicePhase.REFUSED, line=line.id, reason="no_advisor")
            self.pages.setCurrentWidget(self.sorry_page)
        else:
            self.pages.setCurrentWidget(self.preview_page)
            self._camera_on()
        self.retranslate()

    def call(self) -> None:
        if self.client is None or self.line is None:
            return
        language = self.ui.language
        if self.line.languages and language not in self.line.languages:
            language = self.line.languages[0]
        self.status = AdviceStatus(AdvicePhase.REQUESTING, line=self.line.id)
        self.pages.setCurrentWidget(self.waiting_page)
        self.client.start(self.line.id, language)
        self.ctx.sessions.outcome("advice", "called")
        self.retranslate()

    def hang_up(self) -> None:
        if self.client is not None:
            self.client.cancel()

    def rate(self, stars: int) -> None:
        if self.client is not None and self.rated is None:
            self.client.rate(stars)
            self.rated = stars
            self.ctx.sessions.outcome("advice", f"rated-{stars}")
        self.retranslate()

    def _mute(self, muted: bool) -> None:
        if self.client is not None:
            self.client.set_muted(muted)
        self.retranslate()

    def _unavailable(self) -> None:
        self.status = AdviceStatus(AdvicePhase.UNAVAILABLE)
        self._camera_off()
        self.pages.setCurrentWidget(self.sorry_page)
        self.retranslate()

    # ---- what the client says -----------------------------------------------------------------

    def _from_any_thread(self, status: AdviceStatus) -> None:
        if shiboken6.isValid(self):
            self._status_changed.emit(status)

    def _video_from_any_thread(self) -> None:
        if shiboken6.isValid(self):
            self._video_waiting.emit()

    @property
    def in_call(self) -> bool:
        """A call of this screen's is asked for, queued, ringing or connected."""
        return self.status.phase in IN_CALL

    def _on_status(self, status: AdviceStatus) -> None:
        self._follow(status)
        self.call_changed.emit()

    def _follow(self, status: AdviceStatus) -> None:
        held = self.appointments is not None and self.appointments.holds_citizen
        if held and self.status.phase not in IN_CALL:
            return  # the callback or booking page says itself what the hub's absence means
        if status.phase is AdvicePhase.IDLE and self.status.phase is AdvicePhase.UNAVAILABLE:
            self._load_lines()  # the hub is back: the citizen may choose a line again
            return
        if self.status.phase not in IN_CALL and status.phase is not AdvicePhase.UNAVAILABLE:
            return  # no call of this screen's under way: old news
        previous, self.status = self.status, status
        self.guest = status.guest if status.phase is AdvicePhase.CONNECTED else None
        if self.guest is not None:
            self.last_guest = self.guest
        if status.line is not None and status.line in self.lines:
            self.line = self.lines[status.line]  # a transferred call names its new line
        phase = status.phase
        self._follow_hold(status)
        if phase in (AdvicePhase.REQUESTING, AdvicePhase.QUEUED, AdvicePhase.RINGING):
            self.pages.setCurrentWidget(self.waiting_page)
        elif phase is AdvicePhase.CONNECTED:
            if previous.phase in (AdvicePhase.REQUESTING, AdvicePhase.QUEUED, AdvicePhase.RINGING):
                self._turn_cue()
            help = self.client.help if self.client is not None else None
            if self.help_panel.help is not help:
                self.help_panel.start(help)
            if previous.phase is not AdvicePhase.CONNECTED or previous.call != status.call:
                self.mute_button.setChecked(False)
                self.pages.setCurrentWidget(self.call_page)
                self._camera_on()
                self.ctx.sessions.outcome("advice", "connected")
            # else: the same call, someone joined or left: nothing else of it changes
            if self.guest is None:
                self.guest_view.clear()
            self._size_call()
        elif phase is AdvicePhase.ENDED:
            self.turn_unseen = False
            self._camera_off()
            self.remote_view.clear()
            self._call_over()
            if status.reason == "cancelled":
                self.back_to_lines()
                return
            self.rated = None
            self.pages.setCurrentWidget(self.after_page)
            if status.can_rate:
                # The keypad's focus goes where the question is: the stars, not the way out.
                self.star_buttons[1].setFocus(Qt.FocusReason.OtherFocusReason)
        elif phase is AdvicePhase.REFUSED:
            self._call_over()
            self.pages.setCurrentWidget(self.sorry_page)
            if status.reason in CODE_REFUSALS:
                self.retranslate()  # the way back to the pad is shown: the focus goes there
                self.code_again_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif phase is AdvicePhase.UNAVAILABLE:
            self._call_over()
            self._unavailable()
            return
        self.retranslate()

    # ---- the turn, and the session held while a call is under way --------------------------

    def _turn_cue(self) -> None:
        """An advisor answered a call that waited: a chime and a few words, even with Read
        aloud off, and the frame's word on another screen if the citizen is elsewhere."""
        future = self.chime.play()
        future.add_done_callback(_log_chime)
        self.turn_unseen = not self.isVisible()
        speech = self.ui.speech
        if speech is not None and not (speech.read_aloud and self.turn_unseen):
            # In Read aloud the frame's notice on another screen is read as it appears.
            speech.say(self.ui.t(TURN), always=True)
        # Whatever the idle warning was counting down: the call is on.
        self.ctx.sessions.resume()

    def _follow_hold(self, status: AdviceStatus) -> None:
        under_way = status.phase in IN_CALL
        if under_way and not self.hold_timer.isActive():
            # A call starts: the citizen has just touched the kiosk to make it.
            self._citizen_seen = self.clock()
            self._held_touch = None
            self.hold_timer.start()
        elif not under_way:
            self.hold_timer.stop()

    def _hold_session(self) -> None:
        """Touch the session for the citizen while the call is connected, and while queued
        until QUEUE_HOLD_S after their own last touch."""
        session = self.ctx.sessions.current
        if session is None or not self.in_call:
            self.hold_timer.stop()
            return
        now = self.clock()
        if session.last_touch != self._held_touch:
            self._citizen_seen = now  # they touched the kiosk since this screen last did
        queued_long = now - self._citizen_seen >= QUEUE_HOLD_S
        if self.status.phase is AdvicePhase.CONNECTED or not queued_long:
            self.ctx.sessions.touch()
            self._held_touch = session.last_touch

    def _call_over(self) -> None:
        """Nothing of the call's text and papers stays on the screen."""
        self.set_typing(False)
        self.help_panel.start(None)

    def _show_remote(self) -> None:
        """The newest pictures of the advisor and of a third person, each taken from its own
        slot (a slot that is not emptied tells of no more pictures)."""
        if self.client is None:
            return
        shown = self.pages.currentWidget() is self.call_page
        for picture, view in (
            (self.client.take_remote_video(), self.remote_view),
            (self.client.take_guest_video(), self.guest_view),
        ):
            if picture is None or not shown:
                continue
            image = QImage(
                picture.rgb.data,
                picture.width,
                picture.height,
                picture.rgb.strides[0],
                QImage.Format.Format_RGB888,
            )
            view.setPixmap(self._fitted(image, view))

    @staticmethod
    def _fitted(image: QImage, view: QWidget) -> QPixmap:
        return QPixmap.fromImage(
            image.scaled(
                view.width(),
                view.height(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    # ---- help beside the video -----------------------------------------------------------------

    def _load_offered(self) -> None:
        """Read the e-services and forms this kiosk offers, off the Qt thread: what the advisor
        sends is taken only if it is among them, and is named as their lists name it."""
        enabled = self.ctx.config.services.enabled
        if "eservices" in enabled:
            from kiosk.web.cache import read_catalogue

            future = self.ctx.run_blocking(read_catalogue, self.ctx.config.data_dir)
            self.ctx.bridge.when_done(future, self._eservices_read)
        if "forms" in enabled:
            self.ctx.bridge.when_done(self.ctx.forms.refresh(), self._forms_read)

    def _eservices_read(self, future: Future[Checked]) -> None:
        if future.exception() is not None:
            log.error("the e-services catalogue could not be read", exc_info=future.exception())
            return
        catalogue = future.result().catalogue
        self._eservices = catalogue
        self.known_services = frozenset(s.id for s in catalogue.services)

    def _forms_read(self, future: Future[LoadedCatalogue]) -> None:
        if future.exception() is not None:
            log.error("the forms catalogue could not be read", exc_info=future.exception())
            return
        self._forms = {form.id: form for form in future.result().forms}
        self.known_forms = frozenset(self._forms)

    def admit(self, kind: str, target: str) -> str | None:
        """Whether the kiosk takes what the advisor sends (docs/call-help.md): None, or why
        not. Called on the client's loop: it only reads sets made before."""
        if kind == "eservice":
            return None if target in self.known_services else "unknown_service"
        if kind == "form":
            return None if target in self.known_forms else "unknown_form"
        if kind == "pdf":
            return None
        return "bad_message"

    def _name_of(self, item: Arrived, language: str) -> str:
        if item.kind == "eservice" and self._eservices is not None:
            service = self._eservices.service(item.target)
            if service is not None:
                return service.name(language)
        if item.kind == "form" and item.target in self._forms:
            return self._forms[item.target].title(language) or item.target
        return item.target

    def _help_from_any_thread(self, help: CallHelp, event: HelpEvent) -> None:
        if shiboken6.isValid(self):
            self._help_changed.emit(help, event)

    def _on_help(self, help: CallHelp, event: HelpEvent) -> None:
        panel = self.help_panel
        if event is HelpEvent.CLOSED:
            if panel.help is help:
                self._call_over()
            return
        if panel.help is not help:
            panel.start(help)  # a transferred call: a new advisor, a fresh panel
        if event is HelpEvent.READY:
            panel.set_ready(True)
        elif event is HelpEvent.TEXT:
            panel.show_remote(*help.remote_text())
        elif event is HelpEvent.ARRIVED:
            for item in help.arrived:
                if panel.add_arrived(item) and item.kind == "pdf":
                    self._keep_document(item)
        elif event is HelpEvent.PAGE_DELIVERED:
            delivered = [page.number for page in help.shown if page.delivered]
            if delivered and not panel.looking:  # a paper being looked for is said as it ends
                panel.set_shown(T.PAGE_DELIVERED, max(delivered))

    def _keep_document(self, item: Arrived) -> None:
        """A PDF the advisor sent is one of the visit's documents from now on."""
        session = self.ctx.sessions.current
        if item.pdf is None or session is None or item.id in self._kept:
            return
        self._kept.add(item.id)
        line = self.status.line or (self.line.id if self.line is not None else "")
        session.visit.advisor_documents.append(
            AdvisorDocument(pdf=item.pdf, name=item.target, line=line, print_free=item.print_free)
        )

    def _show_page(self) -> None:
        help = self.help_panel.help
        if help is None or self.camera is None:
            self.help_panel.page_done(T.PAGE_FAILED)
            return
        self.ctx.bridge.when_done(help.show_page(self.camera), self._page_shown)

    def _page_shown(self, future: Future[ShownPage | None]) -> None:
        error = future.exception()
        if error is not None:
            log.warning("a page could not be shown to the advisor: %s", type(error).__name__)
            self.help_panel.page_done(T.PAGE_FAILED)
            return
        page = future.result()
        if page is None:
            self.help_panel.page_done(T.NO_PAPER)
        elif page.delivered:
            self.help_panel.page_done(T.PAGE_DELIVERED, page.number)
        else:
            self.help_panel.page_done(T.PAGE_SHOWN, page.number)

    def _open_arrived(self, item: Arrived) -> None:
        help = self.help_panel.help
        if help is not None:
            help.opened(item.id)
        if item.kind == "eservice":
            self.open_requested.emit("eservices", item.target)
        elif item.kind == "form":
            self.open_requested.emit("forms", item.target)
        else:
            # Said on the call's page, and Print opened on it where the kiosk prints.
            self.help_panel.set_saved(self._name_of(item, self.ui.language))
            if item.pdf is not None and "print" in self.ctx.config.services.enabled:
                self.open_requested.emit("print", str(item.pdf))

    # ---- the keyboard under the call ----------------------------------------------------------

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not shiboken6.isValid(self) or new is None:
            return
        if self.keyboard.holds(new):
            return
        if new is self.help_panel.text_field:
            self.keyboard.attach(new)
            self.set_typing(True)
        elif self.typing:
            self.set_typing(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Touching the field brings back a keyboard the citizen had hidden.
        field = self.help_panel.text_field
        pressed = event.type() == QEvent.Type.MouseButtonPress
        if pressed and watched is field and field.hasFocus() and not self.typing:
            self.keyboard.attach(field)
            self.set_typing(True)
        return False

    # ---- the citizen's own picture ------------------------------------------------------------

    def _camera_on(self) -> None:
        self._camera_wanted = True
        if self.camera is not None:
            self.camera.start_stream()
            self._preview.start(PREVIEW_MS)

    def _camera_off(self) -> None:
        self._camera_wanted = False
        self._preview.stop()
        if self.camera is not None:
            self.camera.stop_stream()

    def hideEvent(self, event: QHideEvent) -> None:
        # The call goes on elsewhere: its camera runs for the advisor, but nobody sees the
        # citizen's own picture here, so it is not drawn.
        self._preview.stop()
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.turn_unseen:
            self.turn_unseen = False  # back at the call: the frame's word on it goes
            self.call_changed.emit()
        if self._camera_wanted and self.camera is not None:
            self.camera.start_stream()  # idempotent; another service may have stopped it
            self._preview.start(PREVIEW_MS)

    def _show_own_picture(self) -> None:
        frame = self.camera.latest() if self.camera is not None else None
        if frame is None:
            return
        view = self.self_view if self.pages.currentWidget() is self.call_page else self.preview_view
        view.setPixmap(to_pixmap(frame.data, view.width(), view.height()))

    def focusNextPrevChild(self, next: bool) -> bool:
        # The screen itself has the focus when it opens: hand it to the page's first control
        # here. Passed on, the scroll area around the screen would centre the whole screen
        # (taller than the display with many lines or large text) and hide its heading.
        if next and self.focusWidget() is self:
            page = self.pages.currentWidget()
            buttons = page.findChildren(BigButton) if page is not None else []
            if page is self.lines_page:
                # The lines first, then the way in with a code (made before them).
                buttons = [*self.line_buttons.values(), *buttons]
            for button in buttons:
                if button.isVisibleTo(self) and button.isEnabled():
                    button.setFocus(Qt.FocusReason.TabFocusReason)
                    return True
            return True  # still loading: the first line has it when the lines come
        return super().focusNextPrevChild(next)

    def release(self) -> None:
        """The session ends (or the screen goes): hang up, stop listening, camera off."""
        if shiboken6.isValid(self):
            self.lines_timer.stop()
            self.hold_timer.stop()
        if self.client is not None and self.status.phase in IN_CALL:
            self.client.cancel()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        client = self.client
        if client is not None and client.on_remote_video == self._video_from_any_thread:
            client.on_remote_video = None
        if client is not None and client.help_listener == self._help_from_any_thread:
            client.help_listener = None
            client.help_admission = None
            client.documents_folder = None
        if shiboken6.isValid(self):
            self._camera_off()


def _log_chime(future: Future[int]) -> None:
    if future.exception() is not None:
        log.warning("no chime for the turn: %s", future.exception())
