"""The kiosk's side of screen sharing in a video call: the citizen's question, the banner while
the screen is shown, and the pictures of the window that go to the advisor.

The advisor asks (kiosk.video.share); the window shows a strip above everything, on whatever
screen the citizen is: "The advisor asks to see your screen", Allow / No. While shared the strip
stays, in the warning colour, with Stop sharing. Ending the call (or the session) ends it.

While shared, the window is grabbed up to `CAPTURE_FPS` times a second on the Qt thread, and
only when something on it was repainted since the last picture (a screen at rest costs nothing);
the sensitive widgets (kiosk.ui.sensitive) are painted over on that picture at once, and only then
is it handed to the call, which scales, compares and encodes it off the Qt thread. The picture is
the widgets rendered anew (`QWidget.grab`), never the screen's last frame: a field that has just
scrolled is covered where it is now, not where it was.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from kiosk.i18n import N_
from kiosk.ui.sensitive import sensitive_rects
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton

if TYPE_CHECKING:
    from kiosk.video.advice import AdviceClient
    from kiosk.video.help import CallHelp, HelpEvent

log = logging.getLogger(__name__)

CAPTURE_FPS = 12
#: The window is drawn for the advisor at the width the call sends it (kiosk.video.share).
SHARE_WIDTH = 1280
#: What covers a sensitive field in the advisor's picture.
MASK = QColor(90, 90, 90)

ASKED = N_("The advisor asks to see your screen.")
ASKED_HINT = N_(
    "They would see this screen as you see it, until you stop. In the kiosk's own forms, "
    "identity codes and other private fields are hidden from them; on web pages, only "
    "passwords are."
)
ALLOW = N_("Allow")
NO = N_("No")
SHARED = N_("The advisor sees your screen.")
SHARED_HINT = N_(
    "Identity codes in the kiosk's own forms are hidden from them; on web pages, only passwords "
    "are."
)
STOP = N_("Stop sharing")


def masked_picture(
    window: QWidget,
    image_format: QImage.Format = QImage.Format.Format_RGB32,
    width: int | None = None,
) -> QImage:
    """The window as it looks now, drawn anew at `width` pixels wide (its own width by default;
    fewer pixels to fill is less time on the Qt thread), sensitive widgets painted over, in
    Qt's own RGB32 (no conversion) or `image_format`."""
    scale = 1.0 if width is None else width / max(1, window.width())
    size = QSize(round(window.width() * scale), round(window.height() * scale))
    image = QImage(size, image_format)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.scale(scale, scale)
    window.render(painter, QPoint(0, 0))
    # In the window's own units: the painter scales the covers with everything else.
    for rect in sensitive_rects(window):
        painter.fillRect(rect, MASK)
    painter.end()
    return image


def to_array(image: QImage) -> Any:
    """An RGB888 QImage as an H×W×3 numpy array, an RGB32 one as H×W×4 (B, G, R, unused), of
    its own (the image may go)."""
    import numpy as np

    width, height = image.width(), image.height()
    depth = 4 if image.format() == QImage.Format.Format_RGB32 else 3
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    rows = rows.reshape(height, image.bytesPerLine())
    return rows[:, : width * depth].reshape(height, width, depth).copy()


class ShareBar(QFrame):
    """The strip above the window's screens: the question, or that the screen is shown."""

    def __init__(self, ui: UiState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setObjectName("ShareBar")
        self.setProperty("role", "share")
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 12, 24, 12)
        row.setSpacing(16)
        self.text = QLabel()
        self.text.setProperty("role", "warning")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.text, 1)
        self.allow_button = BigButton(role="primary")
        self.no_button = BigButton()
        self.stop_button = BigButton(role="danger")
        for button in (self.allow_button, self.no_button, self.stop_button):
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.asking = False
        self.hide()
        ui.changed.connect(self.retranslate)

    def ask(self) -> None:
        self.asking = True
        self._show()

    def shared(self) -> None:
        self.asking = False
        self._show()

    def _show(self) -> None:
        self.allow_button.setVisible(self.asking)
        self.no_button.setVisible(self.asking)
        self.stop_button.setVisible(not self.asking)
        self.retranslate()
        self.show()
        (self.allow_button if self.asking else self.stop_button).setFocus()

    def retranslate(self) -> None:
        t = self.ui.t
        if self.asking:
            self.text.setText(f"{t(ASKED)} {t(ASKED_HINT)}")
        else:
            self.text.setText(f"{t(SHARED)} {t(SHARED_HINT)}")
        self.allow_button.setText(t(ALLOW))
        self.no_button.setText(t(NO))
        self.stop_button.setText(t(STOP))


class ScreenShareController(QObject):
    """Follows the call's sharing (from the engine, through a queued signal), shows the bar,
    and sends the window's pictures while shared."""

    _changed = Signal()

    def __init__(self, window: QWidget, client: AdviceClient, bar: ShareBar) -> None:
        super().__init__(window)
        self.window = window
        self.client = client
        self.bar = bar
        self.timer = QTimer(self)
        self.timer.setInterval(1000 // CAPTURE_FPS)
        self.timer.timeout.connect(self.capture)
        #: Pictures handed to the call so far (for technician figures and tests).
        self.pictures = 0
        #: How long the latest pictures took on the Qt thread, ms (bench/call_help.py reads it).
        self.capture_ms: deque[float] = deque(maxlen=2000)
        #: Something on the window was repainted since the last picture.
        self.dirty = True
        window.installEventFilter(self)
        self._changed.connect(self._follow, Qt.ConnectionType.QueuedConnection)
        bar.allow_button.clicked.connect(lambda: self._answer(True))
        bar.no_button.clicked.connect(lambda: self._answer(False))
        bar.stop_button.clicked.connect(self.stop)
        self._unwatch = client.watch_help(self._from_engine)

    def _from_engine(self, help_: CallHelp, event: HelpEvent) -> None:
        from kiosk.video.help import HelpEvent

        if event in (HelpEvent.SHARE, HelpEvent.CLOSED) and shiboken6.isValid(self):
            self._changed.emit()

    def _follow(self) -> None:
        from kiosk.video.share import ShareState

        help_ = self.client.help
        state = help_.share_state if help_ is not None else None
        if state is ShareState.ASKED:
            self.timer.stop()
            self.bar.ask()
        elif state is ShareState.ON:
            self.bar.shared()
            if not self.timer.isActive():
                self.dirty = True
                self.capture()
                self.timer.start()
        else:
            self.timer.stop()
            self.bar.hide()

    def _answer(self, allowed: bool) -> None:
        help_ = self.client.help
        if help_ is not None:
            help_.answer_share(allowed)
        if not allowed:
            self.bar.hide()

    def stop(self) -> None:
        help_ = self.client.help
        if help_ is not None:
            help_.stop_share()
        self.timer.stop()
        self.bar.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Any repaint in the window comes to it as an update request.
        if event.type() == QEvent.Type.UpdateRequest:
            self.dirty = True
        return False

    def capture(self) -> None:
        help_ = self.client.help
        if help_ is None:
            self.timer.stop()
            return
        if not self.dirty:
            return  # nothing changed: the call sends the last picture again by itself
        self.dirty = False
        started = time.perf_counter()
        help_.offer_screen(to_array(masked_picture(self.window, width=SHARE_WIDTH)))
        self.capture_ms.append((time.perf_counter() - started) * 1000)
        self.pictures += 1

    def close(self) -> None:
        self.timer.stop()
        self.window.removeEventFilter(self)
        self._unwatch()
