"""The note of a booked video appointment: its line, day and time, the code, and where it can be
used. The same words go on the screen, on paper (a one-page PDF drawn here, without Qt, for
"print this PDF") and into the e-mail the citizen may send to themselves. Times are Helsinki's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.appointments.booking import Booking
from kiosk.i18n import N_
from kiosk.threads import blocking

HELSINKI = ZoneInfo("Europe/Helsinki")

Translate = Callable[[str], str]

TITLE = N_("Video appointment")
LINE = N_("Service: {line}")
WHEN = N_("Time: {day} at {start}–{end}")
CODE = N_("Your booking code")
WHERE = N_(
    "At that time, enter the code at any library kiosk with video advice, or on your own "
    "device at {url}. Your advisor answers you first."
)
WHERE_KIOSK = N_(
    "At that time, enter the code at any library kiosk with video advice. Your advisor answers "
    "you first."
)
VALID = N_("The code works from {start} to {end}.")
KEEP = N_("Keep the code to yourself: anyone who has it can use your appointment.")
EMAIL_SUBJECT = N_("Your video appointment on {day}")
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)

#: A4 at 150 dots per inch: plenty for text on a kiosk's laser printer.
PAGE = (1240, 1754)
MARGIN = 120
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def clock_text(language: str, moment: datetime) -> str:
    """A time of day in Helsinki as the language writes it: 9.00, or 9:00 in English."""
    local = moment.astimezone(HELSINKI)
    return f"{local.hour}{':' if language == 'en' else '.'}{local.minute:02d}"


def day_text(t: Translate, day: date) -> str:
    """A day with its weekday: "Monday 7.12.2026"."""
    return f"{t(WEEKDAYS[day.weekday()])} {day.day}.{day.month}.{day.year}"


@dataclass(frozen=True)
class Slip:
    booking: Booking
    #: The line's name in the citizen's language.
    line_name: str
    #: The public page for calls from home ("" when the hub offers none).
    home_url: str = ""

    def day(self, t: Translate) -> str:
        return day_text(t, self.booking.starts_at.astimezone(HELSINKI).date())

    def when(self, t: Translate, language: str) -> str:
        b = self.booking
        return t(WHEN).format(
            day=self.day(t),
            start=clock_text(language, b.starts_at),
            end=clock_text(language, b.ends_at),
        )

    def where(self, t: Translate) -> str:
        return t(WHERE).format(url=self.home_url) if self.home_url else t(WHERE_KIOSK)

    def valid(self, t: Translate, language: str) -> str:
        b = self.booking
        if b.valid_from is None or b.valid_until is None:
            return ""
        return t(VALID).format(
            start=clock_text(language, b.valid_from), end=clock_text(language, b.valid_until)
        )

    def lines(self, t: Translate, language: str) -> list[str]:
        """The slip's words top to bottom, the code on its own line after its heading."""
        found = [
            t(TITLE),
            t(LINE).format(line=self.line_name),
            self.when(t, language),
            t(CODE),
            self.booking.shown_code,
            self.where(t),
            self.valid(t, language),
            t(KEEP),
        ]
        return [line for line in found if line]

    def email_subject(self, t: Translate) -> str:
        return t(EMAIL_SUBJECT).format(day=self.day(t))

    def email_text(self, t: Translate, language: str) -> str:
        return "\n\n".join(self.lines(t, language))


def _wrapped(text: str, font: object, width: int) -> list[str]:
    from PIL import ImageFont

    assert isinstance(font, ImageFont.FreeTypeFont)
    words, rows, row = text.split(), [], ""
    for word in words:
        candidate = f"{row} {word}".strip()
        if font.getlength(candidate) <= width or not row:
            row = candidate
        else:
            rows.append(row)
            row = word
    if row:
        rows.append(row)
    return rows


@blocking
def write_slip_pdf(slip: Slip, t: Translate, language: str, path: Path) -> Path:
    """The slip on the top of an A4 page, as a PDF at `path` (in the session's folder)."""
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    title = ImageFont.truetype(str(FONT_BOLD), 56)
    body = ImageFont.truetype(str(FONT), 34)
    code = ImageFont.truetype(str(FONT_BOLD), 110)
    width = PAGE[0] - 2 * MARGIN
    y = MARGIN
    texts = slip.lines(t, language)
    for index, text in enumerate(texts):
        if index == 0:
            font, gap = title, 40
        elif text == slip.booking.shown_code:
            font, gap = code, 40
        else:
            font, gap = body, 22
        for row in _wrapped(text, font, width):
            draw.text((MARGIN, y), row, font=font, fill=0)
            box = draw.textbbox((MARGIN, y), row, font=font)
            y = int(box[3]) + 10
        y += gap
    # A box around the note, to cut or fold along.
    draw.rectangle((MARGIN // 2, MARGIN // 2, PAGE[0] - MARGIN // 2, y + MARGIN // 4), width=3)
    page.save(path, "PDF", resolution=150.0)
    return path
