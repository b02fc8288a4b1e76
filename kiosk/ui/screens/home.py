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
#: With large text the tiles are wider, two to a row, so that a long name ("Videorådgivning")
#: still fits beside its icon.
LARGE_TEXT_COLUMNS = 2

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
        self.grid = QGridLayout()
        self.grid.setSpacing(32)
        self.tiles: dict[str, Tile] = {}
        for spec in services:
            tile = Tile(spec.icon)
            tile.clicked.connect(lambda _=False, sid=spec.id: self.service_chosen.emit(sid))
            self.tiles[spec.id] = tile
        self.columns = 0
        self._lay_out()
        layout.addLayout(self.grid)
        layout.addStretch(1)
        self.retranslate()
        ui.changed.connect(self.retranslate)

    def _lay_out(self) -> None:
        columns = LARGE_TEXT_COLUMNS if self.ui.large_text else COLUMNS
        if columns == self.columns:
            return
        self.columns = columns
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
        for index, tile in enumerate(self.tiles.values()):
            self.grid.addWidget(tile, index // columns, index % columns)
        for column in range(max(COLUMNS, LARGE_TEXT_COLUMNS)):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def retranslate(self) -> None:
        self._lay_out()
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
                Qt.Key.Key_Up: -self.columns,
                Qt.Key.Key_Down: self.columns,
            }[Qt.Key(event.key())]
            target = index + step
            if 0 <= target < len(order):
                order[target].setFocus(Qt.FocusReason.TabFocusReason)
            event.accept()
            return
        super().keyPressEvent(event)
