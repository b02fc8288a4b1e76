"""What one visit has made and used: a citizen's session state that services share.

A `Visit` belongs to one session (`Session.visit`) and lives in memory only; its files are in the
session's folder. The session's end wipes it (`wipe()`), together with the folder. Services read
and add to it through these typed fields, never through loose keys, so that the scans a form may
attach, the forms the E-mail service may send and the pages already printed are the same things
wherever they are used. Nothing here is logged: it holds names and what the citizen wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.devices.cardreader.fineid import CardHolder


@dataclass(frozen=True, eq=False)
class SentForm:
    """A form sent in this visit: what the citizen may still print or e-mail to themselves."""

    form_id: str
    reference: str
    answers: dict[str, Any] = field(repr=False)
    #: Its PDF in the session's folder.
    pdf: Path
    #: The form's title in each language.
    titles: dict[str, str]


@dataclass(frozen=True, eq=False)
class Download:
    """A PDF an e-service page downloaded in this visit (a decision, a receipt, a certificate)."""

    #: Its file in the session's folder.
    pdf: Path
    #: The file's name as the page gave it (made safe), which is how the citizen knows it.
    name: str
    #: The e-service it came from (its catalogue id).
    service_id: str


@dataclass(frozen=True, eq=False)
class AdvisorDocument:
    """A PDF a video-advice advisor sent to the kiosk in this visit (kiosk.video.help)."""

    #: Its file in the session's folder.
    pdf: Path
    #: The file's name as the advisor gave it.
    name: str
    #: The service line of the call it came in.
    line: str
    #: Whether it prints free (the line's `advisor_documents_print_free`).
    print_free: bool = False


@dataclass(eq=False)
class Visit:
    #: The scans' PDFs in the session's folder, oldest first (Scan and Copy make them; a form
    #: may attach them, E-mail send them, Print print them).
    scans: list[Path] = field(default_factory=list)
    #: The forms sent in this visit, oldest first.
    sent_forms: list[SentForm] = field(default_factory=list)
    #: PDFs downloaded from e-services in this visit, oldest first.
    downloads: list[Download] = field(default_factory=list)
    #: PDFs advisors sent in video calls of this visit, oldest first.
    advisor_documents: list[AdvisorDocument] = field(default_factory=list)
    #: Pages printed or copied in this visit (its free pages are used first).
    pages_printed: int = 0
    #: The holder of the ID card read in this visit; from then on the card is the session's key.
    card_holder: CardHolder | None = field(default=None, repr=False)

    def add_scan(self, pdf: Path) -> None:
        if pdf not in self.scans:
            self.scans.append(pdf)

    def existing_scans(self) -> list[Path]:
        """The visit's scans whose files still exist, oldest first."""
        return [p for p in self.scans if p.exists()]

    def scan_number(self, pdf: Path) -> int | None:
        """The scan's number as the citizen sees it (1 for the first), None if not a scan."""
        return self.scans.index(pdf) + 1 if pdf in self.scans else None

    def wipe(self) -> None:
        """Forget everything (the session's end; its folder is removed beside this)."""
        self.scans.clear()
        self.sent_forms.clear()
        self.downloads.clear()
        self.advisor_documents.clear()
        self.pages_printed = 0
        self.card_holder = None
