"""Every answer of a form in words, page by page: on screen before sending, and on paper after.

The same lines serve both, so what the citizen checks is what they take home. The PDF is
written into the session's folder and goes with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from eforms.definition import FormDefinition
from kiosk.i18n import N_
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.sensitive import mark_personal, mark_sensitive
from kiosk.ui.state import UiState

YES = N_("Yes")
NO = N_("No")
NOT_GIVEN = N_("Not given")
CHANGE = N_("Change")
CHANGE_PAGE = N_("Change: {page}")
REFERENCE = N_("Reference number: {reference}")
COPY_TO = N_("Send me a copy by e-mail to {address}")


def copy_address(definition: FormDefinition, answers: Mapping[str, Any]) -> str | None:
    """Where the citizen's copy could go: the first e-mail address in the answers, if the form
    allows a copy at all."""
    if not definition.citizen_copy:
        return None
    for field in definition.fields:
        value = answers.get(field.name)
        if field.format == "email" and isinstance(value, str) and value.strip():
            return value.strip()
    return None


@dataclass(frozen=True)
class Section:
    page: int
    title: str
    lines: tuple[tuple[str, str], ...]


def answer_text(
    definition: FormDefinition, key: str, value: Any, language: str, t: Callable[[str], str]
) -> str:
    """An answer as the citizen would say it: options by their names, yes or no."""
    if value in ("", None, []):
        return t(NOT_GIVEN)
    if isinstance(value, bool):
        return t(YES) if value else t(NO)
    if isinstance(value, list):
        # Options by their names; attached files (no option texts) by their file names.
        return ", ".join(definition.text(language, f"{key}.{v}") or str(v) for v in value)
    option = definition.text(language, f"{key}.{value}")
    return option or str(value)


def sections(
    definition: FormDefinition,
    answers: Mapping[str, Any],
    language: str,
    t: Callable[[str], str],
) -> list[Section]:
    found: list[Section] = []
    titles = definition.pages or ("title",)
    for page, key in enumerate(titles):
        title = definition.text(language, key if key == "title" else f"{key}.label")
        lines = tuple(
            (
                definition.text(language, f"{f.key}.label"),
                answer_text(definition, f.key, answers.get(f.name), language, t),
            )
            for f in definition.fields
            if f.page == page
        )
        found.append(Section(page, title, lines))
    return found


class SummaryView(QWidget):
    """The answers by page, each page with a button back to it."""

    change_requested = Signal(int)

    def __init__(self, ui: UiState, definition: FormDefinition) -> None:
        super().__init__()
        self.ui = ui
        self.definition = definition
        self.answers: dict[str, Any] = {}
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(24)
        self.change_buttons: dict[int, WrapButton] = {}
        #: The answer labels by field name, for a test or a screen reader to find.
        self.values: dict[str, QLabel] = {}
        #: Whether the citizen asked for a copy by e-mail (offered only where the form allows).
        self.copy_wanted = False
        self.copy_button: WrapButton | None = None
        ui.changed.connect(self.retranslate)

    @property
    def copy_to(self) -> str | None:
        """The address the citizen's copy goes to, or None when no copy was asked for."""
        address = copy_address(self.definition, self.answers)
        return address if self.copy_wanted and address else None

    def _copy_toggled(self, checked: bool) -> None:
        self.copy_wanted = checked
        self._label_copy_button()

    def _label_copy_button(self) -> None:
        address = copy_address(self.definition, self.answers)
        if self.copy_button is not None and address is not None:
            mark = "☑" if self.copy_wanted else "☐"
            self.copy_button.set_label(f"{mark} {self.ui.t(COPY_TO).format(address=address)}")

    def show_answers(self, answers: Mapping[str, Any]) -> None:
        self.answers = dict(answers)
        self.retranslate()

    def retranslate(self) -> None:
        while self.column.count():
            item = self.column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.change_buttons = {}
        self.values = {}
        self.copy_button = None
        t, language = self.ui.t, self.ui.language
        for section in sections(self.definition, self.answers, language, t):
            card = QFrame()
            card.setProperty("role", "card")
            box = QVBoxLayout(card)
            box.setContentsMargins(28, 20, 28, 20)
            box.setSpacing(12)
            head = QHBoxLayout()
            title = QLabel(section.title)
            title.setProperty("role", "h2")
            title.setWordWrap(True)
            change = WrapButton(f"✎ {t(CHANGE)}")
            change.setAccessibleName(t(CHANGE_PAGE).format(page=section.title))
            change.clicked.connect(lambda _=False, p=section.page: self.change_requested.emit(p))
            self.change_buttons[section.page] = change
            head.addWidget(title, 1)
            head.addWidget(change, 0, Qt.AlignmentFlag.AlignTop)
            box.addLayout(head)
            grid = QGridLayout()
            grid.setHorizontalSpacing(32)
            grid.setVerticalSpacing(10)
            grid.setColumnStretch(1, 1)
            fields = [f for f in self.definition.fields if f.page == section.page]
            for row, ((label, value), field) in enumerate(zip(section.lines, fields, strict=True)):
                name = field.name
                name_label = QLabel(label)
                name_label.setProperty("role", "muted")
                name_label.setWordWrap(True)
                name_label.setMaximumWidth(640)
                value_label = QLabel(value)
                value_label.setWordWrap(True)
                value_label.setAccessibleName(f"{label}: {value}")
                if field.sensitive:
                    mark_sensitive(value_label)
                if field.personal:
                    mark_personal(value_label)
                self.values[name] = value_label
                grid.addWidget(name_label, row, 0, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(value_label, row, 1, Qt.AlignmentFlag.AlignTop)
            box.addLayout(grid)
            self.column.addWidget(card)
        address = copy_address(self.definition, self.answers)
        if address is not None:
            self.copy_button = WrapButton()
            self.copy_button.setCheckable(True)
            self.copy_button.setChecked(self.copy_wanted)
            self.copy_button.toggled.connect(self._copy_toggled)
            self._label_copy_button()
            self.column.addWidget(self.copy_button)


def write_summary_pdf(
    definition: FormDefinition,
    answers: Mapping[str, Any],
    reference: str,
    language: str,
    t: Callable[[str], str],
    path: Path,
) -> Path:
    """The form's answers on A4 pages, with the reference number, as a PDF for the printer."""
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(20, 20, 20, 20), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    painter = QPainter(writer)
    try:
        dpm = 300 / 25.4
        width = 170 * dpm
        bottom = 250 * dpm
        title = QFont("DejaVu Sans", 16, QFont.Weight.Bold)
        heading = QFont("DejaVu Sans", 12, QFont.Weight.Bold)
        body = QFont("DejaVu Sans", 11)
        y = 0.0

        def draw(text: str, font: QFont, indent: float = 0.0, after: float = 2.0) -> None:
            nonlocal y
            painter.setFont(font)
            flags = int(Qt.TextFlag.TextWordWrap)
            rect = QRectF(indent, 0, width - indent, bottom)
            needed = painter.boundingRect(rect, flags, text).height()
            if y + needed > bottom:
                writer.newPage()
                y = 0.0
            painter.drawText(QRectF(indent, y, width - indent, needed), flags, text)
            y += needed + after * dpm

        draw(definition.title(language), title, after=4)
        draw(t(REFERENCE).format(reference=reference), heading, after=8)
        for section in sections(definition, answers, language, t):
            draw(section.title, heading, after=3)
            for label, value in section.lines:
                draw(label, body, after=0.5)
                draw(value, body, indent=8 * dpm, after=3)
            y += 4 * dpm
    finally:
        painter.end()
    return path
