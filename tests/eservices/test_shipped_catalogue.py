"""The catalogue that ships with the product checks out whole and offers the services a Helsinki
library kiosk is meant to offer."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from eservices import LANGUAGES
from eservices.catalogue import Checked, allowed, parse_catalogue, shipped_bytes

#: The services a Helsinki library kiosk offers: Kela, Vero's OmaVero, Migri's Enter Finland,
#: DVV, Suomi.fi, the city's own e-services and Job Market Finland.
REQUIRED = {
    "omakela",
    "omavero",
    "enter-finland",
    "dvv-moving-notice",
    "suomi-fi",
    "suomi-fi-messages",
    "helsinki-e-services",
    "job-market-finland",
}


@pytest.fixture(scope="module")
def shipped() -> Checked:
    return parse_catalogue(shipped_bytes())


def test_the_shipped_catalogue_checks_out_whole(shipped: Checked) -> None:
    assert shipped.errors == []
    raw = json.loads(shipped_bytes())
    assert shipped.catalogue.served == raw
    assert len(shipped.catalogue.services) == len(raw["services"])
    assert len(shipped.catalogue.identification) == len(raw["identification"])


def test_every_named_service_is_there(shipped: Checked) -> None:
    assert {service.id for service in shipped.catalogue.services} >= REQUIRED


def test_every_start_url_and_origin_is_https(shipped: Checked) -> None:
    for service in shipped.catalogue.services:
        assert urlsplit(service.start_url).scheme == "https", service.id
        assert all(origin.scheme == "https" for origin in service.origins), service.id
    assert all(origin.scheme == "https" for origin in shipped.catalogue.identification)


def test_every_topic_is_used_and_every_service_has_one(shipped: Checked) -> None:
    topics = {topic.id for topic in shipped.catalogue.topics}
    used = {service.topic for service in shipped.catalogue.services}
    assert used == topics


def test_every_text_is_there_in_finnish_swedish_and_english(shipped: Checked) -> None:
    for topic in shipped.catalogue.topics:
        assert set(topic.names) == set(LANGUAGES), topic.id
    for service in shipped.catalogue.services:
        for field in (service.names, service.summaries, service.authority):
            assert set(field) == set(LANGUAGES), service.id
            assert all(text.strip() == text and text for text in field.values()), service.id
    for raw in json.loads(shipped_bytes())["services"]:
        for key in ("names", "summaries", "authority"):
            assert set(raw[key]) == set(LANGUAGES), raw["id"]


def test_identification_reaches_suomi_fi_and_the_banks(shipped: Checked) -> None:
    ident = shipped.catalogue.identification
    for url in (
        "https://tunnistus.suomi.fi/static/metadata/idp-metadata.xml",
        "https://tunnistautuminen.suomi.fi/idp/profile/SAML2/Redirect/SSO",
        "https://tunnistus.telia.fi/uas/",
        "https://saml-idp.op.fi/",
        "https://identify.nordea.com/",
    ):
        assert allowed(url, ident), url
    assert not allowed("https://www.example.com/", ident)


def test_each_service_reaches_its_own_start_page_and_identification(shipped: Checked) -> None:
    catalogue = shipped.catalogue
    for service in catalogue.services:
        reachable = catalogue.reachable(service)
        assert allowed(service.start_url, reachable), service.id
        assert allowed("https://tunnistautuminen.suomi.fi/", reachable), service.id
