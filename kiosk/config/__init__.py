"""Kiosk configuration: read kiosk.toml, check every key, hand back typed and frozen settings.

Every key is optional and the built-in defaults give the demo. A wrong key or value raises
`ConfigError` with one line naming the file, the key and what is allowed; docs/config.md is the
schema. The config is read before the first window is painted, so the package keeps to cheap
stdlib imports. Three parts, imported in this order and never back: `rules` (what a key may
hold), `settings` (every table and key, each with its rule; the money ones in `money`) and
`check` (the validator that applies them); `load_config` here is the way in.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path

from kiosk.config.check import Checker, read_toml
from kiosk.config.settings import (
    DEFAULT_BACKENDS,
    DEFAULT_PATH,
    DEFAULT_SERVICES,
    AgentSettings,
    BackendChoices,
    BrowserSettings,
    CallSettings,
    Config,
    ConfigError,
    KioskSettings,
    PrivacySettings,
)
from kiosk.pin import DEMO_PIN_HASH, hash_pin, verify_pin

__all__ = [
    "DEFAULT_BACKENDS",
    "DEFAULT_PATH",
    "DEFAULT_SERVICES",
    "DEMO_PIN_HASH",
    "AgentSettings",
    "BackendChoices",
    "BrowserSettings",
    "CallSettings",
    "Config",
    "ConfigError",
    "KioskSettings",
    "PrivacySettings",
    "default_config",
    "hash_pin",
    "load_config",
    "verify_pin",
]


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    backends: BackendChoices | None = None,
    services: Collection[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Read and check a config file; `path=None` reads DEFAULT_PATH if it exists.

    `backends` gives the backend names each device class accepts (a mapping or a function of
    the class name, e.g. the device registry's); `services` the ids services.enabled accepts.
    """
    source = DEFAULT_PATH if path is None else Path(path)
    raw = read_toml(source, missing_ok=path is None)
    checker = Checker(source, backends, DEFAULT_SERVICES if services is None else services)
    return checker.build(raw, os.environ if environ is None else environ, source)


def default_config(*, environ: Mapping[str, str] | None = None) -> Config:
    """The demo configuration, whatever is in /etc; for tests and tools."""
    checker = Checker(DEFAULT_PATH, None, DEFAULT_SERVICES)
    return checker.build(None, os.environ if environ is None else environ, None)
