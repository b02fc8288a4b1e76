"""hub.toml: the demo defaults, and one clear line for each kind of mistake."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hub.config import ConfigError, default_config, load_config
from tests.hub.conftest import MONDAY_MORNING


def error_of(write_config: Callable[[str], Path], extra: str) -> str:
    path = write_config(extra)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


def test_the_demo_defaults(tmp_path: Path) -> None:
    config = default_config(environ={"HOME": str(tmp_path)})
    assert (config.listen_host, config.listen_port) == ("127.0.0.1", 8080)
    assert config.data_dir == tmp_path / ".local" / "state" / "kiosk-hub"
    assert config.cookie_secure is False
    assert (config.max_failures, config.lockout_minutes) == (5, 15)
    assert [line.id for line in config.lines] == ["virka-info", "kansalaisneuvonta"]
    virka = config.line("virka-info")
    assert virka is not None
    assert virka.phone == "+358 9 310 11111"
    assert virka.ring_seconds == 20
    assert set(virka.hours) == {"mon", "tue", "wed", "thu", "fri"}
    assert all(line.name_sv and line.description_en for line in config.lines)
    assert config.ice_servers("itakeskus-1", MONDAY_MORNING) == []


def test_xdg_state_home_is_used_when_absolute(tmp_path: Path) -> None:
    env = {"HOME": "/nowhere", "XDG_STATE_HOME": str(tmp_path)}
    assert default_config(environ=env).data_dir == tmp_path / "kiosk-hub"
    env["XDG_STATE_HOME"] = "relative/state"
    assert default_config(environ=env).data_dir == Path("/nowhere/.local/state/kiosk-hub")


def test_a_missing_default_file_gives_the_demo_but_a_named_one_is_an_error(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "missing.toml")


def test_a_file_means_secure_cookies_unless_it_says_otherwise(
    write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    path = tmp_path / "plain.toml"
    path.write_text('[hub]\npublic_url = "https://hub.example.fi"\n')
    config = load_config(path)
    assert config.cookie_secure is True
    assert config.public_url == "https://hub.example.fi"
    assert load_config(write_config("")).cookie_secure is False


def test_a_full_file_is_read(write_config: Callable[[str], Path]) -> None:
    config = load_config(
        write_config(
            """listen_host = "0.0.0.0"
listen_port = 9443
session_hours = 8
heartbeat_seconds = 15
[login]
max_failures = 3
lockout_minutes = 30
[ice]
stun = ["stun:stun.example.fi:3478"]
turn = [{url = "turn:turn.example.fi:3478", username = "kiosk", credential = "s3cret"}]
[lines.virka-info]
advisors = ["anna", "ben"]
hours = {mon = "08:00-11:30, 12:30-16:00", sat = "10:00-14:00"}
[lines.kela]
name_fi = "Kela"
languages = ["fi", "sv"]
ring_seconds = 30
"""
        )
    )
    assert (config.listen_host, config.listen_port, config.session_hours) == ("0.0.0.0", 9443, 8)
    assert config.heartbeat_seconds == 15
    assert config.public_url == "http://0.0.0.0:9443"
    assert (config.max_failures, config.lockout_minutes) == (3, 30)
    assert config.ice_servers("itakeskus-1", MONDAY_MORNING) == [
        {"urls": ["stun:stun.example.fi:3478"]},
        {"urls": ["turn:turn.example.fi:3478"], "username": "kiosk", "credential": "s3cret"},
    ]
    assert [line.id for line in config.lines] == ["virka-info", "kela"]
    virka, kela = config.lines
    # A line with a default's id starts from the default's values.
    assert virka.phone == "+358 9 310 11111"
    assert virka.advisors == ("anna", "ben")
    assert virka.hours == {"mon": ((480, 690), (750, 960)), "sat": ((600, 840),)}
    assert (kela.name("sv"), kela.languages, kela.ring_seconds, kela.hours) == (
        "Kela",
        ("fi", "sv"),
        30,
        {},
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("colour = 1", "unknown key hub.colour (known in [hub]: listen_host, listen_port"),
        ("[hubb]\nx = 1", "unknown section hubb (known: hub, ice, login, lines, sealing, smtp, "),
        ("listen_port = 0", "hub.listen_port = 0 is not allowed: a whole number from 1 to 65535"),
        ('listen_port = "80"', 'hub.listen_port = "80" is not allowed: a whole number'),
        ('listen_host = ""', 'hub.listen_host = "" is not allowed: a host name or address'),
        ('public_url = "ftp://x"', "hub.public_url"),
        ("session_hours = 0", "hub.session_hours = 0 is not allowed"),
        ("heartbeat_seconds = 0", "hub.heartbeat_seconds = 0 is not allowed: a whole number"),
        ("[login]\nmax_failures = true", "login.max_failures = true is not allowed"),
        ("[login]\nlockout = 1", "unknown key login.lockout"),
        ('[ice]\nstun = ["http://x"]', "ice.stun"),
        ('[ice]\nturn = ["turn:x"]', "ice.turn must be a list of tables"),
        ('[ice]\nturn = [{username = "a"}]', "ice.turn[0] needs url"),
        ('[ice]\nturn = [{url = "turn:x", password = "a"}]', "unknown key ice.turn[0].password"),
        ("[lines.Virka]\nname_fi = 'x'", "[lines.Virka]: the id must be 1 to 32 of a-z"),
        ("[lines.kela]\nphone = '1'", "[lines.kela] needs name_fi"),
        ("[lines.virka-info]\nfax = '1'", "unknown key lines.virka-info.fax"),
        ("[lines.virka-info]\nlanguages = ['fi', 'de']", "lines.virka-info.languages"),
        ("[lines.virka-info]\nlanguages = []", "a list of one or more of fi, sv, en"),
        ("[lines.virka-info]\nring_seconds = 1", "lines.virka-info.ring_seconds = 1"),
        ("[lines.virka-info]\nadvisors = ['Anna Smith']", "a list of staff usernames"),
        ("[lines.virka-info.hours]\nmon = '9-16'", 'lines.virka-info.hours.mon = "9-16"'),
        ("[lines.virka-info.hours]\nmon = '16:00-09:00'", "lines.virka-info.hours.mon"),
        ("[lines.virka-info.hours]\nmonday = '09:00-16:00'", "unknown key lines.virka-info.hours"),
        ("[lines]", "lines has no [lines.<id>] sections"),
    ],
)
def test_each_mistake_is_one_line_naming_the_key(
    write_config: Callable[[str], Path], extra: str, expected: str
) -> None:
    assert expected in error_of(write_config, extra)


def test_a_bool_must_be_a_bool(tmp_path: Path) -> None:
    path = tmp_path / "hub.toml"
    path.write_text('[hub]\ncookie_secure = "yes"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f'{path}: hub.cookie_secure = "yes" is not allowed: true or false'


def test_a_toml_syntax_error_names_the_place(write_config: Callable[[str], Path]) -> None:
    assert "TOML syntax error at line" in error_of(write_config, "listen_port = = 1")


def test_check_config_exits_2_with_the_message(write_config: Callable[[str], Path]) -> None:
    bad = write_config("listen_port = 70000")
    done = subprocess.run(
        [sys.executable, "-m", "hub", "--config", str(bad), "check-config"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"kiosk-hub: {bad}: hub.listen_port = 70000 is not allowed: a whole number from 1 to 65535"
    ]
    good = write_config("")
    done = subprocess.run(
        [sys.executable, "-m", "hub", "--config", str(good), "check-config"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "kiosk-hub: configuration is valid")
