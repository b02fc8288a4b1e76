"""Form definitions as data: a JSON Schema (2020-12) for the answers, a JSON Forms UI schema for
the pages, and every text in fi, sv and en, as JSON Forms' i18n keys.

A definition is a JSON object:

    {"id": "library-card", "version": 1, "topic": "library",
     "schema":   {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                  "properties": {"name": {"type": "string"}, ...}, "required": [...]},
     "uischema": {"type": "Categorization", "elements": [
                  {"type": "Category", "i18n": "you", "elements": [
                     {"type": "Control", "scope": "#/properties/name"}, ...]}, ...]},
     "i18n": {"fi": {"title": "...", "you.label": "...", "name.label": "...",
                     "name.description": "..."}, "sv": {...}, "en": {...}},
     "delivery": {"to": "email", "address": "neuvonta@example.fi"},
     "citizen_copy": true}

An attachment field (pages from the Scan service) is an array whose items have
`"contentMediaType": "application/pdf"`; its answer is the chosen files' names.

Keys follow JSON Forms: a Control's texts are `<property>.label` and `<property>.description`
(or `<i18n>.label` when it names its own key), a Category's or Group's `<i18n>.label`, an
enum option's `<property>.<value>`.

A consent is a yes/no field (`"type": "boolean"`, usually `"const": true`) whose i18n has the
text the citizen agrees to, `<property>.x-consent-text`, in every language, and optionally its
heading, `<property>.x-consent-title` (the field's label by default). The kiosk shows the text
in full, scrollable, when the citizen asks to read it beside the box to tick. It is plain
text: an empty line between paragraphs, "• " before a list item. Write what is really agreed
to; a summary says it is one and where the full text is.

`load_definition` checks all of it and raises `FormDefinitionError` naming the form and the
first problem; `check_answers` validates a citizen's answers with jsonschema and the Finnish
checks of eforms.validators.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eforms import LANGUAGES, validators

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: An attachment field's items: `{"type": "string", "contentMediaType": "application/pdf"}`.
ATTACHMENT_TYPE = "application/pdf"
LAYOUTS = {"VerticalLayout", "HorizontalLayout", "Group", "Categorization", "Category"}
#: Far more than any form needs (a Categorization of Categories of Groups is three).
MAX_LAYOUT_DEPTH = 16
#: The i18n key endings of a consent's text and its heading (`<property>.x-consent-text`).
CONSENT_TEXT = ".x-consent-text"
#: Formats whose answers are always sensitive (`Field.sensitive`).
SENSITIVE_FORMATS = frozenset({"fi-hetu", "iban"})
CONSENT_TITLE = ".x-consent-title"
#: Formats a field may have: the Finnish checks, and the standard ones we check the same way.
FORMATS = set(validators.CHECKS)

#: The shape of a definition itself (the answers' schema and the UI schema are checked apart).
_ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["id", "version", "schema", "uischema", "i18n", "delivery"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9-]{1,64}$"},
        "version": {"type": "integer", "minimum": 1},
        "topic": {"type": "string", "pattern": "^[a-z0-9-]{1,32}$"},
        "schema": {"type": "object"},
        "uischema": {"type": "object"},
        "i18n": {
            "type": "object",
            "required": list(LANGUAGES),
            "additionalProperties": False,
            "properties": {
                lang: {"type": "object", "additionalProperties": {"type": "string"}}
                for lang in LANGUAGES
            },
        },
        "delivery": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["to", "address"],
                    "additionalProperties": False,
                    "properties": {"to": {"const": "email"}, "address": {"type": "string"}},
                },
                {
                    "type": "object",
                    "required": ["to", "url"],
                    "additionalProperties": False,
                    "properties": {
                        "to": {"const": "http"},
                        "url": {"type": "string", "pattern": "^https://"},
                    },
                },
            ]
        },
        "citizen_copy": {"type": "boolean"},
    },
}


class FormDefinitionError(ValueError):
    """A definition that cannot be used; str() names the form and what is wrong."""

    def __init__(self, form_id: str, problem: str) -> None:
        super().__init__(f"form {form_id!r}: {problem}")
        self.form_id = form_id
        self.problem = problem


@dataclass(frozen=True)
class Field:
    """One Control of the form: its property, page and what it accepts."""

    name: str
    page: int
    schema: Mapping[str, Any]
    required: bool
    #: The i18n key stem of its texts (the property name unless the Control names one).
    key: str

    @property
    def format(self) -> str | None:
        found = self.schema.get("format")
        return str(found) if found is not None else None

    @property
    def sensitive(self) -> bool:
        """Whether what the citizen writes here is kept from anyone watching the screen (a
        shared screen in a video call): a personal identity code or a bank account always, any
        other field whose property says `"x-sensitive": true`."""
        return self.schema.get("x-sensitive") is True or self.format in SENSITIVE_FORMATS

    @property
    def personal(self) -> bool:
        """Whether what the citizen writes here is said aloud through headphones only: every
        sensitive field, and any other whose property says `"x-personal": true` (an address)."""
        return self.sensitive or self.schema.get("x-personal") is True

    @property
    def is_attachment(self) -> bool:
        """Files the citizen attaches: an array of PDF documents (JSON Schema's
        contentMediaType); the answer is their file names, the files travel beside it."""
        items = self.schema.get("items", {})
        return (
            self.schema.get("type") == "array"
            and isinstance(items, Mapping)
            and items.get("contentMediaType") == ATTACHMENT_TYPE
        )


@dataclass(frozen=True)
class FormDefinition:
    id: str
    version: int
    topic: str
    schema: Mapping[str, Any]
    uischema: Mapping[str, Any]
    i18n: Mapping[str, Mapping[str, str]]
    delivery: Mapping[str, str]
    citizen_copy: bool
    #: Page titles' i18n keys, in order, and the fields in the order they are shown.
    pages: tuple[str, ...]
    fields: tuple[Field, ...]

    def text(self, language: str, key: str) -> str:
        return self.i18n[language].get(key, "")

    def consent(self, field: Field, language: str) -> tuple[str, str] | None:
        """The heading and the text a consent field's citizen agrees to, or None when the
        field is no consent (has no `x-consent-text`)."""
        text = self.text(language, f"{field.key}{CONSENT_TEXT}")
        if not text:
            return None
        title = self.text(language, f"{field.key}{CONSENT_TITLE}")
        return title or self.text(language, f"{field.key}.label"), text

    def title(self, language: str) -> str:
        return self.text(language, "title")


def load_definition(data: bytes | str | Mapping[str, Any]) -> FormDefinition:
    """A checked definition from JSON text or an already parsed object."""
    if isinstance(data, bytes | str):
        try:
            raw = json.loads(data)
        except json.JSONDecodeError as exc:
            raise FormDefinitionError("?", f"not JSON ({exc.msg} at line {exc.lineno})") from None
        except UnicodeDecodeError:
            raise FormDefinitionError("?", "not JSON (not UTF-8 text)") from None
        except ValueError:  # json's other refusal: an integer of more than 4300 digits
            raise FormDefinitionError("?", "not JSON (a number too long to read)") from None
        except RecursionError:
            raise FormDefinitionError("?", "not JSON (nested too deeply)") from None
    else:
        raw = dict(data)
    form_id = str(raw.get("id", "?")) if isinstance(raw, dict) else "?"
    try:
        return _checked(form_id, raw)
    except RecursionError:
        raise FormDefinitionError(form_id, "nested too deeply") from None


def _checked(form_id: str, raw: Any) -> FormDefinition:
    import jsonschema

    envelope = jsonschema.Draft202012Validator(_ENVELOPE)
    for error in sorted(envelope.iter_errors(raw), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "the definition"
        raise FormDefinitionError(form_id, f"{where}: {error.message}")
    schema = raw["schema"]
    if schema.get("$schema") != SCHEMA_DIALECT:
        raise FormDefinitionError(form_id, f'schema: "$schema" must be "{SCHEMA_DIALECT}"')
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise FormDefinitionError(form_id, f"schema: {exc.message}") from None
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise FormDefinitionError(form_id, "schema: the answers must be an object of properties")
    properties: dict[str, Any] = schema["properties"]
    required = set(schema.get("required", []))
    pages: list[str] = []
    fields: list[Field] = []
    for page_key, element in _controls(form_id, raw["uischema"], pages):
        scope = element.get("scope", "")
        name = scope.removeprefix("#/properties/") if isinstance(scope, str) else ""
        if (
            not isinstance(scope, str)
            or not scope.startswith("#/properties/")
            or name not in properties
        ):
            raise FormDefinitionError(form_id, f"uischema: {scope!r} is not a property of schema")
        if any(f.name == name for f in fields):
            raise FormDefinitionError(form_id, f"uischema: {name!r} is shown twice")
        key = str(element.get("i18n", name))
        fields.append(Field(name, page_key, properties[name], name in required, key))
    for name, spec in properties.items():
        if not isinstance(spec, dict):  # JSON Schema allows true and false; a field needs more
            raise FormDefinitionError(form_id, f"schema: {name!r} must be a schema object")
        fmt = spec.get("format")
        if fmt is not None and fmt not in FORMATS:
            raise FormDefinitionError(
                form_id, f"schema: {name!r} has format {fmt!r}; known: {', '.join(sorted(FORMATS))}"
            )
    missing = [name for name in properties if not any(f.name == name for f in fields)]
    if missing:
        raise FormDefinitionError(form_id, f"uischema: no Control shows {', '.join(missing)}")
    definition = FormDefinition(
        id=raw["id"],
        version=raw["version"],
        topic=raw.get("topic", "other"),
        schema=schema,
        uischema=raw["uischema"],
        i18n=raw["i18n"],
        delivery=raw["delivery"],
        citizen_copy=bool(raw.get("citizen_copy", False)),
        pages=tuple(pages),
        fields=tuple(fields),
    )
    _check_texts(definition)
    return definition


def _controls(
    form_id: str, element: object, pages: list[str], page: int = -1, depth: int = 0
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """The Controls of a UI schema in order, with the page (Category) each is on."""
    if not isinstance(element, Mapping):
        raise FormDefinitionError(
            form_id, f"uischema: an element must be an object, not {element!r:.40}"
        )
    if depth > MAX_LAYOUT_DEPTH:
        raise FormDefinitionError(
            form_id, f"uischema: layouts nested deeper than {MAX_LAYOUT_DEPTH}"
        )
    kind = element.get("type")
    if kind == "Control":
        yield max(page, 0), element
        return
    if not isinstance(kind, str) or kind not in LAYOUTS:
        raise FormDefinitionError(form_id, f"uischema: unknown element type {kind!r}")
    if kind == "Category":
        key = element.get("i18n")
        if not isinstance(key, str):
            raise FormDefinitionError(form_id, "uischema: a Category needs its i18n key")
        pages.append(key)
        page = len(pages) - 1
    children = element.get("elements", [])
    if not isinstance(children, list) or not children:
        raise FormDefinitionError(form_id, f"uischema: a {kind} needs elements")
    for child in children:
        yield from _controls(form_id, child, pages, page, depth + 1)


def _check_texts(definition: FormDefinition) -> None:
    needed = ["title", *(f"{page}.label" for page in definition.pages)]
    for field in definition.fields:
        needed.append(f"{field.key}.label")
        for option in field.schema.get("enum", []):
            needed.append(f"{field.key}.{option}")
        items = field.schema.get("items")
        for option in items.get("enum", []) if isinstance(items, dict) else []:
            needed.append(f"{field.key}.{option}")
    for language in LANGUAGES:
        texts = definition.i18n[language]
        for key in needed:
            if not texts.get(key, "").strip():
                raise FormDefinitionError(definition.id, f"i18n.{language} lacks {key!r}")
    _check_consents(definition)


def _check_consents(definition: FormDefinition) -> None:
    """A consent's text belongs to a yes/no field and is there in every language."""
    flags = {f.key for f in definition.fields if f.schema.get("type") == "boolean"}
    consents: set[str] = set()
    for language in LANGUAGES:
        for key, value in definition.i18n[language].items():
            for ending in (CONSENT_TEXT, CONSENT_TITLE):
                if not key.endswith(ending):
                    continue
                stem = key.removesuffix(ending)
                if stem not in flags:
                    raise FormDefinitionError(
                        definition.id,
                        f"i18n.{language}: {key!r} belongs to no yes/no (boolean) field",
                    )
                if not value.strip():
                    raise FormDefinitionError(definition.id, f"i18n.{language}: {key!r} is empty")
                if ending == CONSENT_TEXT:
                    consents.add(stem)
    for language in LANGUAGES:
        texts = definition.i18n[language]
        for stem in sorted(consents):
            if not texts.get(f"{stem}{CONSENT_TEXT}", "").strip():
                raise FormDefinitionError(
                    definition.id, f"i18n.{language} lacks {stem + CONSENT_TEXT!r}"
                )
        for key in texts:
            stem = key.removesuffix(CONSENT_TITLE)
            if key.endswith(CONSENT_TITLE) and stem not in consents:
                raise FormDefinitionError(
                    definition.id, f"i18n.{language}: {key!r} titles no {CONSENT_TEXT!r}"
                )


