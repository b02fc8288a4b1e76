"""A stand-in for the hub's call service, for the screens' tests and screenshots only: the test
says what the hub would say (queued, answered, ended...) and reads what the screen asked."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import UTC, datetime

import numpy as np

from kiosk.call.advice import AdviceClient, AdviceLine, AdvicePhase, AdviceStatus
from kiosk.call.peer import RemoteVideoFrame

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
    ),
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
        self._picture: RemoteVideoFrame | None = None

    # ---- what the screen calls ----------------------------------------------------------------

    def lines(self) -> list[AdviceLine]:
        return list(self._lines)

    def refresh_lines(self) -> Future[list[AdviceLine]]:
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

    def refused(self, reason: str, next_opening: datetime | None = None) -> None:
        self._report(
            AdviceStatus(
                AdvicePhase.REFUSED, line=self.status.line, reason=reason, next_opening=next_opening
            )
        )
