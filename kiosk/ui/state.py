"""The presentation state every screen follows: language, text size and contrast.

Screens translate through `UiState.t()` and re-translate on `changed`, so a switch of language,
text size or contrast applies to every screen at once.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from kiosk.i18n import Catalogue
from kiosk.ui.theme import stylesheet


class UiState(QObject):
    changed = Signal()

    def __init__(
        self, catalogue: Catalogue, *, language: str, large_text_scale: float, high_contrast: bool
    ) -> None:
        super().__init__()
        self.catalogue = catalogue
        self.default_language = language
        self.language = language
        self.large_text_scale = large_text_scale
        self.large_text = False
        self.default_high_contrast = high_contrast
        self.high_contrast = high_contrast

    def t(self, message: str) -> str:
        return self.catalogue.gettext(self.language, message)

    def nt(self, singular: str, plural: str, n: int) -> str:
        return self.catalogue.ngettext(self.language, singular, plural, n)

    def t_in(self, language: str, message: str) -> str:
        return self.catalogue.gettext(language, message)

    @property
    def scale(self) -> float:
        return self.large_text_scale if self.large_text else 1.0

    def apply_style(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setStyleSheet(stylesheet(high_contrast=self.high_contrast, scale=self.scale))

    def set_language(self, language: str) -> None:
        if language != self.language:
            self.language = language
            self.changed.emit()

    def set_large_text(self, on: bool) -> None:
        if on != self.large_text:
            self.large_text = on
            self.apply_style()
            self.changed.emit()

    def set_high_contrast(self, on: bool) -> None:
        if on != self.high_contrast:
            self.high_contrast = on
            self.apply_style()
            self.changed.emit()

    def reset(self) -> None:
        """Back to the defaults for the next citizen."""
        restyle = self.large_text or self.high_contrast != self.default_high_contrast
        self.language = self.default_language
        self.large_text = False
        self.high_contrast = self.default_high_contrast
        if restyle:
            self.apply_style()
        self.changed.emit()
