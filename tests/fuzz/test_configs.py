"""kiosk.toml and hub.toml fuzzed in-process: any file gives a config or the loader's one clear
ConfigError (a line naming the file and the key), never another exception: the technician
reads that line, not a traceback.

The documents start from the demo's configs (demo/*.toml, with the kiosk's hub section that
provisioning writes), their values changed to any value TOML can hold, keys dropped or added.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hub.config as hub_config
import kiosk.config as kiosk_config
from kiosk.devices.catalog import DeviceClass, backend_names
from kiosk.services import SERVICES
from tests.conftest import HUB_PUBLIC_KEY
from tests.fuzz import strategies as fz
from tests.fuzz.tally import tried

#: In-process cases cost little: four times the profile's number.
MORE = settings(max_examples=4 * settings.default.max_examples)

ROOT = Path(__file__).resolve().parents[2]
KIOSK_TOML = {
    **tomllib.loads((ROOT / "demo" / "kiosk.toml").read_text()),
    "kiosk": {
        "id": "itakeskus-1",
        "hub_url": "https://hub.example.fi",
        "hub_token": "a-token",
        "hub_public_key": HUB_PUBLIC_KEY,
        "data_dir": "/nonexistent/kiosk-data",
    },
    "session": {"folder": "/nonexistent/kiosk-sessions"},
    "ui": {"fullscreen": False, "large_text_scale": 1.5},
    "agent": {"retry_initial_seconds": 1, "retry_max_seconds": 10, "restart_command": ["true"]},
}
HUB_TOML = tomllib.loads((ROOT / "demo" / "hub.toml").read_text())
BACKENDS = {c.value: backend_names(c) for c in DeviceClass}


def _documents(example: dict[str, Any]) -> st.SearchStrategy[bytes]:
    text = fz.toml_text(example).encode()
    return st.one_of(
        fz.toml_mutated(example).map(lambda doc: fz.toml_text(doc).encode("utf-8", "replace")),
        st.dictionaries(st.text(max_size=8), fz.toml_values(), max_size=4).map(
            lambda doc: fz.toml_text(doc).encode("utf-8", "replace")
        ),
        st.integers(min_value=0, max_value=len(text)).map(lambda at: text[:at]),
        fz.raw_bodies(),
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-configs")


def _loads_or_clear_error(path: Path, data: bytes, load: Callable[[Path], object]) -> None:
    path.write_bytes(data)
    error_type: type[Exception]
    error_type = kiosk_config.ConfigError if load is _kiosk else hub_config.ConfigError
    try:
        load(path)
    except error_type as error:
        line = str(error)
        assert line.startswith(str(path)), line
        assert len(line.splitlines()) == 1, line


def _kiosk(path: Path) -> object:
    return kiosk_config.load_config(path, backends=BACKENDS, services=SERVICES.keys(), environ={})


def _hub(path: Path) -> object:
    return hub_config.load_config(path, environ={})


def test_the_examples_load(folder: Path) -> None:
    (folder / "kiosk.toml").write_text(fz.toml_text(KIOSK_TOML))
    (folder / "hub.toml").write_text(fz.toml_text(HUB_TOML))
    _kiosk(folder / "kiosk.toml")
    _hub(folder / "hub.toml")


@pytest.mark.parametrize("load", [_kiosk, _hub], ids=["kiosk.toml", "hub.toml"])
@pytest.mark.parametrize("key", ["\\n", "\\u2028", "\\u0085", "a\\tb"])
def test_an_unknown_key_with_a_line_break_is_named_on_one_line(
    folder: Path, load: Callable[[Path], object], key: str
) -> None:
    """Found by the fuzzing: the key was written as it is, and the one line became two."""
    path = folder / "odd-key.toml"
    path.write_text(f'"{key}" = 1\n')
    with pytest.raises((kiosk_config.ConfigError, hub_config.ConfigError)) as raised:
        load(path)
    assert len(str(raised.value).splitlines()) == 1, str(raised.value)


@MORE
@given(data=_documents(KIOSK_TOML))
def test_any_kiosk_toml_gives_a_config_or_a_clear_error(folder: Path, data: bytes) -> None:
    tried("kiosk.toml")
    _loads_or_clear_error(folder / "kiosk.toml", data, _kiosk)


@MORE
@given(data=_documents(HUB_TOML))
def test_any_hub_toml_gives_a_config_or_a_clear_error(folder: Path, data: bytes) -> None:
    tried("hub.toml")
    _loads_or_clear_error(folder / "hub.toml", data, _hub)
