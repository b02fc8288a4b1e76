"""The e-services a citizen can open, as big buttons grouped by topic, with a search line that
narrows them down to those whose name, summary or authority holds what is typed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

from eservices.catalogue import Catalogue, EService
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.screens.eservices import texts
from kiosk.ui.state import UiState


class ServiceList(QWidget):
    service_chosen = Signal(str)

    def __init__(self, ui: UiState) -> None:
        super().__init__()
        self.ui = ui
        self.catalogue: Catalogue | None = None
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(96, 40, 96, 40)
        self.column.setSpacing(20)
        self.heading = QLabel()
        self.heading.setProperty("role", "lead")
        self.heading.setWordWrap(True)
        self.column.addWidget(self.heading)
        self.search_label = QLabel()
        self.search_label.setProperty("role", "field")
        self.search = QLineEdit()
        self.search.textChanged.connect(self.filter)
        self.search_label.setBuddy(self.search)
        self.column.addWidget(self.search_label)
        self.column.addWidget(self.search)
        self.empty = QLabel()
        self.empty.setProperty("role", "lead")
        self.empty.setWordWrap(True)
        self.column.addWidget(self.empty)
        self.entries = QVBoxLayout()
        self.entries.setSpacing(20)
        self.column.addLayout(self.entries)
        self.erased = QLabel()
        self.erased.setProperty("role", "muted")
        self.erased.setWordWrap(True)
        self.column.addWidget(self.erased)
        self.column.addStretch(1)
        self.topic_labels: dict[str, QLabel] = {}
        self.buttons: dict[str, WrapButton] = {}
        ui.changed.connect(self.retranslate)
        self.retranslate()

    def set_catalogue(self, catalogue: Catalogue) -> None:
        """List these services (once, when the catalogue has been read)."""
        self.catalogue = catalogue
        for topic in catalogue.topics:
            services = [s for s in catalogue.services if s.topic == topic.id]
            if not services:
                continue
            label = QLabel()
            label.setProperty("role", "h2")
            label.setContentsMargins(0, 16, 0, 0)
            self.topic_labels[topic.id] = label
            self.entries.addWidget(label)
            for service in services:
                button = WrapButton()
                button.setMinimumHeight(96)
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                button.setStyleSheet("text-align: left;")
                button.clicked.connect(
                    lambda _=False, sid=service.id: self.service_chosen.emit(sid)
                )
                self.buttons[service.id] = button
                self.entries.addWidget(button)
        self.retranslate()

    def first_button(self) -> WrapButton | None:
        return next((b for b in self.buttons.values() if not b.isHidden()), None)

    def filter(self) -> None:
        """Show the services whose words (in the session's language) hold the search words."""
        words = self.search.text().casefold().split()
        shown: set[str] = set()
        services = self.catalogue.services if self.catalogue is not None else ()
        for service in services:
            if service.id not in self.buttons:
                continue
            text = _words(service, self.ui.language).casefold()
            visible = all(word in text for word in words)
            self.buttons[service.id].setVisible(visible)
            if visible:
                shown.add(service.topic)
        for topic, label in self.topic_labels.items():
            label.setVisible(topic in shown)
        loaded = self.catalogue is not None
        self.empty.setVisible(not shown)
        self.empty.setText(
            self.ui.t(texts.NO_MATCH if self.buttons else texts.NO_SERVICES)
            if loaded
            else self.ui.t(texts.LOADING)
        )

    def retranslate(self) -> None:
        t, language = self.ui.t, self.ui.language
        self.heading.setText(t(texts.CHOOSE))
        self.search_label.setText(t(texts.SEARCH))
        self.search.setPlaceholderText(t(texts.SEARCH_HINT))
        self.search.setAccessibleName(t(texts.SEARCH))
        self.erased.setText(t(texts.ERASED))
        if self.catalogue is not None:
            for topic_id, label in self.topic_labels.items():
                topic = self.catalogue.topic(topic_id)
                label.setText(topic.name(language) if topic is not None else topic_id)
            for service in self.catalogue.services:
                button = self.buttons.get(service.id)
                if button is not None:
                    button.set_label(
                        f"{service.name(language)}\n{service.summaries[language]}"
                        f" · {service.authority[language]}"
                    )
        self.filter()


def _words(service: EService, language: str) -> str:
    return " ".join(
        (service.name(language), service.summaries[language], service.authority[language])
    )
