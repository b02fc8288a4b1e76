"""The e-services catalogue as data, and its checks.

A catalogue is one JSON object:

    {"identification": ["https://tunnistus.suomi.fi", "https://*.op.fi", ...],
     "topics": [{"id": "money", "names": {"fi": "Raha ja verot", "sv": "...", "en": "..."}}],
     "services": [
        {"id": "omavero", "topic": "money",
         "names": {"fi": "OmaVero", "sv": "MinSkatt", "en": "MyTax"},
         "summaries": {"fi": "Veroilmoitus, verokortti ja maksut", "sv": "...", "en": "..."},
         "authority": {"fi": "Verohallinto", "sv": "Skatteförvaltningen", "en": "Tax Admin."},
         "start_url": "https://www.vero.fi/omavero/",
         "origins": ["https://www.vero.fi", "https://*.vero.fi"]}]}

`origins` are what the service's pages may load, for the top-level page and every
sub-resource alike; the start URL's own origin is always among them. `identification` is the
allow-list every service shares for strong identification (the identification service and the
banks' and mobile-ID pages it sends to). An origin is `scheme://host[:port]`, scheme https (or
http, which the kiosk refuses unless its configuration allows plain HTTP, as the tests and the
demo do); `https://*.example.fi` stands for every host under example.fi, not example.fi itself.

`check_catalogue` keeps what checks out and names what does not: a malformed service, topic or
origin is left out with its problem, and the rest is offered. Only a document that is not a
catalogue at all raises `CatalogueError`. The catalogue's version is the SHA-256 of what is
kept, so the hub can answer an unchanged catalogue with 304.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from eservices import LANGUAGES

#: The catalogue that ships with the kiosk and the hub (the services a Helsinki library offers).
SHIPPED = "catalogue.json"
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
DEFAULT_PORTS = {"http": 80, "https": 443}
#: Each text's longest allowed length, per field.
TEXT_LIMITS = {"names": 80, "summaries": 160, "authority": 80}
MAX_ORIGINS = 64
MAX_SERVICES = 500


class CatalogueError(ValueError):
    """The document is not an e-services catalogue at all; str() says why."""


@dataclass(frozen=True)
class EntryError:
    """One entry left out: `what` names it ("service kela", "topic money", "identification #2")."""

    what: str
    problem: str

    def __str__(self) -> str:
        return f"{self.what}: {self.problem}"


@dataclass(frozen=True)
class Origin:
    """Where a page may load from: one scheme, one host (or every host under a domain), one port."""

    scheme: str
    #: Lower-case ASCII; "*.example.fi" for every host under example.fi.
    host: str
    port: int

    @property
    def wildcard(self) -> bool:
        return self.host.startswith("*.")

    def matches(self, scheme: str, host: str, port: int) -> bool:
        if scheme != self.scheme or port != self.port:
            return False
        if self.wildcard:
            return host.endswith(self.host[1:]) and len(host) > len(self.host) - 1
        return host == self.host

    def __str__(self) -> str:
        port = "" if DEFAULT_PORTS[self.scheme] == self.port else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}"


def parse_origin(text: str) -> Origin:
    """`scheme://host[:port]` as an Origin; ValueError says what is wrong with it."""
    if not isinstance(text, str):
        raise ValueError("an origin is a string like https://www.example.fi")
    wildcard = "://*." in text
    parts = urlsplit(text.replace("://*.", "://wildcard.", 1) if wildcard else text)
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError(f"{text!r}: the scheme must be https (or http), not {parts.scheme!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"{text!r}: an origin has no path, query or user, only scheme://host")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise ValueError(f"{text!r}: the port is not a number from 1 to 65535") from None
    host = _host(parts.hostname or "", text)
    if wildcard:
        host = "*." + host.removeprefix("wildcard.")
        if host.count(".") < 2:
            raise ValueError(f"{text!r}: a wildcard needs a domain of two labels or more")
    return Origin(parts.scheme, host, port)


def _host(host: str, text: str) -> str:
    if not host:
        raise ValueError(f"{text!r}: there is no host")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError(f"{text!r}: {host!r} is not a host name") from None
    if not all(_LABEL.match(label) for label in ascii_host.split(".")):
        raise ValueError(f"{text!r}: {host!r} is not a host name")
    return ascii_host


def url_origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) or ws(s) URL, with WebSockets under their page's
    scheme; None for any other URL."""
    try:
        parts = urlsplit(url)
        scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            return None
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        return None
    host = parts.hostname.lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return scheme, host, port


def allowed(url: str, origins: Sequence[Origin]) -> bool:
    """True when the URL's origin is one of these (a URL with no http(s) origin never is)."""
    where = url_origin(url)
    return where is not None and any(origin.matches(*where) for origin in origins)


@dataclass(frozen=True)
class Topic:
    id: str
    names: Mapping[str, str]

    def name(self, language: str) -> str:
        return self.names[language]


@dataclass(frozen=True)
class EService:
    id: str
    topic: str
    names: Mapping[str, str]
    summaries: Mapping[str, str]
    authority: Mapping[str, str]
    start_url: str
    #: The start URL's origin first, then the others as listed.
    origins: tuple[Origin, ...]

    def name(self, language: str) -> str:
        return self.names[language]


@dataclass(frozen=True)
class Catalogue:
    topics: tuple[Topic, ...]
    services: tuple[EService, ...]
    #: Strong identification's allow-list, shared by every service.
    identification: tuple[Origin, ...]
    #: SHA-256 of the catalogue as served (the entries that checked out).
    version: str
    #: The JSON object with only the entries that checked out: what the hub serves.
    served: dict[str, Any] = field(repr=False, compare=False)

    def service(self, service_id: str) -> EService | None:
        return next((s for s in self.services if s.id == service_id), None)

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def reachable(self, service: EService) -> tuple[Origin, ...]:
        """Every origin a page of this service may load from: its own and identification's."""
        return service.origins + self.identification

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


