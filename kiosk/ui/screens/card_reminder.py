""" "Take your card": shown after a session ends while a card is still in the reader.

The session has already been wiped; this screen only keeps the next person from finding the
last one's identity card. It stays until the card is taken out, or for at most `seconds`.
The text is the screen's accessible description too, so a screen reader or speech can say it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.i18n import N_
from kiosk.ui.state import UiState
from kiosk.ui.theme import palette
from kiosk.ui.widgets.icons import icon_pixmap, on_surface

ICON = "take-card.svg"
ICON_PX = 200

TAKE_CARD = N_("Please take your card")
TAKE_CARD_DETAIL = N_("Your card is still in the card reader. Your data has been erased.")


class CardReminder(QWidget):
    done = Signal()

    def __init__(self, ui: UiState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setProperty("role", "screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(120, 80, 120, 80)
        layout.addStretch(1)
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.heading = QLabel()
        self.heading.setProperty("role", "h1")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.heading.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setProperty("role", "lead")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.detail.setWordWrap(True)
        layout.addWidget(self.icon)
        layout.addSpacing(24)
        layout.addWidget(self.heading)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self._draw_icon()
        ui.changed.connect(self._draw_icon)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.finish)

    def _draw_icon(self) -> None:
        """The card in the theme's colours: a yellow disc on black in high contrast."""
        colours = on_surface(palette(high_contrast=self.ui.high_contrast))
        ratio = self.devicePixelRatioF()
        self.icon.setPixmap(icon_pixmap(ICON, ICON_PX, colours, ratio))

    def show_for(self, language: str, seconds: float) -> None:
        """Remind in the language of the citizen who just left."""
        heading = self.ui.t_in(language, TAKE_CARD)
        detail = self.ui.t_in(language, TAKE_CARD_DETAIL)
        self.heading.setText(heading)
        self.detail.setText(detail)
        self.setAccessibleName(heading)
        self.setAccessibleDescription(detail)
        self._timer.start(int(seconds * 1000))

    def finish(self) -> None:
        """The card was taken, or time ran out."""
        if self._timer.isActive() or self.isVisible():
            self._timer.stop()
            self.done.emit()
