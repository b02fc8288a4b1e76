"""The e-mail's pages: a form whose addresses must match and whose attachments fit the hub's
limit; and the page that says the e-mail is on its way."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from eforms import validators
from eforms.definition import FormDefinition
from kiosk.i18n import N_
from kiosk.mail import EmailPolicy
from kiosk.submissions.email import Document
from kiosk.ui.forms.form import FormView
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.state import UiState

SEND = N_("Send the e-mail")
CHECK = N_("Check the address and the message before you send them. You can still change them.")
CANCEL = N_("Cancel")
SENT_HEADING = N_("Your e-mail is on its way")
SENT_TEXT = N_("It goes to {address}. The kiosk keeps no copy that anyone could read.")
ANOTHER = N_("Send another e-mail")


class MessageView(FormView):
    """The e-mail's pages: a form whose addresses must match and attachments fit the limit."""

    SUBMIT_TEXT = SEND
    CHECK_TEXT = CHECK
    FIRST_BACK_TEXT = CANCEL

    def __init__(self, ui: UiState, definition: FormDefinition, docs: list[Document]) -> None:
        super().__init__(ui, definition)
        self.sizes = {d.attachment.key: d.attachment.size for d in docs}
        self.max_bytes = EmailPolicy().max_attachment_bytes

    def problems(self) -> dict[str, str]:
        found = super().problems()
        answers = self.answers()
        first, again = answers.get("to", ""), answers.get("to_again", "")
        if "to_again" not in found and again and first.casefold() != again.casefold():
            found["to_again"] = validators.NOT_THE_SAME
        chosen = answers.get("documents", [])
        if sum(self.sizes.get(key, 0) for key in chosen) > self.max_bytes:
            found["documents"] = validators.TOO_LARGE
        return found


class DoneView(QWidget):
    """The e-mail is in the outbox: where it goes, and a button to write another."""

    def __init__(self, ui: UiState) -> None:
        super().__init__()
        self.ui = ui
        self.address = ""
        column = QVBoxLayout(self)
        column.setContentsMargins(96, 48, 96, 48)
        column.setSpacing(28)
        self.heading = QLabel()
        self.heading.setProperty("role", "h2")
        self.heading.setWordWrap(True)
        self.text = QLabel()
        self.text.setProperty("role", "lead")
        self.text.setWordWrap(True)
        self.another = WrapButton(role="primary")
        self.another.setMinimumHeight(88)
        column.addWidget(self.heading)
        column.addWidget(self.text)
        column.addWidget(self.another)
        column.addStretch(1)
        ui.changed.connect(self.retranslate)

    def show_sent(self, address: str) -> None:
        self.address = address
        self.retranslate()

    def retranslate(self) -> None:
        t = self.ui.t
        self.heading.setText("✓ " + t(SENT_HEADING))
        self.text.setText(t(SENT_TEXT).format(address=self.address))
        self.another.set_label(t(ANOTHER))
