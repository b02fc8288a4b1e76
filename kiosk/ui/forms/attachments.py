"""An attachment field: this visit's documents to attach, and a button that scans one now.

Each document (a scan's PDF) is a toggle, by file name. Where the kiosk scans, a big button
opens the scan inside the form; the new document comes back ticked. While the camera cannot
be used the button stays, greyed, with the reason beside it, and the rest of the form goes on.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QSizePolicy

from eforms.definition import Field, FormDefinition
from kiosk.i18n import N_, NP_
from kiosk.ui.forms.choice import ChoiceFieldView
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.state import UiState
from kiosk.ui.theme import palette
from kiosk.ui.widgets.icons import icon_pixmap, on_surface

NO_FILES = N_(
    "Nothing to attach yet. Scan the pages first with the Scan service, then come back to "
    "this form: what you scanned appears here."
)
NO_FILES_SCAN = N_(
    "Nothing to attach yet. Tap “Scan a document now” and lay the pages under the camera one "
    "at a time. Your answers stay here."
)
SCAN_NOW = N_("Scan a document now")
NO_CAMERA = N_(
    "Scanning is not possible right now because the camera is not available. You can still "
    "fill in and send the form."
)
ATTACHED = NP_(
    "Scanned and attached: {name}, {n} page.",
    "Scanned and attached: {name}, {n} pages.",
)

ICON = "scan.svg"
ICON_PX = 48


class AttachmentFieldView(ChoiceFieldView):
    """Documents of this visit to attach, one toggle each, by name; with `scanning`, a button
    to scan one without leaving the form. With nothing to attach, it says how to get a file."""

    #: The citizen wants to scan a document for this field.
    scan_requested = Signal()

    def __init__(
        self,
        field: Field,
        definition: FormDefinition,
        ui: UiState,
        files: list[str],
        *,
        scanning: bool = False,
    ) -> None:
        super().__init__(field, definition, ui, options=files)
        self.scanning = scanning
        self.camera_usable = True
        #: The last document scanned here: its name and number of pages.
        self.scanned: tuple[str, int] | None = None
        at = self.column.indexOf(self.error)
        # Not the primary colour: that is what a ticked document looks like.
        self.scan_button = WrapButton()
        self.scan_button.setIconSize(QSize(ICON_PX, ICON_PX))
        self.scan_button.setMinimumHeight(96)
        self.scan_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.scan_button.clicked.connect(self.scan_requested.emit)
        self.reason = QLabel()
        self.reason.setProperty("role", "warning")
        self.reason.setWordWrap(True)
        self.reason.hide()
        self.hint = QLabel()
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)
        for offset, widget in enumerate((self.scan_button, self.reason, self.hint)):
            self.column.insertWidget(at + offset, widget)
        # Only once it is in the field: shown without a parent it would open as a window.
        self.scan_button.setVisible(scanning)
        self.retranslate()

    @property
    def files(self) -> list[str]:
        return self.options

    def add_file(self, name: str, pages: int) -> None:
        """A document scanned in this form: offered here, ticked, and said so."""
        if name not in self.buttons:
            self.options.append(name)
            self._add_button(name)
            self._lay_out()
        self.buttons[name].setChecked(True)
        self.scanned = (name, pages)
        self.retranslate()

    def offer(self, name: str) -> None:
        """A document scanned for another field of the form: offered here too, not ticked."""
        if name not in self.buttons:
            self.options.append(name)
            self._add_button(name)
            self._lay_out()
            self.retranslate()

    def set_camera_usable(self, usable: bool) -> None:
        self.camera_usable = usable
        self.scan_button.setEnabled(usable)
        self.retranslate()

    def focus(self, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        if self.buttons:
            super().focus(reason)
        elif self.scanning and self.scan_button.isEnabled():
            self.scan_button.setFocus(reason)

    def focus_reachable(self) -> bool:
        return bool(self.buttons) or (self.scanning and self.scan_button.isEnabled())

    def option_text(self, option: str) -> str:
        return option

    def retranslate(self) -> None:
        super().retranslate()
        if not hasattr(self, "hint"):
            return  # still being built
        t = self.ui.t
        # The icon in the theme's colours, muted while the camera cannot be used.
        colours = on_surface(
            palette(high_contrast=self.ui.high_contrast), enabled=self.camera_usable
        )
        ratio = self.scan_button.devicePixelRatioF()
        self.scan_button.setIcon(QIcon(icon_pixmap(ICON, ICON_PX, colours, ratio)))
        reason = t(NO_CAMERA) if self.scanning and not self.camera_usable else ""
        self.scan_button.set_label(t(SCAN_NOW), reason)
        self.scan_button.setText("  " + t(SCAN_NOW))  # room between the icon and the words
        self.reason.setText(f"⚠ {reason}" if reason else "")
        self.reason.setVisible(bool(reason))
        if self.scanned is not None:
            name, n = self.scanned
            hint = self.ui.nt(*ATTACHED, n).format(name=name, n=n)
        elif self.files or reason:
            hint = ""
        else:
            hint = t(NO_FILES_SCAN if self.scanning else NO_FILES)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
