"""How many copies: − and + around the count, which keeps its place and is never cut."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kiosk.i18n import N_, NP_
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton

COPIES = NP_("{n} copy", "{n} copies")
FEWER = N_("One copy fewer")
MORE = N_("One copy more")


class WidestLabel(QLabel):
    """A label as wide as the widest text it will show (`widest`), in its present font."""

    widest = ""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        room = self.fontMetrics().horizontalAdvance(self.widest) + 2 * self.margin() + 8
        return QSize(max(hint.width(), room), hint.height())

    def sizeHint(self) -> QSize:
        return super().sizeHint().expandedTo(self.minimumSizeHint())


class CopiesPicker(QWidget):
    """From 1 to `most` copies."""

    changed = Signal()

    def __init__(self, ui: UiState, most: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.most = most
        self.copies = 1
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(24)
        self.fewer_button = BigButton("−")
        self.fewer_button.clicked.connect(lambda: self.step(-1))
        self.label = WidestLabel()
        self.label.setProperty("role", "h2")
        self.label.setProperty("speech", "message")  # a count, not the screen's name
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.more_button = BigButton("+")
        self.more_button.clicked.connect(lambda: self.step(1))
        row.addStretch(1)
        for widget in (self.fewer_button, self.label, self.more_button):
            row.addWidget(widget)
        row.addStretch(1)

    def step(self, by: int) -> None:
        self.copies = max(1, min(self.most, self.copies + by))
        self.retranslate()
        self.changed.emit()

    def retranslate(self) -> None:
        t, nt = self.ui.t, self.ui.nt
        self.label.setText(nt(*COPIES, self.copies).format(n=self.copies))
        # As wide as the widest count, so that − and + stay put and no count is cut.
        self.label.widest = nt(*COPIES, self.most).format(n=self.most)
        self.label.updateGeometry()
        self.fewer_button.setAccessibleName(t(FEWER))
        self.more_button.setAccessibleName(t(MORE))
