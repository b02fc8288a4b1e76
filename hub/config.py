"""Hub configuration: read hub.toml, check every key, hand back typed and frozen settings.

Every key is optional and the built-in defaults give the demo. A wrong key or value raises
`ConfigError` with one line naming the file, the key and what is allowed; docs/hub-config.md
is the schema. The checks are `hub.config_values`; the sections beyond [hub], [ice] and [login]
are parsed in `hub.config_sections`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hub import config_sections as sections
from hub.appointments.settings import AppointmentSettings, HomeSettings, appointment_settings
from hub.calls.ice import TurnServer, ice_servers
from hub.calls.lines import DEFAULT_LINES, ServiceLine
from hub.config_values import BOOL, HOST, STUN, URL, Checker, int_range, text_list, text_value
from hub.config_values import USERNAME as USERNAME
from hub.config_values import ConfigError as ConfigError
from hub.delivery.settings import (
    SHIPPED_CATALOGUE,
    DeliverySettings,
    EmailSettings,
    SmtpSettings,
)
from hub.eservices import EServicesSettings
from hub.fleet.settings import AlertSettings, FleetSettings, MetricsSettings

DEFAULT_PATH = Path("/etc/kiosk-hub/hub.toml")


@dataclass(frozen=True)
class HubConfig:
    """The whole hub configuration, folders resolved to absolute paths."""

    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    data_dir: Path = Path("/var/lib/kiosk-hub")
    public_url: str = "http://127.0.0.1:8080"
    cookie_secure: bool = False
    session_hours: int = 10
    #: Seconds between pings on the call sockets, both ways (CallDesk.heartbeat_s, hub.calls.desk).
    heartbeat_seconds: int = 20
    #: How long a call keeps a party whose socket was lost (Switchboard resume_seconds).
    resume_seconds: int = 30
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
    eservices: EServicesSettings = field(default_factory=EServicesSettings)
    fleet: FleetSettings = field(default_factory=FleetSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    access: sections.AccessSettings = field(default_factory=sections.AccessSettings)
    appointments: AppointmentSettings = field(default_factory=AppointmentSettings)
    home: HomeSettings = field(default_factory=HomeSettings)
    #: The signed apt repository served at /apt/ ([updates] repository_dir); None: none.
    updates_repository: Path | None = None
    #: PostgreSQL's connection URL ([store] url, or $KIOSK_HUB_DATABASE_URL, which wins); ""
    #: keeps the store in SQLite at `db_path`.
    store_url: str = ""
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
        `now`: TURN credentials minted for it where a secret is configured (hub.calls.ice)."""
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
    return HubConfig(data_dir=_data_dir("", env), store_url=_store_url("", env, None))


class _Checker(Checker):
    def build(self, raw: dict[str, Any], env: Mapping[str, str]) -> HubConfig:
        self.table("", raw, _SECTIONS)
        hub = self.table("hub", raw.get("hub", {}), _HUB_KEYS)
        ice = self.table("ice", raw.get("ice", {}), ("stun", "turn"))
        login = self.table("login", raw.get("login", {}), ("max_failures", "lockout_minutes"))
        store = self.table("store", raw.get("store", {}), ("url",))
        v = self.value
        host = v(
            hub,
            "hub",
            "listen_host",
            "127.0.0.1",
            text_value(HOST, "a host name or address", empty=False),
        )
        port = v(hub, "hub", "listen_port", 8080, int_range(1, 65535))
        shown_host = f"[{host}]" if ":" in host else host
        return HubConfig(
            listen_host=host,
            listen_port=port,
            data_dir=_data_dir(
                v(hub, "hub", "data_dir", "", text_value(None, 'a folder, or "" for the default')),
                env,
            ),
            public_url=v(hub, "hub", "public_url", "", text_value(URL, "an http(s):// URL, or ''"))
            or f"http://{shown_host}:{port}",
            cookie_secure=v(hub, "hub", "cookie_secure", True, BOOL),
            session_hours=v(hub, "hub", "session_hours", 10, int_range(1, 24 * 14)),
            heartbeat_seconds=v(hub, "hub", "heartbeat_seconds", 20, int_range(1, 300)),
            resume_seconds=v(hub, "hub", "resume_seconds", 30, int_range(1, 600)),
            stun=tuple(v(ice, "ice", "stun", [], text_list(STUN, "a list of stun:host:port URLs"))),
            turn=sections.turn_servers(self, ice.get("turn", [])),
            max_failures=v(login, "login", "max_failures", 5, int_range(1, 100)),
            lockout_minutes=v(login, "login", "lockout_minutes", 15, int_range(1, 24 * 60)),
            lines=sections.service_lines(self, raw["lines"])
            if "lines" in raw
            else tuple(DEFAULT_LINES.values()),
            **sections.delivery_settings(self, raw),
            eservices=sections.eservices_settings(self, raw),
            **sections.fleet_settings(self, raw),
            **sections.access_settings(self, raw),
            **appointment_settings(self, raw),
            **sections.updates_settings(self, raw),
            store_url=_store_url(
                v(store, "store", "url", "", text_value(None, 'a postgresql:// URL, or ""')),
                env,
                self._source,
            ),
            source=self._source,
        )


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
    "eservices",
    "fleet",
    "alerts",
    "metrics",
    "access",
    "appointments",
    "home",
    "store",
    "updates",
)
_HUB_KEYS = (
    "listen_host",
    "listen_port",
    "data_dir",
    "public_url",
    "cookie_secure",
    "session_hours",
    "heartbeat_seconds",
    "resume_seconds",
)


#: Overrides [store] url: the database's password then stays out of hub.toml (a systemd
#: EnvironmentFile readable by the hub's user only, docs/deployment.md).
DATABASE_URL_VARIABLE = "KIOSK_HUB_DATABASE_URL"


def _store_url(configured: str, env: Mapping[str, str], source: Path | None) -> str:
    url = env.get(DATABASE_URL_VARIABLE, "") or configured
    if url and not re.match(r"postgres(ql)?://", url):
        where = (
            f"${DATABASE_URL_VARIABLE}"
            if env.get(DATABASE_URL_VARIABLE)
            else f"{source}: [store] url"
        )
        raise ConfigError(
            f"{where}: expected a postgresql:// URL (or nothing, for SQLite in the data folder),"
            f" not {url.split(':', 1)[0]!r}:..."
        )
    return url


def _data_dir(configured: str, env: Mapping[str, str]) -> Path:
    if configured:
        return Path(configured).expanduser().absolute()
    value = env.get("XDG_STATE_HOME", "")
    if value and os.path.isabs(value):
        return Path(value) / "kiosk-hub"
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".local" / "state" / "kiosk-hub"
