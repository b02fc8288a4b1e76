"""The presentation state every screen follows: language, text size and contrast.

Screens translate through `UiState.t()` and re-translate on `changed`, so a switch of language,
text size or contrast applies to every screen at once.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from kiosk.i18n import Catalogue
from kiosk.ui.theme import stylesheet


class SpeechSwitch(Protocol):
    """Read aloud as screens see it (kiosk.ui.speech.control.SpeechControl)."""

    @property
    def available(self) -> bool: ...

    @property
    def read_aloud(self) -> bool: ...

    def set_read_aloud(self, on: bool) -> None: ...

    def adjust(self, action: str) -> None: ...

    def say(self, text: str, *, always: bool = False, language: str | None = None) -> None: ...

    def reset(self) -> None: ...


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
        #: Speech, once the window has an engine (else None: Read aloud is not offered).
        self.speech: SpeechSwitch | None = None

    @property
    def speech_available(self) -> bool:
        return self.speech is not None and self.speech.available

    @property
    def read_aloud(self) -> bool:
        return self.speech is not None and self.speech.read_aloud

    def set_read_aloud(self, on: bool) -> None:
        if self.speech is not None:
            self.speech.set_read_aloud(on)

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
        if self.speech is not None:
            self.speech.reset()
        restyle = self.large_text or self.high_contrast != self.default_high_contrast
        self.language = self.default_language
        self.large_text = False
        self.high_contrast = self.default_high_contrast
        if restyle:
            self.apply_style()
        self.changed.emit()
