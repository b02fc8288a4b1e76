"""The narrator: what is said in one turn is one utterance, newer speech replaces older, Repeat,
the voice's settings, and personal details only through headphones."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.i18n import Catalogue
from kiosk.speech.describe import Described, Private, Role, phrase, sentences
from kiosk.speech.narrator import Kind, Narrator, Said
from tests.ui.speech_double import HeardEngine


class Turns:
    """The event loop's turns, run by hand: what is scheduled runs at `end_turn()`."""

    def __init__(self) -> None:
        self.queued: list[Callable[[], None]] = []

    def __call__(self, fn: Callable[[], None]) -> None:
        self.queued.append(fn)

    def end_turn(self) -> None:
        queued, self.queued = self.queued, []
        for fn in queued:
            fn()


@pytest.fixture
def turns() -> Turns:
    return Turns()


@pytest.fixture
def engine() -> HeardEngine:
    return HeardEngine()


def narrator_for(engine: HeardEngine, turns: Turns, **kwargs: object) -> Narrator:
    narrator = Narrator(engine, Catalogue(), turns, language="en", **kwargs)  # type: ignore[arg-type]
    return narrator


@pytest.fixture
def narrator(engine: HeardEngine, turns: Turns) -> Narrator:
    narrator = narrator_for(engine, turns)
    narrator.set_headset(True)  # most tests are not about the loudspeaker's notice
    narrator.set_read_aloud(True)
    turns.end_turn()
    engine.heard.clear()
    return narrator


def test_what_one_turn_says_is_one_utterance_and_the_next_turn_replaces_it(
    narrator: Narrator, engine: HeardEngine, turns: Turns
) -> None:
    narrator.say("Print", Kind.SCREEN)
    narrator.say("Choose a document, button", Kind.FOCUS)
    assert engine.heard == []  # nothing until the turn is over
    turns.end_turn()
    assert engine.texts() == ["Print. Choose a document, button."]
    narrator.say("Next, button", Kind.FOCUS)
    turns.end_turn()
    # The engine is told to say the new text instead: it stops the old one itself.
    assert engine.texts()[-1] == "Next, button."


def test_an_alert_goes_first_and_only_the_last_focus_of_a_turn_is_said(
    narrator: Narrator, engine: HeardEngine, turns: Turns
) -> None:
    narrator.say("Home, button", Kind.FOCUS)
    narrator.say("Print, button", Kind.FOCUS)
    narrator.say("The printer is out of paper", Kind.ALERT)
    turns.end_turn()
    assert engine.texts() == ["The printer is out of paper. Print, button."]


def test_nothing_is_said_outside_read_aloud_unless_asked_for(
    engine: HeardEngine, turns: Turns
) -> None:
    narrator = narrator_for(engine, turns)
    narrator.say("Print, button", Kind.FOCUS)
    turns.end_turn()
    assert engine.heard == []
    narrator.say("Are you still there?", Kind.ALERT, always=True)
    turns.end_turn()
    assert engine.texts()[-1].endswith("Are you still there?")


def test_repeat_says_the_last_utterance_again_but_not_an_echo(
    narrator: Narrator, engine: HeardEngine, turns: Turns
) -> None:
    narrator.repeat()
    assert engine.texts() == ["Read aloud is on."]
    fresh = narrator_for(engine, turns)
    fresh.repeat()
    turns.end_turn()
    assert engine.texts()[-1] == "Nothing has been said yet."
    narrator.say("Forms. 4 choices", Kind.SCREEN)
    turns.end_turn()
    narrator.say("a", Kind.ECHO)
    turns.end_turn()
    narrator.repeat()
    assert engine.texts()[-1] == "Forms. 4 choices."


def test_rate_and_volume_change_by_steps_within_bounds_and_reset_for_the_next_citizen(
    narrator: Narrator, engine: HeardEngine, turns: Turns
) -> None:
    start_rate, start_volume = narrator.rate, narrator.volume
    narrator.adjust("faster")
    turns.end_turn()
    assert narrator.rate > start_rate
    assert engine.heard[-1].rate == narrator.rate
    assert engine.texts()[-1] == "Faster."
    for _ in range(10):
        narrator.adjust("louder")
        turns.end_turn()
    assert narrator.volume == 1.0
    assert engine.texts()[-1] == "This is the loudest."
    narrator.adjust("quieter")
    turns.end_turn()
    assert engine.heard[-1].volume == pytest.approx(0.9)
    narrator.reset()
    assert (narrator.rate, narrator.volume, narrator.read_aloud) == (
        start_rate,
        start_volume,
        False,
    )
    with pytest.raises(ValueError):
        narrator.adjust("higher")


