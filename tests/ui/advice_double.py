"""A stand-in for the hub's call service, for the screens' tests and screenshots only: the test
says what the hub would say (queued, answered, ended...) and reads what the screen asked.

A connected call has a stand-in for its help too (`ScriptedHelp`, as kiosk.video.help.CallHelp
is to a screen): it records what the screen asked of it (the text as typed, lines ended, pages
shown, items opened), and the test makes the advisor write and send things through it, which
the client's `help_admission` and `documents_folder` decide on as they would for the real one."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.video.advice import (
    AdviceClient,
    AdviceLine,
    AdvicePhase,
    AdviceStatus,
    CallGuest,
    LineState,
)
from kiosk.video.help import Arrived, CallHelp, HelpEvent, ShownPage
from kiosk.video.peer import RemoteVideoFrame

LINES = [
    AdviceLine(
        id="virka-info",
        names={"fi": "Virka-info", "sv": "Virka-info", "en": "Virka-info"},
        descriptions={
            "fi": "Helsingin kaupungin neuvonta: kaupungin palvelut, asiointi ja lomakkeet.",
            "sv": "Helsingfors stads rådgivning: stadens tjänster, ärenden och blanketter.",
            "en": "City of Helsinki advice: city services, errands and forms.",
        },
        phone="+358 9 310 11111",
        languages=("fi", "sv", "en"),
        open_now=True,
        state=LineState.AVAILABLE,
        advisors_free=2,
    ),
    AdviceLine(
        id="kansalaisneuvonta",
        names={"fi": "Kansalaisneuvonta", "sv": "Medborgarrådgivningen", "en": "Citizens' Advice"},
        descriptions={
            "fi": "Valtion neuvontapalvelu: autamme löytämään oikean viranomaisen ja palvelun.",
            "sv": "Statens rådgivning: vi hjälper dig att hitta rätt myndighet och tjänst.",
            "en": "The state's advice service: we help you find the right authority and service.",
        },
        phone="0295 000 160",
        languages=("fi", "sv"),
        open_now=False,
        # Tuesday 14 January 2025, 09:00 in Helsinki.
        next_opening=datetime(2025, 1, 14, 7, 0, tzinfo=UTC),
        state=LineState.CLOSED,
    ),
]

#: One line in each state a citizen can meet: advisors free, all busy with a queue, nobody
#: there, closed.
STATE_LINES = [
    LINES[0],
    replace(
        LINES[0],
        id="vero",
        names={
            "fi": "Verohallinto",
            "sv": "Skatteförvaltningen",
            "en": "Finnish Tax Administration",
        },
        descriptions={
            "fi": "Verokortit, veroilmoitus ja verotuspäätökset.",
            "sv": "Skattekort, skattedeklaration och beskattningsbeslut.",
            "en": "Tax cards, tax returns and tax decisions.",
        },
        phone="029 497 000",
        state=LineState.BUSY,
        advisors_free=0,
        waiting=3,
        estimated_wait_s=400,
    ),
    replace(
        LINES[1],
        id="kela",
        names={"fi": "Kela", "sv": "FPA", "en": "Kela"},
        descriptions={
            "fi": "Kelan etuudet: asumistuki, toimeentulotuki ja opintotuki.",
            "sv": "FPA:s förmåner: bostadsbidrag, utkomststöd och studiestöd.",
            "en": "Kela's benefits: housing allowance, social assistance and student aid.",
        },
        phone="020 692 207",
        open_now=True,
        next_opening=None,
        state=LineState.UNSTAFFED,
    ),
    LINES[1],
]


class ScriptedHelp:
    """A connected call's help as the screen sees it. What the screen calls is recorded; what
    the advisor does is the test's to say. The listener is told at once, on the caller's
    thread (the screen hands it on to the Qt thread itself)."""

    def __init__(self, client: ScriptedAdvice, call_id: str = "c1") -> None:
        self.client = client
        self.call_id = call_id
        self.ready = False
        self.closed = False
        #: What the screen asked: the field's text at each change, lines ended, items opened,
        #: pages asked for.
        self.drafts: list[str] = []
        self.lines_ended = 0
        self.opened_items: list[str] = []
        self.pages_asked = 0
        #: What the advisor's side refused, as (item id, reason).
        self.refused: list[tuple[str, str]] = []
        #: What the next `show_page` finds: a page of this size, or None (no paper), or an
        #: exception to fail with.
        self.next_page: tuple[int, int] | BaseException | None = (1654, 2339)
        self._draft = ""
        self._own: list[str] = []
        self._remote_lines: list[str] = []
        self._remote_current = ""
        self._arrived: list[Arrived] = []
        self._shown: list[ShownPage] = []

    # ---- what a screen reads and does (CallHelp's names) --------------------------------------

    def remote_text(self) -> tuple[tuple[str, ...], str]:
        return tuple(self._remote_lines), self._remote_current

    def own_lines(self) -> tuple[str, ...]:
        return tuple(self._own)

    @property
    def arrived(self) -> tuple[Arrived, ...]:
        return tuple(self._arrived)

    @property
    def shown(self) -> tuple[ShownPage, ...]:
        return tuple(self._shown)

    def set_draft(self, text: str) -> None:
        self.drafts.append(text)
        self._draft = text

    def end_line(self) -> None:
        self.lines_ended += 1
        self._own.append(self._draft)
        self._draft = ""

    def opened(self, item_id: str) -> None:
        self.opened_items.append(item_id)

    def show_page(self, camera: Any) -> Future[ShownPage | None]:
        self.pages_asked += 1
        future: Future[ShownPage | None] = Future()
        found = self.next_page
        if isinstance(found, BaseException):
            future.set_exception(found)
        elif found is None:
            future.set_result(None)
        else:
            width, height = found
            page = ShownPage(len(self._shown) + 1, width, height, b"\x89PNG")
            self._shown.append(page)
            future.set_result(page)
            self._tell(HelpEvent.PAGE_SHOWN)
        return future

    # ---- what the test makes the call do ------------------------------------------------------

    def open(self) -> None:
        """Both channels are open."""
        self.ready = True
        self._tell(HelpEvent.READY)

    def advisor_writes(self, text: str) -> None:
        """The advisor's current line is now `text` (as typed so far)."""
        self._remote_current = text
        self._tell(HelpEvent.TEXT)

    def advisor_ends_line(self) -> None:
        self._remote_lines.append(self._remote_current)
        self._remote_current = ""
        self._tell(HelpEvent.TEXT)

    def advisor_sends(self, item_id: str, kind: str, target: str) -> Arrived | None:
        """An e-service or a form, taken if the kiosk's admission takes it."""
        refusal = self._admit(kind, target)
        if refusal is not None:
            self.refused.append((item_id, refusal))
            return None
        item = Arrived(item_id, kind, target)  # type: ignore[arg-type]
        self._arrive(item)
        return item

    def advisor_sends_pdf(
        self, item_id: str, name: str, data: bytes = b"%PDF-1.4\n%%EOF\n", *, free: bool = False
    ) -> Arrived | None:
        """A PDF, kept in the client's documents folder as the real help keeps it."""
        refusal = self._admit("pdf", name)
        folder = self.client.documents_folder
        if refusal is None and folder is None:
            refusal = "no_session"
        if refusal is not None or folder is None:
            self.refused.append((item_id, refusal or "no_session"))
            return None
        folder.mkdir(parents=True, exist_ok=True)
        path = Path(folder) / f"advisor-{len(self._arrived) + 1:02d}.pdf"
        path.write_bytes(data)
        item = Arrived(item_id, "pdf", name, pdf=path, print_free=free)
        self._arrive(item)
        return item

    def advisor_has_page(self, number: int) -> None:
        for page in self._shown:
            if page.number == number:
                page.delivered = True
        self._tell(HelpEvent.PAGE_DELIVERED)

    def close(self) -> None:
        if not self.closed:
            self._tell(HelpEvent.CLOSED)
            self.closed = True

    def _admit(self, kind: str, target: str) -> str | None:
        admission = self.client.help_admission
        return admission(kind, target) if admission is not None else None

    def _arrive(self, item: Arrived) -> None:
        self._arrived.append(item)
        self._tell(HelpEvent.ARRIVED)

    def _tell(self, event: HelpEvent) -> None:
        listener = self.client.help_listener
        if listener is not None and not self.closed:
            listener(self, event)  # type: ignore[arg-type]


