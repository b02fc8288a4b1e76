"""What is said of a control: its name, its role, its state, its value and what is wrong with it.

A screen reader says the same five things of whatever has the focus, in the same order, so a
citizen who cannot see the screen learns one pattern: "Print, button"; "Larger text, switch,
on"; "First name, text field, Åsa. Write your first name." A value that is personal (an identity
code, a bank account) is a `Private` piece: the narrator says it through headphones only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from kiosk.i18n import N_


class Private(str):
    """A piece of an utterance that is personal: said through headphones only."""

    __slots__ = ()


#: What is said: plain pieces and personal ones, read one after another.
Phrase = tuple[str, ...]


class Role(Enum):
    BUTTON = N_("button")
    SWITCH = N_("switch")
    CHECK_BOX = N_("check box")
    OPTION = N_("option")
    TEXT_FIELD = N_("text field")
    PASSWORD = N_("password field")
    KEY = N_("key")
    LINK = N_("link")
    LIST = N_("list")
    PAGE = N_("web page")
    TEXT = ""


ON = N_("on")
OFF = N_("off")
CHECKED = N_("checked")
NOT_CHECKED = N_("not checked")
CHOSEN = N_("chosen")
NOT_CHOSEN = N_("not chosen")
UNAVAILABLE = N_("unavailable")
EMPTY = N_("empty")
#: What is said for a masked character or value (a PIN, a password).
HIDDEN_CHARACTER = N_("hidden character")


@dataclass(frozen=True)
class Described:
    """A control as a citizen hears of it."""

    role: Role
    name: str
    checked: bool | None = None
    enabled: bool = True
    value: str = ""
    #: The value is personal: said through headphones only.
    value_private: bool = False
    #: The value is masked on screen (a PIN): never said, only that something is there.
    value_masked: bool = False
    #: What is wrong with it (a field's error), said after the value.
    error: str = ""
    #: A hint beyond the name (what the button does).
    hint: str = ""
    extra: Sequence[str] = field(default_factory=tuple)


def phrase(item: Described, t: Callable[[str], str]) -> Phrase:
    """The pieces said of `item`, in the session's language (`t` translates)."""
    parts: list[str] = []
    if item.name.strip():
        parts.append(item.name.strip())
    if item.role is not Role.TEXT:
        parts.append(t(item.role.value))
    state = _state(item)
    if state:
        parts.append(t(state))
    if item.role in (Role.TEXT_FIELD, Role.PASSWORD):
        if item.value_masked or item.role is Role.PASSWORD:
            if item.value:
                parts.append(f"{len(item.value)} × {t(HIDDEN_CHARACTER)}")
            else:
                parts.append(t(EMPTY))
        elif not item.value:
            parts.append(t(EMPTY))
        elif item.value_private:
            parts.append(Private(item.value))
        else:
            parts.append(item.value)
    elif item.value:
        parts.append(Private(item.value) if item.value_private else item.value)
    if not item.enabled:
        parts.append(t(UNAVAILABLE))
    pieces: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        pieces.append(part)
        if not last:
            pieces.append(", ")
    if item.error:
        pieces.append(". ")
        pieces.append(item.error)
    if item.hint and item.hint != item.name:
        # After an error that ends its own sentence, no second full stop.
        pieces.append(" " if item.error.rstrip()[-1:] in (".", "!", "?") else ". ")
        pieces.append(item.hint)
    return tuple(pieces)


def _state(item: Described) -> str:
    if item.checked is None:
        return ""
    if item.role is Role.SWITCH:
        return ON if item.checked else OFF
    if item.role is Role.OPTION:
        return CHOSEN if item.checked else NOT_CHOSEN
    return CHECKED if item.checked else NOT_CHECKED


def plain(pieces: Phrase, *, private_ok: bool, hidden: str) -> str:
    """The pieces as one text: personal pieces as they are through headphones, else `hidden`."""
    return "".join(
        (piece if private_ok else hidden) if isinstance(piece, Private) else piece
        for piece in pieces
    )


def sentences(phrases: Sequence[Phrase]) -> Phrase:
    """Phrases one after another, each ended as a sentence (a full stop unless it has one)."""
    pieces: list[str] = []
    for each in phrases:
        words = [piece for piece in each if piece]
        if not "".join(words).strip():
            continue
        if pieces:
            pieces.append(" ")
        pieces.extend(words)
        if "".join(words).rstrip()[-1:] not in ".!?…:":
            pieces.append(".")
    return tuple(pieces)
