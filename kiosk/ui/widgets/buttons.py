"""Buttons a citizen can use by touch, keyboard or keypad, each with an accessible name."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QKeyEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.theme import NORMAL, Palette, focus_visible, paint_focus_ring

TILE_ICON_PX = 96


class BigButton(QPushButton):
    """A push button that Enter and the keypad's Enter press too (Qt only uses Space)."""

    def __init__(
        self, text: str = "", *, role: str | None = None, parent: QWidget | None = None
    ) -> None:
        # The text is set apart: QPushButton(text, parent) makes PySide weigh the (icon, text)
        # overload too, and build its whole QIcon class for that, before the first paint.
        super().__init__(parent)
        self.setText(text)
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

    #: The corner radius the focus ring follows (the theme's buttons').
    ring_radius = 10.0

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        # The keypad's cursor on the on-screen keyboard looks like the focus.
        if (self.hasFocus() and focus_visible()) or self.property("cursor") is True:
            paint_focus_ring(self, self.ring_radius)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.isAutoRepeat():
            self.animateClick()
            event.accept()
            return
        super().keyPressEvent(event)


class _Icon(QLabel):
    """A tile's icon, drawn as given: a tile out of use gives it its muted colours itself
    (Qt's own greying would fade it below a readable contrast)."""

    def paintEvent(self, event: QPaintEvent) -> None:
        from PySide6.QtGui import QPainter  # not before the first paint: the attract has no tile

        painter = QPainter(self)
        painter.drawPixmap(0, 0, self.pixmap())
        painter.end()


class Tile(BigButton):
    """A large service tile on the home screen: icon, title and one line of explanation.

    The icon is drawn in the theme's colours (`set_palette`), muted while the tile is disabled."""

    ring_radius = 16.0

    def __init__(self, icon: str, parent: QWidget | None = None) -> None:
        super().__init__(role="tile", parent=parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        row = self._row = QHBoxLayout(self)
        row.setContentsMargins(28, 20, 28, 20)
        row.setSpacing(24)
        self._icon_name = Path(icon).name
        self._palette = NORMAL
        self._icon = _Icon()
        self._icon.setFixedSize(TILE_ICON_PX, TILE_ICON_PX)
        self._draw_icon()
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

    @property
    def icon_label(self) -> QLabel:
        return self._icon

    def set_palette(self, palette: Palette) -> None:
        if palette != self._palette:
            self._palette = palette
            self._draw_icon()

    def _draw_icon(self) -> None:
        # The icons come with the first tile: the attract screen, painted first, has none.
        from kiosk.ui.widgets.icons import icon_pixmap, on_surface

        colours = on_surface(self._palette, enabled=self.isEnabled())
        self._icon.setPixmap(
            icon_pixmap(self._icon_name, TILE_ICON_PX, colours, self.devicePixelRatioF())
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.EnabledChange:
            self._draw_icon()

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


class ColumnButton(BigButton):
    """A button whose words are labels in a column, each wrapping as it must (a push button's
    own text cannot): as tall as its labels need at its width, and at least `least_height`."""

    def __init__(
        self,
        *,
        margins: tuple[int, int, int, int],
        spacing: int,
        least_height: int,
        vertical: QSizePolicy.Policy = QSizePolicy.Policy.Fixed,
    ) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, vertical)
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(*margins)
        self._column.setSpacing(spacing)
        self._least_height = least_height

    def add_label(self, label: QLabel) -> None:
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._column.addWidget(label)

    def _fit(self) -> None:
        height = self._column.totalHeightForWidth(max(self.width(), 200))
        if height > 0 and height != self.minimumHeight():
            self.setMinimumHeight(height)
            self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), max(self.minimumHeight(), self._least_height))
