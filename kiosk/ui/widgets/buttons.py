"""Buttons a citizen can use by touch, keyboard or keypad, each with an accessible name."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class BigButton(QPushButton):
    """A push button that Enter and the keypad's Enter press too (Qt only uses Space)."""

    def __init__(
        self, text: str = "", *, role: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(text, parent)
        if role:
            self.setProperty("role", role)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoDefault(False)
        self.setAccessibleName(text)

    def set_label(self, text: str, description: str | None = None) -> None:
        self.setText(text)
        self.setAccessibleName(text.replace("\n", " "))
        if description is not None:
            self.setAccessibleDescription(description)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.isAutoRepeat():
            self.animateClick()
            event.accept()
            return
        super().keyPressEvent(event)


class Tile(BigButton):
    """A large service tile on the home screen: icon, title and one line of explanation."""

    def __init__(self, icon_path: str, parent: QWidget | None = None) -> None:
        super().__init__(role="tile", parent=parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        row = self._row = QHBoxLayout(self)
        row.setContentsMargins(28, 20, 28, 20)
        row.setSpacing(24)
        self._icon = QLabel()
        self._icon.setPixmap(QIcon(icon_path).pixmap(QSize(96, 96)))
        self._icon.setFixedSize(96, 96)
        column = QVBoxLayout()
        column.setSpacing(8)
        self.title = QLabel()
        self.title.setProperty("role", "h2")
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setProperty("role", "muted")
        self.subtitle.setWordWrap(True)
        column.addStretch(1)
        column.addWidget(self.title)
        column.addWidget(self.subtitle)
        column.addStretch(1)
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(column, 1)
        for label in (self._icon, self.title, self.subtitle):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Arrow keys belong to the grid the tile is in: QAbstractButton would move focus in
        # tab order instead (Down to the next tile, not the one below).
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            event.ignore()
            return
        super().keyPressEvent(event)

    def set_texts(self, title: str, subtitle: str) -> None:
        self.title.setText(title)
        self.subtitle.setText(subtitle)
        self.setAccessibleName(title)
        self.setAccessibleDescription(subtitle)

    def sizeHint(self) -> QSize:
        return self._row.sizeHint().expandedTo(QSize(360, 180))
