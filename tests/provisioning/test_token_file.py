"""The kiosk's [kiosk] hub_token_file: the token kept in a file of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config

TOKEN = "k2Y8bT3xq9Lr0aW5_Zp-7mN4vC1sD6eF8gH2jK0lM3o"


def write(tmp_path: Path, kiosk: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f"[kiosk]\n{kiosk}\n")
    return path


def test_the_token_is_read_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "hub-token").write_text(f"{TOKEN}\n")
    config = load_config(write(tmp_path, f'hub_token_file = "{tmp_path / "hub-token"}"'))
    assert config.kiosk.hub_token == TOKEN


@pytest.mark.parametrize(
    ("kiosk", "content", "message"),
    [
        ('hub_token = "abc"', TOKEN, 'is not allowed with kiosk.hub_token: set hub_token = ""'),
        ("", None, "cannot read the token: No such file or directory"),
        ("", "not a token!\n", "the file does not hold a token (the value is not shown)"),
        ("", "", "the file does not hold a token"),
    ],
)
def test_a_token_file_that_cannot_be_used_is_one_line_naming_the_key(
    tmp_path: Path, kiosk: str, content: str | None, message: str
) -> None:
    token_file = tmp_path / "hub-token"
    if content is not None:
        token_file.write_text(content)
    path = write(tmp_path, f'{kiosk}\nhub_token_file = "{token_file}"')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    text = str(raised.value)
    assert text.startswith(f'{path}: kiosk.hub_token_file = "{token_file}"')
    assert message in text and "\n" not in text
    assert "not a token" not in text
