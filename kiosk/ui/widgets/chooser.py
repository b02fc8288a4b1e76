"""Choosing one of this visit's documents to print, and previewing its pages.

The visit's scans, downloads and advisors' documents are listed at once; its sent forms join the
list once the forms catalogue (read in the worker) says they allow the sender a copy. Page
counts, first-page pictures and the preview's pages are made in the worker too. Callbacks are
bound methods only: the bridge drops those of a widget that is gone (the session ended
meanwhile).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.ui.context import ServiceContext
from kiosk.ui.widgets.documents import (
    DocumentRow,
    PagePreview,
    VisitDocument,
    copies_allowed,
    draw_pages,
    examine,
)
from kiosk.visit import Visit

log = logging.getLogger(__name__)


def visit_documents(visit: Visit) -> tuple[list[VisitDocument], list[VisitDocument]]:
    """The visit's scans, e-service downloads and advisors' documents that still exist, and its
    sent forms (whether each allows a copy is for the catalogue to say)."""
    found = [VisitDocument(p, number=n) for n, p in enumerate(visit.existing_scans(), 1)]
    found += [VisitDocument(d.pdf, download=d.name) for d in visit.downloads if d.pdf.exists()]
    found += [
        VisitDocument(d.pdf, advisor=d.name) for d in visit.advisor_documents if d.pdf.exists()
    ]
    forms = [
        VisitDocument(sent.pdf, reference=sent.reference, titles=dict(sent.titles))
        for sent in visit.sent_forms
        if sent.pdf.exists()
    ]
    return found, forms


class DocumentChooser(QWidget):
    """The list of documents (one chosen: the newest scan to begin with), or one document's
    pages large."""

    #: The choice, a page count or the preview changed.
    changed = Signal()

    def __init__(
        self,
        ctx: ServiceContext,
        workers: ThreadPoolExecutor,
        documents: list[Path] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`documents` are the ones to offer (Copy's own scan), by default the visit's."""
        super().__init__(parent)
        self.ctx = ctx
        self.ui = ctx.ui
        self._workers = workers
        session = ctx.sessions.current
        assert session is not None, "documents belong to a session"
        self._visit = session.visit
        if documents is None:
            scans, forms = visit_documents(session.visit)
        else:
            # Numbered as the visit's other documents are, wherever it is shown.
            scans = [
                VisitDocument(p, number=session.visit.scan_number(p) or n)
                for n, p in enumerate(documents, 1)
            ]
            forms = []
        self.documents: list[VisitDocument] = scans
        #: The chosen document's place in self.documents.
        self.chosen: int | None = len(scans) - 1 if scans else None
        #: Whether the citizen may change the choice now (not while paying or printing).
        self.choosable = True
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.list_area = QWidget()
        self.list_layout = QVBoxLayout(self.list_area)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(16)
        self.rows: list[DocumentRow] = []
        column.addWidget(self.list_area)
        self.preview = PagePreview(self.ui)
        self.preview.closed.connect(self.close_preview)
        self.preview.hide()
        column.addWidget(self.preview)
        self._show_rows()
        for index, document in enumerate(self.documents):
            self._examine(index, document)
        #: Sent forms waiting for the catalogue to say whether they allow a copy.
        self._forms = forms
        if forms:
            data_dir = ctx.config.data_dir
            ctx.bridge.when_done(workers.submit(copies_allowed, data_dir), self._forms_allowed)

    @property
    def document(self) -> Path | None:
        return self.documents[self.chosen].path if self.chosen is not None else None

    @property
    def pages(self) -> int:
        return self.documents[self.chosen].pages if self.chosen is not None else 0

    @property
    def previewing(self) -> bool:
        return not self.preview.isHidden()

    def choose(self, index: int) -> None:
        if not self.choosable:
            return
        self.chosen = index
        self.retranslate()
        self.changed.emit()

    def show_preview(self, index: int) -> None:
        if not self.choosable:
            return
        document = self.documents[index]
        self.choose(index)
        self.preview.show_document(document)
        self.preview.show()
        self.preview.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.ctx.bridge.when_done(self._workers.submit(_draw, document), self._drawn)
        self.retranslate()
        self.changed.emit()

    def close_preview(self) -> None:
        self.preview.hide()
        self.preview.document = None
        self.retranslate()
        self.changed.emit()
        if self.chosen is not None and self.chosen < len(self.rows):
            self.rows[self.chosen].preview_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- worker results -------------------------------------------------------------------------

    def _examine(self, index: int, document: VisitDocument) -> None:
        self.ctx.bridge.when_done(
            self._workers.submit(_examine_at, index, document), self._examined
        )

    def _examined(self, future: Future[tuple[int, VisitDocument]]) -> None:
        if future.exception() is not None:
            log.error("a document's pages could not be counted", exc_info=future.exception())
            return
        index, document = future.result()
        self.documents[index] = document
        self.rows[index].set_document(document)
        self.changed.emit()

    def _forms_allowed(self, future: Future[set[str]]) -> None:
        forms, self._forms = self._forms, []
        if future.exception() is not None:
            log.error("the forms catalogue could not be read", exc_info=future.exception())
            return
        allowed = future.result()
        sent = {s.reference: s.form_id for s in self._visit.sent_forms}
        for document in forms:
            if sent.get(document.reference) in allowed:
                self.documents.append(document)
                self._examine(len(self.documents) - 1, document)
        if self.chosen is None and self.documents:
            self.chosen = 0
        self._show_rows()
        self.retranslate()
        self.changed.emit()

    def _drawn(self, future: Future[tuple[VisitDocument, list[QImage | None]]]) -> None:
        document = self.preview.document
        if future.exception() is not None:
            log.error("pages could not be drawn", exc_info=future.exception())
            if document is not None:
                self.preview.set_pictures([None] * max(1, document.pages))
            return
        drawn, pictures = future.result()
        if drawn is document:  # not closed, nor another one opened meanwhile
            self.preview.set_pictures(pictures)

    def _show_rows(self) -> None:
        for index in range(len(self.rows), len(self.documents)):
            row = DocumentRow(self.ui, self.documents[index])
            row.chosen.connect(lambda index=index: self.choose(index))
            row.preview.connect(lambda index=index: self.show_preview(index))
            self.rows.append(row)
            self.list_layout.addWidget(row)

    def retranslate(self) -> None:
        # One document (Copy's, or a single scan) needs no list to choose from.
        # One document is listed too: its first page, and its pages larger on request.
        listing = self.choosable and bool(self.documents) and not self.previewing
        self.list_area.setVisible(listing)
        # Nothing to show takes no room beside the copies and the Print button.
        self.setVisible(listing or self.previewing)
        for index, row in enumerate(self.rows):
            # "Chosen" says something only when there is a choice.
            row.set_selected(index == self.chosen and len(self.rows) > 1)
        if self.previewing:
            self.preview.retranslate()


def _examine_at(index: int, document: VisitDocument) -> tuple[int, VisitDocument]:
    return index, examine(document)


def _draw(document: VisitDocument) -> tuple[VisitDocument, list[QImage | None]]:
    return document, draw_pages(document.path)
