"""What the advisor sends to the kiosk in a call (docs/call-help.md): an e-service or a form to
open, or a PDF that becomes one of the visit's documents. Each is taken, and answered
`received` once the citizen can see it, or refused with its reason. It runs on the engine loop
inside the call's help (kiosk.video.help), which owns the channel; a PDF is written to the
session's folder in the executor.

Nothing here is logged but ids, reasons and sizes: a document's name and bytes are the
citizen's.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024

ArrivedKind = Literal["eservice", "form", "pdf"]
#: (kind, target) → None to take it, or the `refused` reason (docs/call-help.md). Called on the
#: engine loop: it must not block.
Admission = Callable[[str, str], str | None]


@dataclass(frozen=True, eq=False)
class Arrived:
    """Something the advisor sent: an e-service or a form to open, or a PDF in the session's
    folder."""

    id: str
    kind: ArrivedKind
    #: The e-service's catalogue id, the form's id, or the PDF's name as the advisor gave it.
    target: str
    pdf: Path | None = None
    #: Whether this document prints free (the line's `advisor_documents_print_free`).
    print_free: bool = False


@dataclass
class _Incoming:
    id: str
    name: str
    size: int
    data: bytearray = field(default_factory=bytearray)


def _write_pdf(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(name).stem)[:60]
    for n in itertools.count(1):
        path = folder / f"advisor-{n:02d}-{stem or 'document'}.pdf"
        if not path.exists():
            path.write_bytes(data)
            return path
    raise AssertionError("unreachable")


class Arrivals:
    def __init__(
        self,
        *,
        call_id: str,
        send: Callable[[dict[str, Any]], None],
        arrive: Callable[[Arrived], None],
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        admission: Admission | None,
        folder: Path | None,
        print_free: bool,
    ) -> None:
        self.call_id = call_id
        self._send = send
        self._arrive = arrive
        self._spawn = spawn
        self._admission = admission
        self._folder = folder
        self._print_free = print_free
        self._incoming: _Incoming | None = None

    def on_item(self, kind: str, item_id: str, data: dict[str, Any]) -> None:
        """An e-service or a form to open."""
        target = data.get("service" if kind == "eservice" else "form")
        if not isinstance(target, str) or not target or not item_id:
            self.refuse(item_id, "bad_message")
            return
        refusal = self._admit(kind, target)
        if refusal is not None:
            self.refuse(item_id, refusal)
            return
        self._arrive(Arrived(item_id, "eservice" if kind == "eservice" else "form", target))

    def on_file(self, item_id: str, data: dict[str, Any]) -> None:
        """A file's header: its bytes follow (until `size`), unless it is refused here."""
        size = data.get("size")
        self._incoming = None
        if data.get("kind") != "pdf" or not item_id or not isinstance(size, int) or size <= 0:
            self.refuse(item_id, "bad_message")
            return
        if size > MAX_FILE_BYTES:
            self.refuse(item_id, "too_large")
            return
        name = str(data.get("name") or "document.pdf")[:200]
        self._incoming = _Incoming(item_id, name, size)

    def on_bytes(self, chunk: bytes) -> None:
        incoming = self._incoming
        if incoming is None:
            return  # the rest of a refused file
        incoming.data.extend(chunk)
        if len(incoming.data) < incoming.size:
            return
        self._incoming = None
        if len(incoming.data) > incoming.size or not incoming.data.startswith(b"%PDF-"):
            self.refuse(incoming.id, "not_pdf")
            return
        refusal = self._admit("pdf", incoming.name)
        if refusal is not None or self._folder is None:
            self.refuse(incoming.id, refusal or "no_session")
            return
        self._spawn(self._keep_pdf(incoming, self._folder))

    def refuse(self, item_id: str, reason: str) -> None:
        log.info("the advisor's item refused: %s", reason, extra={"call": self.call_id})
        self._send({"type": "refused", "id": item_id, "reason": reason})

    def forget(self) -> None:
        """The call is over: a file half received goes."""
        self._incoming = None

    def _admit(self, kind: str, target: str) -> str | None:
        if self._admission is None:
            return None
        try:
            return self._admission(kind, target)
        except Exception:
            log.exception("call help admission failed")
            return "bad_message"

    async def _keep_pdf(self, incoming: _Incoming, folder: Path) -> None:
        loop = asyncio.get_running_loop()
        try:
            path = await loop.run_in_executor(
                None, _write_pdf, folder, incoming.name, bytes(incoming.data)
            )
        except OSError:
            log.exception("the advisor's document could not be kept", extra={"call": self.call_id})
            self.refuse(incoming.id, "bad_message")
            return
        log.info(
            "document from the advisor arrived",
            extra={"call": self.call_id, "size": incoming.size},
        )
        self._arrive(
            Arrived(incoming.id, "pdf", incoming.name, pdf=path, print_free=self._print_free)
        )
