"""The catalogue's checks: what is malformed is left out and named, the rest is kept; origins
match exactly what they say; the version follows what is served."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from eservices.catalogue import (
    CatalogueError,
    allowed,
    check_catalogue,
    parse_catalogue,
    parse_origin,
    url_origin,
)


def texts(word: str) -> dict[str, str]:
    return {"fi": f"{word} fi", "sv": f"{word} sv", "en": f"{word} en"}


def service(service_id: str, **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": service_id,
        "topic": "money",
        "names": texts(service_id),
        "summaries": texts("What it is for"),
        "authority": texts("Authority"),
        "start_url": f"https://{service_id}.example.fi/start",
        "origins": [f"https://*.{service_id}.example.fi"],
    }
    entry.update(changes)
    return entry


def document(*services: Any) -> dict[str, Any]:
    return {
        "identification": ["https://tunnistus.example.fi", "https://*.bank.example.fi"],
        "topics": [{"id": "money", "names": texts("Money")}],
        "services": list(services),
    }


def without(entry: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != key}


MALFORMED = {
    "a language missing": (
        "service no-sv",
        service("no-sv", summaries={"fi": "Mitä", "en": "What"}),
    ),
    "an unknown topic": ("service lost", service("lost", topic="travel")),
    "a start URL that is not http(s)": (
        "service ftp",
        service("ftp", start_url="ftp://ftp.example.fi/"),
    ),
    "a start URL that is not a string": ("service number", service("number", start_url=42)),
    "an origin with a path": (
        "service pathy",
        service("pathy", origins=["https://www.example.fi/path"]),
    ),
    "an origin with another scheme": (
        "service wss",
        service("wss", origins=["wss://www.example.fi"]),
    ),
    "a wildcard over a public suffix": (
        "service suffix",
        service("suffix", origins=["https://*.fi"]),
    ),
    "an unknown key": ("service extra", service("extra", colour="red")),
    "no id": ("service #2", without(service("x"), "id")),
    "an id of the wrong form": ("service Bad_Id", service("Bad_Id")),
    "a name too long": ("service long", service("long", names={**texts("x"), "en": "x" * 81})),
    "not an object": ("service #2", ["not", "an", "object"]),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_service_is_left_out_and_named_and_the_rest_kept(case: str) -> None:
    what, bad = MALFORMED[case]
    checked = check_catalogue(document(service("good"), bad, service("also-good")))
    assert [s.id for s in checked.catalogue.services] == ["good", "also-good"]
    assert [error.what for error in checked.errors] == [what]
    assert checked.errors[0].problem
    assert str(checked.errors[0]).startswith(f"{what}: ")


def test_a_duplicate_id_keeps_the_first() -> None:
    first = service("same")
    second = service("same", start_url="https://other.example.fi/")
    checked = check_catalogue(document(first, second))
    assert [s.start_url for s in checked.catalogue.services] == [first["start_url"]]
    assert [str(error) for error in checked.errors] == ["service same: the id is used twice"]


def test_a_malformed_topic_is_left_out_and_its_services_with_it() -> None:
    doc = document(service("good"), service("orphan", topic="travel"))
    doc["topics"].append({"id": "travel", "names": {"fi": "Matkat"}})
    checked = check_catalogue(doc)
    assert [t.id for t in checked.catalogue.topics] == ["money"]
    assert [s.id for s in checked.catalogue.services] == ["good"]
    assert [error.what for error in checked.errors] == ["topic travel", "service orphan"]


def test_a_malformed_identification_origin_is_left_out_and_the_rest_kept() -> None:
    doc = document(service("good"))
    doc["identification"].insert(1, "https://tunnistus.example.fi/login")
    checked = check_catalogue(doc)
    assert [str(o) for o in checked.catalogue.identification] == [
        "https://tunnistus.example.fi",
        "https://*.bank.example.fi",
    ]
    assert [error.what for error in checked.errors] == ["identification #2"]


@pytest.mark.parametrize(
    "not_a_catalogue",
    [
        [],
        "services",
        None,
        {"services": {}},
        {"topics": []},
        {"services": [], "topics": {}},
        {"services": [], "identification": "https://tunnistus.example.fi"},
        {"services": [], "colour": "red"},
    ],
)
def test_a_document_that_is_not_a_catalogue_raises(not_a_catalogue: Any) -> None:
    with pytest.raises(CatalogueError):
        check_catalogue(not_a_catalogue)


@pytest.mark.parametrize("data", [b"", b"{", b"\xff\xfe", b"[1, 2"])
def test_bytes_that_are_not_json_raise(data: bytes) -> None:
    with pytest.raises(CatalogueError):
        parse_catalogue(data)


def test_served_holds_only_the_kept_entries() -> None:
    doc = document(service("good"), service("bad", topic="travel"))
    doc["identification"].append("ftp://bank.example.fi")
    doc["topics"].append({"id": "Bad Topic", "names": texts("x")})
    served = check_catalogue(doc).catalogue.served
    assert served == {
        "identification": ["https://tunnistus.example.fi", "https://*.bank.example.fi"],
        "topics": [{"id": "money", "names": texts("Money")}],
        "services": [service("good")],
    }
    again = check_catalogue(json.loads(json.dumps(served)))
    assert again.errors == [] and again.catalogue.served == served


def test_the_version_follows_what_is_served_and_nothing_else() -> None:
    doc = document(service("good"))
    version = check_catalogue(doc).catalogue.version
    assert check_catalogue(copy.deepcopy(doc)).catalogue.version == version
    reordered = {key: doc[key] for key in reversed(list(doc))}
    reordered["services"] = [dict(reversed(list(service("good").items())))]
    assert check_catalogue(reordered).catalogue.version == version
    # An entry left out changes nothing a kiosk would get.
    left_out = document(service("good"), service("x", topic="?"))
    assert check_catalogue(left_out).catalogue.version == version
    changed = document(service("good", summaries=texts("Something else")))
    assert check_catalogue(changed).catalogue.version != version
    more = document(service("good"), service("more"))
    assert check_catalogue(more).catalogue.version != version
    catalogue = check_catalogue(doc).catalogue
    assert catalogue.etag == f'"{version}"' and len(version) == 64


def test_the_start_urls_origin_is_always_reachable() -> None:
    checked = check_catalogue(document(service("own", origins=[])))
    own = checked.catalogue.services[0]
    assert [str(o) for o in own.origins] == ["https://own.example.fi"]
    reachable = checked.catalogue.reachable(own)
    assert allowed("https://own.example.fi/page?x=1", reachable)
    assert allowed("https://login.bank.example.fi/", reachable)
    assert not allowed("https://other.example.fi/", reachable)


def test_a_wildcard_matches_hosts_under_its_domain_only() -> None:
    origins = [parse_origin("https://*.vero.fi")]
    assert allowed("https://www.vero.fi/omavero/", origins)
    assert allowed("https://a.b.vero.fi/", origins)
    assert not allowed("https://vero.fi/", origins)
    assert not allowed("https://evilvero.fi/", origins)
    assert not allowed("https://vero.fi.example.com/", origins)
    assert not allowed("https://www.vero.fi.example.com/", origins)


def test_an_exact_origin_matches_its_host_only() -> None:
    origins = [parse_origin("https://www.kela.fi")]
    assert allowed("https://www.kela.fi/", origins)
    assert allowed("https://WWW.Kela.FI/x", origins)
    assert not allowed("https://kela.fi/", origins)
    assert not allowed("https://asiointi.www.kela.fi/", origins)


def test_websockets_are_held_to_their_pages_scheme() -> None:
    assert url_origin("wss://chat.kela.fi/socket") == ("https", "chat.kela.fi", 443)
    assert url_origin("ws://localhost:8080/socket") == ("http", "localhost", 8080)
    secure = [parse_origin("https://*.kela.fi")]
    assert allowed("wss://chat.kela.fi/socket", secure)
    assert not allowed("ws://chat.kela.fi/socket", secure)


def test_the_port_matters() -> None:
    origin = parse_origin("https://www.example.fi")
    assert origin == parse_origin("https://www.example.fi:443")
    assert allowed("https://www.example.fi:443/", [origin])
    assert not allowed("https://www.example.fi:8443/", [origin])
    other = parse_origin("https://www.example.fi:8443")
    assert str(other) == "https://www.example.fi:8443"
    assert allowed("https://www.example.fi:8443/", [other])
    assert not allowed("https://www.example.fi/", [other])
    assert parse_origin("http://www.example.fi") == parse_origin("http://www.example.fi:80")


def test_the_scheme_matters() -> None:
    assert not allowed("http://www.vero.fi/", [parse_origin("https://www.vero.fi")])
    assert not allowed("https://www.vero.fi/", [parse_origin("http://www.vero.fi")])
    assert allowed("http://www.vero.fi/", [parse_origin("http://www.vero.fi")])


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:text/html,<p>x</p>",
        "javascript:alert(1)",
        "about:blank",
        "view-source:https://www.vero.fi/",
        "https:///no-host",
        "not a url",
    ],
)
def test_a_url_without_an_http_origin_is_never_allowed(url: str) -> None:
    assert not allowed(
        url, [parse_origin("https://*.vero.fi"), parse_origin("https://www.vero.fi")]
    )


def test_an_international_host_name_is_matched_in_its_ascii_form() -> None:
    ascii_domain = "äänekoski.fi".encode("idna").decode("ascii")
    exact = parse_origin("https://www.äänekoski.fi")
    assert exact.host == f"www.{ascii_domain}"
    assert allowed("https://www.äänekoski.fi/", [exact])
    assert allowed(f"https://www.{ascii_domain}/", [exact])
    wildcard = parse_origin("https://*.Äänekoski.fi")
    assert str(wildcard) == f"https://*.{ascii_domain}"
    assert allowed("https://asiointi.äänekoski.fi/", [wildcard])
    assert not allowed("https://äänekoski.fi/", [wildcard])


@pytest.mark.parametrize(
    "text",
    [
        "www.example.fi",
        "ftp://www.example.fi",
        "https://",
        "https://www.example.fi/path",
        "https://www.example.fi?q=1",
        "https://user@www.example.fi",
        "https://www.example.fi:99999",
        "https://*.fi",
        "https://exa mple.fi",
        "https://-bad-.example.fi",
    ],
)
def test_a_malformed_origin_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_origin(text)
