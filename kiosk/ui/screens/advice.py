"""Video advice: choose a service line, check the camera, wait in the queue, talk, and rate.

The call itself is the AdviceClient's (kiosk.call): the screen starts, cancels and ends it and
follows its status, handed to the Qt thread by a queued signal. The advisor's picture comes
through the client's newest-frame slot, taken when the screen is told one is waiting; the
citizen's own picture is read from the camera by a timer, as Scan's preview is.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.call.advice import AdviceClient, AdviceLine, AdvicePhase, AdviceStatus
from kiosk.devices.camera.base import Camera
from kiosk.devices.catalog import DeviceClass
from kiosk.ui.context import ServiceContext
from kiosk.ui.screens import advice_texts as T
from kiosk.ui.screens.scan import to_pixmap
from kiosk.ui.widgets.buttons import BigButton

log = logging.getLogger(__name__)

PREVIEW_MS = 66
REMOTE_SIZE = (960, 540)
SELF_SIZE = (320, 180)
PREVIEW_SIZE = (640, 360)
IN_CALL = (AdvicePhase.REQUESTING, AdvicePhase.QUEUED, AdvicePhase.RINGING, AdvicePhase.CONNECTED)


def _page(spacing: int = 24) -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    return page, layout


def _label(role: str | None = None) -> QLabel:
    label = QLabel()
    if role:
        label.setProperty("role", role)
    label.setWordWrap(True)
    return label


def _video_label(size: tuple[int, int]) -> QLabel:
    label = QLabel()
    label.setFixedSize(*size)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet("background: #202020; border-radius: 8px;")
    return label


class AdviceScreen(QWidget):
    #: The citizen is done here: back to where they were.
    leave = Signal()
    _status_changed = Signal(object)
    _video_waiting = Signal()

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ui = ctx.ui
        self.client: AdviceClient | None = ctx.kiosk.advice
        device = ctx.kiosk.device(DeviceClass.CAMERA)
        self.camera: Camera | None = device if isinstance(device, Camera) else None
        self.line: AdviceLine | None = None
        self.status = AdviceStatus(AdvicePhase.IDLE)
        self.rated: int | None = None
        self._unsubscribe: Any = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(96, 40, 96, 40)
        outer.setSpacing(24)
        self.heading = _label("lead")
        outer.addWidget(self.heading)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages, 1)

        self.loading_page, _ = _page()
        self.lines_page, self.lines_layout = _page(20)
        self.line_buttons: dict[str, BigButton] = {}
        self.lines: dict[str, AdviceLine] = {}

        self.preview_page, preview = _page()
        self.preview_view = _video_label(PREVIEW_SIZE)
        preview.addWidget(self.preview_view, 0, Qt.AlignmentFlag.AlignHCenter)
        self.consent = _label("h2")
        preview.addWidget(self.consent)
        self.call_button = BigButton(role="primary")
        self.call_button.clicked.connect(self.call)
        self.back_button = BigButton()
        self.back_button.clicked.connect(self.show_lines)
        preview.addLayout(_row(self.call_button, self.back_button))
        preview.addStretch(1)

        self.waiting_page, waiting = _page()
        self.position = _label("h2")
        self.wait = _label("lead")
        self.cancel_button = BigButton(role="danger")
        self.cancel_button.clicked.connect(self.hang_up)
        for widget in (self.position, self.wait):
            waiting.addWidget(widget)
        waiting.addLayout(_row(self.cancel_button))
        waiting.addStretch(1)

        self.call_page = QWidget()
        call = QHBoxLayout(self.call_page)
        call.setContentsMargins(0, 0, 0, 0)
        call.setSpacing(24)
        self.remote_view = _video_label(REMOTE_SIZE)
        self.remote_view.setAccessibleName("advisor video")
        call.addWidget(self.remote_view, 0, Qt.AlignmentFlag.AlignTop)
        side = QVBoxLayout()
        side.setSpacing(20)
        self.self_view = _video_label(SELF_SIZE)
        side.addWidget(self.self_view)
        self.mute_button = BigButton()
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self._mute)
        self.muted_note = _label("warning")
        self.muted_note.hide()
        self.end_button = BigButton(role="danger")
        self.end_button.clicked.connect(self.hang_up)
        for control in (self.mute_button, self.muted_note, self.end_button):
            side.addWidget(control)
        side.addStretch(1)
        call.addLayout(side, 1)

        self.after_page, after = _page()
        self.rate_text = _label("lead")
        after.addWidget(self.rate_text)
        self.star_buttons: dict[int, BigButton] = {}
        stars = QHBoxLayout()
        stars.setSpacing(16)
        for n in range(1, 6):
            button = BigButton(str(n))
            button.setMinimumSize(96, 96)
            button.clicked.connect(lambda _=False, n=n: self.rate(n))
            self.star_buttons[n] = button
            stars.addWidget(button)
        stars.addStretch(1)
        after.addLayout(stars)
        self.thanks = _label("banner")
        self.thanks.hide()
        after.addWidget(self.thanks)
        self.done_button = BigButton(role="primary")
        self.done_button.clicked.connect(self.leave.emit)
        after.addLayout(_row(self.done_button))
        after.addStretch(1)

        self.sorry_page, sorry = _page()
        self.sorry = _label("warning")
        sorry.addWidget(self.sorry)
        self.phones = _label("lead")
        sorry.addWidget(self.phones)
        self.other_button = BigButton()
        self.other_button.clicked.connect(self.show_lines)
        self.leave_button = BigButton(role="primary")
        self.leave_button.clicked.connect(self.leave.emit)
        sorry.addLayout(_row(self.leave_button, self.other_button))
        sorry.addStretch(1)

        for page in (
            self.loading_page,
            self.lines_page,
            self.preview_page,
            self.waiting_page,
            self.call_page,
            self.after_page,
            self.sorry_page,
        ):
            self.pages.addWidget(page)

        self._preview = QTimer(self)
        self._preview.timeout.connect(self._show_own_picture)
        self._status_changed.connect(self._on_status, Qt.ConnectionType.QueuedConnection)
        self._video_waiting.connect(self._show_remote, Qt.ConnectionType.QueuedConnection)
        ctx.kiosk.session.add_resource("advice-call", self.release)
        if self.client is not None:
            self._unsubscribe = self.client.subscribe(self._from_any_thread)
            self.client.on_remote_video = self._video_from_any_thread
        self.ui.changed.connect(self.retranslate)
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
        for button in self.line_buttons.values():
            button.deleteLater()
        self.line_buttons.clear()
        self.lines = {line.id: line for line in future.result()}
        for line in future.result():
            button = BigButton()
            button.setMinimumHeight(120)
            button.setStyleSheet("text-align: left;")
            button.clicked.connect(lambda _=False, line=line: self.choose(line))
            self.line_buttons[line.id] = button
            self.lines_layout.addWidget(button)
        self.lines_layout.addStretch(1)
        self.show_lines()

    def show_lines(self) -> None:
        self._camera_off()
        self.pages.setCurrentWidget(self.lines_page if self.line_buttons else self.sorry_page)
        self.retranslate()

    def choose(self, line: AdviceLine) -> None:
        self.line = line
        if not line.open_now:
            self.status = AdviceStatus(
                AdvicePhase.REFUSED,
                line=line.id,
                reason="line_closed",
                next_opening=line.next_opening,
            )
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
        self.ctx.kiosk.session.outcome("advice", "called")
        self.retranslate()

    def hang_up(self) -> None:
        if self.client is not None:
            self.client.cancel()

    def rate(self, stars: int) -> None:
        if self.client is not None and self.rated is None:
            self.client.rate(stars)
            self.rated = stars
            self.ctx.kiosk.session.outcome("advice", f"rated-{stars}")
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

    def _on_status(self, status: AdviceStatus) -> None:
        if self.status.phase not in IN_CALL and status.phase is not AdvicePhase.UNAVAILABLE:
            return  # no call of this screen's under way: old news
        self.status = status
        phase = status.phase
        if phase in (AdvicePhase.REQUESTING, AdvicePhase.QUEUED, AdvicePhase.RINGING):
            self.pages.setCurrentWidget(self.waiting_page)
        elif phase is AdvicePhase.CONNECTED:
            self.mute_button.setChecked(False)
            self.pages.setCurrentWidget(self.call_page)
            self._camera_on()
            self.ctx.kiosk.session.outcome("advice", "connected")
        elif phase is AdvicePhase.ENDED:
            self._camera_off()
            self.remote_view.clear()
            if status.reason == "cancelled":
                self.show_lines()
                return
            self.rated = None
            self.pages.setCurrentWidget(self.after_page)
        elif phase is AdvicePhase.REFUSED:
            self.pages.setCurrentWidget(self.sorry_page)
        elif phase is AdvicePhase.UNAVAILABLE:
            self._unavailable()
            return
        self.retranslate()

    def _show_remote(self) -> None:
        if self.client is None:
            return
        picture = self.client.take_remote_video()
        if picture is None or self.pages.currentWidget() is not self.call_page:
            return
        image = QImage(
            picture.rgb.data,
            picture.width,
            picture.height,
            picture.rgb.strides[0],
            QImage.Format.Format_RGB888,
        )
        width, height = REMOTE_SIZE
        self.remote_view.setPixmap(
            QPixmap.fromImage(
                image.scaled(
                    width,
                    height,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        )

    # ---- the citizen's own picture ------------------------------------------------------------

    def _camera_on(self) -> None:
        if self.camera is not None:
            self.camera.start_stream()
            self._preview.start(PREVIEW_MS)

    def _camera_off(self) -> None:
        self._preview.stop()
        if self.camera is not None:
            self.camera.stop_stream()

    def _show_own_picture(self) -> None:
        frame = self.camera.latest() if self.camera is not None else None
        if frame is None:
            return
        view = self.self_view if self.pages.currentWidget() is self.call_page else self.preview_view
        view.setPixmap(to_pixmap(frame.data, view.width(), view.height()))

    def release(self) -> None:
        """The session ends (or the screen goes): hang up, stop listening, camera off."""
        if self.client is not None and self.status.phase in IN_CALL:
            self.client.cancel()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.client is not None and self.client.on_remote_video == self._video_from_any_thread:
            self.client.on_remote_video = None
        if shiboken6.isValid(self):
            self._camera_off()

    # ---- words --------------------------------------------------------------------------------

    def retranslate(self) -> None:
        t, nt, language = self.ui.t, self.ui.nt, self.ui.language
        page = self.pages.currentWidget()
        line = self.line
        line_name = line.name(language) if line is not None else ""
        headings = {
            self.loading_page: t(T.LOADING),
            self.lines_page: t(T.CHOOSE),
            self.preview_page: t(T.CONSENT_HEADING),
            self.waiting_page: t(T.CALLING).format(line=line_name),
            self.call_page: t(T.CONNECTED).format(line=line_name),
            self.after_page: t(T.ENDED),
            self.sorry_page: "",
        }
        self.heading.setText(headings.get(page, "") if page is not None else "")
        self.heading.setVisible(bool(self.heading.text()))
        for line_id, button in self.line_buttons.items():
            shown = self.lines[line_id]
            state = t(T.OPEN_NOW) if shown.open_now else t(T.CLOSED_NOW)
            button.set_label(
                f"{shown.name(language)} — {state}\n{shown.description(language)}\n"
                f"{T.languages_text(t, shown)}"
            )
        self.consent.setText(t(T.CONSENT))
        self.call_button.set_label("📞 " + t(T.CALL))
        self.call_button.setAccessibleName(t(T.CALL))
        self.back_button.set_label(t(T.BACK))
        self.position.setText(T.position_text(nt, t, self.status.position))
        self.wait.setText(T.wait_text(nt, t, self.status.estimated_wait_s))
        self.cancel_button.set_label(t(T.CANCEL))
        muted = self.mute_button.isChecked()
        self.mute_button.set_label(t(T.UNMUTE) if muted else t(T.MUTE))
        self.muted_note.setText(t(T.MUTED))
        self.muted_note.setVisible(muted)
        self.self_view.setAccessibleName("own video")
        self.end_button.set_label(t(T.END_CALL))
        self.rate_text.setText(t(T.RATE))
        for n, button in self.star_buttons.items():
            button.setAccessibleName(nt(*T.STARS, n).format(n=n))
            button.setEnabled(self.rated is None)
            button.setChecked(False)
        self.thanks.setText(t(T.THANKS))
        self.thanks.setVisible(self.rated is not None)
        self.rate_text.setVisible(self.status.can_rate and self.rated is None)
        for button in self.star_buttons.values():
            button.setVisible(self.status.can_rate and self.rated is None)
        self.done_button.set_label(t(T.BACK_TO_WHERE))
        self.leave_button.set_label(t(T.BACK_TO_WHERE))
        self.other_button.set_label(t(T.CHOOSE_ANOTHER))
        self._sorry_texts()

    def _sorry_texts(self) -> None:
        t, language = self.ui.t, self.ui.language
        status, line = self.status, self.line
        lines = self.client.lines() if self.client is not None else []
        self.other_button.setVisible(bool(self.line_buttons))
        if status.phase is AdvicePhase.REFUSED and line is not None:
            name = line.name(language)
            if status.reason == "line_closed":
                text = t(T.LINE_CLOSED).format(line=name)
                if status.next_opening is not None:
                    text += " " + T.opening_text(t, status.next_opening)
            else:
                text = t(T.NOBODY).format(line=name)
            self.sorry.setText(text)
            self.phones.setText(
                t(T.PHONE).format(line=name, phone=line.phone) if line.phone else ""
            )
        else:
            self.sorry.setText(t(T.UNAVAILABLE))
            self.phones.setText(T.phones_text(t, lines, language))


def _row(*buttons: BigButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(24)
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row
