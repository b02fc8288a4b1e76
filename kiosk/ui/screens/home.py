"""The home screen: one large tile per enabled service, reachable by touch, Tab and arrows."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from kiosk.devices.status import DeviceClass
from kiosk.i18n import N_
from kiosk.services import ServiceSpec
from kiosk.ui.state import UiState
from kiosk.ui.theme import palette
from kiosk.ui.widgets.buttons import Tile

COLUMNS = 3

QUESTION = N_("What would you like to do?")
UNAVAILABLE = N_("Not available at the moment")


class HomeScreen(QWidget):
    service_chosen = Signal(str)

    def __init__(
        self, ui: UiState, services: list[ServiceSpec], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ui = ui
        self.services = services
        self._unusable: set[DeviceClass] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 40, 64, 40)
        layout.setSpacing(32)
        self.question = QLabel()
        self.question.setProperty("role", "h1")
        layout.addWidget(self.question)
        grid = QGridLayout()
        grid.setSpacing(32)
        self.tiles: dict[str, Tile] = {}
        for index, spec in enumerate(services):
            tile = Tile(spec.icon)
            tile.clicked.connect(lambda _=False, sid=spec.id: self.service_chosen.emit(sid))
            grid.addWidget(tile, index // COLUMNS, index % COLUMNS)
            self.tiles[spec.id] = tile
        for column in range(COLUMNS):
            grid.setColumnStretch(column, 1)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.retranslate()
        ui.changed.connect(self.retranslate)

    def retranslate(self) -> None:
        self.question.setText(self.ui.t(QUESTION))
        colours = palette(high_contrast=self.ui.high_contrast)
        for spec in self.services:
            tile = self.tiles[spec.id]
            tile.set_palette(colours)
            usable = not (set(spec.needs) & self._unusable)
            subtitle = spec.subtitle if usable else UNAVAILABLE
            tile.set_texts(self.ui.t(spec.title), self.ui.t(subtitle))
            tile.setEnabled(usable)

    def set_unusable_devices(self, unusable: set[DeviceClass]) -> None:
        """Devices that cannot be used now: their services' tiles say so and are disabled."""
        if unusable != self._unusable:
            self._unusable = set(unusable)
            self.retranslate()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Arrow keys move between tiles in the grid, as on a keypad.
        order = [t for t in self.tiles.values() if t.isEnabled()]
        focused = self.focusWidget()
        if focused in order and event.key() in (
            Qt.Key.Key_Left,
            Qt.Key.Key_Right,
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
        ):
            index = order.index(focused)
            step = {
                Qt.Key.Key_Left: -1,
                Qt.Key.Key_Right: 1,
                Qt.Key.Key_Up: -COLUMNS,
                Qt.Key.Key_Down: COLUMNS,
            }[Qt.Key(event.key())]
            target = index + step
            if 0 <= target < len(order):
                order[target].setFocus(Qt.FocusReason.TabFocusReason)
            event.accept()
            return
        super().keyPressEvent(event)
