"""The form both a callback and a booking are asked with: the Forms service's pages, a contact
checked as the hub will check it, and the reason a request could not be sent, kept in the
citizen's language beside the button until they move on."""

from __future__ import annotations

from typing import ClassVar

from kiosk.appointments.forms import contact_problems
from kiosk.ui.forms.form import FormView
from kiosk.ui.screens.video import appointment_texts as T


class AppointmentForm(FormView):
    FIRST_BACK_TEXT = T.BACK
    #: Whether the citizen must give a phone number or an address (a callback) or may (a booking).
    CONTACT_REQUIRED: ClassVar[bool] = True

    #: Why the answers could not be sent (a message id), said beside the button in the
    #: citizen's language until they move on.
    failure: str | None = None

    def fail(self, message: str) -> None:
        self.failure = message
        self.notice.setText("⚠ " + self.ui.t(message))
        self.notice.show()

    def retranslate(self) -> None:
        super().retranslate()
        if self.failure is not None and self.notice.isVisibleTo(self.bar):
            self.notice.setText("⚠ " + self.ui.t(self.failure))
        else:
            self.failure = None

    def problems(self) -> dict[str, str]:
        found = super().problems()
        if "contact" not in found:
            found.update(contact_problems(self.answers(), required=self.CONTACT_REQUIRED))
        return found
