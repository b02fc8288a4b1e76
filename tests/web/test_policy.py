"""The e-services browser's policy: where a page may go, without a browser."""

from __future__ import annotations

import pytest

from eservices.catalogue import check_catalogue, parse_origin
from kiosk.web.policy import Refusal, WebPolicy, host_of

ORIGINS = (parse_origin("https://www.vero.fi"), parse_origin("https://*.suomi.fi"))
POLICY = WebPolicy(ORIGINS)


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("https://www.vero.fi/omavero/", None),
        ("https://tunnistus.suomi.fi/sso?x=1", None),
        ("wss://www.vero.fi/socket", None),
        ("https://vero.fi/", Refusal.OFF_LIST),  # not www.vero.fi
        ("https://www.vero.fi:8443/", Refusal.OFF_LIST),  # another port
        ("https://evil.example/", Refusal.OFF_LIST),
        ("https://suomi.fi.evil.example/", Refusal.OFF_LIST),
        ("http://www.vero.fi/", Refusal.PLAIN_HTTP),
        ("ws://www.vero.fi/socket", Refusal.PLAIN_HTTP),
        ("file:///etc/passwd", Refusal.SCHEME),
        ("ftp://www.vero.fi/", Refusal.SCHEME),
        ("chrome://settings", Refusal.SCHEME),
        ("view-source:https://www.vero.fi/", Refusal.SCHEME),
        ("qrc:/index.html", Refusal.SCHEME),
    ],
)
def test_what_a_page_may_load(url: str, refusal: Refusal | None) -> None:
    assert POLICY.request(url) is refusal


@pytest.mark.parametrize(
    "url", ["data:image/png;base64,AAAA", "blob:https://www.vero.fi/1-2", "about:srcdoc"]
)
def test_a_page_may_load_what_never_reaches_the_network(url: str) -> None:
    assert POLICY.request(url) is None


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("https://www.vero.fi/", None),
        ("about:blank", None),  # where a new window starts
        ("data:text/html,<h1>x</h1>", Refusal.SCHEME),
        ("blob:https://www.vero.fi/1-2", Refusal.SCHEME),
        ("javascript:alert(1)", Refusal.SCHEME),
        ("about:config", Refusal.SCHEME),
        ("file:///home/kiosk/", Refusal.SCHEME),
        ("https://evil.example/", Refusal.OFF_LIST),
    ],
)
def test_where_a_page_may_be_navigated(url: str, refusal: Refusal | None) -> None:
    assert POLICY.navigation(url) is refusal


def test_plain_http_only_where_the_configuration_allows_it() -> None:
    local = (parse_origin("http://127.0.0.1:8093"),)
    assert WebPolicy(local).request("http://127.0.0.1:8093/") is Refusal.PLAIN_HTTP
    assert WebPolicy(local, allow_plain_http=True).request("http://127.0.0.1:8093/") is None
    assert WebPolicy(local, allow_plain_http=True).request("http://127.0.0.1:8094/") is (
        Refusal.OFF_LIST
    )


def test_a_service_reaches_its_own_origins_and_identifications_only() -> None:
    checked = check_catalogue(
        {
            "identification": ["https://tunnistus.suomi.fi"],
            "topics": [{"id": "t", "names": {"fi": "T", "sv": "T", "en": "T"}}],
            "services": [
                {
                    "id": service_id,
                    "topic": "t",
                    "names": {"fi": "N", "sv": "N", "en": "N"},
                    "summaries": {"fi": "S", "sv": "S", "en": "S"},
                    "authority": {"fi": "A", "sv": "A", "en": "A"},
                    "start_url": f"https://{service_id}.example.fi/",
                }
                for service_id in ("one", "two")
            ],
        }
    )
    catalogue = checked.catalogue
    one = catalogue.service("one")
    assert one is not None
    policy = WebPolicy.for_service(catalogue, one)
    assert policy.request("https://one.example.fi/page") is None
    assert policy.request("https://tunnistus.suomi.fi/") is None
    assert policy.request("https://two.example.fi/") is Refusal.OFF_LIST


def test_the_host_a_citizen_is_shown() -> None:
    assert host_of("https://www.kela.fi/asiointi?x=1") == "www.kela.fi"
    assert host_of("https://xn--ml-via.fi/") == "xn--ml-via.fi"
    assert host_of("about:blank") == ""
    assert host_of("http://127.0.0.1:8095/x") == "127.0.0.1:8095"
    assert host_of("https://www.vero.fi:443/") == "www.vero.fi"
