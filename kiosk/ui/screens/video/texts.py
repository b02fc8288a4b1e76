"""What the video-advice screens say, and how they put times, waits and phone numbers in words."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.i18n import N_, NATIVE_NAMES, NP_
from kiosk.video.advice import AdviceLine, CallGuest, LineState

HELSINKI = ZoneInfo("Europe/Helsinki")

TITLE = N_("Video advice")
HELP_BUTTON_HINT = N_("Talk to an advisor on video")
LOADING = N_("Looking for the advice services…")
CHOOSE = N_("Choose the service whose advisor you want to talk to on video.")
#: Each line's state in the list, before any call: what a call would meet now.
OPEN_NOW = N_("Open now.")
ADVISORS_FREE = NP_("Open now: {n} advisor is free.", "Open now: {n} advisors are free.")
ALL_BUSY = N_("Open now, but all advisors are busy.")
PEOPLE_WAITING = NP_("{n} person is waiting.", "{n} people are waiting.")
NOBODY_WAITING = N_("You would be first in the queue.")
#: An open line with an advisor free: nobody queues, and the call rings at once.
NOBODY_QUEUING = N_("Nobody is waiting.")
UNSTAFFED = N_("Open, but no advisor is available right now.")
BY_PHONE = N_("By phone: {phone}")
CLOSED_NOW = N_("Closed now.")
OPENS_TODAY = N_("Opens today at {time}.")
OPENS_TOMORROW = N_("Opens tomorrow at {time}.")
OPENS_ON = (
    N_("Opens on Monday {date} at {time}."),
    N_("Opens on Tuesday {date} at {time}."),
    N_("Opens on Wednesday {date} at {time}."),
    N_("Opens on Thursday {date} at {time}."),
    N_("Opens on Friday {date} at {time}."),
    N_("Opens on Saturday {date} at {time}."),
    N_("Opens on Sunday {date} at {time}."),
)
LANGUAGES = N_("Languages: {languages}")
CONSENT_HEADING = N_("Check that the camera sees you")
#: Shown before the call: nobody sees the citizen yet.
CONSENT = N_("When an advisor answers, they will see and hear you. The call is not recorded.")
CALL = N_("Call")
BACK = N_("Back")
CALLING = N_("Calling {line}…")
NEXT_IN_QUEUE = N_("You are next in the queue.")
IN_QUEUE = NP_("You are number {n} in the queue.", "You are number {n} in the queue.")
WAIT_MINUTES = NP_("Estimated wait: about {n} minute.", "Estimated wait: about {n} minutes.")
WAIT_SHORT = N_("Estimated wait: less than a minute.")
WAIT_UNKNOWN = N_("Please wait for an advisor to answer.")
#: A call with a booking code, waiting for the advisor who holds its time.
BOOKED_WAIT = N_("You have an appointment: your advisor will answer as soon as they are free.")
#: The booking code: asked on the list of lines, entered on a pad of digits.
HAVE_CODE = N_("I have a booking code")
HAVE_CODE_HINT = N_("For a video appointment you booked")
CODE_HEADING = N_("Enter your booking code")
CODE_HELP = N_("The code has 8 digits. You got it when you booked, on paper or by e-mail.")
CODE_FIELD = N_("Booking code")
CODE_DIGITS = NP_("{n} digit entered of 8.", "{n} digits entered of 8.")
ERASE = N_("Erase")
CALL_WITH_CODE = N_("Call with this code")
CALLING_BOOKED = N_("Calling with your booking code…")
#: Why a call with a booking code (or from home) did not start (docs/appointments.md).
BOOKING_UNKNOWN = N_("This booking code was not found. Check the code and try again.")
BOOKING_EARLY = N_("Your appointment has not started yet. The code works from {time}.")
BOOKING_EARLY_DAY = N_("Your appointment has not started yet. The code works from {day} at {time}.")
BOOKING_EARLY_PLAIN = N_(
    "Your appointment has not started yet. Please come back closer to its time."
)
BOOKING_OVER = N_("The time of this appointment is over, or it was already used or cancelled.")
QUEUE_FULL = N_("Too many people are waiting for {line} right now. Please try again later.")
RATE_LIMITED = N_("Too many calls or codes were tried here. Please try again later.")
TRY_CODE_AGAIN = N_("Enter the code again")
CANCEL = N_("Cancel the call")
CONNECTED = N_("You are talking to an advisor of {line}.")
MUTE = N_("Mute microphone")
GUEST_INTERPRETER = N_("An interpreter of {language} joined the call: {line}.")
GUEST_AUTHORITY = N_("An advisor of {line} joined the call.")
#: The languages interpreter lines interpret, by their code (docs/call-three-party.md); a code
#: not here is shown as it is.
INTERPRETED = {
    "fse": N_("Finnish Sign Language"),
    "fss": N_("Finland-Swedish Sign Language"),
    "ar": N_("Arabic"),
    "so": N_("Somali"),
    "ru": N_("Russian"),
    "uk": N_("Ukrainian"),
}
UNMUTE = N_("Turn microphone on")
MUTED = N_("Your microphone is off: the advisor cannot hear you.")
END_CALL = N_("End call")
ENDED = N_("The call has ended.")
RATE = N_("How useful was the call? Tap a number: 1 = not at all, 5 = very useful.")
STARS = NP_("{n} star", "{n} stars")
THANKS = N_("Thank you for your rating.")
BACK_TO_WHERE = N_("Back to where you were")
LINE_CLOSED = N_("{line} is closed now.")
NOBODY = N_("Nobody at {line} is free to answer right now. Please try again later.")
#: The hub refused the request for another reason than the line's state.
CALL_FAILED = N_("The call to {line} could not be started. Please try again later.")
PHONE = N_("You can also call {line} by phone: {phone}")
CHOOSE_ANOTHER = N_("Choose another service")
UNAVAILABLE = N_("Video advice is not available right now.")
PHONES = N_("You can call the advice services by phone:")
TRY_LATER = N_("Please try again later or ask library staff for help.")

#: Help beside the video: text written both ways as it is typed, a paper shown, and what the
#: advisor sent.
TEXT_HEADING = N_("Write with the advisor")
TEXT_NOT_KEPT = N_("The text is not kept: it is erased when the call ends.")
ADVISOR_WROTE = N_("Advisor")
YOU_WROTE = N_("You")
TEXT_FIELD = N_("Your text to the advisor")
TEXT_PLACEHOLDER = N_("Tap here to write")
SEND_LINE = N_("Send line")
SHOW_PAGE = N_("Show to advisor")
SHOW_HINT = N_("Put the paper under the camera, text side up.")
LOOKING_FOR_PAPER = N_("Looking for the paper…")
PAGE_SHOWN = N_("Page {n} shown to the advisor.")
PAGE_DELIVERED = N_("The advisor has page {n}.")
NO_PAPER = N_("No paper found under the camera.")
PAGE_FAILED = N_("The page could not be sent. Try again.")
ARRIVED_HEADING = N_("Sent to you by the advisor")
ARRIVED_ESERVICE = N_("E-service")
ARRIVED_FORM = N_("Form")
ARRIVED_DOCUMENT = N_("Document")
ARRIVED_WHILE_TYPING = N_("The advisor sent you something. Hide the keyboard to see it.")
DOCUMENT_SAVED = N_("{name} is saved to your documents: you can print it or e-mail it to yourself.")
#: Under every screen while a call goes on elsewhere.
IN_CALL_WITH = N_("In a call with {line}")
BACK_TO_CALL = N_("Back to the call")

Translate = Callable[[str], str]
TranslatePlural = Callable[[str, str, int], str]


def languages_text(t: Translate, line: AdviceLine) -> str:
    names = ", ".join(NATIVE_NAMES.get(code, code) for code in line.languages)
    return t(LANGUAGES).format(languages=names)


def unbroken(phone: str) -> str:
    """A phone number that wraps as a whole, never between its groups of digits."""
    return phone.replace(" ", "\u00a0")


def clock_text(language: str, moment: datetime) -> str:
    """A time of day as the language writes it: 9.00 in Finnish and Swedish, 9:00 in English."""
    separator = ":" if language == "en" else "."
    return f"{moment.hour}{separator}{moment.minute:02d}"


def opening_text(t: Translate, language: str, moment: datetime, now: datetime) -> str:
    """When a closed line opens, from where the citizen stands (Helsinki time): today,
    tomorrow, or the weekday with its date."""
    local, today = moment.astimezone(HELSINKI), now.astimezone(HELSINKI).date()
    time = clock_text(language, local)
    if local.date() == today:
        return t(OPENS_TODAY).format(time=time)
    if local.date() == today + timedelta(days=1):
        return t(OPENS_TOMORROW).format(time=time)
    date = f"{local.day}.{local.month}."
    return t(OPENS_ON[local.weekday()]).format(date=date, time=time)


def state_text(
    nt: TranslatePlural, t: Translate, language: str, line: AdviceLine, now: datetime
) -> str:
    """What a call to `line` would meet now, in a sentence or three, for the list of lines."""
    state = line.state
    if state is LineState.CLOSED or not line.open_now:
        if line.next_opening is None:
            return t(CLOSED_NOW)
        return f"{t(CLOSED_NOW)} {opening_text(t, language, line.next_opening, now)}"
    if state is LineState.AVAILABLE:
        n = max(line.advisors_free, 1)
        # All four facts, as for a busy line: nobody waiting means no wait to speak of.
        waiting = (
            nt(*PEOPLE_WAITING, line.waiting).format(n=line.waiting)
            if line.waiting
            else t(NOBODY_QUEUING)
        )
        return " ".join([nt(*ADVISORS_FREE, n).format(n=n), waiting, t(WAIT_SHORT)])
    if state is LineState.BUSY:
        waiting = (
            nt(*PEOPLE_WAITING, line.waiting).format(n=line.waiting)
            if line.waiting
            else t(NOBODY_WAITING)
        )
        parts = [t(ALL_BUSY), waiting]
        if line.estimated_wait_s is not None:
            parts.append(wait_text(nt, t, line.estimated_wait_s))
        return " ".join(parts)
    if state is LineState.UNSTAFFED:
        phone = f" {t(BY_PHONE).format(phone=unbroken(line.phone))}" if line.phone else ""
        return t(UNSTAFFED) + phone
    return t(OPEN_NOW)


def position_text(nt: TranslatePlural, t: Translate, position: int | None) -> str:
    if position is None:
        return ""
    if position <= 1:
        return t(NEXT_IN_QUEUE)
    return nt(*IN_QUEUE, position).format(n=position)


def wait_text(nt: TranslatePlural, t: Translate, seconds: int | None) -> str:
    if seconds is None:
        return t(WAIT_UNKNOWN)
    if seconds < 60:
        return t(WAIT_SHORT)
    minutes = math.ceil(seconds / 60)
    return nt(*WAIT_MINUTES, minutes).format(n=minutes)


def phones_text(t: Translate, lines: list[AdviceLine], language: str) -> str:
    known = [f"{line.name(language)}: {unbroken(line.phone)}" for line in lines if line.phone]
    if not known:
        return t(TRY_LATER)
    return "\n".join([t(PHONES), *known])


def guest_text(t: Callable[[str], str], language: str, guest: CallGuest) -> str:
    """Who joined the call and why, in the citizen's language."""
    line = guest.name(language)
    if guest.reason == "interpreter" and guest.interpreting:
        spoken = INTERPRETED.get(guest.interpreting)
        name = t(spoken) if spoken else guest.interpreting
        return t(GUEST_INTERPRETER).format(language=name, line=line)
    return t(GUEST_AUTHORITY).format(line=line)


def code_shown(digits: str) -> str:
    """The booking code as far as it is typed, in two groups of four as the slip prints it,
    the digits still to come as dots: "4821 09··"."""
    padded = digits.ljust(8, "\u00b7")
    return f"{padded[:4]}\u2002{padded[4:8]}"


def booking_early_text(
    t: Translate, language: str, opens_at: datetime | None, now: datetime
) -> str:
    """When a booking code used too early starts to work, Helsinki time."""
    if opens_at is None:
        return t(BOOKING_EARLY_PLAIN)
    local, today = opens_at.astimezone(HELSINKI), now.astimezone(HELSINKI).date()
    time = clock_text(language, local)
    if local.date() == today:
        return t(BOOKING_EARLY).format(time=time)
    return t(BOOKING_EARLY_DAY).format(day=f"{local.day}.{local.month}.", time=time)
