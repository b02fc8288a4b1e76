"""Hypothesis strategies for hostile input: JSON of every kind (deep, huge, NaN, control
characters, wrong types), well-formed values with one part changed, raw bytes that are not
JSON at all, query strings, path parameters, and TOML documents."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import strategies as st

#: Text no field should have to take, each seen to break something somewhere: C0 and C1
#: controls, line and paragraph separators, a BOM, a NUL, digits that str.isdigit accepts and
#: int() refuses, a lone surrogate's neighbours, right-to-left override.
NASTY_CHARS = "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x7f\x85\xa0\u2028\u2029\ufeff\u202e\u200b²³¹⁰٣۳߃०"
NASTY_TEXT = (
    "",
    " ",
    "NaN",
    "Infinity",
    "-Infinity",
    "null",
    "²",
    "printed:²",
    "printed:٣",
    "printed:-1",
    "printed:99999999999999999999",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31",
    "0001-01-01",
    "2025-02-30",
    "2025-01-13T08:00:00",
    "2025-01-13T08:00:00Z",
    "1e999",
    "-0",
    "9" * 40,
    "a\nb",
    "subject\x0bline",
    "subject\x85line",
    "subject\u2028line",
    "<script>alert(1)</script>",
    "'; DROP TABLE kiosks; --",
    "%00",
    "../../etc/passwd",
    '=HYPERLINK("x")',
    "x" * 5000,
)
NASTY_NUMBERS = (
    0,
    -1,
    1,
    2**31,
    2**53 + 1,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    2**64,
    10**30,
    10**400,
    0.5,
    -0.0,
    1e308,
    math.nan,
    math.inf,
    -math.inf,
)


def nasty_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_TEXT),
        st.text(st.sampled_from(NASTY_CHARS), max_size=8),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    )


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(NASTY_NUMBERS),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        nasty_text(),
    )


def json_values(max_leaves: int = 20) -> st.SearchStrategy[Any]:
    """Any JSON value, NaN and Infinity included (Python's json writes them as tokens)."""
    return st.recursive(
        scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=5),
            st.dictionaries(st.one_of(nasty_text(), st.text(max_size=10)), inner, max_size=5),
        ),
        max_leaves=max_leaves,
    )


def encode(value: Any) -> bytes:
    """JSON as a lax writer would send it: NaN and Infinity as bare tokens, any code point."""
    return json.dumps(value, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")


#: Bodies that are not a JSON value a parser should ever have to build.
RAW_BODIES = (
    b"",
    b"[" * 100_000,
    b'{"a":' * 50_000,
    b"[" * 100_000 + b"]" * 100_000,
    b"\xff\xfe\xfd",
    b'{"x": "\xc3\x28"}',
    b'{"x": NaN}',
    b'{"x": -Infinity}',
    b'{"x": 1e999999}',
    b'{"x": ' + b"9" * 5000 + b"}",
    b'{"x": "\\ud800"}',
    b'{"a":1,"a":2}',
    b"\x00" * 64,
    b"null",
    b"true",
    b"[]",
    b"{}",
)


def raw_bodies() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.sampled_from(RAW_BODIES),
        st.binary(max_size=200),
        st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"1" + b"]" * n),
    )


