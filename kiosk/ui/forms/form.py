"""A form being filled in: one page per Category of its UI schema, then the summary.

What is wrong with a field is shown beside it when the citizen leaves it, and every problem of
a page when they press Next (which then stays on the page); each field keeps the room of its
problem's first line, so nothing moves when one appears. Problems come from
eforms.definition.check_answers: the definition's schema and the Finnish checks. Back, Next and
the page's warning are in a bar (bar.py) that the screen fixes under the page; the keyboard's ↵
goes to the next field, after the last to Next. Only the form's id and page numbers are logged,
never an answer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QLabel, QLayout, QLineEdit, QVBoxLayout, QWidget

from eforms import validators
from eforms.definition import FormDefinition, check_answers
from kiosk.i18n import N_
from kiosk.ui.forms.attachments import AttachmentFieldView
from kiosk.ui.forms.bar import FormBar
from kiosk.ui.forms.fields import FieldView, TextFieldView, field_view
from kiosk.ui.forms.flag import FlagFieldView
from kiosk.ui.forms.summary import SummaryView
from kiosk.ui.state import UiState

log = logging.getLogger(__name__)

STEP = N_("Page {page} of {pages}: {title}")
CHECK_HINT = N_("Check your answers before you send the form. You can still change them.")
BACK = N_("Back")
ALL_FORMS = N_("All forms")
NEXT = N_("Next")
SUBMIT = N_("Send the form")
FIX = N_("Please check the fields marked with ⚠ on this page.")


class FormView(QWidget):
    #: Its words where a service other than Forms uses it (E-mail): the message ids.
    SUBMIT_TEXT = SUBMIT
    CHECK_TEXT = CHECK_HINT
    FIRST_BACK_TEXT = ALL_FORMS

    #: The citizen went back from the first page.
    cancelled = Signal()
    #: The citizen sent the form: its answers.
    submitted = Signal(dict)
    #: The page (or the summary) changed.
    page_changed = Signal()
    #: The citizen asked to scan a document for an attachment field: the field's name.
    scan_requested = Signal(str)
    #: The citizen asked to read what a consent agrees to: the field's name.
    consent_requested = Signal(str)

    def __init__(
        self,
        ui: UiState,
        definition: FormDefinition,
        files: list[str] | None = None,
        *,
        scanning: bool = False,
    ) -> None:
        """`files` are the names of this visit's documents an attachment field offers;
        `scanning` says whether such a field offers to scan one there and then."""
        super().__init__()
        self.ui = ui
        self.definition = definition
        self.files = list(files or [])
        self.scanning = scanning
        self.page = 0
        self.fields: dict[str, FieldView] = {}
        #: Side-by-side fields; they go one under the other with large text.
        self._rows: list[QBoxLayout] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(96, 32, 96, 32)
        outer.setSpacing(24)
        self.heading = QLabel()
        self.heading.setProperty("role", "h2")
        self.heading.setWordWrap(True)
        self.step = QLabel()
        self.step.setProperty("role", "lead")
        self.step.setWordWrap(True)
        outer.addWidget(self.heading)
        outer.addWidget(self.step)
        self.pages: list[QWidget] = []
        for _ in self.definition.pages or ("title",):
            page = QWidget()
            column = QVBoxLayout(page)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(32)
            self.pages.append(page)
            outer.addWidget(page)
        self._place(definition.uischema, None)
        self.summary = SummaryView(ui, definition)
        self.summary.change_requested.connect(self.go_to)
        outer.addWidget(self.summary)
        outer.addStretch(1)
        self.bar = FormBar(self)
        self.back_button = self.bar.back_button
        self.back_button.clicked.connect(self.back)
        self.next_button = self.bar.next_button
        self.next_button.clicked.connect(self.next)
        #: What is wrong on the page, said beside Next where the citizen pressed it.
        self.notice = self.bar.notice
        #: The answers are on their way into the outbox (see set_sending).
        self.sending = False
        self.ui.changed.connect(self.retranslate)

    # ---- building -----------------------------------------------------------------------------

    def _place(self, element: Mapping[str, Any], layout: QLayout | None) -> None:
        """Put the UI schema's Controls on their pages, side by side where it says so."""
        kind = element.get("type")
        if kind == "Control":
            name = str(element.get("scope", "")).removeprefix("#/properties/")
            field = next(f for f in self.definition.fields if f.name == name)
            options = dict(element.get("options", {}))
            view = field_view(
                field, self.definition, self.ui, options, self.files, scanning=self.scanning
            )
            if isinstance(view, AttachmentFieldView):
                view.scan_requested.connect(lambda n=name: self.scan_requested.emit(n))
            if isinstance(view, FlagFieldView):
                view.read_requested.connect(lambda n=name: self.consent_requested.emit(n))
            view.left.connect(lambda v=view: self._left(v))
            if isinstance(view, TextFieldView) and isinstance(view.editor, QLineEdit):
                # Enter on a keypad or keyboard moves on as the on-screen ↵ does.
                line = view.editor
                line.returnPressed.connect(lambda e=line: self.next_field(e))
            view.edited.connect(lambda v=view: self._edited(v))
            self.fields[name] = view
            target = layout if layout is not None else self.pages[field.page].layout()
            assert target is not None
            if target in self._rows:
                # Side by side, their labels and inputs on one line whatever either says.
                assert isinstance(target, QBoxLayout)
                target.addWidget(view, 1, Qt.AlignmentFlag.AlignTop)
            else:
                target.addWidget(view)
            return
        if kind == "Category":
            layout = self.pages[self.definition.pages.index(str(element["i18n"]))].layout()
        elif kind == "HorizontalLayout":
            row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
            row.setSpacing(32)
            self._rows.append(row)
            if layout is None:
                layout = self.pages[0].layout()
            assert isinstance(layout, QBoxLayout)
            layout.addLayout(row)
            layout = row
        for child in element.get("elements", []):
            self._place(child, layout)

    # ---- answers ------------------------------------------------------------------------------

    def answers(self) -> dict[str, Any]:
        """The answers as the schema has them; an empty optional text is left out."""
        found: dict[str, Any] = {}
        for name, view in self.fields.items():
            value = view.value()
            if value in ("", None):
                continue
            found[name] = value
        return found

    def problems(self) -> dict[str, str]:
        return check_answers(self.definition, self.answers())

    def prefill(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            view = self.fields.get(name)
            if view is not None and view.is_empty():
                view.set_value(value)

    def attach_scan(self, field_name: str, document: str, pages: int) -> None:
        """A document scanned for `field_name`: ticked there, offered by every attachment
        field of the form."""
        if document not in self.files:
            self.files.append(document)
        for name, view in self.fields.items():
            if isinstance(view, AttachmentFieldView):
                if name == field_name:
                    view.add_file(document, pages)
                else:
                    view.offer(document)

    def set_camera_usable(self, usable: bool) -> None:
        for view in self.fields.values():
            if isinstance(view, AttachmentFieldView):
                view.set_camera_usable(usable)

    def _left(self, view: FieldView) -> None:
        problem = self.problems().get(view.field.name)
        # An empty field is only pointed out by Next: passing through one is no mistake.
        if problem == validators.REQUIRED and view.is_empty():
            problem = None if view.problem is None else problem
        view.set_problem(problem)

    def _edited(self, view: FieldView) -> None:
        # A problem goes as soon as it is put right; new ones wait until the field is left.
        if view.problem is not None and view.field.name not in self.problems():
            view.set_problem(None)
            if not any(v.problem for v in self.fields.values()):
                self.notice.hide()

    # ---- moving -------------------------------------------------------------------------------

    @property
    def on_summary(self) -> bool:
        return self.page == len(self.pages)

    def set_sending(self, sending: bool) -> None:
        """While the answers are being sealed and kept, the form waits: a second tap on Send
        would send them twice, and Back or Change would leave what is being sent."""
        self.sending = sending
        for widget in (self.next_button, self.back_button, self.summary):
            widget.setEnabled(not sending)
        if not sending and self.on_summary:
            self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def next(self) -> None:
        if self.sending:
            return
        if self.on_summary:
            problems = self.problems()
            if problems:  # changed back into something wrong: show its page
                first = next(f for f in self.definition.fields if f.name in problems)
                self.go_to(first.page)
                self.next()
                return
            log.info("form submitted", extra={"service": "forms", "form": self.definition.id})
            self.submitted.emit(self._normalised(self.answers()))
            return
        problems = self.problems()
        shown = [v for v in self.fields.values() if v.field.page == self.page]
        for view in shown:
            view.set_problem(problems.get(view.field.name))
        wrong = [v for v in shown if v.problem is not None]
        if wrong:
            log.info(
                "form page has problems",
                extra={"service": "forms", "form": self.definition.id, "page": self.page + 1},
            )
            self.notice.show()
            self.retranslate()
            wrong[0].focus()
            return
        self.go_to(self.page + 1)

    def back(self) -> None:
        if self.page == 0:
            self.cancelled.emit()
            return
        self.go_to(self.page - 1)

    def go_to(self, page: int) -> None:
        self.page = max(0, min(page, len(self.pages)))
        self.notice.hide()
        self._show()
        if self.on_summary:
            self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            first = next(v for v in self.fields.values() if v.field.page == self.page)
            if not isinstance(first, TextFieldView):
                first.focus()
            else:
                # Focus on the Back button until a field is touched: no keyboard pops up
                # over a page the citizen has not yet read.
                self.back_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show(self) -> None:
        for index, page in enumerate(self.pages):
            page.setVisible(index == self.page)
        self.summary.setVisible(self.on_summary)
        if self.on_summary:
            self.summary.show_answers(self.answers())
        log.info(
            "form page shown",
            extra={"service": "forms", "form": self.definition.id, "page": self.page + 1},
        )
        self.retranslate()
        self.page_changed.emit()

    def next_field(self, after: QWidget) -> None:
        """The keyboard's ↵ in `after`: on to the page's next field, whatever its kind (a text
        field keeps the keyboard up, a choice puts it away), or to Next after the last one."""
        shown = [v for v in self.fields.values() if v.field.page == self.page]
        found = next((i for i, v in enumerate(shown) if v.isAncestorOf(after)), None)
        following = shown[found + 1 :] if found is not None else []
        for view in following:
            if view.isVisibleTo(self) and view.focus_reachable():
                view.focus(Qt.FocusReason.TabFocusReason)
                return
        self.next_button.setFocus(Qt.FocusReason.TabFocusReason)

    def _normalised(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Formatted answers in their standard form (an identity code in capitals...)."""
        found = dict(answers)
        for field in self.definition.fields:
            value = found.get(field.name)
            if field.format is not None and isinstance(value, str) and value:
                checked = validators.check(field.format, value)
                if checked.ok:
                    found[field.name] = checked.value
        return found

    # ---- text ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        t, language = self.ui.t, self.ui.language
        self.heading.setText(self.definition.title(language))
        total = len(self.pages)
        if self.on_summary:
            self.step.setText(t(self.CHECK_TEXT))
        else:
            key = self.definition.pages[self.page] if self.definition.pages else ""
            title = self.definition.text(language, f"{key}.label") if key else ""
            self.step.setText(t(STEP).format(page=self.page + 1, pages=total, title=title))
        self.notice.setText(f"⚠ {t(FIX)}")
        self.back_button.set_label("‹ " + t(self.FIRST_BACK_TEXT if self.page == 0 else BACK))
        self.next_button.set_label(t(self.SUBMIT_TEXT) if self.on_summary else t(NEXT) + " ›")
        for row in self._rows:
            row.setDirection(
                QBoxLayout.Direction.TopToBottom
                if self.ui.large_text
                else QBoxLayout.Direction.LeftToRight
            )