class ScriptedAdvice(AdviceClient):
    def __init__(self, lines: list[AdviceLine] | None = None, *, reachable: bool = True) -> None:
        super().__init__()
        self._lines = list(LINES if lines is None else lines)
        self.reachable = reachable
        self.calls: list[tuple[str, str]] = []
        self.cancels = 0
        self.muted: bool | None = None
        self.ratings: list[int] = []
        self.closed = False
        self.refreshes = 0
        self._picture: RemoteVideoFrame | None = None
        self._guest_picture: RemoteVideoFrame | None = None
        #: The connected call's help; None with no call connected.
        self.scripted_help: ScriptedHelp | None = None

    # ---- what the screen calls ----------------------------------------------------------------

    def lines(self) -> list[AdviceLine]:
        return list(self._lines)

    def refresh_lines(self) -> Future[list[AdviceLine]]:
        self.refreshes += 1
        future: Future[list[AdviceLine]] = Future()
        if self.reachable:
            future.set_result(list(self._lines))
        else:
            future.set_exception(ConnectionRefusedError("hub unreachable"))
        return future

    def start(self, line: str, language: str) -> None:
        self.calls.append((line, language))
        self._report(AdviceStatus(AdvicePhase.REQUESTING, line=line))

    @property
    def help(self) -> CallHelp | None:
        return self.scripted_help  # type: ignore[return-value]

    def cancel(self) -> None:
        self.cancels += 1
        connected = self.status.phase is AdvicePhase.CONNECTED
        self._close_help()
        self._report(
            AdviceStatus(
                AdvicePhase.ENDED,
                line=self.status.line,
                call="c1",
                reason="kiosk_hung_up" if connected else "cancelled",
                can_rate=connected,
            )
        )

    def set_muted(self, muted: bool) -> None:
        self.muted = muted

    def rate(self, stars: int) -> None:
        self.ratings.append(stars)

    def take_remote_video(self) -> RemoteVideoFrame | None:
        picture, self._picture = self._picture, None
        return picture

    def take_guest_video(self) -> RemoteVideoFrame | None:
        picture, self._guest_picture = self._guest_picture, None
        return picture

    def close(self) -> None:
        self.closed = True

    # ---- what the test makes the hub say ------------------------------------------------------

    def set_lines(self, lines: list[AdviceLine]) -> None:
        """What the next `refresh_lines` gives (the lines' states have changed)."""
        self._lines = list(lines)

    def queued(self, position: int, wait_s: int) -> None:
        self._report(
            AdviceStatus(
                AdvicePhase.QUEUED,
                line=self.status.line,
                call="c1",
                position=position,
                estimated_wait_s=wait_s,
            )
        )

    def answered(self) -> None:
        """The advisor answers: the call connects, with its help (`scripted_help`, its
        channels not open until `scripted_help.open()`)."""
        self.scripted_help = ScriptedHelp(self)
        self._report(AdviceStatus(AdvicePhase.CONNECTED, line=self.status.line, call="c1"))

    def _close_help(self) -> None:
        if self.scripted_help is not None:
            self.scripted_help.close()
            self.scripted_help = None

    def advisor_picture(self, width: int = 640, height: int = 480) -> None:
        rgb = np.zeros((height, width, 3), np.uint8)
        rgb[:, :, 2] = 200  # a blue picture
        rgb[height // 3 : 2 * height // 3, width // 3 : 2 * width // 3] = 230
        self._picture = RemoteVideoFrame(rgb, width, height, 1)
        if self.on_remote_video is not None:
            self.on_remote_video()

    def guest_joins(self, guest: CallGuest, picture: tuple[int, int] = (640, 480)) -> None:
        """A third person joins the connected call, and their picture comes (green)."""
        self._report(replace(self.status, guest=guest))
        width, height = picture
        rgb = np.zeros((height, width, 3), np.uint8)
        rgb[:, :, 1] = 180
        self._guest_picture = RemoteVideoFrame(rgb, width, height, 1)
        if self.on_remote_video is not None:
            self.on_remote_video()

    def guest_leaves(self) -> None:
        self._report(replace(self.status, guest=None))

    def host_leaves(self) -> None:
        """The advisor leaves the call to its guest, who is the host now (and the help goes
        with the advisor)."""
        guest = self.status.guest
        assert guest is not None
        self._close_help()
        self._report(replace(self.status, line=guest.line, guest=None))

    def ended(self, reason: str, *, can_rate: bool) -> None:
        self._close_help()
        self._report(
            AdviceStatus(
                AdvicePhase.ENDED,
                line=self.status.line,
                call="c1",
                reason=reason,
                can_rate=can_rate,
            )
        )

    def hub_lost(self) -> None:
        """The client lost the hub: the lines cannot be asked for until it is back."""
        self.reachable = False
        self._report(AdviceStatus(AdvicePhase.UNAVAILABLE, reason="hub_lost"))

    def hub_back(self) -> None:
        self.reachable = True
        self._report(AdviceStatus(AdvicePhase.IDLE))

    @property
    def listeners(self) -> int:
        """How many subscribers still listen (a screen that is gone must have unsubscribed)."""
        return len(self._listeners)

    def refused(self, reason: str, next_opening: datetime | None = None) -> None:
        self._report(
            AdviceStatus(
                AdvicePhase.REFUSED, line=self.status.line, reason=reason, next_opening=next_opening
            )
        )
