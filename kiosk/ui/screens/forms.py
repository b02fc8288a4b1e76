"""The Forms service: the catalogue, a form's pages and summary, and the reference number.

The content scrolls above an on-screen keyboard docked at the bottom, shown while a text field
has the focus. Answers live only in this screen's widgets and, once sent, in the session's
data: the session's end takes both away. A name read from the ID card fills in the name
fields; the citizen can change it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from eforms.definition import FormDefinition, load_catalogue, shipped_sources
from kiosk.app import CARD_HOLDER
from kiosk.devices.cardreader.fineid import CardHolder
from kiosk.i18n import N_
from kiosk.store import utc_iso
from kiosk.ui.context import ServiceContext
from kiosk.ui.forms.catalogue import CatalogueView
from kiosk.ui.forms.confirmation import ConfirmationView
from kiosk.ui.forms.form import FormView
from kiosk.ui.widgets.keyboard import OnScreenKeyboard

log = logging.getLogger(__name__)

NOT_SENT = N_(
    "The form could not be sent because of a fault in the kiosk. Your answers are still here. "
    "Please ask library staff for help."
)

#: Session.data key: the forms sent in this session (until the outbox takes them).
SUBMITTED_KEY = "submitted_forms"
#: Letters and digits no one mixes up when reading them aloud or copying (no 0/O, 1/I/L).
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8
#: Field names a card holder's names fill in.
GIVEN_NAME_FIELDS = ("first_names", "given_name", "given_names", "first_name")
SURNAME_FIELDS = ("last_name", "surname")
FULL_NAME_FIELDS = ("name", "full_name")


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def card_prefill(holder: CardHolder) -> dict[str, str]:
    values: dict[str, str] = {}
    for names, value in (
        (GIVEN_NAME_FIELDS, holder.given_name),
        (SURNAME_FIELDS, holder.surname),
        (FULL_NAME_FIELDS, holder.name),
    ):
        if value:
            values.update(dict.fromkeys(names, value))
    return values


class FormsScreen(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ui = ctx.ui
        session = ctx.kiosk.session.current
        assert session is not None, "the Forms screen belongs to a session"
        self.session = session
        self.forms, errors = load_catalogue(shipped_sources())
        for error in errors:
            log.error("a form cannot be offered: %s", error, extra={"service": "forms"})
        self.form: FormView | None = None
        self.confirmation: ConfirmationView | None = None

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.area = QScrollArea()
        self.area.setObjectName("ContentScroll")
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.viewport().setAutoFillBackground(False)
        QScroller.grabGesture(self.area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        column.addWidget(self.area, 1)
        self.keyboard = OnScreenKeyboard(self.ui)
        self.keyboard.hide()
        self.keyboard.enter_pressed.connect(self._enter)
        self.keyboard.hide_requested.connect(self.keyboard.hide)
        column.addWidget(self.keyboard)

        self.catalogue = CatalogueView(self.ui, self.forms)
        self.catalogue.form_chosen.connect(self.open_form)
        self._set_content(self.catalogue)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)

    # ---- content ------------------------------------------------------------------------------

    def _set_content(self, widget: QWidget) -> None:
        old = self.area.takeWidget()
        self.area.setWidget(widget)
        if old is not None and old is not self.catalogue:
            old.deleteLater()
        self.area.verticalScrollBar().setValue(0)

    def definition(self, form_id: str) -> FormDefinition:
        return next(f for f in self.forms if f.id == form_id)

    def open_form(self, form_id: str) -> None:
        definition = self.definition(form_id)
        self.form = FormView(self.ui, definition)
        holder = self.session.data.get(CARD_HOLDER)
        if isinstance(holder, CardHolder):
            self.form.prefill(card_prefill(holder))
        self.form.cancelled.connect(self.show_catalogue)
        self.form.submitted.connect(lambda answers, d=definition: self._submitted(d, answers))
        self.form.page_changed.connect(lambda: self.area.verticalScrollBar().setValue(0))
        log.info("form opened", extra={"service": "forms", "form": form_id})
        self._set_content(self.form)
        self.form.go_to(0)

    def show_catalogue(self) -> None:
        self.form = None
        self.confirmation = None
        self.keyboard.hide()
        self.catalogue.search.clear()
        self._set_content(self.catalogue)
        first = self.catalogue.first_button()
        if first is not None:
            first.setFocus()

    def _submitted(self, definition: FormDefinition, answers: dict[str, Any]) -> None:
        try:
            reference = self.submit_answers(definition, answers)
        except Exception:
            # Nothing is lost: the answers stay on the summary, and the citizen is told.
            log.exception("a form could not be put in the outbox", extra={"form": definition.id})
            if self.form is not None:
                self.form.notice.setText("⚠ " + self.ui.t(NOT_SENT))
                self.form.notice.show()
            return
        self.form = None
        self.keyboard.hide()
        self.confirmation = ConfirmationView(self.ctx, definition, answers, reference)
        self.confirmation.another.connect(self.show_catalogue)
        self._set_content(self.confirmation)
        self.confirmation.another_button.setFocus()

    def submit_answers(self, definition: FormDefinition, answers: Mapping[str, Any]) -> str:
        """Seal the answers for the hub and put them in the outbox, in one durable transaction
        with the usage record; the reference number the citizen can quote. The session keeps
        the answers too (for the printed copy), and its end wipes them."""
        reference = new_reference()
        submission = {
            "form": definition.id,
            "version": definition.version,
            "reference": reference,
            "language": self.ui.language,
            "answers": dict(answers),
            "submitted_at": utc_iso(datetime.now(UTC)),
        }
        self.ctx.kiosk.submit(
            "form", submission, service="forms", outcome=f"submitted:{definition.id}"
        )
        self.session.data.setdefault(SUBMITTED_KEY, []).append(submission)
        return reference

    # ---- keyboard -----------------------------------------------------------------------------

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or new is self.keyboard or self.keyboard.isAncestorOf(new):
            return
        if isinstance(new, QLineEdit | QPlainTextEdit) and self.isAncestorOf(new):
            new.installEventFilter(self)  # once only, however often it is installed
            self.keyboard.attach(new)
            self.keyboard.show()
            # Once the keyboard has taken its room, the field must still be in sight.
            QTimer.singleShot(0, lambda: self._reveal(new))
        else:
            self.keyboard.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Touching a field brings back a keyboard the citizen had hidden.
        pressed = event.type() == QEvent.Type.MouseButtonPress
        if pressed and isinstance(watched, QLineEdit | QPlainTextEdit) and watched.hasFocus():
            self.keyboard.attach(watched)
            self.keyboard.show()
        return False

    def _reveal(self, field: QWidget) -> None:
        if self.isAncestorOf(field):
            parent = field.parentWidget()
            self.area.ensureWidgetVisible(parent if parent is not None else field, 0, 24)

    def _enter(self, field: QWidget) -> None:
        if self.form is not None:
            self.form.next_field(field)
        else:
            self.keyboard.hide()

    def focusNextPrevChild(self, next: bool) -> bool:
        # Opening the service puts the focus on the first form, not on the search line: the
        # keyboard comes up only when the citizen touches the search.
        if self.focusWidget() in (None, self):
            first = self.catalogue.first_button()
            if first is not None:
                first.setFocus()
                return True
        return super().focusNextPrevChild(next)
