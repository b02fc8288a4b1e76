"""A widget as the narrator describes it (kiosk.speech.describe): role, name, state, value, error.

The name is the widget's accessible name (every kiosk button sets one), else its text, else the
label of the form field it belongs to. A field's error is the visible error line of that field.
A value is personal when the field is marked personal or sensitive (kiosk.ui.sensitive), and
masked when the field hides what is typed. A label's words are personal the same way
(`label_phrase`).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTextEdit,
    QWidget,
)

from kiosk.speech.describe import Described, Phrase, Private, Role
from kiosk.ui.sensitive import is_personal

#: How far up from an input its field's label and error line are looked for.
FIELD_DEPTH = 4


def text_of(widget: QWidget) -> str:
    """The words a widget shows (a label's full text, even when shortened with "…")."""
    full = getattr(widget, "full_text", None)
    if callable(full):
        value = full()
        if isinstance(value, str) and value:
            return value
    if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
        return widget.text().replace("\n", " ").strip()
    return ""


def label_phrase(label: QWidget) -> Phrase:
    """A label's words, as a personal piece when they are someone's details."""
    text = text_of(label)
    return (Private(text),) if is_personal(label) else (text,)


def field_parts(widget: QWidget) -> tuple[str, str]:
    """The label and the shown error of the form field `widget` is the input of."""
    parent = widget.parentWidget()
    for _ in range(FIELD_DEPTH):
        if parent is None:
            break
        label = ""
        error = ""
        for child in parent.findChildren(QLabel):
            role = child.property("role")
            if role == "field" and not label and (child.isVisible() or not error):
                label = child.text()
            elif role == "error" and child.isVisible() and child.text().strip():
                error = child.text().lstrip("⚠ ").strip()
            buddy = child.buddy()
            if buddy is widget and child.text():
                label = child.text()
        if label:
            return label, error
        parent = parent.parentWidget()
    return "", ""


def describe_widget(widget: QWidget) -> Described:
    name = widget.accessibleName().strip()
    hint = widget.accessibleDescription().strip()
    enabled = widget.isEnabled()
    if isinstance(widget, QAbstractButton):
        name = name or text_of(widget)
        checked: bool | None = widget.isChecked() if widget.isCheckable() else None
        if isinstance(widget, QCheckBox):
            role = Role.CHECK_BOX
        elif isinstance(widget, QRadioButton) or (
            widget.isCheckable()
            and (
                widget.autoExclusive()
                or _exclusive(widget)
                or widget.property("speech_role") == "option"
            )
        ):
            role = Role.OPTION
        elif widget.property("speech_role") == "key":
            role = Role.KEY
        elif widget.isCheckable():
            role = Role.SWITCH
        else:
            role = Role.BUTTON
        return Described(role, name, checked=checked, enabled=enabled, hint=hint)
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        label, error = field_parts(widget)
        if isinstance(widget, QLineEdit):
            value = widget.text()
            masked = widget.echoMode() != QLineEdit.EchoMode.Normal
            placeholder = widget.placeholderText()
        else:
            value = widget.toPlainText()
            masked = False
            placeholder = widget.placeholderText()
        role = Role.PASSWORD if masked else Role.TEXT_FIELD
        if error:
            # The description carries the error for other readers: here it is said once.
            hint = hint.replace(f"⚠ {error}", "").replace(error, "").strip()
        return Described(
            role,
            name or label or placeholder,
            enabled=enabled,
            value=value,
            value_private=is_personal(widget),
            value_masked=masked,
            error=error,
            hint=hint,
        )
    if is_web_page(widget):
        view = widget.parentWidget()
        title = getattr(view, "title", None)
        page_title = title() if callable(title) else ""
        return Described(
            Role.PAGE, name or (page_title if isinstance(page_title, str) else ""), hint=hint
        )
    return Described(Role.TEXT, name or text_of(widget), enabled=enabled, hint=hint)


def is_web_page(widget: QWidget | None) -> bool:
    """Whether `widget` is the part of a web view that takes the focus and keys: the page."""
    if widget is None:
        return False
    view = widget.parentWidget()
    return view is not None and view.inherits("QWebEngineView") and view.focusProxy() is widget


def _exclusive(button: QAbstractButton) -> bool:
    group = button.group()
    return isinstance(group, QButtonGroup) and group.exclusive()
