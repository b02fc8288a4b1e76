"""What a consent agrees to, in full, in the form's place: a heading, the text (it scrolls
with the screen's content), and Close in the bar under it, back to the box to tick.

The text is the form definition's `x-consent-text` in the session's language; it follows a
change of language while it is open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from eforms.definition import Field, FormDefinition
from kiosk.i18n import N_
from kiosk.ui.forms.bar import button_bar
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.state import UiState

CLOSE = N_("Close")
READING = N_("You tick the box on the form yourself once you have read this.")


class ConsentView(QWidget):
    #: The citizen has read enough: back to the form.
    closed = Signal()

    def __init__(self, ui: UiState, definition: FormDefinition, field: Field) -> None:
        super().__init__()
        self.ui = ui
        self.definition = definition
        self.field = field
        column = QVBoxLayout(self)
        column.setContentsMargins(96, 40, 96, 40)
        column.setSpacing(24)
        self.heading = QLabel()
        self.heading.setProperty("role", "h2")
        self.heading.setWordWrap(True)
        #: The text, a paragraph or a list item to a row (a list item's words hang beside
        #: its bullet); made anew for each language.
        self.body = QWidget()
        self.paragraphs: list[QLabel] = []
        self.hint = QLabel()
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)
        column.addWidget(self.heading)
        column.addWidget(self.body)
        column.addWidget(self.hint)
        column.addStretch(1)
        # Close stays in sight under the text, however long it is.
        self.bar, row = button_bar(self)
        self.close_button = WrapButton(role="primary")
        self.close_button.setMinimumHeight(88)
        self.close_button.setMinimumWidth(240)
        self.close_button.clicked.connect(self.closed.emit)
        row.addStretch(1)
        row.addWidget(self.close_button)
        ui.changed.connect(self.retranslate)
        self.retranslate()

    def text(self) -> str:
        """The text as shown, a paragraph or list item to a line."""
        return "\n".join(label.text() for label in self.paragraphs)

    def _show_text(self, text: str) -> None:
        body = QWidget()
        rows = QVBoxLayout(body)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(16)
        self.paragraphs = []
        for block in (line.strip() for line in text.splitlines()):
            if not block:
                continue
            row = QHBoxLayout()
            row.setSpacing(12)
            words = block
            if block.startswith("• "):
                bullet = QLabel("•")
                bullet.setProperty("role", "lead")
                row.addWidget(bullet, 0, Qt.AlignmentFlag.AlignTop)
                words = block.removeprefix("• ")
            label = QLabel(words)
            label.setProperty("role", "lead")
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            row.addWidget(label, 1)
            self.paragraphs.append(label)
            rows.addLayout(row)
        layout = self.layout()
        assert layout is not None
        old, self.body = self.body, body
        layout.replaceWidget(old, body)
        old.deleteLater()

    def retranslate(self) -> None:
        consent = self.definition.consent(self.field, self.ui.language)
        title, text = consent if consent is not None else ("", "")
        self.heading.setText(title)
        self._show_text(text)
        self.hint.setText(self.ui.t(READING))
        self.close_button.set_label(self.ui.t(CLOSE))
