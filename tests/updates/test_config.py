"""[updates] in kiosk.toml: its defaults, and every bad key or value refused in one line naming
it (exit 2 from the command)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import ConfigError, default_config, load_config


def error_of(tmp_path: Path, text: str) -> str:
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message.removeprefix(f"{path}: ")


def test_the_defaults() -> None:
    updates = default_config(environ={}).updates
    assert updates.enabled is True
    assert updates.window == "02:00-05:00"
    assert (updates.healthy_within_seconds, updates.settle_seconds) == (300, 20)
    assert updates.restart_command == (
        "systemctl",
        "restart",
        "kiosk-agent.service",
        "kiosk.service",
    )


def test_a_window_past_midnight_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[updates]\nwindow = "23:30-04:00"\nhealthy_within_seconds = 120\n'
        'restart_command = ["/usr/local/bin/restart-kiosk"]\nenabled = false\n'
    )
    updates = load_config(path, environ={}).updates
    assert (updates.window, updates.healthy_within_seconds) == ("23:30-04:00", 120)
    assert updates.restart_command == ("/usr/local/bin/restart-kiosk",)
    assert updates.enabled is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[updates]\nwindow = "2-5"\n',
            'updates.window = "2-5" is not allowed: a local time span "HH:MM-HH:MM"',
        ),
        ('[updates]\nwindow = "02:00-02:00"\n', 'updates.window = "02:00-02:00" is not allowed'),
        ('[updates]\nwindow = "25:00-05:00"\n', 'updates.window = "25:00-05:00" is not allowed'),
        ("[updates]\nwindow = 2\n", "updates.window = 2 is not allowed"),
        ('[updates]\nenabled = "yes"\n', 'updates.enabled = "yes" is not allowed: true or false'),
        (
            "[updates]\nhealthy_within_seconds = 5\n",
            "updates.healthy_within_seconds = 5 is not allowed: a whole number from 10 to 3600",
        ),
        (
            "[updates]\nhealthy_within_seconds = 60\nsettle_seconds = 60\n",
            "updates.settle_seconds = 60 is not allowed: less than "
            "updates.healthy_within_seconds (60)",
        ),
        ("[updates]\nrestart_command = []\n", "updates.restart_command = [] is not allowed"),
        ("[updates]\nwhen = 3\n", "unknown key updates.when (known keys in [updates]: enabled,"),
    ],
)
def test_each_mistake_is_one_line_naming_the_key(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text).startswith(expected)


def test_the_command_exits_2_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[updates]\nwindow = "night"\n')
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.updates", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f'kiosk-update: {path}: updates.window = "night" is not allowed')


def test_the_command_takes_what_the_app_takes(tmp_path: Path) -> None:
    """A box's kiosk.toml names real devices and its services: the updater runs on it (here
    outside its window, so it only looks)."""
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        '[services]\nenabled = ["forms", "eservices", "print"]\n'
        '[devices.printer]\nbackend = "cups"\n[devices.cardreader]\nbackend = "pcsc"\n'
        '[devices.camera]\nbackend = "opencv"\n[devices.payment]\nbackend = "nexo"\n'
        f'[updates]\nwindow = "{_not_now()}"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.updates", "--config", str(path), "--state-dir",
         str(tmp_path / "own")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (0, ""), done.stderr


def _not_now() -> str:
    """A window that the present moment is not in."""
    from datetime import datetime, timedelta

    now = datetime.now()
    return f"{now + timedelta(hours=2):%H:%M}-{now + timedelta(hours=3):%H:%M}"
