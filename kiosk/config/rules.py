"""The rules of kiosk.toml's keys: each settings field carries a `Rule` (in its metadata) that
says what the key accepts and how to say so in an error; kiosk.config.check applies them.
Stdlib only, like the rest of kiosk.config: the config is read before the first window is painted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen_settings(*, kw_only: bool = False) -> Callable[[type[T]], type[T]]:
    """`@dataclass(frozen=True)` for the settings, at a fraction of its cost before the first
    paint.

    Settings are read, never compared or printed: no __eq__, __hash__ or __repr__. And instead of
    compiling a __setattr__ and a __delattr__ for each of some twenty classes, as frozen=True
    does, they share one pair: a field is assigned once, by __init__, and never again."""

    def make(cls: type[T]) -> type[T]:
        made = dataclass(eq=False, repr=False, kw_only=kw_only)(cls)
        made.__setattr__ = _assign_once  # type: ignore[method-assign]
        made.__delattr__ = _never_delete  # type: ignore[method-assign]
        return made

    return make


def _assign_once(self: Any, name: str, value: object) -> None:
    if name in self.__dict__ or name not in self.__dataclass_fields__:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)


def _never_delete(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


@frozen_settings()
class Rule:
    """What a key accepts. `choices_from` names choices that are only known at load time."""

    kind: type
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    choices_from: str | None = None
    #: A regular expression the whole text must match; "" = any. Compiled when a file sets the
    #: key (re caches it), not for every key while the settings are defined before the first paint.
    pattern: str = ""
    check: Callable[[str], bool] | None = None
    max_length: int = 200
    text: str = ""
    #: A secret (a token): an error names the key but never shows the value.
    secret: bool = False
    #: For a list: any non-empty strings (a command line), not ids from the choices.
    free_items: bool = False

    def describe(self, choices: Sequence[str]) -> str:
        listed = ", ".join(choices) or "(none available)"
        if self.text:
            return self.text
        if self.kind is bool:
            return "true or false"
        if self.kind is int:
            return f"a whole number from {self.low:g} to {self.high:g}"
        if self.kind is float:
            return f"a number from {self.low:g} to {self.high:g}"
        if self.kind is tuple:
            return f"a list of ids, each at most once, from: {listed}"
        if choices or self.choices_from:
            return f"one of {listed}"
        return f"text of at most {self.max_length} characters"

    def accepts(self, value: object, choices: Sequence[str]) -> bool:
        if self.kind is bool:
            return isinstance(value, bool)
        if isinstance(value, bool):  # bool is an int subclass; `fps = true` is a mistake
            return False
        if self.kind in (int, float):
            numeric = (int,) if self.kind is int else (int, float)
            assert self.low is not None and self.high is not None
            return isinstance(value, numeric) and self.low <= value <= self.high
        if self.kind is tuple and self.free_items:
            return (
                isinstance(value, list)
                and 0 < len(value) <= 64
                and all(
                    isinstance(item, str) and 0 < len(item) <= self.max_length and "\0" not in item
                    for item in value
                )
            )
        if self.kind is tuple:
            return (
                isinstance(value, list)
                and all(isinstance(item, str) and item in choices for item in value)
                and len(set(value)) == len(value)
            )
        return (
            isinstance(value, str)
            and len(value) <= self.max_length
            and (not choices or value in choices)
            and (not self.pattern or re.fullmatch(self.pattern, value) is not None)
            and (self.check is None or self.check(value))
        )


def key(default: Any, pattern: str = "", **rule: Any) -> Any:
    """A section field whose Rule takes its kind from the default's type."""
    return field(default=default, metadata={"rule": Rule(type(default), pattern=pattern, **rule)})


FOLDER: dict[str, Any] = {"max_length": 4096, "text": 'a folder path, or "" for the default'}
