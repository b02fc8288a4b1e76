"""What every field of a form shows: its label, its description and, under them, what is wrong.

The kinds of field (text.py, choice.py, flag.py, attachments.py) add their inputs to this; a
field never logs what is typed into it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from eforms import validators
from eforms.definition import Field, FormDefinition
from kiosk.i18n import N_
from kiosk.ui.forms.inputs import ProblemLine
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
        if problem == validators.REQUIRED and options_of(self.field):
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


def options_of(field: Field) -> list[Any]:
    """The options of an enum, or of an array of enum; [] for any other field."""
    found = field.schema.get("enum") or field.schema.get("items", {}).get("enum") or []
    return list(found)
