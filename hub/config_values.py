"""How the keys of hub.toml are checked.

`Checker` walks the file's tables: it fails on an unknown section or key and on a value its check
does not accept. A check is a pair (predicate, what is allowed); the error names the file, the
key and that text, in one line a person can act on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NoReturn

from hub.hours import LANGUAGES

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
LINE_ID = re.compile(r"[a-z0-9-]{1,32}")
HOST = re.compile(r"[A-Za-z0-9.:-]{1,253}")
URL = re.compile(r"https?://[^\s/?#@]+(/\S*)?")
STUN = re.compile(r"stuns?:[^\s/?#@]+")
TURN = re.compile(r"turns?:[^\s/#@]+")
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class ConfigError(Exception):
    """A config file that cannot be used; str() is one line a person can act on."""


def show(value: object) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def one_line(text: str) -> str:
    """`text` with what would break its line or hide in it (a key or value with a newline, a
    line separator, a control character) written as its escape: the message stays one line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


class Checker:
    """Checks the tables and keys of one config file; every failure names that file."""

    def __init__(self, source: Path) -> None:
        self._source = source

    def fail(self, message: str) -> NoReturn:
        raise ConfigError(f"{self._source}: {one_line(message)}")

    def table(self, dotted: str, value: object, known: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(f"{dotted} must be a table: write [{dotted}] with its keys below it")
        for key, item in value.items():
            if key not in known:
                what = "section" if isinstance(item, dict) else "key"
                where = f" in [{dotted}]" if dotted else ""
                name = f"{dotted}.{key}" if dotted else key
                self.fail(f"unknown {what} {name} (known{where}: {', '.join(known)})")
        return value

    def value(self, table: dict[str, Any], dotted: str, key: str, default: Any, ok: Any) -> Any:
        """table[key] if `ok` accepts it (ok is (check, text)), else fail; default if absent."""
        if key not in table:
            return default
        check, text = ok
        found = table[key]
        if not check(found):
            self.fail(f"{dotted}.{key} = {show(found)} is not allowed: {text}")
        return found


USERS = "a list of staff usernames (a-z, 0-9, . _ -)"
BOOL = (lambda value: isinstance(value, bool), "true or false")
SENDER = (
    lambda value: isinstance(value, str) and ADDRESS.fullmatch(value) is not None,
    "one e-mail address, like kioski@example.fi",
)


def int_range(low: int, high: int) -> tuple[Any, str]:
    def check(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high

    return check, f"a whole number from {low} to {high}"


def text_value(
    pattern: re.Pattern[str] | None, text: str, max_length: int = 4096, *, empty: bool = True
) -> tuple[Any, str]:
    def check(value: object) -> bool:
        return (
            isinstance(value, str)
            and len(value) <= max_length
            and (bool(value) or empty)
            and (pattern is None or not value or pattern.fullmatch(value) is not None)
        )

    return check, text


def text_list(pattern: re.Pattern[str], text: str) -> tuple[Any, str]:
    def check(value: object) -> bool:
        return (
            isinstance(value, list)
            and all(isinstance(item, str) and pattern.fullmatch(item) for item in value)
            and len(set(value)) == len(value)
        )

    return check, text


LANGS = (
    lambda value: (
        isinstance(value, list)
        and bool(value)
        and all(item in LANGUAGES for item in value)
        and len(set(value)) == len(value)
    ),
    "a list of one or more of fi, sv, en, each at most once",
)


def file_path(configured: str) -> Path | None:
    """A configured path, absolute; like data_dir, a relative one is from the working folder."""
    return Path(configured).expanduser().absolute() if configured else None
