"""The callback request and a booking's details as forms (eforms), shown with the Forms
service's pages, checks, summary and keyboard. A callback: the contact on one page, then the
topic, the time of day and the language. A booking: the topic and, if the citizen wishes, a
contact for the advisor. The topics and times are the hub's, named in each language by it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eforms import LANGUAGES
from eforms.definition import FormDefinition, load_definition
from kiosk.appointments.callback import CallbackRequest
from kiosk.appointments.contact import check_contact
from kiosk.appointments.options import CALLBACK_LANGUAGES, AppointmentOptions
from kiosk.i18n import N_, NATIVE_NAMES

TITLE = N_("Ask for a callback: {line}")
CONTACT_PAGE = N_("How to reach you")
CONTACT = N_("Your phone number or e-mail address")
CONTACT_HELP = N_(
    "For example 040 123 4567 or name@example.fi. Only the advisor who takes your request sees it."
)
ABOUT_PAGE = N_("What and when")
TOPIC = N_("What is it about?")
TIME_OF_DAY = N_("When would suit you?")
LANGUAGE = N_("In which language?")
BOOK_TITLE = N_("Book a video appointment: {line}")
DETAILS_PAGE = N_("About the appointment")
BOOK_CONTACT = N_("Your phone number or e-mail address (if you wish)")
BOOK_CONTACT_HELP = N_(
    "Only the advisor sees it, to reach you if the time must change. You can leave it empty."
)

#: A message in a language: `(language, message id) -> text`.
TranslateIn = Callable[[str, str], str]


def callback_definition(
    options: AppointmentOptions, line_names: Mapping[str, str], t_in: TranslateIn
) -> FormDefinition:
    """The form a citizen fills in to be called back on the line named `line_names`."""
    properties: dict[str, Any] = {
        "contact": {"type": "string", "maxLength": 254, "x-sensitive": True},
        "topic": {"type": "string", "enum": [t.id for t in options.topics]},
        "time_of_day": {"type": "string", "enum": [t.id for t in options.times_of_day]},
        "language": {"type": "string", "enum": list(CALLBACK_LANGUAGES)},
    }
    pages = [
        {
            "type": "Category",
            "i18n": "reach",
            "elements": [{"type": "Control", "scope": "#/properties/contact"}],
        },
        {
            "type": "Category",
            "i18n": "about",
            "elements": [
                {"type": "Control", "scope": "#/properties/topic"},
                {"type": "Control", "scope": "#/properties/time_of_day"},
                {"type": "Control", "scope": "#/properties/language"},
            ],
        },
    ]
    texts: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        line = line_names.get(lang) or line_names.get("fi") or ""
        words = {
            "title": t_in(lang, TITLE).format(line=line),
            "reach.label": t_in(lang, CONTACT_PAGE),
            "about.label": t_in(lang, ABOUT_PAGE),
            "contact.label": t_in(lang, CONTACT),
            "contact.description": t_in(lang, CONTACT_HELP),
            "topic.label": t_in(lang, TOPIC),
            "time_of_day.label": t_in(lang, TIME_OF_DAY),
            "language.label": t_in(lang, LANGUAGE),
        }
        for topic in options.topics:
            words[f"topic.{topic.id}"] = topic.name(lang)
        for time in options.times_of_day:
            words[f"time_of_day.{time.id}"] = time.name(lang)
        for code in CALLBACK_LANGUAGES:
            words[f"language.{code}"] = NATIVE_NAMES[code]
        texts[lang] = words
    return load_definition(
        {
            "id": "callback",
            "version": 1,
            "schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": properties,
                "required": ["contact", "topic", "time_of_day", "language"],
            },
            "uischema": {"type": "Categorization", "elements": pages},
            "i18n": texts,
            # Not delivered as a form: the answers make a callback request (outbox kind
            # "callback"); the hub keeps the contact sealed for the line's advisors.
            "delivery": {"to": "email", "address": ""},
            "citizen_copy": False,
        }
    )


def booking_definition(
    options: AppointmentOptions, line_names: Mapping[str, str], t_in: TranslateIn
) -> FormDefinition:
    """What a booking is about, and an optional contact for the advisor holding the slot."""
    properties: dict[str, Any] = {
        "topic": {"type": "string", "enum": [t.id for t in options.topics]},
        "contact": {"type": "string", "maxLength": 254, "x-sensitive": True},
    }
    page = {
        "type": "Category",
        "i18n": "details",
        "elements": [
            {"type": "Control", "scope": "#/properties/topic"},
            {"type": "Control", "scope": "#/properties/contact"},
        ],
    }
    texts: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        line = line_names.get(lang) or line_names.get("fi") or ""
        words = {
            "title": t_in(lang, BOOK_TITLE).format(line=line),
            "details.label": t_in(lang, DETAILS_PAGE),
            "topic.label": t_in(lang, TOPIC),
            "contact.label": t_in(lang, BOOK_CONTACT),
            "contact.description": t_in(lang, BOOK_CONTACT_HELP),
        }
        for topic in options.topics:
            words[f"topic.{topic.id}"] = topic.name(lang)
        texts[lang] = words
    return load_definition(
        {
            "id": "booking",
            "version": 1,
            "schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": properties,
                "required": ["topic"],
            },
            "uischema": {"type": "Categorization", "elements": [page]},
            "i18n": texts,
            # Not delivered as a form: the answers go with the booking to the hub.
            "delivery": {"to": "email", "address": ""},
            "citizen_copy": False,
        }
    )


def contact_problems(answers: Mapping[str, Any], *, required: bool = True) -> dict[str, str]:
    """What is wrong with the contact the answers give, beside the form's own checks."""
    checked = check_contact(str(answers.get("contact", "")), required=required)
    return {"contact": checked.error} if checked.error is not None else {}


def callback_request(line: str, answers: Mapping[str, Any]) -> CallbackRequest:
    """The request the form's answers make (checked before: a bad contact raises ValueError)."""
    contact = check_contact(str(answers.get("contact", ""))).contact
    if contact is None:
        raise ValueError("the callback form's contact is neither a phone number nor an address")
    return CallbackRequest(
        line=line,
        topic=str(answers["topic"]),
        time_of_day=str(answers["time_of_day"]),
        language=str(answers["language"]),
        contact=contact,
    )