def check_answers(definition: FormDefinition, answers: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with the answers, by field: a message id of eforms.validators, or
    jsonschema's own words for a rule the form itself sets. Empty when all is well."""
    import jsonschema

    problems: dict[str, str] = {}
    for field in definition.fields:
        value = answers.get(field.name)
        # An unticked box that must be ticked (const true) is as missing as an empty field.
        unticked = field.schema.get("const") is True and value is False
        if (field.required and value in ("", None, [])) or unticked:
            problems[field.name] = validators.REQUIRED
    for field in definition.fields:
        value = answers.get(field.name)
        if field.name in problems:
            continue
        if field.format is not None and isinstance(value, str) and value.strip():
            checked = validators.check(field.format, value)
            if checked.error is not None:
                problems[field.name] = checked.error
    validator = jsonschema.Draft202012Validator(definition.schema)
    for error in validator.iter_errors(dict(answers)):
        if error.validator == "required":
            for name in error.validator_value:
                if name not in answers or answers[name] in ("", None, []):
                    problems.setdefault(name, validators.REQUIRED)
        elif error.absolute_path:
            problems.setdefault(str(error.absolute_path[0]), error.message)
    return problems


#: The forms that ship with the kiosk (the hub serves its own catalogue to kiosks later).
SHIPPED = Path(__file__).resolve().parent / "catalogue"


def load_catalogue(
    sources: Iterable[tuple[str, bytes]],
) -> tuple[list[FormDefinition], list[FormDefinitionError]]:
    """Every definition that checks out, and an error for each that does not: one malformed
    form never takes the rest of the catalogue with it. `sources` are (name, JSON) pairs."""
    forms: list[FormDefinition] = []
    errors: list[FormDefinitionError] = []
    seen: set[str] = set()
    for name, data in sources:
        try:
            definition = load_definition(data)
        except FormDefinitionError as exc:
            if exc.form_id == "?":
                exc = FormDefinitionError(name, exc.problem)
            errors.append(exc)
            continue
        if definition.id in seen:
            errors.append(FormDefinitionError(definition.id, f"{name}: the id is used twice"))
            continue
        seen.add(definition.id)
        forms.append(definition)
    return forms, errors


def shipped_sources() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(SHIPPED.glob("*.json"))]
