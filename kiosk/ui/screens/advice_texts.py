"""What the video-advice screens say, and how they put times, waits and phone numbers in words."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.call.advice import AdviceLine
from kiosk.i18n import N_, NATIVE_NAMES, NP_

HELSINKI = ZoneInfo("Europe/Helsinki")

TITLE = N_("Video advice")
HELP_BUTTON_HINT = N_("Talk to an advisor on video")
LOADING = N_("Looking for the advice services…")
CHOOSE = N_("Choose who you want to talk to. An advisor answers on video.")
OPEN_NOW = N_("Open now")
CLOSED_NOW = N_("Closed now")
LANGUAGES = N_("Languages: {languages}")
CONSENT_HEADING = N_("Check that the camera sees you")
CONSENT = N_("The advisor sees and hears you. Nothing is recorded.")
CALL = N_("Call")
BACK = N_("Back")
CALLING = N_("Calling {line}…")
NEXT_IN_QUEUE = N_("You are next in the queue.")
IN_QUEUE = NP_("You are number {n} in the queue.", "You are number {n} in the queue.")
WAIT_MINUTES = NP_("Estimated wait: about {n} minute.", "Estimated wait: about {n} minutes.")
WAIT_SHORT = N_("Estimated wait: less than a minute.")
WAIT_UNKNOWN = N_("Please wait, an advisor will answer soon.")
CANCEL = N_("Cancel the call")
CONNECTED = N_("You are talking to an advisor of {line}.")
MUTE = N_("Mute microphone")
UNMUTE = N_("Turn microphone on")
MUTED = N_("Your microphone is off: the advisor cannot hear you.")
END_CALL = N_("End call")
ENDED = N_("The call has ended.")
RATE = N_("How useful was the call? Tap a number: 1 = not at all, 5 = very useful.")
STARS = NP_("{n} star", "{n} stars")
THANKS = N_("Thank you for your rating.")
BACK_TO_WHERE = N_("Back to where you were")
LINE_CLOSED = N_("{line} is closed now.")
OPENS_AT = N_("It opens again on {date} at {time}.")
NOBODY = N_("Nobody at {line} is free to answer right now. Please try again later.")
PHONE = N_("You can also call {line} by phone: {phone}")
CHOOSE_ANOTHER = N_("Choose another service")
UNAVAILABLE = N_("Video advice is not available right now.")
PHONES = N_("You can call the advice services by phone:")
TRY_LATER = N_("Please try again later or ask library staff for help.")

Translate = Callable[[str], str]
TranslatePlural = Callable[[str, str, int], str]


def languages_text(t: Translate, line: AdviceLine) -> str:
    names = ", ".join(NATIVE_NAMES.get(code, code) for code in line.languages)
    return t(LANGUAGES).format(languages=names)


def opening_text(t: Translate, moment: datetime) -> str:
    local = moment.astimezone(HELSINKI)
    return t(OPENS_AT).format(
        date=f"{local.day}.{local.month}.{local.year}", time=f"{local.hour:02d}:{local.minute:02d}"
    )


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
    known = [f"{line.name(language)}: {line.phone}" for line in lines if line.phone]
    if not known:
        return t(TRY_LATER)
    return "\n".join([t(PHONES), *known])
