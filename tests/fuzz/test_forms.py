"""Form definitions fuzzed in-process (eforms): a malformed definition gives the one clear
FormDefinitionError, never another exception; a catalogue with it keeps the others; and the
answers to a good form, whatever a kiosk sends, give problems by field, never a crash."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from eforms import validators
from eforms.definition import (
    FormDefinitionError,
    check_answers,
    load_catalogue,
    load_definition,
    shipped_sources,
)
from tests.fuzz import strategies as fz
from tests.fuzz.tally import tried

#: In-process cases cost little: four times the profile's number.
MORE = settings(max_examples=4 * settings.default.max_examples)

SHIPPED = {name: json.loads(data) for name, data in shipped_sources()}
FORMS = {definition.id: definition for definition in load_catalogue(shipped_sources())[0]}

DEFINITIONS = st.one_of(
    *(fz.mutated(definition) for definition in SHIPPED.values()),
    fz.json_values(),
)


def _changed(change: Callable[[dict[str, Any]], None]) -> bytes:
    definition = copy.deepcopy(SHIPPED["library-card.json"])
    change(definition)
    return json.dumps(definition).encode()


def _first_property(definition: dict[str, Any]) -> str:
    return next(iter(definition["schema"]["properties"]))


#: What the fuzzing found, each once a traceback of another type than FormDefinitionError.
FOUND = {
    "a UI element that is not an object": _changed(
        lambda d: d["uischema"]["elements"].__setitem__(0, None)
    ),
    "a property schema of true": _changed(
        lambda d: d["schema"]["properties"].__setitem__(_first_property(d), True)
    ),
    "a UI element type that is a list": _changed(
        lambda d: d["uischema"].__setitem__("type", ["Group"])
    ),
    "a scope that is a number": _changed(
        lambda d: d["uischema"]["elements"][0]["elements"][0].__setitem__("scope", 5)
    ),
    "UTF-32 cut short": b"\x00\x00\x00{\x00",
    "a number of 5000 digits": b'{"x": ' + b"9" * 5000 + b"}",
    "nesting 100 000 deep": b"[" * 100_000,
}


@pytest.mark.parametrize("data", FOUND.values(), ids=FOUND.keys())
def test_what_the_fuzzing_found_gives_a_clear_error(data: bytes) -> None:
    with pytest.raises(FormDefinitionError):
        load_definition(data)


@MORE
@given(definition=DEFINITIONS)
def test_a_malformed_definition_gives_a_clear_error(definition: Any) -> None:
    tried("form definitions (parsed)")
    try:
        load_definition(fz.encode(definition))
    except FormDefinitionError as error:
        assert str(error)


@MORE
@given(data=st.one_of(fz.raw_bodies(), DEFINITIONS.map(fz.encode)))
def test_definition_bytes_give_a_definition_or_a_clear_error(data: bytes) -> None:
    tried("form definitions (bytes)")
    forms, errors = load_catalogue([("broken.json", data), *shipped_sources()])
    assert len(forms) + len(errors) == 1 + len(SHIPPED)
    assert {form.id for form in FORMS.values()} <= {form.id for form in forms} | {
        error.form_id for error in errors
    }


def _answers(form_id: str) -> st.SearchStrategy[tuple[str, Any]]:
    example = {field.name: "x" for field in FORMS[form_id].fields}
    return st.tuples(st.just(form_id), st.one_of(fz.mutated(example), fz.json_values()))


ANSWERS = st.one_of(*(_answers(form_id) for form_id in sorted(FORMS)))


@MORE
@given(answers=ANSWERS)
def test_any_answers_give_problems_by_field(answers: tuple[str, Any]) -> None:
    tried("form answers")
    form_id, given_answers = answers
    if not isinstance(given_answers, dict):
        given_answers = {"answer": given_answers}
    problems = check_answers(FORMS[form_id], given_answers)
    assert all(isinstance(text, str) for text in problems.values())


#: Formats whose standard form is digits (and letters): what they accept is ASCII.
DIGIT_FORMATS = ("fi-hetu", "iban", "fi-postal-code", "number", "date")
TYPED = st.one_of(
    fz.nasty_text(),
    st.text(st.sampled_from("0123456789.,-+ AFTUXY٠١٢٣٤٥٦٧٨٩𝟏\uff11²"), max_size=24),
)


@MORE
@given(kind=st.sampled_from(sorted(validators.CHECKS)), text=TYPED)
@example(kind="fi-postal-code", text="٠٠١٠٠")
@example(kind="number", text="١٢")
@example(kind="date", text="٢٤.١٢.٢٠٢٦")
def test_a_typed_value_is_checked_and_digits_are_ascii(kind: str, text: str) -> None:
    """Found by the fuzzing: a postal code, a number and a date in other scripts' digits
    (٠٠١٠٠) were accepted and sent on as they were typed."""
    tried("form field checks")
    checked = validators.check(kind, text)
    assert checked.ok or isinstance(checked.error, str)
    if checked.ok and kind in DIGIT_FORMATS:
        assert checked.value.isascii(), checked
