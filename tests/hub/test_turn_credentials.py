"""TURN credentials: `[ice].turn` entries with coturn's shared secret, and what the hub mints
from them (coturn `use-auth-secret`), checked against an HMAC computed here independently."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from hub.calls.ice import TURN_CREDENTIAL_SECONDS
from hub.config import ConfigError, load_config
from tests.hub.conftest import MONDAY_MORNING

SECRET = "a-long-shared-secret-0123"
TWELVE_HOURS = 12 * 60 * 60


def expected_credential(secret: str, username: str) -> str:
    mac = hmac.new(secret.encode(), username.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


ICE = f"""[ice]
stun = ["stun:stun.example.fi:3478"]
turn = [
  {{url = "turn:turn.example.fi:3478?transport=udp", secret = "{SECRET}"}},
  {{url = "turns:turn.example.fi:5349", username = "kiosk", credential = "s3cret"}},
]
"""


def test_a_secret_entry_mints_credentials_for_the_peer_valid_for_12_hours(
    write_config: Callable[[str], Path],
) -> None:
    config = load_config(write_config(ICE))
    assert TURN_CREDENTIAL_SECONDS == TWELVE_HOURS
    stun, minted, static = config.ice_servers("itakeskus-1", MONDAY_MORNING)
    assert stun == {"urls": ["stun:stun.example.fi:3478"]}
    expiry = int(MONDAY_MORNING.timestamp()) + TWELVE_HOURS
    assert minted == {
        "urls": ["turn:turn.example.fi:3478?transport=udp"],
        "username": f"{expiry}:itakeskus-1",
        "credential": expected_credential(SECRET, f"{expiry}:itakeskus-1"),
    }
    # A static entry is handed out as configured, to everyone, at any time.
    assert static == {
        "urls": ["turns:turn.example.fi:5349"],
        "username": "kiosk",
        "credential": "s3cret",
    }
    later = MONDAY_MORNING + timedelta(hours=3)
    assert config.ice_servers("anna", later)[2] == static


def test_each_peer_and_each_moment_gets_its_own_credential(
    write_config: Callable[[str], Path],
) -> None:
    config = load_config(write_config(ICE))
    kiosk = config.ice_servers("itakeskus-1", MONDAY_MORNING)[1]
    anna = config.ice_servers("anna", MONDAY_MORNING)[1]
    later = config.ice_servers("itakeskus-1", MONDAY_MORNING + timedelta(minutes=5))[1]
    assert anna["username"] == f"{int(MONDAY_MORNING.timestamp()) + TWELVE_HOURS}:anna"
    assert anna["credential"] == expected_credential(SECRET, anna["username"])
    assert (
        later["username"] == f"{int(MONDAY_MORNING.timestamp()) + TWELVE_HOURS + 300}:itakeskus-1"
    )
    assert len({kiosk["credential"], anna["credential"], later["credential"]}) == 3


def test_the_secret_is_not_in_the_configs_repr(write_config: Callable[[str], Path]) -> None:
    config = load_config(write_config(ICE))
    assert config.turn[0].secret == SECRET
    assert SECRET not in repr(config)


def test_a_static_entry_may_still_leave_out_its_credentials(
    write_config: Callable[[str], Path],
) -> None:
    config = load_config(write_config('[ice]\nturn = [{url = "turn:turn.example.fi"}]'))
    assert config.ice_servers("k1", MONDAY_MORNING) == [
        {"urls": ["turn:turn.example.fi"], "username": "", "credential": ""}
    ]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            f'url = "turn:x", secret = "{SECRET}", username = "a"',
            "ice.turn[0] has secret and username/credential: give either the secret "
            "(coturn's static-auth-secret) or a static username and credential",
        ),
        (
            f'url = "turn:x", secret = "{SECRET}", credential = "b"',
            "ice.turn[0] has secret and username/credential",
        ),
        (
            'url = "turn:x", secret = "fifteen-chars.."',
            "ice.turn[0].secret must be text of 16 characters or more",
        ),
        ('url = "turn:x", secret = ""', "ice.turn[0].secret must be text of 16 characters"),
        ('url = "turn:x", secret = 1234567890123456', "ice.turn[0].secret must be text of 16"),
        (f'secret = "{SECRET}"', "ice.turn[0] needs url"),
        (f'url = "http://x", secret = "{SECRET}"', "ice.turn[0].url"),
    ],
)
def test_each_secret_mistake_is_one_line_naming_the_key(
    write_config: Callable[[str], Path], entry: str, expected: str
) -> None:
    path = write_config(f"[ice]\nturn = [{{{entry}}}]")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {expected}")
    assert "\n" not in message
    assert SECRET not in message and "fifteen-chars" not in message


def test_a_sixteen_character_secret_is_enough(write_config: Callable[[str], Path]) -> None:
    config = load_config(
        write_config('[ice]\nturn = [{url = "turn:x", secret = "sixteen-chars..."}]')
    )
    assert config.turn[0].secret == "sixteen-chars..."
