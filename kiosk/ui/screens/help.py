"""The "Help and privacy" service: how to use the kiosk, how data is handled, accessibility."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QScroller, QVBoxLayout, QWidget

from kiosk.i18n import N_
from kiosk.ui.context import ServiceContext

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        N_("Using the kiosk"),
        (
            N_(
                "Choose a service on the home screen. The Home button at the top brings you "
                "back there."
            ),
            N_(
                "You can change the language, make the text larger or switch to high contrast "
                "at any time with the buttons at the top of the screen."
            ),
            N_(
                "Everything can also be used with a keyboard: Tab moves between buttons and "
                "Enter presses one."
            ),
        ),
    ),
    (
        N_("Your privacy"),
        (
            N_(
                "What you do here is kept only for this session. When you press End session, "
                "or when nobody has touched the screen for a while, the session ends and "
                "everything you did is erased: documents, typed text and card details."
            ),
            N_("Before the session ends by itself, a countdown is shown so that you can continue."),
            N_(
                "The kiosk keeps only anonymous statistics, such as which services were used "
                "and for how long. It never records your name, identity code or what you "
                "typed."
            ),
            N_("Remember to take your card and your documents with you."),
        ),
    ),
    (
        N_("Getting help"),
        (
            N_(
                "Library staff can help you with the kiosk itself, for example if the printer "
                "is out of paper."
            ),
        ),
    ),
)


class HelpScreen(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ctx.ui
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        scroll.setAccessibleName(self.ui.t(SECTIONS[0][0]))
        QScroller.grabGesture(scroll.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(96, 40, 96, 40)
        column.setSpacing(18)
        self._labels: list[tuple[QLabel, str]] = []
        for heading, paragraphs in SECTIONS:
            title = QLabel()
            title.setProperty("role", "h2")
            title.setWordWrap(True)
            column.addSpacing(12)
            column.addWidget(title)
            self._labels.append((title, heading))
            for paragraph in paragraphs:
                label = QLabel()
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
                column.addWidget(label)
                self._labels.append((label, paragraph))
        column.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll)
        self.scroll_area = scroll
        self.retranslate()
        self.ui.changed.connect(self.retranslate)

    def retranslate(self) -> None:
        for label, message in self._labels:
            label.setText(self.ui.t(message))
        self.scroll_area.setAccessibleName(self.ui.t(SECTIONS[0][0]))
