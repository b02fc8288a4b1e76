"""The idle warning: a full-screen countdown with a large "Continue" button.

It covers the whole window so that the next person to walk up sees it, says in words how many
seconds are left and what will happen, and offers to end the session at once.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.i18n import N_, NP_
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton

STILL_THERE = N_("Are you still there?")
COUNTDOWN = NP_("Your session will end in {n} second.", "Your session will end in {n} seconds.")
WILL_ERASE = N_("For your privacy, everything you did here will then be erased.")
CONTINUE = N_("Continue")
END_NOW = N_("End session now")
CONTINUE_HOW = N_("To continue, touch the screen or press OK.")


class IdleWarning(QWidget):
    continue_requested = Signal()
    end_requested = Signal()

    def __init__(self, ui: UiState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self._seconds = 0
        self.setProperty("role", "overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        card = QFrame()
        card.setProperty("role", "card")
        card.setMaximumWidth(1100)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(64, 48, 64, 48)
        inner.setSpacing(28)
        self.heading = QLabel()
        self.heading.setProperty("role", "h1")
        self.heading.setWordWrap(True)
        self.countdown = QLabel()
        self.countdown.setProperty("role", "countdown")
        self.countdown.setWordWrap(True)
        self.countdown.setAccessibleName("countdown")
        self.explain = QLabel()
        self.explain.setProperty("role", "lead")
        self.explain.setWordWrap(True)
        self.continue_button = BigButton(role="primary")
        self.continue_button.setMinimumHeight(120)
        self.continue_button.clicked.connect(self.continue_requested.emit)
        self.end_button = BigButton()
        self.end_button.clicked.connect(self.end_requested.emit)
        for widget in (self.heading, self.countdown, self.explain):
            inner.addWidget(widget)
        # One above the other, full width: long labels in any language and text size fit.
        inner.addWidget(self.continue_button)
        inner.addWidget(self.end_button)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        self.retranslate()
        ui.changed.connect(self.retranslate)

    def set_seconds_left(self, seconds: float) -> None:
        whole = max(0, math.ceil(seconds))
        if whole != self._seconds:
            self._seconds = whole
            self._update_countdown()

    def _update_countdown(self) -> None:
        text = self.ui.nt(*COUNTDOWN, self._seconds).format(n=self._seconds)
        self.countdown.setText(text)
        self.countdown.setAccessibleName(text)

    def spoken_text(self) -> str:
        """The warning as it is said aloud."""
        texts = (self.heading.text(), self.countdown.text(), self.explain.text())
        return " ".join(texts) + " " + self.ui.t(CONTINUE_HOW)

    def retranslate(self) -> None:
        t = self.ui.t
        self.heading.setText(t(STILL_THERE))
        self.explain.setText(t(WILL_ERASE))
        self.continue_button.set_label(t(CONTINUE))
        self.end_button.set_label(t(END_NOW))
        self._update_countdown()
