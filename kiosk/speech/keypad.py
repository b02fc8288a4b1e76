"""The keypad's keys, as kiosk.toml names them.

The reference keypad is a USB numeric keypad: its keys send the same key codes as the main
keyboard's, marked as the keypad's (and with Num Lock off its digits send arrows, Home, End and
so on). A key is named as Qt names it without the `Key_` prefix (`Up`, `8`, `Enter`, `Minus`),
and `Keypad+` in front says it counts only from the keypad: `Keypad+5` is the keypad's 5, not
the 5 of a keyboard's top row. A list of keys is written `"Up, Keypad+8"`.

Each action a citizen can take by key is in `ACTIONS`; `DEFAULT_KEYS` are those of a numeric
keypad whose 5 (the key with the raised dot) is OK.
"""

from __future__ import annotations

from dataclasses import dataclass

#: What a key can do, in the order docs/accessibility.md lists them.
ACTIONS = (
    "up",
    "down",
    "left",
    "right",
    "ok",
    "back",
    "help",
    "repeat",
    "silence",
    "louder",
    "quieter",
    "faster",
    "slower",
    "read_aloud",
)

DEFAULT_KEYS: dict[str, str] = {
    "up": "Up, Keypad+8",
    "down": "Down, Keypad+2",
    "left": "Left, Keypad+4",
    "right": "Right, Keypad+6",
    "ok": "Keypad+Enter, Keypad+5, Keypad+Clear",
    "back": "Keypad+Minus, Backspace",
    "help": "Keypad+Plus, F1",
    "repeat": "Keypad+0, Keypad+Insert",
    "silence": "Keypad+7, Keypad+Home",
    "louder": "Keypad+Asterisk",
    "quieter": "Keypad+Slash",
    "faster": "Keypad+9, Keypad+PageUp",
    "slower": "Keypad+3, Keypad+PageDown",
    "read_aloud": "Keypad+Period, Keypad+Delete, F2",
}

#: Key names a config may use (Qt's, without `Key_`): enough for any keypad, and a typo is
#: caught when the config is read rather than when a citizen presses the key.
KEY_NAMES = frozenset(
    [str(d) for d in range(10)]
    + [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    + [f"F{n}" for n in range(1, 25)]
    + [
        "Up",
        "Down",
        "Left",
        "Right",
        "Enter",
        "Return",
        "Backspace",
        "Space",
        "Tab",
        "Plus",
        "Minus",
        "Asterisk",
        "Slash",
        "Period",
        "Comma",
        "Insert",
        "Delete",
        "Home",
        "End",
        "PageUp",
        "PageDown",
        "Clear",
        "NumLock",
        "Equal",
        "Select",
        "Menu",
        "Help",
        "VolumeUp",
        "VolumeDown",
        "MediaPlay",
        "MediaPause",
        "Back",
        "Forward",
    ]
)
KEYPAD_PREFIX = "Keypad+"


@dataclass(frozen=True)
class KeySpec:
    """One key: its Qt name and whether it counts only from the keypad."""

    name: str
    keypad_only: bool


def parse_keys(text: str) -> tuple[KeySpec, ...]:
    """`"Up, Keypad+8"` as key specs; ValueError names the first key that is not one."""
    specs: list[KeySpec] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        keypad_only = item.startswith(KEYPAD_PREFIX)
        name = item.removeprefix(KEYPAD_PREFIX)
        if name not in KEY_NAMES:
            raise ValueError(f"{item!r} is not a key name")
        specs.append(KeySpec(name, keypad_only))
    return tuple(specs)


def is_key_list(text: str) -> bool:
    """Whether `text` is a list of key names (for the config's check); "" (no key) is one."""
    try:
        parse_keys(text)
    except ValueError:
        return False
    return True


def key_map(keys: dict[str, str]) -> dict[KeySpec, str]:
    """Each key spec to its action, the first action naming a key winning."""
    found: dict[KeySpec, str] = {}
    for action in ACTIONS:
        for spec in parse_keys(keys.get(action, "")):
            found.setdefault(spec, action)
    return found
