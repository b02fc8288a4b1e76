"""The keypad's key names as kiosk.toml writes them, and the headphone socket."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.speech.headset import JackSwitch, NoHeadset, SimulatedHeadset, eviocgsw, make_headset
from kiosk.speech.keypad import ACTIONS, DEFAULT_KEYS, KeySpec, is_key_list, key_map, parse_keys


def test_a_key_list_names_keys_and_whether_only_the_keypads_count() -> None:
    assert parse_keys("Up, Keypad+8") == (KeySpec("Up", False), KeySpec("8", True))
    assert parse_keys("") == ()
    assert is_key_list("Keypad+Enter, F1")
    assert not is_key_list("Keypad+Fivee")
    with pytest.raises(ValueError, match="'Ok' is not a key name"):
        parse_keys("Ok")


def test_every_action_has_a_key_and_no_key_does_two_things() -> None:
    mapped = key_map(DEFAULT_KEYS)
    assert set(mapped.values()) == set(ACTIONS)
    every = [spec for action in ACTIONS for spec in parse_keys(DEFAULT_KEYS[action])]
    assert len(every) == len(set(every))
    # The 5 with the raised dot is OK (EN 301 549 8.4.1).
    assert mapped[KeySpec("5", True)] == "ok"


def test_a_site_can_move_an_action_to_another_key() -> None:
    keys = dict(DEFAULT_KEYS, ok="Keypad+Enter, Return")
    mapped = key_map(keys)
    assert mapped[KeySpec("Return", False)] == "ok"
    assert KeySpec("5", True) not in mapped


def test_the_headphone_switch_is_read_from_the_device_whose_name_says_headphone(
    tmp_path: Path,
) -> None:
    for n, name in ((3, "Power Button"), (7, "HDA Intel PCH Headphone")):
        device = tmp_path / f"event{n}" / "device"
        device.mkdir(parents=True)
        (device / "name").write_text(name + "\n")
    jack = JackSwitch(input_root=tmp_path)
    assert jack.device == "/dev/input/event7"


def test_a_socket_that_cannot_be_read_counts_as_no_headphones(tmp_path: Path) -> None:
    not_a_device = tmp_path / "event0"
    not_a_device.write_bytes(b"")
    assert JackSwitch(str(not_a_device)).plugged() is False  # the ioctl fails: not plugged
    assert JackSwitch(str(tmp_path / "missing")).plugged() is False
    assert JackSwitch(input_root=tmp_path / "none").plugged() is False


def test_the_switch_request_is_linux_eviocgsw() -> None:
    # EVIOCGSW(len) = _IOC(_IOC_READ, 'E', 0x1b, len); 0x8002451b for 2 bytes.
    assert eviocgsw(2) == 0x8002451B


def test_headset_kinds_from_config() -> None:
    assert isinstance(make_headset("none"), NoHeadset)
    simulated = make_headset("simulated")
    assert isinstance(simulated, SimulatedHeadset) and not simulated.plugged()
    simulated.is_plugged = True
    assert simulated.plugged()
