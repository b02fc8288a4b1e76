"""This visit's documents to choose from for printing, each with its name, page count and a
picture of its first page, and a larger preview of its pages on request.

The documents are the visit's scans, the PDFs it downloaded from e-services, those advisors
sent in its video calls, and the copies of the forms it sent where the form allows a copy.
Counting pages and drawing them (kiosk.scan.preview) run in a worker thread; the pictures come
back as QImages, which may be made off the Qt thread (QPixmaps may not).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.i18n import N_, NP_
from kiosk.submissions.email import DOWNLOADED, FROM_ADVISOR
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.widgets.buttons import BigButton

if TYPE_CHECKING:
    from PIL.Image import Image

    from kiosk.ui.state import UiState

SCANNED = N_("Scanned document {number}")
SENT_FORM = N_("{title}, reference {reference}")
PAGES = NP_("{n} page", "{n} pages")
CHOSEN = N_("✓ Chosen")
CHOOSE = N_("Choose this document")
SHOW_PAGES = N_("Show the pages")
PAGE_OF = N_("Page {n} of {total}")
PREVIOUS = N_("‹ Previous page")
NEXT = N_("Next page ›")
CLOSE = N_("Close the preview")
NO_PICTURE = N_("No picture of this page can be shown, but it prints as it is.")
PREPARING = N_("Preparing the pages…")

#: Longer side of the first-page pictures in the list, and of the preview's pages, in pixels.
THUMB_SIDE = 204
PREVIEW_SIDE = 1000


@dataclass(frozen=True)
class VisitDocument:
    """A PDF of this visit the citizen may print: a scan, a download, an advisor's document, or
    the copy of a sent form."""

    path: Path
    #: The scan's number in the visit (1, 2…), or 0 for a form.
    number: int = 0
    #: A sent form's reference and its title in each language.
    reference: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    #: A PDF downloaded from an e-service: its file name.
    download: str = ""
    #: A PDF an advisor sent in a video call: its name as the advisor gave it.
    advisor: str = ""
    pages: int = 0
    thumbnail: QImage | None = None

    @property
    def is_scan(self) -> bool:
        return self.number > 0

    def name(self, t: Callable[[str], str], language: str) -> str:
        if self.is_scan:
            return t(SCANNED).format(number=self.number)
        if self.download:
            return t(DOWNLOADED).format(name=self.download)
        if self.advisor:
            return t(FROM_ADVISOR).format(name=self.advisor)
        title = self.titles.get(language) or self.titles.get("fi") or ""
        return t(SENT_FORM).format(title=title, reference=self.reference)


def to_qimage(picture: Image) -> QImage:
    """A Pillow picture as a QImage that owns its pixels (any thread)."""
    rgb = picture.convert("RGB")
    width, height = rgb.size
    return QImage(rgb.tobytes(), width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def examine(document: VisitDocument) -> VisitDocument:
    """The document with its page count and first page's picture (worker thread)."""
    from kiosk.scan.preview import page_count, page_picture

    pages = page_count(document.path)
    picture = page_picture(document.path, 0, THUMB_SIDE) if pages else None
    return replace(
        document, pages=pages, thumbnail=to_qimage(picture) if picture is not None else None
    )


def draw_pages(path: Path) -> list[QImage | None]:
    """Every page of `path` for the preview (worker thread)."""
    from kiosk.scan.preview import page_pictures

    return [to_qimage(p) if p is not None else None for p in page_pictures(path, PREVIEW_SIDE)]


def copies_allowed(data_dir: Path) -> set[str]:
    """The forms of the catalogue whose sender may have a copy (worker thread)."""
    from eforms.definition import load_catalogue
    from kiosk.forms.cache import catalogue_sources

    forms, _ = load_catalogue(catalogue_sources(data_dir))
    return {form.id for form in forms if form.citizen_copy}


def blank_page(width: int, height: int) -> QPixmap:
    """A plain sheet with a few grey lines: a page that has no picture."""
    pixmap = QPixmap(width, height)
    pixmap.fill(QColor("white"))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#555555"))
    painter.drawRect(0, 0, width - 1, height - 1)
    for row in range(1, 8):
        y = round(height * row / 9)
        painter.drawLine(round(width * 0.15), y, round(width * (0.85 if row % 3 else 0.6)), y)
    painter.end()
    return pixmap


