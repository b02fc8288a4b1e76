"""The [fleet], [alerts] and [metrics] keys of hub.toml: defaults, values, one-line refusals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hub.config import ConfigError, load_config


def test_defaults(write_config: Callable[[str], Path]) -> None:
    config = load_config(write_config(""))
    assert config.fleet.offline_minutes == 3
    assert config.fleet.opening_hours["mon"] == ((9 * 60, 20 * 60),)
    assert "sun" not in config.fleet.opening_hours
    assert config.alerts.notify_clear == () and config.metrics.token_file is None


def test_values(write_config: Callable[[str], Path], tmp_path: Path) -> None:
    config = load_config(
        write_config(
            "[fleet]\noffline_minutes = 5\n"
            '[fleet.opening_hours]\nmon = "08:00-12:00, 13:00-16:00"\nsun = "12:00-16:00"\n'
            '[alerts]\nnotify_clear = ["kirjasto@example.fi"]\n'
            f'[metrics]\ntoken_file = "{tmp_path / "token"}"\n'
        )
    )
    assert config.fleet.offline_minutes == 5
    assert config.fleet.opening_hours == {
        "mon": ((480, 720), (780, 960)),
        "sun": ((720, 960),),
    }
    assert config.alerts.notify_clear == ("kirjasto@example.fi",)
    assert config.metrics.token_file == tmp_path / "token"


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("[fleet]\noffline_minutes = 0\n", "fleet.offline_minutes"),
        ('[fleet.opening_hours]\nmon = "9-17"\n', "fleet.opening_hours.mon"),
        ('[alerts]\nnotify_maintenance = ["not an address"]\n', "alerts.notify_maintenance"),
        ("[alerts]\nnotify = []\n", "alerts.notify"),
        ("[metrics]\ntoken = 1\n", "metrics.token"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_key(
    write_config: Callable[[str], Path], extra: str, named: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write_config(extra))
    assert named in str(raised.value) and "\n" not in str(raised.value)
