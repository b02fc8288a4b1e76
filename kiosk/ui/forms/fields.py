"""One widget per field of a form definition, chosen by the field's schema.

string → a line (or, with the Control's `multi` option, a text box); an enum → big toggle
buttons, one choice; an array of enum → toggle buttons, several choices; a boolean → a big
box to tick, with a consent's text to read (flag.py); an array of PDF documents → this
visit's documents to attach (attachments.py). The inputs themselves are in inputs.py.
Each shows its label and description in the session's language and, under them, what is
wrong in words. A field never logs what is typed into it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from eforms import validators
from eforms.definition import Field, FormDefinition
from kiosk.i18n import N_
from kiosk.ui.forms.inputs import FieldBox, FieldLine, ProblemLine, focus_growth
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.state import UiState

CHOOSE_ONE = N_("Please choose one.")
TICK = N_("Please tick this box to go on.")
UNKNOWN_PROBLEM = N_("This answer is not accepted. Please check it.")
REQUIRED_MARK = N_("(required)")
#: Message ids of eforms.validators, which the catalogue translates.
KNOWN_PROBLEMS = {
    validators.REQUIRED,
    validators.NOT_THE_SAME,
    validators.TOO_LARGE,
    validators.HETU_FORMAT,
    validators.HETU_DATE,
    validators.HETU_CHECKSUM,
    validators.IBAN_FORMAT,
    validators.IBAN_CHECKSUM,
    validators.POSTAL_CODE,
    validators.PHONE,
    validators.EMAIL,
    validators.NUMBER,
    validators.DATE,
}
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


class FieldView(QWidget):
    """A field's label, description, input and error; subclasses hold the input."""

    #: The value changed (typed, chosen or ticked).
    edited = Signal()
    #: The citizen left the field: time to tell them what is wrong with it.
    left = Signal()

    def __init__(self, field: Field, definition: FormDefinition, ui: UiState) -> None:
        super().__init__()
        self.field = field
        self.definition = definition
        self.ui = ui
        self.problem: str | None = None
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(8)
        self.label = QLabel()
        self.label.setProperty("role", "field")
        self.label.setWordWrap(True)
        self.description = QLabel()
        self.description.setProperty("role", "muted")
        self.description.setWordWrap(True)
        self.error = ProblemLine()
        self.error.setProperty("role", "error")
        self.error.hide()
        self.column.addWidget(self.label)
        self.column.addWidget(self.description)

    def _finish(self) -> None:
        self.column.addWidget(self.error)
        self.error.ensurePolished()  # its room is measured in its role's font, shown or not
        self.retranslate()
        self.ui.changed.connect(self.retranslate)

    # ---- value --------------------------------------------------------------------------------

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def is_empty(self) -> bool:
        return self.value() in ("", None, [], False)

    def focus(self, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        """Put the focus on the field's (first) input."""
        raise NotImplementedError

    def focus_reachable(self) -> bool:
        """Whether the field has an input to put the focus on."""
        return True

    # ---- problem ------------------------------------------------------------------------------

    def set_problem(self, problem: str | None) -> None:
        self.problem = problem
        self.retranslate()

    def problem_text(self) -> str:
        t, problem = self.ui.t, self.problem
        if problem is None:
            return ""
        if problem == validators.REQUIRED and self.field.schema.get("type") == "boolean":
            return t(TICK)
        if problem == validators.REQUIRED and _options(self.field):
            return t(CHOOSE_ONE)
        # jsonschema's own words (for a rule the form sets) are English and may quote the
        # answer: a plain request to check it is shown instead.
        return t(problem) if problem in KNOWN_PROBLEMS else t(UNKNOWN_PROBLEM)

    def label_text(self) -> str:
        label = self.definition.text(self.ui.language, f"{self.field.key}.label")
        return f"{label} {self.ui.t(REQUIRED_MARK)}" if self.field.required else label

    def retranslate(self) -> None:
        language = self.ui.language
        self.label.setText(self.label_text())
        description = self.definition.text(language, f"{self.field.key}.description")
        self.description.setText(description)
        self.description.setVisible(bool(description))
        text = self.problem_text()
        self.error.setText(f"⚠ {text}" if text else "")
        self.error.setVisible(bool(text))


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
        self.options = [str(o) for o in _options(field)] if options is None else list(options)
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


def _options(field: Field) -> list[Any]:
    found = field.schema.get("enum") or field.schema.get("items", {}).get("enum") or []
    return list(found)


def field_view(
    field: Field,
    definition: FormDefinition,
    ui: UiState,
    options: dict[str, Any],
    files: list[str] | None = None,
    *,
    scanning: bool = False,
) -> FieldView:
    """The widget for `field`; `options` are its Control's JSON Forms options, `files` the
    names of the documents of this visit an attachment field offers, `scanning` whether it
    offers to scan one there and then."""
    if field.is_attachment:
        # Imported here: the attachment field is a choice field of this module.
        from kiosk.ui.forms.attachments import AttachmentFieldView

        return AttachmentFieldView(field, definition, ui, files or [], scanning=scanning)
    if _options(field):
        return ChoiceFieldView(field, definition, ui)
    if field.schema.get("type") == "boolean":
        return FlagFieldView(field, definition, ui)
    return TextFieldView(field, definition, ui, multi=bool(options.get("multi")))


# The yes/no field lives in its own module (with what a consent adds); named here as before.
from kiosk.ui.forms.flag import FlagFieldView as FlagFieldView  # noqa: E402