def fitted(image: QImage | None, width: int, height: int) -> QPixmap:
    if image is None:
        return blank_page(round(height / 2**0.5), height)
    return QPixmap.fromImage(
        image.scaled(
            width,
            height,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    )


class DocumentRow(QWidget):
    """One document: a button that chooses it (picture, name, pages, whether chosen), and a
    button that shows its pages larger."""

    chosen = Signal()
    preview = Signal()

    def __init__(self, ui: UiState, document: VisitDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.document = document
        self.selected = False
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(20)
        self.button = BigButton(role="tile")
        self.button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.button.clicked.connect(self.chosen.emit)
        inside = QHBoxLayout(self.button)
        inside.setContentsMargins(20, 16, 20, 16)
        inside.setSpacing(24)
        self.picture = QLabel()
        self.picture.setFixedSize(QSize(round(THUMB_SIDE / 2**0.5) + 4, THUMB_SIDE + 4))
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column = QVBoxLayout()
        column.setSpacing(6)
        self.name = QLabel()
        self.name.setProperty("role", "field")
        self.name.setWordWrap(True)
        self.pages = QLabel()
        self.pages.setWordWrap(True)
        self.mark = QLabel()
        self.mark.setProperty("role", "field")
        self.mark.setWordWrap(True)
        column.addStretch(1)
        for label in (self.name, self.pages, self.mark):
            column.addWidget(label)
        column.addStretch(1)
        inside.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignVCenter)
        inside.addLayout(column, 1)
        for label in (self.picture, self.name, self.pages, self.mark):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.preview_button = WrapButton()
        self.preview_button.setMinimumHeight(96)
        self.preview_button.clicked.connect(self.preview.emit)
        row.addWidget(self.button, 1)
        row.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.set_document(document)

    def set_document(self, document: VisitDocument) -> None:
        self.document = document
        size = self.picture.size()
        self.picture.setPixmap(fitted(document.thumbnail, size.width() - 4, size.height() - 4))
        self.retranslate()

    def set_selected(self, on: bool) -> None:
        self.selected = on
        self.retranslate()

    def retranslate(self) -> None:
        t, language = self.ui.t, self.ui.language
        name = self.document.name(t, language)
        pages = self.document.pages
        self.name.setText(name)
        self.pages.setText(self.ui.nt(*PAGES, pages).format(n=pages) if pages else "")
        self.mark.setText(t(CHOSEN) if self.selected else "")
        self.mark.setVisible(self.selected)
        state = t(CHOSEN) if self.selected else t(CHOOSE)
        self.button.setAccessibleName(f"{name}, {self.pages.text()}")
        self.button.setAccessibleDescription(state)
        self.preview_button.set_label(t(SHOW_PAGES), name)
        self.preview_button.setEnabled(pages > 0)


class PagePreview(QWidget):
    """A document's pages, one at a time and large, with the way back to the choice."""

    closed = Signal()

    def __init__(self, ui: UiState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.document: VisitDocument | None = None
        self.pictures: list[QImage | None] | None = None
        self.index = 0
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(32)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setFixedSize(QSize(460, 650))
        row.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout()
        column.setSpacing(20)
        self.name = QLabel()
        self.name.setProperty("role", "h2")
        self.name.setWordWrap(True)
        self.position = QLabel()
        self.position.setProperty("role", "lead")
        self.position.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.previous_button = WrapButton()
        self.previous_button.clicked.connect(lambda: self.turn(-1))
        self.next_button = WrapButton()
        self.next_button.clicked.connect(lambda: self.turn(1))
        self.close_button = WrapButton(role="primary")
        self.close_button.setMinimumHeight(96)
        self.close_button.clicked.connect(self.closed.emit)
        for widget in (self.name, self.position, self.note):
            column.addWidget(widget)
        column.addWidget(self.previous_button)
        column.addWidget(self.next_button)
        column.addStretch(1)
        column.addWidget(self.close_button)
        row.addLayout(column, 1)

    def show_document(self, document: VisitDocument) -> None:
        """Start showing `document`; its pages follow with set_pictures()."""
        self.document, self.pictures, self.index = document, None, 0
        self.retranslate()

    def set_pictures(self, pictures: list[QImage | None]) -> None:
        self.pictures = pictures
        self.index = 0
        self.retranslate()

    def turn(self, step: int) -> None:
        if self.pictures:
            self.index = max(0, min(len(self.pictures) - 1, self.index + step))
            self.retranslate()

    def retranslate(self) -> None:
        t, language = self.ui.t, self.ui.language
        document, pictures = self.document, self.pictures
        self.previous_button.set_label(t(PREVIOUS))
        self.next_button.set_label(t(NEXT))
        self.close_button.set_label(t(CLOSE))
        if document is None:
            return
        self.name.setText(document.name(t, language))
        total = len(pictures) if pictures is not None else document.pages
        self.position.setText(t(PAGE_OF).format(n=self.index + 1, total=total) if total else "")
        size = self.picture.size()
        if pictures is None:
            self.picture.clear()
            self.note.setText(t(PREPARING))
        else:
            image = pictures[self.index] if pictures else None
            self.picture.setPixmap(fitted(image, size.width(), size.height()))
            self.note.setText(t(NO_PICTURE) if image is None else "")
        self.note.setVisible(bool(self.note.text()))
        self.previous_button.setEnabled(pictures is not None and self.index > 0)
        self.next_button.setEnabled(pictures is not None and self.index < total - 1)
