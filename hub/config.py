"""Hub configuration: read hub.toml, check every key, hand back typed and frozen settings.

Every key is optional and the built-in defaults give the demo. A wrong key or value raises
`ConfigError` with one line naming the file, the key and what is allowed; docs/hub-config.md
is the schema.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from hub.delivery.settings import (
    MIB,
    SHIPPED_CATALOGUE,
    DeliverySettings,
    EmailSettings,
    SmtpSettings,
)
from hub.fleet.settings import AlertSettings, FleetSettings, MetricsSettings
from hub.ice import MIN_SECRET_LENGTH, TurnServer, ice_servers
from hub.lines import DEFAULT_LINES, LANGUAGES, WEEKDAYS, DayRanges, ServiceLine, parse_day

DEFAULT_PATH = Path("/etc/kiosk-hub/hub.toml")
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_LINE_ID = re.compile(r"[a-z0-9-]{1,32}")
_HOST = re.compile(r"[A-Za-z0-9.:-]{1,253}")
_URL = re.compile(r"https?://[^\s/?#@]+(/\S*)?")
_STUN = re.compile(r"stuns?:[^\s/?#@]+")
_TURN = re.compile(r"turns?:[^\s/#@]+")
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class ConfigError(Exception):
    """A config file that cannot be used; str() is one line a person can act on."""


@dataclass(frozen=True)
class HubConfig:
    """The whole hub configuration, folders resolved to absolute paths."""

    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    data_dir: Path = Path("/var/lib/kiosk-hub")
    public_url: str = "http://127.0.0.1:8080"
    cookie_secure: bool = False
    session_hours: int = 10
    #: Seconds between pings on the call sockets, both ways (see hub.desk.HEARTBEAT_SECONDS).
    heartbeat_seconds: int = 20
    stun: tuple[str, ...] = ()
    turn: tuple[TurnServer, ...] = ()
    max_failures: int = 5
    lockout_minutes: int = 15
    lines: tuple[ServiceLine, ...] = tuple(DEFAULT_LINES.values())
    #: The X25519 private key kiosks seal submissions to; None = <data_dir>/sealing.key.
    sealing_key_file: Path | None = None
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    catalogue_dir: Path = SHIPPED_CATALOGUE
    fleet: FleetSettings = field(default_factory=FleetSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    #: The file that was read; None for the built-in demo configuration.
    source: Path | None = None

    @property
    def db_path(self) -> Path:
        return self.data_dir / "hub.db"

    @property
    def sealing_key_path(self) -> Path:
        return self.sealing_key_file or self.data_dir / "sealing.key"

    def ice_servers(self, peer: str, now: datetime) -> list[dict[str, Any]]:
        """The RTCIceServer dictionaries for `peer` (a kiosk id or an advisor's username) at
        `now`: TURN credentials minted for it where a secret is configured (hub.ice)."""
        return ice_servers(self.stun, self.turn, peer, now)

    def line(self, line_id: str) -> ServiceLine | None:
        return next((line for line in self.lines if line.id == line_id), None)


def load_config(
    path: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> HubConfig:
    """Read and check a config file; `path=None` reads DEFAULT_PATH if it exists."""
    source = DEFAULT_PATH if path is None else Path(path)
    env = os.environ if environ is None else environ
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        if path is not None:
            raise ConfigError(f"{source}: no such file") from None
        return default_config(environ=env)
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read: {exc.strerror}") from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        found = re.fullmatch(r"(.*) \(at (.+)\)", str(exc))
        where = f"{found[2]}: {found[1]}" if found else str(exc)
        raise ConfigError(f"{source}: TOML syntax error at {where}") from None
    return _Checker(source).build(raw, env)


def default_config(*, environ: Mapping[str, str] | None = None) -> HubConfig:
    """The demo configuration, whatever is in /etc: plain HTTP on 127.0.0.1."""
    env = os.environ if environ is None else environ
    return HubConfig(data_dir=_data_dir("", env))


def _show(value: object) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 80 else shown[:77] + "..."


class _Checker:
    def __init__(self, source: Path) -> None:
        self._source = source

    def fail(self, message: str) -> NoReturn:
        raise ConfigError(f"{self._source}: {message}")

    def table(self, dotted: str, value: object, known: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(f"{dotted} must be a table: write [{dotted}] with its keys below it")
        for key, item in value.items():
            if key not in known:
                what = "section" if isinstance(item, dict) else "key"
                where = f" in [{dotted}]" if dotted else ""
                name = f"{dotted}.{key}" if dotted else key
                self.fail(f"unknown {what} {name} (known{where}: {', '.join(known)})")
        return value

    def value(self, table: dict[str, Any], dotted: str, key: str, default: Any, ok: Any) -> Any:
        """table[key] if `ok` accepts it (ok is (check, text)), else fail; default if absent."""
        if key not in table:
            return default
        check, text = ok
        found = table[key]
        if not check(found):
            self.fail(f"{dotted}.{key} = {_show(found)} is not allowed: {text}")
        return found

    def build(self, raw: dict[str, Any], env: Mapping[str, str]) -> HubConfig:
        self.table("", raw, _SECTIONS)
        hub = self.table("hub", raw.get("hub", {}), _HUB_KEYS)
        ice = self.table("ice", raw.get("ice", {}), ("stun", "turn"))
        login = self.table("login", raw.get("login", {}), ("max_failures", "lockout_minutes"))
        v = self.value
        host = v(
            hub,
            "hub",
            "listen_host",
            "127.0.0.1",
            _text(_HOST, "a host name or address", empty=False),
        )
        port = v(hub, "hub", "listen_port", 8080, _int(1, 65535))
        shown_host = f"[{host}]" if ":" in host else host
        return HubConfig(
            listen_host=host,
            listen_port=port,
            data_dir=_data_dir(
                v(hub, "hub", "data_dir", "", _text(None, 'a folder, or "" for the default')), env
            ),
            public_url=v(hub, "hub", "public_url", "", _text(_URL, "an http(s):// URL, or ''"))
            or f"http://{shown_host}:{port}",
            cookie_secure=v(hub, "hub", "cookie_secure", True, _BOOL),
            session_hours=v(hub, "hub", "session_hours", 10, _int(1, 24 * 14)),
            heartbeat_seconds=v(hub, "hub", "heartbeat_seconds", 20, _int(1, 300)),
            stun=tuple(v(ice, "ice", "stun", [], _list(_STUN, "a list of stun:host:port URLs"))),
            turn=self._turn(ice.get("turn", [])),
            max_failures=v(login, "login", "max_failures", 5, _int(1, 100)),
            lockout_minutes=v(login, "login", "lockout_minutes", 15, _int(1, 24 * 60)),
            lines=self._lines(raw["lines"]) if "lines" in raw else tuple(DEFAULT_LINES.values()),
            **self._delivery(raw),
            **self._fleet(raw),
            source=self._source,
        )

    def _delivery(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The keys of [sealing], [smtp], [email], [forms] and [delivery]."""
        sealing = self.table("sealing", raw.get("sealing", {}), ("private_key_file",))
        smtp = self.table("smtp", raw.get("smtp", {}), _SMTP_KEYS)
        email = self.table("email", raw.get("email", {}), _EMAIL_KEYS)
        forms = self.table("forms", raw.get("forms", {}), ("catalogue_dir",))
        delivery = self.table("delivery", raw.get("delivery", {}), _DELIVERY_KEYS)
        v = self.value
        path = _text(None, 'a file path, or "" for the default')
        folder = _text(None, 'a folder, or "" for the shipped catalogue')
        d = DeliverySettings()
        initial = v(delivery, "delivery", "initial_backoff_seconds", 60, _int(1, 86400))
        longest = v(delivery, "delivery", "max_backoff_seconds", 3600, _int(1, 7 * 86400))
        if longest < initial:
            self.fail(
                f"delivery.max_backoff_seconds = {longest} is not allowed: at least "
                f"delivery.initial_backoff_seconds ({initial})"
            )
        return {
            "sealing_key_file": _file(v(sealing, "sealing", "private_key_file", "", path)),
            "smtp": SmtpSettings(
                host=v(smtp, "smtp", "host", "localhost", _text(_HOST, "a host name", empty=False)),
                port=v(smtp, "smtp", "port", 25, _int(1, 65535)),
                starttls=v(smtp, "smtp", "starttls", False, _BOOL),
                username=v(smtp, "smtp", "username", "", _text(None, "text", 256)),
                password_file=_file(v(smtp, "smtp", "password_file", "", path)),
                timeout_seconds=v(smtp, "smtp", "timeout_seconds", 30, _int(1, 600)),
            ),
            "email": EmailSettings(
                sender=v(email, "email", "sender", EmailSettings.sender, _SENDER),
                max_recipients=v(email, "email", "max_recipients", 3, _int(1, 50)),
                messages_per_kiosk_per_hour=v(
                    email, "email", "messages_per_kiosk_per_hour", 10, _int(0, 10000)
                ),
                max_attachment_bytes=v(
                    email, "email", "max_attachment_bytes", 10 * MIB, _int(0, 25 * MIB)
                ),
            ),
            "delivery": DeliverySettings(
                initial_backoff_seconds=initial,
                max_backoff_seconds=longest,
                max_attempts=v(delivery, "delivery", "max_attempts", d.max_attempts, _int(1, 1000)),
                ca_file=_file(v(delivery, "delivery", "ca_file", "", path)),
                max_submission_bytes=v(
                    delivery, "delivery", "max_submission_bytes", 25 * MIB, _int(1024, 25 * MIB)
                ),
            ),
            "catalogue_dir": _file(v(forms, "forms", "catalogue_dir", "", folder))
            or SHIPPED_CATALOGUE,
        }

    def _fleet(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The keys of [fleet], [alerts] and [metrics]."""
        fleet = self.table("fleet", raw.get("fleet", {}), ("offline_minutes", "opening_hours"))
        alerts = self.table("alerts", raw.get("alerts", {}), ("notify_clear", "notify_maintenance"))
        metrics = self.table("metrics", raw.get("metrics", {}), ("token_file",))
        v = self.value
        addresses = _list(_ADDRESS, "a list of e-mail addresses, each at most once")
        opening = FleetSettings().opening_hours
        if "opening_hours" in fleet:
            opening = self._hours("fleet.opening_hours", fleet["opening_hours"])
        return {
            "fleet": FleetSettings(
                offline_minutes=v(fleet, "fleet", "offline_minutes", 3, _int(1, 24 * 60)),
                opening_hours=opening,
            ),
            "alerts": AlertSettings(
                notify_clear=tuple(v(alerts, "alerts", "notify_clear", [], addresses)),
                notify_maintenance=tuple(v(alerts, "alerts", "notify_maintenance", [], addresses)),
            ),
            "metrics": MetricsSettings(
                token_file=_file(
                    v(metrics, "metrics", "token_file", "", _text(None, 'a file path, or ""'))
                )
            ),
        }

    def _turn(self, value: object) -> tuple[TurnServer, ...]:
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.fail('ice.turn must be a list of tables: turn = [{url = "turn:…", …}]')
        servers = []
        for index, item in enumerate(value):
            name = f"ice.turn[{index}]"
            entry = self.table(name, item, ("url", "username", "credential", "secret"))
            if "url" not in entry:
                self.fail(f"{name} needs url")
            if "secret" in entry and ("username" in entry or "credential" in entry):
                self.fail(
                    f"{name} has secret and username/credential: give either the secret "
                    "(coturn's static-auth-secret) or a static username and credential"
                )
            secret = entry.get("secret", "")  # never shown in a message: it would reach logs
            short = not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH
            if "secret" in entry and short:
                self.fail(f"{name}.secret must be text of {MIN_SECRET_LENGTH} characters or more")
            servers.append(
                TurnServer(
                    url=self.value(entry, name, "url", "", _text(_TURN, "a turn: or turns: URL")),
                    username=self.value(entry, name, "username", "", _text(None, "text")),
                    credential=self.value(entry, name, "credential", "", _text(None, "text")),
                    secret=secret,
                )
            )
        return tuple(servers)

    def _lines(self, value: object) -> tuple[ServiceLine, ...]:
        if not isinstance(value, dict):
            self.fail("lines must be a table: write [lines.<id>] with its keys below it")
        lines = []
        for line_id, item in value.items():
            if not _LINE_ID.fullmatch(line_id):
                self.fail(f"[lines.{line_id}]: the id must be 1 to 32 of a-z, 0-9 and -")
            lines.append(self._line(line_id, item))
        if not lines:
            self.fail("lines has no [lines.<id>] sections: give at least one line")
        return tuple(lines)

    def _line(self, line_id: str, item: object) -> ServiceLine:
        name = f"lines.{line_id}"
        entry = self.table(name, item, _LINE_KEYS)
        base = DEFAULT_LINES.get(line_id, ServiceLine(id=line_id, name_fi=""))
        texts = {
            key: self.value(entry, name, key, getattr(base, key), _text(None, "text", 300))
            for key in _LINE_KEYS
            if key.startswith(("name_", "description_")) or key == "phone"
        }
        if not texts["name_fi"]:
            self.fail(f"[{name}] needs name_fi")
        languages = self.value(entry, name, "languages", base.languages, _LANGS)
        advisors = self.value(entry, name, "advisors", base.advisors, _list(USERNAME, _USERS))
        return replace(
            base,
            **texts,
            languages=tuple(languages),
            hours=self._hours(f"{name}.hours", entry["hours"]) if "hours" in entry else base.hours,
            ring_seconds=self.value(entry, name, "ring_seconds", base.ring_seconds, _int(5, 120)),
            advisors=tuple(advisors),
        )

    def _hours(self, dotted: str, value: object) -> dict[str, DayRanges]:
        table = self.table(dotted, value, WEEKDAYS)
        hours: dict[str, DayRanges] = {}
        for day, text in table.items():
            ranges = parse_day(text) if isinstance(text, str) else None
            if ranges is None:
                self.fail(
                    f"{dotted}.{day} = {_show(text)} is not allowed: opening hours in Helsinki "
                    'time like "09:00-16:00" or "08:00-11:30, 12:30-16:00"; leave a day out '
                    "when closed"
                )
            hours[day] = ranges
        return hours


_SECTIONS = (
    "hub",
    "ice",
    "login",
    "lines",
    "sealing",
    "smtp",
    "email",
    "forms",
    "delivery",
    "fleet",
    "alerts",
    "metrics",
)
_SMTP_KEYS = ("host", "port", "starttls", "username", "password_file", "timeout_seconds")
_EMAIL_KEYS = (
    "sender",
    "max_recipients",
    "messages_per_kiosk_per_hour",
    "max_attachment_bytes",
)
_DELIVERY_KEYS = (
    "initial_backoff_seconds",
    "max_backoff_seconds",
    "max_attempts",
    "ca_file",
    "max_submission_bytes",
)
_HUB_KEYS = (
    "listen_host",
    "listen_port",
    "data_dir",
    "public_url",
    "cookie_secure",
    "session_hours",
    "heartbeat_seconds",
)
_LINE_KEYS = (
    "name_fi",
    "name_sv",
    "name_en",
    "description_fi",
    "description_sv",
    "description_en",
    "phone",
    "languages",
    "hours",
    "ring_seconds",
    "advisors",
)
_USERS = "a list of staff usernames (a-z, 0-9, . _ -)"
_BOOL = (lambda value: isinstance(value, bool), "true or false")
_SENDER = (
    lambda value: isinstance(value, str) and _ADDRESS.fullmatch(value) is not None,
    "one e-mail address, like kioski@example.fi",
)


def _int(low: int, high: int) -> tuple[Any, str]:
    def check(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high

    return check, f"a whole number from {low} to {high}"


def _text(
    pattern: re.Pattern[str] | None, text: str, max_length: int = 4096, *, empty: bool = True
) -> tuple[Any, str]:
    def check(value: object) -> bool:
        return (
            isinstance(value, str)
            and len(value) <= max_length
            and (bool(value) or empty)
            and (pattern is None or not value or pattern.fullmatch(value) is not None)
        )

    return check, text


def _list(pattern: re.Pattern[str], text: str) -> tuple[Any, str]:
    def check(value: object) -> bool:
        return (
            isinstance(value, list)
            and all(isinstance(item, str) and pattern.fullmatch(item) for item in value)
            and len(set(value)) == len(value)
        )

    return check, text


_LANGS = (
    lambda value: (
        isinstance(value, list)
        and bool(value)
        and all(item in LANGUAGES for item in value)
        and len(set(value)) == len(value)
    ),
    "a list of one or more of fi, sv, en, each at most once",
)


def _file(configured: str) -> Path | None:
    """A configured path, absolute; like data_dir, a relative one is from the working folder."""
    return Path(configured).expanduser().absolute() if configured else None


def _data_dir(configured: str, env: Mapping[str, str]) -> Path:
    if configured:
        return Path(configured).expanduser().absolute()
    value = env.get("XDG_STATE_HOME", "")
    if value and os.path.isabs(value):
        return Path(value) / "kiosk-hub"
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".local" / "state" / "kiosk-hub"
