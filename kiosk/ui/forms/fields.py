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

from eforms.definition import Field, FormDefinition
from kiosk.ui.forms.attachments import AttachmentFieldView
from kiosk.ui.forms.choice import ChoiceFieldView
from kiosk.ui.forms.field import FieldView, options_of
from kiosk.ui.forms.flag import FlagFieldView
from kiosk.ui.forms.text import TextFieldView
from kiosk.ui.state import UiState

__all__ = [
    "AttachmentFieldView",
    "ChoiceFieldView",
    "FieldView",
    "FlagFieldView",
    "TextFieldView",
    "field_view",
]


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
        return AttachmentFieldView(field, definition, ui, files or [], scanning=scanning)
    if options_of(field):
        return ChoiceFieldView(field, definition, ui)
    if field.schema.get("type") == "boolean":
        return FlagFieldView(field, definition, ui)
    return TextFieldView(field, definition, ui, multi=bool(options.get("multi")))
