"""The bar under a form: Back, what is wrong on the page, and Next.

It stays put at the bottom of the screen, above the on-screen keyboard and outside what
scrolls, so that however long a page is, the way on is always in sight. The screen showing
the form places it (TypingScreen.set_content); until then it waits, hidden, in the form.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.ui.forms.wrapping import WrapButton


def button_bar(parent: QWidget) -> tuple[QFrame, QHBoxLayout]:
    """A plain bar of a page's own buttons, styled as the form's, and the row to put them in:
    hidden until a TypingScreen shows it under the content (`show_bar` or `set_content`)."""
    bar = QFrame(parent)
    bar.setObjectName("FormBar")
    bar.hide()
    column = QVBoxLayout(bar)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    rule = QFrame()
    rule.setFrameShape(QFrame.Shape.HLine)
    column.addWidget(rule)
    row = QHBoxLayout()
    row.setContentsMargins(96, 16, 96, 16)
    row.setSpacing(24)
    column.addLayout(row)
    return bar, row


class FormBar(QFrame):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("FormBar")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        # Where the page ends and the bar begins, also when the page scrolls under it.
        self.rule = QFrame()
        self.rule.setFrameShape(QFrame.Shape.HLine)
        column.addWidget(self.rule)
        row = QHBoxLayout()
        row.setContentsMargins(96, 16, 96, 16)
        row.setSpacing(24)
        self.back_button = WrapButton()
        self.back_button.setMinimumHeight(88)
        self.back_button.setProperty("keypad", "back")  # the keypad's Back presses it
        self.next_button = WrapButton(role="primary")
        self.next_button.setMinimumHeight(88)
        self.next_button.setMinimumWidth(320)
        self.notice = QLabel()
        self.notice.setProperty("role", "warning")
        self.notice.setWordWrap(True)
        self.notice.hide()
        middle = Qt.AlignmentFlag.AlignVCenter
        row.addWidget(self.back_button, 0, middle)
        row.addStretch(1)
        row.addWidget(self.notice, 8, middle)
        row.addStretch(1)
        row.addWidget(self.next_button, 0, middle)
        column.addLayout(row)

    # Its height follows its width (words wrap on its buttons at large text), but it does not
    # say so to the layouts around it: they would then give the whole screen the height it
    # would like, taller than the display, instead of what is there.

    def hasHeightForWidth(self) -> bool:
        return False

    def _height_at(self, width: int) -> int:
        layout = self.layout()
        assert layout is not None
        return layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else 0

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        width = self.width() if self.isVisible() and self.width() > 0 else hint.width()
        return QSize(hint.width(), max(hint.height(), self._height_at(width)))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), max(hint.height(), self.sizeHint().height()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()
