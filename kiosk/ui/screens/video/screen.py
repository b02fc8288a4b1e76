"""Video advice: choose a service line, check the camera, wait in the queue, talk, and rate.

While the lines (or the camera check) are shown, the lines' states are asked of the hub again
every few seconds, so that "2 advisors free" or "closed" is what a tap would meet.

The call itself is the AdviceClient's (kiosk.video): the screen starts, cancels and ends it and
follows its status, handed to the Qt thread by a queued signal. The advisor's picture comes
through the client's newest-frame slot, taken when the screen is told one is waiting; the
citizen's own picture is read from the camera by a timer, as Scan's preview is. The pages and
their words are kiosk.ui.screens.video.view's.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QWidget

from kiosk.devices.camera.base import Camera
from kiosk.devices.catalog import DeviceClass
from kiosk.ui.context import ServiceContext
from kiosk.ui.screens.scan import to_pixmap
from kiosk.ui.screens.video.view import REMOTE_SIZE, AdviceView, LineButton
from kiosk.ui.widgets.buttons import BigButton
from kiosk.video.advice import AdviceLine, AdvicePhase, AdviceStatus, LineState

log = logging.getLogger(__name__)

PREVIEW_MS = 66
#: How often the lines' states are asked again while the citizen is choosing.
LINES_REFRESH_MS = 5000
IN_CALL = (AdvicePhase.REQUESTING, AdvicePhase.QUEUED, AdvicePhase.RINGING, AdvicePhase.CONNECTED)


class AdviceScreen(AdviceView):
    #: The citizen is done here: back to where they were.
    leave = Signal()
    _status_changed = Signal(object)
    _video_waiting = Signal()

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

        self._preview = QTimer(self)
        self._preview.timeout.connect(self._show_own_picture)
        self.lines_timer = QTimer(self)
        self.lines_timer.setInterval(LINES_REFRESH_MS)
        self.lines_timer.timeout.connect(self._refresh_lines)
        self._refreshing = False
        self.pages.currentChanged.connect(self._page_changed)
        self._status_changed.connect(self._on_status, Qt.ConnectionType.QueuedConnection)
        self._video_waiting.connect(self._show_remote, Qt.ConnectionType.QueuedConnection)
        ctx.sessions.add_resource("advice-call", self.release)
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
        self.lines_layout.addStretch(1)

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

    def _on_status(self, status: AdviceStatus) -> None:
        if status.phase is AdvicePhase.IDLE and self.status.phase is AdvicePhase.UNAVAILABLE:
            self._load_lines()  # the hub is back: the citizen may choose a line again
            return
        if self.status.phase not in IN_CALL and status.phase is not AdvicePhase.UNAVAILABLE:
            return  # no call of this screen's under way: old news
        self.status = status
        if status.line is not None and status.line in self.lines:
            self.line = self.lines[status.line]  # a transferred call names its new line
        phase = status.phase
        if phase in (AdvicePhase.REQUESTING, AdvicePhase.QUEUED, AdvicePhase.RINGING):
            self.pages.setCurrentWidget(self.waiting_page)
        elif phase is AdvicePhase.CONNECTED:
            self.mute_button.setChecked(False)
            self.pages.setCurrentWidget(self.call_page)
            self._camera_on()
            self.ctx.sessions.outcome("advice", "connected")
        elif phase is AdvicePhase.ENDED:
            self._camera_off()
            self.remote_view.clear()
            if status.reason == "cancelled":
                self.back_to_lines()
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

    def focusNextPrevChild(self, next: bool) -> bool:
        # The screen itself has the focus when it opens: hand it to the page's first control
        # here. Passed on, the scroll area around the screen would centre the whole screen
        # (taller than the display with many lines or large text) and hide its heading.
        if next and self.focusWidget() is self:
            page = self.pages.currentWidget()
            for button in page.findChildren(BigButton) if page is not None else []:
                if button.isVisibleTo(self) and button.isEnabled():
                    button.setFocus(Qt.FocusReason.TabFocusReason)
                    return True
            return True  # still loading: the first line has it when the lines come
        return super().focusNextPrevChild(next)

    def release(self) -> None:
        """The session ends (or the screen goes): hang up, stop listening, camera off."""
        if shiboken6.isValid(self):
            self.lines_timer.stop()
        if self.client is not None and self.status.phase in IN_CALL:
            self.client.cancel()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.client is not None and self.client.on_remote_video == self._video_from_any_thread:
            self.client.on_remote_video = None
        if shiboken6.isValid(self):
            self._camera_off()