def test_personal_details_are_said_only_through_headphones(
    narrator: Narrator, engine: HeardEngine, turns: Turns
) -> None:
    code = Described(
        Role.TEXT_FIELD, "Personal identity code", value="010190-123A", value_private=True
    )
    narrator.say(phrase(code, narrator.t), Kind.FOCUS)
    turns.end_turn()
    assert "010190-123A" in engine.texts()[-1]
    narrator.set_headset(False)
    turns.end_turn()
    narrator.say(phrase(code, narrator.t), Kind.FOCUS)
    turns.end_turn()
    said = engine.texts()[-1]
    assert "010190-123A" not in said
    assert "hidden, plug in headphones to hear it" in said
    # Repeat through the loudspeaker keeps it hidden too.
    narrator.repeat()
    assert "010190-123A" not in engine.texts()[-1]


def test_the_citizen_is_told_before_speech_comes_from_the_loudspeaker(
    engine: HeardEngine, turns: Turns
) -> None:
    narrator = narrator_for(engine, turns)
    heard: list[Said] = []
    narrator.on_said(heard.append)
    narrator.set_read_aloud(True)
    turns.end_turn()
    first = engine.texts()[0]
    assert first.startswith("Speech comes from the loudspeaker")
    assert not heard[0].headset
    narrator.say("Print, button", Kind.FOCUS)
    turns.end_turn()
    assert not engine.texts()[-1].startswith("Speech comes from the loudspeaker")  # told once
    narrator.set_headset(True)
    turns.end_turn()
    assert engine.texts()[-1] == "Headphones connected. Speech comes through the headphones only."
    narrator.set_headset(False)
    narrator.say("Print, button", Kind.FOCUS)
    turns.end_turn()
    # Pulled out: told again, before anything else comes from the loudspeaker.
    assert engine.texts()[-1].startswith("Speech comes from the loudspeaker")
    assert "Headphones removed." in engine.texts()[-1]


def test_a_kiosk_without_a_loudspeaker_for_speech_asks_for_headphones(
    engine: HeardEngine, turns: Turns
) -> None:
    narrator = narrator_for(engine, turns, loudspeaker=False)
    narrator.set_read_aloud(True)
    narrator.say("Print, button", Kind.FOCUS)
    turns.end_turn()
    assert engine.texts() == [
        "To hear the kiosk read aloud, plug headphones into the socket under the screen."
    ]


def test_a_language_name_is_said_in_its_own_voice(
    narrator: Narrator, engine: HeardEngine, turns: Turns
) -> None:
    narrator.say("På svenska, button", Kind.FOCUS, language="sv")
    turns.end_turn()
    assert engine.heard[-1].language == "sv"
    narrator.say("Forms", Kind.SCREEN)
    narrator.say("På svenska, button", Kind.FOCUS, language="sv")
    turns.end_turn()
    assert engine.heard[-1].language == "en"  # mixed: the session's language


def test_without_an_engine_read_aloud_cannot_be_switched_on(turns: Turns) -> None:
    from kiosk.speech.engine import SilentEngine

    narrator = Narrator(SilentEngine(), Catalogue(), turns, language="fi")
    narrator.set_read_aloud(True)
    assert not narrator.read_aloud
    narrator.say("x", Kind.ALERT, always=True)
    narrator.repeat()
    assert turns.queued == []


@pytest.mark.parametrize(
    ("item", "said"),
    [
        (Described(Role.BUTTON, "Print"), "Print, button"),
        (Described(Role.SWITCH, "Larger text", checked=True), "Larger text, switch, on"),
        (Described(Role.OPTION, "By e-mail", checked=False), "By e-mail, option, not chosen"),
        (Described(Role.BUTTON, "Pay", enabled=False), "Pay, button, unavailable"),
        (Described(Role.TEXT_FIELD, "First name"), "First name, text field, empty"),
        (
            Described(Role.TEXT_FIELD, "First name", value="Åsa", error="Write your first name."),
            "First name, text field, Åsa. Write your first name.",
        ),
        (
            Described(Role.PASSWORD, "PIN", value="1234"),
            "PIN, password field, 4 × hidden character",
        ),
        (
            Described(Role.BUTTON, "End session", hint="Ends your session"),
            "End session, button. Ends your session",
        ),
    ],
)
def test_a_control_is_said_as_name_role_state_value_and_error(item: Described, said: str) -> None:
    assert "".join(phrase(item, lambda message: message)) == said


def test_a_private_value_is_a_piece_of_its_own() -> None:
    pieces = phrase(Described(Role.TEXT_FIELD, "IBAN", value="FI21 1234", value_private=True), str)
    assert [p for p in pieces if isinstance(p, Private)] == ["FI21 1234"]
    assert "".join(sentences([("Print",), ("Done.",), ("",)])) == "Print. Done."


@pytest.mark.parametrize(
    ("shown", "said"),
    [
        ("⚠ Write your first name.", "Write your first name."),
        ("✓ 2 pages printed", "2 pages printed"),
        ("‹ All forms, button", "All forms, button"),
        ("Virka-info. Open now., button", "Virka-info. Open now, button"),
        ("Scanned document 1,, button", "Scanned document 1, button"),
        ("Fill in this field..", "Fill in this field."),
        ("3,00\xa0€", "3,00 €"),
    ],
)
def test_the_screens_signs_are_not_read_out(shown: str, said: str) -> None:
    from kiosk.speech.narrator import spoken

    assert spoken(shown) == said
