"""Service lines: who a kiosk call can reach, in which languages, and when the line is open
(opening hours and times: hub.hours).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from hub.hours import HELSINKI, LANGUAGES, WEEKDAYS, DayRanges, clock_time, helsinki_time, parse_day


@dataclass(frozen=True)
class ServiceLine:
    """One advice service that kiosks can call, as configured under [lines.<id>]."""

    id: str
    name_fi: str
    name_sv: str = ""
    name_en: str = ""
    description_fi: str = ""
    description_sv: str = ""
    description_en: str = ""
    phone: str = ""
    languages: tuple[str, ...] = LANGUAGES
    #: Weekday ("mon".."sun") → that day's ranges; a missing day is closed.
    hours: dict[str, DayRanges] = field(default_factory=dict)
    ring_seconds: int = 20
    advisors: tuple[str, ...] = ()
    #: Whether a PDF an advisor of this line sends in a call prints free at the kiosk.
    advisor_documents_print_free: bool = True
    #: The language this line's advisors interpret (BCP 47, e.g. "fse"): an interpreter line,
    #: invited into calls by advisors and never called by citizens. "": a service line.
    interpreting: str = ""

    def name(self, language: str) -> str:
        """The name in `language`, falling back to Finnish."""
        return str(getattr(self, f"name_{language}", "")) or self.name_fi

    def description(self, language: str) -> str:
        return str(getattr(self, f"description_{language}", "")) or self.description_fi

    def open_at(self, moment: datetime) -> bool:
        """Whether the line takes calls at `moment` (an aware datetime)."""
        local = helsinki_time(moment)
        now = local.hour * 60 + local.minute
        ranges = self.hours.get(WEEKDAYS[local.weekday()], ())
        return any(start <= now < end for start, end in ranges)

    def next_opening(self, moment: datetime) -> datetime | None:
        """When the line next opens after `moment` (aware, Helsinki time); None if it never does.

        While the line is open this is the start of its next opening, not `moment`.
        """
        local = helsinki_time(moment)
        for offset in range(8):
            day: date = local.date() + timedelta(days=offset)
            for start, _end in self.hours.get(WEEKDAYS[day.weekday()], ()):
                opening = datetime.combine(day, clock_time(start), tzinfo=HELSINKI)
                if opening > local:
                    return opening
        return None


def _weekdays(text: str) -> dict[str, DayRanges]:
    ranges = parse_day(text)
    assert ranges is not None
    return dict.fromkeys(WEEKDAYS[:5], ranges)


#: The demo's lines: Helsinki's Virka-info and the state's citizen advice.
DEFAULT_LINES: dict[str, ServiceLine] = {
    "virka-info": ServiceLine(
        id="virka-info",
        name_fi="Virka-info",
        name_sv="Virka-info",
        name_en="Virka-info",
        description_fi="Helsingin kaupungin neuvonta: kaupungin palvelut, asiointi ja lomakkeet.",
        description_sv="Helsingfors stads rådgivning: stadens tjänster, ärenden och blanketter.",
        description_en="City of Helsinki advice: city services, errands and forms.",
        phone="+358 9 310 11111",
        hours=_weekdays("09:00-16:00"),
    ),
    "kansalaisneuvonta": ServiceLine(
        id="kansalaisneuvonta",
        name_fi="Kansalaisneuvonta",
        name_sv="Medborgarrådgivningen",
        name_en="Citizens' Advice",
        description_fi="Valtion neuvontapalvelu: autamme löytämään oikean viranomaisen "
        "ja palvelun.",
        description_sv="Statens rådgivning: vi hjälper dig att hitta rätt myndighet och tjänst.",
        description_en="The state's advice service: we help you find the right authority "
        "and service.",
        phone="0295 000 160",
        hours=_weekdays("09:00-16:00"),
    ),
}
