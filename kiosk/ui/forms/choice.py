"""Options as big toggle buttons: one choice for an enum, several for an array of enum."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QSizePolicy

from eforms.definition import Field, FormDefinition
from kiosk.ui.forms.field import FieldView, options_of
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.state import UiState


class ChoiceFieldView(FieldView):
    """Toggle buttons, one per option: one choice for an enum, several for an array."""

    def __init__(
        self,
        field: Field,
        definition: FormDefinition,
        ui: UiState,
        options: list[str] | None = None,
    ) -> None:
        super().__init__(field, definition, ui)
        self.several = field.schema.get("type") == "array"
        self.options = [str(o) for o in options_of(field)] if options is None else list(options)
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        self.group = QButtonGroup(self)
        self.group.setExclusive(not self.several)
        self.buttons: dict[str, WrapButton] = {}
        for option in self.options:
            self._add_button(option)
        self._lay_out()
        self.column.addLayout(self.grid)
        self._finish()

    def _add_button(self, option: str) -> WrapButton:
        button = WrapButton()
        button.setCheckable(True)
        button.setMinimumHeight(80)
        # As tall as the tallest of its row, when another's words take two lines.
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        button.toggled.connect(self._toggled)
        self.group.addButton(button)
        self.buttons[option] = button
        return button

    def _lay_out(self) -> None:
        """The options in rows: side by side when few, three to a row when many."""
        columns = 3 if len(self.options) > 4 else max(1, len(self.options))
        for button in self.buttons.values():
            self.grid.removeWidget(button)
        for index, option in enumerate(self.options):
            self.grid.addWidget(self.buttons[option], index // columns, index % columns)
        # Columns of one width, whatever their words: a long one wraps instead.
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def _toggled(self) -> None:
        self.retranslate()
        self.edited.emit()
        self.left.emit()

    def value(self) -> Any:
        chosen = [o for o in self.options if self.buttons[o].isChecked()]
        if self.several:
            return chosen
        return chosen[0] if chosen else None

    def set_value(self, value: Any) -> None:
        wanted = set(value) if isinstance(value, list) else {value}
        for option, button in self.buttons.items():
            button.setChecked(option in wanted)

    def focus(self, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        next(iter(self.buttons.values())).setFocus(reason)

    def option_text(self, option: str) -> str:
        return self.definition.text(self.ui.language, f"{self.field.key}.{option}")

    def retranslate(self) -> None:
        super().retranslate()
        label = self.label_text()
        for option, button in self.buttons.items():
            text = self.option_text(option)
            # A tick as well as the colour says which is chosen.
            button.set_label(f"✓ {text}" if button.isChecked() else text)
            button.setAccessibleName(text)
            button.setAccessibleDescription(label)
