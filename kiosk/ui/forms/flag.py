"""A yes/no answer as one big box to tick; a consent also has a button to read what is agreed.

A consent's text comes with the form (`<property>.x-consent-text`, see eforms.definition): the
button opens it in full inside the kiosk (ConsentView), and ticking stays the citizen's own act.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSizePolicy

from eforms.definition import Field, FormDefinition
from kiosk.i18n import N_
from kiosk.ui.forms.field import FieldView
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.state import UiState

READ = N_("Read what you accept")


class FlagFieldView(FieldView):
    """A box to tick, its label on the box itself; with a consent's text, a button to read it."""

    #: The citizen wants to read the consent's text.
    read_requested = Signal()

    def __init__(self, field: Field, definition: FormDefinition, ui: UiState) -> None:
        super().__init__(field, definition, ui)
        self.label.hide()
        self.box = WrapButton()
        self.box.setCheckable(True)
        self.box.setMinimumHeight(88)
        self.box.setStyleSheet("text-align: left;")
        self.box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.box.toggled.connect(self._toggled)
        self.column.insertWidget(0, self.box)
        #: Read the text agreed to: only for a consent.
        self.read_button: WrapButton | None = None
        if self.is_consent:
            self.read_button = WrapButton()
            self.read_button.setMinimumHeight(72)
            self.read_button.clicked.connect(self.read_requested.emit)
            self.column.insertWidget(1, self.read_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._finish()

    @property
    def is_consent(self) -> bool:
        return self.definition.consent(self.field, self.ui.language) is not None

    def _toggled(self) -> None:
        self.retranslate()
        self.edited.emit()
        self.left.emit()

    def value(self) -> bool:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))

    def focus(self, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        self.box.setFocus(reason)

    def retranslate(self) -> None:
        super().retranslate()
        label = self.label_text()
        self.box.set_label(f"{'☑' if self.box.isChecked() else '☐'}  {label}")
        self.box.setAccessibleName(label)
        if self.read_button is not None:
            consent = self.definition.consent(self.field, self.ui.language)
            self.read_button.set_label(self.ui.t(READ), consent[0] if consent else "")
