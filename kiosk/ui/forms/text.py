"""A text answer: a line, or with the Control's `multi` option a box of several lines.

The on-screen keyboard is asked for what the field's format needs first (digits for a postal
code, the @ for an e-mail address), and the input keeps one height with and without a problem.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy

from eforms.definition import Field, FormDefinition
from kiosk.ui.forms.field import FieldView
from kiosk.ui.forms.inputs import FieldBox, FieldLine, focus_growth
from kiosk.ui.sensitive import mark_personal, mark_sensitive
from kiosk.ui.state import UiState

#: What a field of each format asks the on-screen keyboard for first.
_HINTS = {
    "fi-hetu": Qt.InputMethodHint.ImhPreferNumbers | Qt.InputMethodHint.ImhPreferUppercase,
    "fi-postal-code": Qt.InputMethodHint.ImhDigitsOnly,
    "phone": Qt.InputMethodHint.ImhDialableCharactersOnly,
    "number": Qt.InputMethodHint.ImhFormattedNumbersOnly,
    "date": Qt.InputMethodHint.ImhDate,
    "email": Qt.InputMethodHint.ImhEmailCharactersOnly,
    "iban": Qt.InputMethodHint.ImhPreferUppercase,
}


class TextFieldView(FieldView):
    def __init__(
        self, field: Field, definition: FormDefinition, ui: UiState, *, multi: bool = False
    ) -> None:
        super().__init__(field, definition, ui)
        self.editor: FieldLine | FieldBox
        limit = field.schema.get("maxLength")
        self.limit = int(limit) if isinstance(limit, int) else None
        if multi:
            box = FieldBox()
            box.setTabChangesFocus(True)
            box.textChanged.connect(self._trim)
            self.editor = box
        else:
            line = FieldLine()
            if self.limit is not None:
                line.setMaxLength(self.limit)
            line.textChanged.connect(lambda _text: self.edited.emit())
            self.editor = line
        hints = _HINTS.get(field.format or "")
        if hints is not None:
            self.editor.setInputMethodHints(hints)
        if field.sensitive:
            mark_sensitive(self.editor)
        if field.personal:
            mark_personal(self.editor)
        self.editor.left.connect(self.left.emit)
        self.editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.label.setBuddy(self.editor)
        self.column.addWidget(self.editor)
        self._finish()
        self._keep_height()
        ui.changed.connect(self._keep_height)

    def _restyle(self, invalid: str) -> None:
        self.editor.setProperty("invalid", invalid)
        self.editor.style().unpolish(self.editor)
        self.editor.style().polish(self.editor)

    def _keep_height(self) -> None:
        """The input keeps one height with and without a problem (whose frame may be
        thicker), so that nothing under it moves when a problem is pointed out."""
        self.editor.ensurePolished()
        now = self.editor.property("invalid") or "false"
        self.editor.steady_height = 0
        tallest = 0
        for invalid in ("true", "false"):
            self._restyle(invalid)
            tallest = max(tallest, self.editor.sizeHint().height() + focus_growth(self.editor))
        self._restyle(now)
        if isinstance(self.editor, FieldBox):
            tallest = max(tallest, 200)
        self.editor.steady_height = tallest
        self.editor.updateGeometry()

    def _trim(self) -> None:
        assert isinstance(self.editor, FieldBox)
        text = self.editor.toPlainText()
        if self.limit is not None and len(text) > self.limit:
            self.editor.setPlainText(text[: self.limit])
            self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)
        self.edited.emit()

    def value(self) -> str:
        if isinstance(self.editor, FieldLine):
            return self.editor.text().strip()
        return self.editor.toPlainText().strip()

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if isinstance(self.editor, FieldLine):
            self.editor.setText(text)
        else:
            self.editor.setPlainText(text)

    def focus(self, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        self.editor.setFocus(reason)

    def set_problem(self, problem: str | None) -> None:
        super().set_problem(problem)
        invalid = "true" if problem is not None else "false"
        if self.editor.property("invalid") != invalid:
            self._restyle(invalid)

    def retranslate(self) -> None:
        super().retranslate()
        self.editor.setAccessibleName(self.label_text())
        parts = [self.description.text(), self.error.text()]
        self.editor.setAccessibleDescription(" ".join(p for p in parts if p))
