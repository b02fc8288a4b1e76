"""The sections of hub.toml beyond the listener: service lines and their opening hours, TURN
servers, delivery ([sealing], [smtp], [email], [forms], [delivery]), the e-services catalogue
([eservices]), fleet health ([fleet], [alerts], [metrics]), who may ask how often ([access]) and
the apt repository of the fleet's updates ([updates]).
Each parser turns its checked tables into the settings its package reads.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace
from typing import Any

from eservices.catalogue import CatalogueError
from hub.calls.ice import MIN_SECRET_LENGTH, TurnServer
from hub.calls.lines import DEFAULT_LINES, ServiceLine
from hub.config_values import (
    ADDRESS,
    BOOL,
    HOST,
    LANGS,
    LINE_ID,
    SENDER,
    TURN,
    USERNAME,
    USERS,
    Checker,
    file_path,
    int_range,
    show,
    text_list,
    text_value,
)
from hub.delivery.settings import (
    MIB,
    SHIPPED_CATALOGUE,
    SMTP_TLS,
    DeliverySettings,
    EmailSettings,
    SmtpSettings,
    is_loopback,
)
from hub.eservices import EServicesSettings, read_catalogue
from hub.fleet.settings import AlertSettings, FleetSettings, MetricsSettings
from hub.hours import WEEKDAYS, DayRanges, parse_day


def delivery_settings(check: Checker, raw: dict[str, Any]) -> dict[str, Any]:
    """The keys of [sealing], [smtp], [email], [forms] and [delivery]."""
    sealing = check.table("sealing", raw.get("sealing", {}), ("private_key_file",))
    smtp = check.table("smtp", _without_starttls(check, raw.get("smtp", {})), _SMTP_KEYS)
    email = check.table("email", raw.get("email", {}), _EMAIL_KEYS)
    forms = check.table("forms", raw.get("forms", {}), ("catalogue_dir",))
    delivery = check.table("delivery", raw.get("delivery", {}), _DELIVERY_KEYS)
    v = check.value
    path = text_value(None, 'a file path, or "" for the default')
    folder = text_value(None, 'a folder, or "" for the shipped catalogue')
    d = DeliverySettings()
    initial = v(delivery, "delivery", "initial_backoff_seconds", 60, int_range(1, 86400))
    longest = v(delivery, "delivery", "max_backoff_seconds", 3600, int_range(1, 7 * 86400))
    if longest < initial:
        check.fail(
            f"delivery.max_backoff_seconds = {longest} is not allowed: at least "
            f"delivery.initial_backoff_seconds ({initial})"
        )
    return {
        "sealing_key_file": file_path(v(sealing, "sealing", "private_key_file", "", path)),
        "smtp": smtp_settings(check, smtp),
        "email": EmailSettings(
            sender=v(email, "email", "sender", EmailSettings.sender, SENDER),
            max_recipients=v(email, "email", "max_recipients", 3, int_range(1, 50)),
            messages_per_kiosk_per_hour=v(
                email, "email", "messages_per_kiosk_per_hour", 10, int_range(0, 10000)
            ),
            max_attachment_bytes=v(
                email, "email", "max_attachment_bytes", 10 * MIB, int_range(0, 25 * MIB)
            ),
        ),
        "delivery": DeliverySettings(
            initial_backoff_seconds=initial,
            max_backoff_seconds=longest,
            max_attempts=v(
                delivery, "delivery", "max_attempts", d.max_attempts, int_range(1, 1000)
            ),
            ca_file=file_path(v(delivery, "delivery", "ca_file", "", path)),
            max_submission_bytes=v(
                delivery, "delivery", "max_submission_bytes", 25 * MIB, int_range(1024, 25 * MIB)
            ),
            claim_lease_seconds=v(
                delivery, "delivery", "claim_lease_seconds", 300, int_range(2, 86400)
            ),
        ),
        "catalogue_dir": file_path(v(forms, "forms", "catalogue_dir", "", folder))
        or SHIPPED_CATALOGUE,
    }


def eservices_settings(check: Checker, raw: dict[str, Any]) -> EServicesSettings:
    """[eservices]: the catalogue file, read and checked now, so that a file the hub cannot
    serve stops start-up (and check-config) with the key named."""
    table = check.table("eservices", raw.get("eservices", {}), ("catalogue",))
    text = text_value(None, 'a JSON file, or "" for the shipped catalogue')
    path = file_path(check.value(table, "eservices", "catalogue", "", text))
    try:
        checked = read_catalogue(path)
    except OSError as exc:
        check.fail(f"eservices.catalogue: cannot read {path}: {exc.strerror or exc}")
    except CatalogueError as exc:
        check.fail(f"eservices.catalogue: {path} is not an e-services catalogue: {exc}")
    return EServicesSettings(catalogue_file=path, checked=checked)


def smtp_settings(check: Checker, smtp: dict[str, Any]) -> SmtpSettings:
    """[smtp]: the relay, always over TLS unless it is on this machine and plain is allowed."""
    v = check.value
    host = v(smtp, "smtp", "host", "localhost", text_value(HOST, "a host name", empty=False))
    tls = v(smtp, "smtp", "tls", "starttls", (lambda value: value in SMTP_TLS, _TLS_TEXT))
    plain = v(smtp, "smtp", "allow_plain_smtp_to_loopback", False, BOOL)
    if plain and not is_loopback(host):
        check.fail(
            f"smtp.allow_plain_smtp_to_loopback = true is not allowed with smtp.host = "
            f"{show(host)}: plain SMTP only to a relay on this machine (127.0.0.1, ::1, "
            "localhost); a relay elsewhere needs STARTTLS or TLS"
        )
    return SmtpSettings(
        host=host,
        port=v(smtp, "smtp", "port", 465 if tls == "implicit" else 25, int_range(1, 65535)),
        tls=tls,
        ca_file=file_path(
            v(smtp, "smtp", "ca_file", "", text_value(None, 'a PEM file path, or ""'))
        ),
        allow_plain_smtp_to_loopback=plain,
        username=v(smtp, "smtp", "username", "", text_value(None, "text", 256)),
        password_file=file_path(
            v(smtp, "smtp", "password_file", "", text_value(None, 'a file path, or ""'))
        ),
        timeout_seconds=v(smtp, "smtp", "timeout_seconds", 30, int_range(1, 600)),
    )


def _without_starttls(check: Checker, smtp: object) -> object:
    """[smtp] as given, failing with what replaced the former key `starttls` if it is there."""
    if isinstance(smtp, dict) and "starttls" in smtp:
        check.fail(
            'smtp.starttls is no longer a key: the hub always encrypts; use smtp.tls = "starttls" '
            '(the default) or "implicit", or allow_plain_smtp_to_loopback = true for a relay on '
            "this machine"
        )
    return smtp


_TLS_TEXT = '"starttls" (STARTTLS, usually port 25 or 587) or "implicit" (TLS, usually port 465)'


@dataclass(frozen=True)
class AccessSettings:
    """Where requests come from and how many logins one place may try ([access])."""

    #: Peers whose X-Forwarded-For is believed (a TLS proxy in front of the hub); the client's
    #: address is then the nearest one in that header that is not a proxy of this list.
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    #: Login attempts one client address may make in any 60 seconds; more get 429.
    login_attempts_per_minute: int = 20
    #: Logins waiting for a password check (Argon2) at once, from everywhere; more get 429.
    login_queue: int = 16


def access_settings(check: Checker, raw: dict[str, Any]) -> dict[str, Any]:
    """The keys of [access]."""
    access = check.table("access", raw.get("access", {}), _ACCESS_KEYS)
    v = check.value
    proxies = v(access, "access", "trusted_proxies", [], _NETWORKS)
    return {
        "access": AccessSettings(
            trusted_proxies=tuple(ipaddress.ip_network(text, strict=False) for text in proxies),
            login_attempts_per_minute=v(
                access, "access", "login_attempts_per_minute", 20, int_range(1, 10000)
            ),
            login_queue=v(access, "access", "login_queue", 16, int_range(1, 10000)),
        )
    }


def _is_network(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


_ACCESS_KEYS = ("trusted_proxies", "login_attempts_per_minute", "login_queue")
_NETWORKS = (
    lambda value: isinstance(value, list) and all(_is_network(item) for item in value),
    'a list of addresses or networks, like ["127.0.0.1", "10.0.0.0/24"]',
)


def fleet_settings(check: Checker, raw: dict[str, Any]) -> dict[str, Any]:
    """The keys of [fleet], [alerts] and [metrics]."""
    fleet = check.table("fleet", raw.get("fleet", {}), ("offline_minutes", "opening_hours"))
    alerts = check.table("alerts", raw.get("alerts", {}), ("notify_clear", "notify_maintenance"))
    metrics = check.table("metrics", raw.get("metrics", {}), ("token_file", "private_port"))
    v = check.value
    addresses = text_list(ADDRESS, "a list of e-mail addresses, each at most once")
    opening = FleetSettings().opening_hours
    if "opening_hours" in fleet:
        opening = opening_hours(check, "fleet.opening_hours", fleet["opening_hours"])
    return {
        "fleet": FleetSettings(
            offline_minutes=v(fleet, "fleet", "offline_minutes", 3, int_range(1, 24 * 60)),
            opening_hours=opening,
        ),
        "alerts": AlertSettings(
            notify_clear=tuple(v(alerts, "alerts", "notify_clear", [], addresses)),
            notify_maintenance=tuple(v(alerts, "alerts", "notify_maintenance", [], addresses)),
        ),
        "metrics": MetricsSettings(
            token_file=file_path(
                v(metrics, "metrics", "token_file", "", text_value(None, 'a file path, or ""'))
            ),
            private_port=v(metrics, "metrics", "private_port", False, BOOL),
        ),
    }


def updates_settings(check: Checker, raw: dict[str, Any]) -> dict[str, Any]:
    """[updates]: the signed apt repository the hub serves at /apt/ (docs/updates.md); a
    folder that is not there stops start-up (and check-config) naming it."""
    updates = check.table("updates", raw.get("updates", {}), ("repository_dir",))
    text = text_value(None, 'a folder made by packaging/publish.py, or "" to serve none')
    folder = file_path(check.value(updates, "updates", "repository_dir", "", text))
    if folder is not None and not folder.is_dir():
        check.fail(
            f"updates.repository_dir: there is no folder {folder} (publish the repository there"
            " with packaging/publish.py, or leave the key out)"
        )
    return {"updates_repository": folder}


def turn_servers(check: Checker, value: object) -> tuple[TurnServer, ...]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        check.fail('ice.turn must be a list of tables: turn = [{url = "turn:…", …}]')
    servers = []
    for index, item in enumerate(value):
        name = f"ice.turn[{index}]"
        entry = check.table(name, item, ("url", "username", "credential", "secret"))
        if "url" not in entry:
            check.fail(f"{name} needs url")
        if "secret" in entry and ("username" in entry or "credential" in entry):
            check.fail(
                f"{name} has secret and username/credential: give either the secret "
                "(coturn's static-auth-secret) or a static username and credential"
            )
        secret = entry.get("secret", "")  # never shown in a message: it would reach logs
        short = not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH
        if "secret" in entry and short:
            check.fail(f"{name}.secret must be text of {MIN_SECRET_LENGTH} characters or more")
        servers.append(
            TurnServer(
                url=check.value(entry, name, "url", "", text_value(TURN, "a turn: or turns: URL")),
                username=check.value(entry, name, "username", "", text_value(None, "text")),
                credential=check.value(entry, name, "credential", "", text_value(None, "text")),
                secret=secret,
            )
        )
    return tuple(servers)


def service_lines(check: Checker, value: object) -> tuple[ServiceLine, ...]:
    if not isinstance(value, dict):
        check.fail("lines must be a table: write [lines.<id>] with its keys below it")
    lines = []
    for line_id, item in value.items():
        if not LINE_ID.fullmatch(line_id):
            check.fail(f"[lines.{line_id}]: the id must be 1 to 32 of a-z, 0-9 and -")
        lines.append(_line(check, line_id, item))
    if not lines:
        check.fail("lines has no [lines.<id>] sections: give at least one line")
    return tuple(lines)


def _line(check: Checker, line_id: str, item: object) -> ServiceLine:
    name = f"lines.{line_id}"
    entry = check.table(name, item, _LINE_KEYS)
    base = DEFAULT_LINES.get(line_id, ServiceLine(id=line_id, name_fi=""))
    texts = {
        key: check.value(entry, name, key, getattr(base, key), text_value(None, "text", 300))
        for key in _LINE_KEYS
        if key.startswith(("name_", "description_")) or key == "phone"
    }
    if not texts["name_fi"]:
        check.fail(f"[{name}] needs name_fi")
    languages = check.value(entry, name, "languages", base.languages, LANGS)
    advisors = check.value(entry, name, "advisors", base.advisors, text_list(USERNAME, USERS))
    return replace(
        base,
        **texts,
        languages=tuple(languages),
        hours=opening_hours(check, f"{name}.hours", entry["hours"])
        if "hours" in entry
        else base.hours,
        ring_seconds=check.value(entry, name, "ring_seconds", base.ring_seconds, int_range(5, 120)),
        advisors=tuple(advisors),
        advisor_documents_print_free=check.value(
            entry, name, "advisor_documents_print_free", base.advisor_documents_print_free, BOOL
        ),
        interpreting=check.value(entry, name, "interpreting", base.interpreting, _INTERPRETING),
    )


def opening_hours(check: Checker, dotted: str, value: object) -> dict[str, DayRanges]:
    table = check.table(dotted, value, WEEKDAYS)
    hours: dict[str, DayRanges] = {}
    for day, text in table.items():
        ranges = parse_day(text) if isinstance(text, str) else None
        if ranges is None:
            check.fail(
                f"{dotted}.{day} = {show(text)} is not allowed: opening hours in Helsinki "
                'time like "09:00-16:00" or "08:00-11:30, 12:30-16:00"; leave a day out '
                "when closed"
            )
        hours[day] = ranges
    return hours


_SMTP_KEYS = (
    "host",
    "port",
    "tls",
    "ca_file",
    "allow_plain_smtp_to_loopback",
    "username",
    "password_file",
    "timeout_seconds",
)
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
    "claim_lease_seconds",
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
    "advisor_documents_print_free",
    "interpreting",
)
#: A BCP 47 language tag, loosely: a 2-8 letter language ("fse", "ar") and optional subtags of
#: letters and digits ("fi-x-selko", "es-419").
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
_INTERPRETING = text_value(
    _LANGUAGE_TAG,
    'a language tag like "fse" (Finnish Sign Language), "fss", "ar" or "uk": letters, '
    'subtags after hyphens; or "" for a service line',
    35,
)