@dataclass(frozen=True)
class Checked:
    catalogue: Catalogue
    #: What was left out, and why; empty when everything checked out.
    errors: list[EntryError]


def check_catalogue(document: Any) -> Checked:
    """The entries of a parsed JSON document that check out, and what was left out.
    Raises CatalogueError when the document is not a catalogue at all."""
    if not isinstance(document, dict):
        raise CatalogueError("the catalogue is not a JSON object")
    unknown = set(document) - {"identification", "topics", "services"}
    if unknown:
        raise CatalogueError(f"unknown keys: {', '.join(sorted(unknown))}")
    raw_services = document.get("services")
    raw_topics = document.get("topics", [])
    raw_ident = document.get("identification", [])
    if not isinstance(raw_services, list):
        raise CatalogueError("services must be a list")
    if len(raw_services) > MAX_SERVICES:
        raise CatalogueError(f"more than {MAX_SERVICES} services")
    if not isinstance(raw_topics, list) or not isinstance(raw_ident, list):
        raise CatalogueError("topics and identification must be lists")
    errors: list[EntryError] = []
    identification: list[Origin] = []
    kept_ident: list[str] = []
    for index, text in enumerate(raw_ident[:MAX_ORIGINS]):
        try:
            identification.append(parse_origin(text))
            kept_ident.append(text)
        except ValueError as exc:
            errors.append(EntryError(f"identification #{index + 1}", str(exc)))
    topics: dict[str, Topic] = {}
    kept_topics: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_topics):
        what = _name("topic", raw, index)
        try:
            topic = _topic(raw, topics)
        except ValueError as exc:
            errors.append(EntryError(what, str(exc)))
            continue
        topics[topic.id] = topic
        kept_topics.append(raw)
    services: dict[str, EService] = {}
    kept_services: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_services):
        what = _name("service", raw, index)
        try:
            service = _service(raw, topics, services)
        except ValueError as exc:
            errors.append(EntryError(what, str(exc)))
            continue
        services[service.id] = service
        kept_services.append(raw)
    served = {"identification": kept_ident, "topics": kept_topics, "services": kept_services}
    canonical = json.dumps(served, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    catalogue = Catalogue(
        topics=tuple(topics.values()),
        services=tuple(services.values()),
        identification=tuple(identification),
        version=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        served=served,
    )
    return Checked(catalogue, errors)


def parse_catalogue(data: bytes) -> Checked:
    """check_catalogue of JSON bytes; CatalogueError when they are not JSON."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CatalogueError(f"not JSON: {exc}") from None
    return check_catalogue(document)


def shipped_bytes() -> bytes:
    """The catalogue that ships with the product."""
    return resources.files("eservices").joinpath(SHIPPED).read_bytes()


def _name(kind: str, raw: Any, index: int) -> str:
    found = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind} {found[:40]}" if isinstance(found, str) and found else f"{kind} #{index + 1}"


def _topic(raw: Any, known: Mapping[str, Topic]) -> Topic:
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    _keys(raw, {"id", "names"})
    topic_id = _id(raw)
    if topic_id in known:
        raise ValueError("the id is used twice")
    return Topic(topic_id, _texts(raw, "names", 60))


def _service(raw: Any, topics: Mapping[str, Topic], known: Mapping[str, EService]) -> EService:
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    _keys(raw, {"id", "topic", "names", "summaries", "authority", "start_url", "origins"})
    service_id = _id(raw)
    if service_id in known:
        raise ValueError("the id is used twice")
    topic = raw.get("topic")
    if topic not in topics:
        raise ValueError(f"topic {str(topic)[:40]!r} is not among the topics")
    start_url = raw.get("start_url")
    if not isinstance(start_url, str) or len(start_url) > 2000:
        raise ValueError("start_url must be an https (or http) URL")
    where = url_origin(start_url)
    if where is None or urlsplit(start_url).scheme not in DEFAULT_PORTS:
        raise ValueError("start_url must be an https (or http) URL")
    raw_origins = raw.get("origins", [])
    if not isinstance(raw_origins, list) or len(raw_origins) > MAX_ORIGINS:
        raise ValueError(f"origins must be a list of at most {MAX_ORIGINS}")
    start = Origin(*where)
    origins = [start]
    for text in raw_origins:
        origin = parse_origin(text)
        if origin not in origins:
            origins.append(origin)
    texts = {key: _texts(raw, key, limit) for key, limit in TEXT_LIMITS.items()}
    return EService(
        id=service_id,
        topic=str(topic),
        names=texts["names"],
        summaries=texts["summaries"],
        authority=texts["authority"],
        start_url=start_url,
        origins=tuple(origins),
    )


def _keys(raw: dict[str, Any], allowed_keys: set[str]) -> None:
    unknown = set(raw) - allowed_keys
    if unknown:
        raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")


def _id(raw: dict[str, Any]) -> str:
    value = raw.get("id")
    if not isinstance(value, str) or not ID.match(value):
        raise ValueError("id must be 1 to 40 of a-z, 0-9 and -, starting with a letter or digit")
    return value


def _texts(raw: dict[str, Any], key: str, limit: int) -> dict[str, str]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"{key} must be an object with {', '.join(LANGUAGES)}")
    texts: dict[str, str] = {}
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{key}.{language} is missing")
        if len(text) > limit:
            raise ValueError(f"{key}.{language} is longer than {limit} characters")
        texts[language] = text.strip()
    return texts
