"""Checking a kiosk.toml against kiosk.config.settings: each table and key by its Rule, with
one line naming the file, the key and what is allowed when something is wrong; then the folders
derived from the environment (XDG). kiosk.config.load_config is the way in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import Field, fields, is_dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from kiosk.config.settings import (
    DEFAULT_BACKENDS,
    AgentSettings,
    BackendChoices,
    Config,
    ConfigError,
    DeviceSettings,
    KioskSettings,
    Rule,
    SessionSettings,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def read_toml(source: Path, *, missing_ok: bool) -> dict[str, Any] | None:
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return None
        raise ConfigError(f"{source}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read: {exc.strerror}") from None
    # Imported here because the demo (no file) need not pay for the TOML parser at start-up.
    import tomllib

    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        # "Expected ... (at line 3, column 7)": put the place first, where a reader looks.
        found = re.fullmatch(r"(.*) \(at (line \d+, column \d+)\)", str(exc))
        where = f"{found[2]}: {found[1]}" if found else str(exc)
        raise ConfigError(f"{source}: TOML syntax error at {where}") from None


def _show(value: object) -> str:
    """A value as it would be written in TOML, cut short to keep the message on one line."""
    import json  # only on the error path

    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 80 else shown[:77] + "..."


class Checker:
    def __init__(
        self, source: Path, backends: BackendChoices | None, services: Collection[str]
    ) -> None:
        self._source = source
        self._backends = backends
        self._services = tuple(services)

    def fail(self, message: str) -> NoReturn:
        # A key or value may hold a newline, a line separator or a control character: written
        # as its escape, so that the message stays the one line the technician reads.
        line = "".join(
            c if c.isprintable() else c.encode("unicode_escape").decode() for c in message
        )
        raise ConfigError(f"{self._source}: {line}")

    def build(self, raw: dict[str, Any] | None, env: Mapping[str, str], src: Path | None) -> Config:
        values = self._table("", Config, raw or {})
        kiosk = values.setdefault("kiosk", KioskSettings())
        session = values.setdefault("session", SessionSettings())
        devices = values.setdefault("devices", DeviceSettings())
        agent = values.setdefault("agent", AgentSettings())
        if agent.retry_max_seconds < agent.retry_initial_seconds:
            self.fail(
                f"agent.retry_max_seconds = {agent.retry_max_seconds:g} is not allowed: "
                f"at least agent.retry_initial_seconds ({agent.retry_initial_seconds:g})"
            )
        updates = values.get("updates")
        if updates is not None and updates.settle_seconds >= updates.healthy_within_seconds:
            self.fail(
                f"updates.settle_seconds = {updates.settle_seconds} is not allowed: less than "
                f"updates.healthy_within_seconds ({updates.healthy_within_seconds})"
            )
        if kiosk.hub_token_file:
            kiosk = values["kiosk"] = replace(kiosk, hub_token=self._token_file(kiosk))
        data_dir = _data_dir(kiosk.data_dir, env)
        return Config(
            **values,
            source=src if raw is not None else None,
            data_dir=data_dir,
            session_folder=_session_folder(session.folder, env),
            printer_output_dir=_absolute(devices.printer.output_dir),
        )

    def _token_file(self, kiosk: KioskSettings) -> str:
        """The token in kiosk.hub_token_file, checked as kiosk.hub_token would be."""
        name = f"kiosk.hub_token_file = {_show(kiosk.hub_token_file)}"
        if kiosk.hub_token:
            self.fail(f'{name} is not allowed with kiosk.hub_token: set hub_token = ""')
        try:
            token = Path(kiosk.hub_token_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            self.fail(f"{name}: cannot read the token: {getattr(exc, 'strerror', None) or exc}")
        spec = next(f for f in fields(KioskSettings) if f.name == "hub_token")
        rule: Rule = spec.metadata["rule"]
        if not token or not rule.accepts(token, ()):
            self.fail(f"{name}: the file does not hold a token (the value is not shown)")
        return token

    def _table(self, dotted: str, cls: type[DataclassInstance], table: object) -> dict[str, Any]:
        """The checked values of one table, as `cls`'s fields' metadata say, in file order."""
        if not isinstance(table, dict):
            self.fail(f"{dotted} must be a table: write [{dotted}] with its keys below it")
        # A key has a Rule; a [section] is a field holding another settings dataclass.
        known = {
            f.name: f
            for f in fields(cls)
            if "rule" in f.metadata or "each" in f.metadata or _section_class(f)
        }
        values: dict[str, Any] = {}
        for key, value in table.items():
            name = f"{dotted}.{key}" if dotted else key
            if key not in known:
                self.fail(_unknown(dotted, name, value, known))
            if section := _section_class(known[key]):
                values[key] = section(**self._table(name, section, value))
                continue
            if each := known[key].metadata.get("each"):
                values[key] = self._each(name, each, known[key].metadata["id"], value)
                continue
            rule: Rule = known[key].metadata["rule"]
            choices = self._choices(rule, dotted)
            if not rule.accepts(value, choices):
                shown = "(the value is not shown)" if rule.secret else _show(value)
                self.fail(f"{name} = {shown} is not allowed: {rule.describe(choices)}")
            values[key] = rule.kind(value)  # int -> float, list -> tuple
        return values

    def _each(
        self, dotted: str, cls: type[DataclassInstance], ids: str, table: object
    ) -> dict[str, Any]:
        if not isinstance(table, dict):
            self.fail(f"{dotted} must be a table: write [{dotted}.<id>] with its keys below it")
        found: dict[str, Any] = {}
        for key, value in table.items():
            if not re.fullmatch(ids, key):
                self.fail(f"[{dotted}.{key}]: the id must be 1 to 32 of a-z, 0-9 and -")
            found[key] = cls(**self._table(f"{dotted}.{key}", cls, value))
            missing = [
                f.name for f in fields(cls) if f.metadata.get("rule") and _required(f, found[key])
            ]
            if missing:
                self.fail(f"[{dotted}.{key}] needs {' and '.join(missing)}")
        return found

    def _choices(self, rule: Rule, dotted: str) -> Sequence[str]:
        if rule.choices_from == "services":
            return self._services
        if rule.choices_from == "backends":
            device_class = dotted.removeprefix("devices.")
            if self._backends is None:
                return DEFAULT_BACKENDS
            if callable(self._backends):
                return tuple(self._backends(device_class))
            return tuple(self._backends.get(device_class, DEFAULT_BACKENDS))
        return rule.choices


def _required(spec: Field[Any], value: object) -> bool:
    """A key of a [fees.<id>]-like section that must be given: amount and the Finnish name."""
    return spec.name in ("amount", "name_fi") and not getattr(value, spec.name)


def _section_class(spec: Field[Any]) -> type[DataclassInstance] | None:
    factory = spec.default_factory
    return factory if isinstance(factory, type) and is_dataclass(factory) else None


def _unknown(dotted: str, name: str, value: object, known: Mapping[str, Field[Any]]) -> str:
    listing = "sections" if any(map(_section_class, known.values())) else "keys"
    where = f" in [{dotted}]" if dotted else ""
    what = f"section [{name}]" if isinstance(value, dict) else f"key {name}"
    return f"unknown {what} (known {listing}{where}: {', '.join(known)})"


def _absolute(configured: str) -> Path | None:
    """A configured folder as an absolute path; relative ones are taken from the working dir."""
    return Path(configured).expanduser().absolute() if configured else None


def _xdg(env: Mapping[str, str], name: str) -> Path | None:
    # The XDG spec says to ignore a relative value, which would depend on the working dir.
    value = env.get(name, "")
    return Path(value) if value and os.path.isabs(value) else None


def _data_dir(configured: str, env: Mapping[str, str]) -> Path:
    if found := _absolute(configured):
        return found
    state = _xdg(env, "XDG_STATE_HOME")
    if state is None:
        home = env.get("HOME") or str(Path.home())
        state = Path(home) / ".local" / "state"
    return state / "kiosk"


def _session_folder(configured: str, env: Mapping[str, str]) -> Path:
    if found := _absolute(configured):
        return found
    runtime = _xdg(env, "XDG_RUNTIME_DIR")
    return runtime / "kiosk-sessions" if runtime else Path(f"/tmp/kiosk-sessions-{os.getuid()}")
