"""A stand-in for the hub's call service, for the screens' tests and screenshots only: the test
says what the hub would say (queued, answered, ended...) and reads what the screen asked."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np

from kiosk.video.advice import AdviceClient, AdviceLine, AdvicePhase, AdviceStatus, LineState
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

    def cancel(self) -> None:
        self.cancels += 1
        connected = self.status.phase is AdvicePhase.CONNECTED
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
        self._report(AdviceStatus(AdvicePhase.CONNECTED, line=self.status.line, call="c1"))

    def advisor_picture(self, width: int = 640, height: int = 480) -> None:
        rgb = np.zeros((height, width, 3), np.uint8)
        rgb[:, :, 2] = 200  # a blue picture
        rgb[height // 3 : 2 * height // 3, width // 3 : 2 * width // 3] = 230
        self._picture = RemoteVideoFrame(rgb, width, height, 1)
        if self.on_remote_video is not None:
            self.on_remote_video()

    def ended(self, reason: str, *, can_rate: bool) -> None:
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
