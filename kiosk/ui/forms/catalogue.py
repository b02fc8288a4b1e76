"""The forms a citizen can fill in, as big buttons grouped by topic, with a search line that
narrows them down to the titles containing what is typed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

from eforms.definition import FormDefinition
from kiosk.i18n import N_
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.state import UiState

CHOOSE = N_("Choose the form you want to fill in.")
SEARCH = N_("Search forms")
SEARCH_HINT = N_("Type a word of the form's name")
NO_MATCH = N_("No form has that in its name. Try another word, or clear the search.")
NO_FORMS = N_("There are no forms to fill in at the moment.")
#: Topics of the shipped forms; any other topic is listed under "Other forms".
TOPICS = {
    "library": N_("Library"),
    "city": N_("City of Helsinki"),
    "advice": N_("Advice and guidance"),
    "other": N_("Other forms"),
}


class CatalogueView(QWidget):
    form_chosen = Signal(str)

    def __init__(self, ui: UiState, forms: list[FormDefinition]) -> None:
        super().__init__()
        self.ui = ui
        self.forms = forms
        column = QVBoxLayout(self)
        column.setContentsMargins(96, 40, 96, 40)
        column.setSpacing(20)
        self.heading = QLabel()
        self.heading.setProperty("role", "lead")
        self.heading.setWordWrap(True)
        column.addWidget(self.heading)
        self.search_label = QLabel()
        self.search_label.setProperty("role", "field")
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(False)
        self.search.textChanged.connect(self.filter)
        self.search_label.setBuddy(self.search)
        column.addWidget(self.search_label)
        column.addWidget(self.search)
        self.empty = QLabel()
        self.empty.setProperty("role", "lead")
        self.empty.setWordWrap(True)
        column.addWidget(self.empty)
        self.topic_labels: dict[str, QLabel] = {}
        self.buttons: dict[str, WrapButton] = {}
        topics = sorted({_topic(f) for f in forms}, key=list(TOPICS).index)
        for topic in topics:
            label = QLabel()
            label.setProperty("role", "h2")
            label.setContentsMargins(0, 16, 0, 0)
            self.topic_labels[topic] = label
            column.addWidget(label)
            for form in forms:
                if _topic(form) != topic:
                    continue
                button = WrapButton()
                button.setMinimumHeight(96)
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                button.setStyleSheet("text-align: left;")
                button.clicked.connect(lambda _=False, fid=form.id: self.form_chosen.emit(fid))
                self.buttons[form.id] = button
                column.addWidget(button)
        column.addStretch(1)
        ui.changed.connect(self.retranslate)
        self.retranslate()

    def first_button(self) -> WrapButton | None:
        return next((b for b in self.buttons.values() if not b.isHidden()), None)

    def filter(self) -> None:
        """Show the forms whose title (in the session's language) holds the search words."""
        words = self.search.text().casefold().split()
        language = self.ui.language
        shown: set[str] = set()
        for form in self.forms:
            title = form.title(language).casefold()
            visible = all(word in title for word in words)
            self.buttons[form.id].setVisible(visible)
            if visible:
                shown.add(_topic(form))
        for topic, label in self.topic_labels.items():
            label.setVisible(topic in shown)
        self.empty.setVisible(not shown)
        self.empty.setText(self.ui.t(NO_MATCH if self.forms else NO_FORMS))

    def retranslate(self) -> None:
        t, language = self.ui.t, self.ui.language
        self.heading.setText(t(CHOOSE))
        self.search_label.setText(t(SEARCH))
        self.search.setPlaceholderText(t(SEARCH_HINT))
        self.search.setAccessibleName(t(SEARCH))
        for topic, label in self.topic_labels.items():
            label.setText(t(TOPICS[topic]))
        for form in self.forms:
            self.buttons[form.id].set_label(form.title(language))
        self.filter()


def _topic(form: FormDefinition) -> str:
    return form.topic if form.topic in TOPICS else "other"