def mutated(
    example: Any,
    *,
    most: int = 3,
    anything: st.SearchStrategy[Any] | None = None,
    scalar: st.SearchStrategy[Any] | None = None,
    keep: Callable[[Any], bool] = lambda value: True,
) -> st.SearchStrategy[Any]:
    """`example` with one to `most` of its parts changed: a value replaced by one of another
    type or a nasty one of the same kind, a key dropped or added, an item repeated. Each edit
    names a part by its place among the example's parts, so drawing one costs the same for a
    large example as for a small one, and shrinking leads back to `example` itself."""
    places = list(_places(example, ()))
    anything = json_values(5) if anything is None else anything
    scalar = scalars() if scalar is None else scalar
    edit = st.tuples(
        st.integers(min_value=0, max_value=len(places) - 1),
        st.sampled_from(("same-kind", "any", "drop", "add", "repeat")),
        st.data(),
    )

    @st.composite
    def edited(draw: st.DrawFn) -> Any:
        result = copy.deepcopy(example)
        for index, how, data in draw(st.lists(edit, min_size=1, max_size=most)):
            path = places[index]
            original = copy.deepcopy(_at(example, path))  # edits never reach the example
            if how == "same-kind":
                value = data.draw(_same_kind(original).filter(keep))
            elif how == "any":
                value = data.draw(anything)
            elif how == "add" and isinstance(original, dict):
                value = {**original, data.draw(nasty_text()): data.draw(anything)}
            elif how == "repeat" and isinstance(original, list) and original:
                value = [*original, original[-1]]
            elif how == "drop" and path:
                result = _without(result, path)
                continue
            else:
                value = data.draw(scalar)
            result = _replaced(result, path, value)
        return result

    return edited()


def _places(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*path, index))


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    try:
        parent = _at(value, path[:-1])
        parent[path[-1]] = new
    except (KeyError, IndexError, TypeError):
        pass  # an earlier edit took this part away
    return value


def _without(value: Any, path: tuple[Any, ...]) -> Any:
    try:
        parent = _at(value, path[:-1])
        del parent[path[-1]]
    except (KeyError, IndexError, TypeError):
        pass
    return value


def _same_kind(example: Any) -> st.SearchStrategy[Any]:
    if isinstance(example, bool):
        return st.booleans()
    if isinstance(example, int):
        return st.one_of(st.sampled_from(NASTY_NUMBERS), st.integers())
    if isinstance(example, float):
        return st.floats(allow_nan=True, allow_infinity=True)
    if isinstance(example, str):
        return st.one_of(
            nasty_text(),
            nasty_text().map(lambda tail: example + tail),
            st.sampled_from(NASTY_CHARS).map(lambda c: example[:1] + c + example[1:]),
        )
    return st.just(example)


QUERY_NAMES = (
    "status",
    "level",
    "limit",
    "offset",
    "q",
    "from",
    "to",
    "history_limit",
    "history_offset",
    "kiosk",
    "page",
)


def queries() -> st.SearchStrategy[list[tuple[str, str]]]:
    name = st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=8))
    value = st.one_of(
        nasty_text(),
        st.integers().map(str),
        st.sampled_from(NASTY_NUMBERS).map(str),
        st.sampled_from(("pending", "delivered", "failed", "debug", "info", "warning", "error")),
    )
    return st.lists(st.tuples(name, value), max_size=4)


# TOML: a document built from a table of values, written by a small writer of our own (the
# standard library reads TOML but does not write it).


def toml_text(document: dict[str, Any]) -> str:
    lines: list[str] = []
    _table(lines, [], document)
    return "\n".join(lines) + "\n"


def _table(lines: list[str], path: list[str], table: dict[str, Any]) -> None:
    subtables = {}
    for key, value in table.items():
        if isinstance(value, dict):
            subtables[key] = value
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in subtables.items():
        lines.append("[" + ".".join(_key(part) for part in [*path, key]) + "]")
        _table(lines, [*path, key], value)


def _key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {value!r}")


def toml_values(max_leaves: int = 10) -> st.SearchStrategy[Any]:
    """Any value TOML can hold (a date is text here: what a loader gets matters, not TOML's)."""
    scalar = st.one_of(
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        nasty_text(),
    )
    return st.recursive(
        scalar,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.text(max_size=10), inner, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def toml_mutated(example: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid document with values changed to others TOML can hold, keys dropped or added."""
    return mutated(example, anything=toml_values(4), scalar=toml_values(1), keep=_toml_safe).filter(
        lambda found: isinstance(found, dict)
    )


def _toml_safe(value: Any) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**63) <= value < 2**63
    return value is not None
