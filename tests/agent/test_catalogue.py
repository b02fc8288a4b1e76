"""The hub's catalogues on the kiosk, forms and e-services alike: fetched and cached, an
unchanged one costs a 304 and no write, a malformed entry is left out and logged by name, and a
cache that cannot be read gives way to the shipped forms (or e-services) and is fetched anew."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from eforms.definition import load_catalogue, shipped_sources
from eservices.catalogue import shipped_bytes
from kiosk.agent.catalogue import ESERVICES, FORMS, Catalogue, CatalogueKeeper
from kiosk.agent.shipper import Backoff
from kiosk.forms.cache import CACHE_FILE, catalogue_sources
from kiosk.hubclient import HubClient
from kiosk.web import cache as eservices_cache
from tests.agent.hub_double import KIOSK_ID, TOKEN, HubDouble, serving


def shipped_forms() -> list[dict[str, Any]]:
    return [json.loads(data) for _, data in shipped_sources()]


def hub_only_form() -> dict[str, Any]:
    """A form the kiosk does not ship: seen on the kiosk only through the cache."""
    form = shipped_forms()[0]
    return {**form, "id": "hub-only-form", "version": 3}


def malformed_form() -> dict[str, Any]:
    form = hub_only_form()
    del form["delivery"]
    return {**form, "id": "broken-form"}


async def refresh_from(
    hub: HubDouble, port: int, data_dir: Path, times: int = 1, catalogue: Catalogue = FORMS
) -> list[str]:
    client = HubClient(f"http://127.0.0.1:{port}", KIOSK_ID, TOKEN)
    async with client.session() as http:
        keeper = CatalogueKeeper(
            http,
            catalogue,
            hub=client,
            data_dir=data_dir,
            refresh_seconds=900,
            backoff=Backoff(5, 300),
            request_timeout=10,
        )
        return [await keeper.refresh() for _ in range(times)]


def offered_ids(data_dir: Path) -> list[str]:
    forms, errors = load_catalogue(catalogue_sources(data_dir))
    assert errors == []
    return sorted(form.id for form in forms)


def test_the_catalogue_is_cached_without_the_malformed_definition(
    hub: HubDouble, port: int, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hub.forms = [*shipped_forms(), malformed_form(), hub_only_form()]

    async def scenario() -> list[str]:
        async with serving(hub, port):
            return await refresh_from(hub, port, data_dir)

    with caplog.at_level(logging.INFO, logger="kiosk.agent"):
        assert asyncio.run(scenario()) == ["updated"]
    expected = sorted([*(f["id"] for f in shipped_forms()), "hub-only-form"])
    assert offered_ids(data_dir) == expected
    [error] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert error.levelno == logging.ERROR
    assert error.getMessage().startswith("form broken-form from the hub is malformed")
    assert "delivery" in error.getMessage()
    cached = json.loads((data_dir / CACHE_FILE).read_text())
    assert cached["version"] == hub.version
    # Only the cache file itself: no temporary file is left behind.
    assert sorted(p.name for p in data_dir.iterdir()) == [CACHE_FILE]


def test_an_unchanged_catalogue_is_a_304_and_not_rewritten(
    hub: HubDouble, port: int, data_dir: Path
) -> None:
    hub.forms = shipped_forms()

    async def scenario() -> None:
        async with serving(hub, port):
            assert await refresh_from(hub, port, data_dir) == ["updated"]
            first = (data_dir / CACHE_FILE).stat()
            assert await refresh_from(hub, port, data_dir, times=2) == ["unchanged"] * 2
            again = (data_dir / CACHE_FILE).stat()
            assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
            hub.forms = [*shipped_forms(), hub_only_form()]
            assert await refresh_from(hub, port, data_dir) == ["updated"]

    asyncio.run(scenario())
    old_version = hub.forms_requests[1].strip('"')
    assert hub.forms_requests[0] == "" and old_version != hub.version
    assert hub.forms_requests[1:] == [f'"{old_version}"'] * 3
    assert "hub-only-form" in offered_ids(data_dir)


def test_without_a_cache_the_shipped_forms_are_offered(data_dir: Path) -> None:
    assert catalogue_sources(data_dir) == shipped_sources()


@pytest.mark.parametrize(
    "content",
    [b'{"version": "abc", "forms": [', b"\xff\xfe", b"[]", b'{"version": "v", "forms": 5}'],
    ids=["cut-short", "not-utf8", "not-an-object", "forms-not-a-list"],
)
def test_a_corrupt_cache_gives_way_to_the_shipped_forms_and_is_fetched_anew(
    content: bytes,
    hub: HubDouble,
    port: int,
    data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / CACHE_FILE).write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="kiosk.forms.cache"):
        assert catalogue_sources(data_dir) == shipped_sources()
    [warning] = caplog.records
    assert "shipped forms are offered" in warning.getMessage()

    hub.forms = [*shipped_forms(), hub_only_form()]

    async def scenario() -> list[str]:
        async with serving(hub, port):
            return await refresh_from(hub, port, data_dir)

    assert asyncio.run(scenario()) == ["updated"]
    assert hub.forms_requests == [""]  # asked in full: the broken file had no usable version
    assert "hub-only-form" in offered_ids(data_dir)


def test_a_hub_that_cannot_be_reached_leaves_the_cache_alone(
    hub: HubDouble, port: int, data_dir: Path
) -> None:
    hub.forms = [*shipped_forms(), hub_only_form()]

    async def scenario() -> None:
        async with serving(hub, port):
            assert await refresh_from(hub, port, data_dir) == ["updated"]
        assert await refresh_from(hub, port, data_dir) == ["failed"]

    asyncio.run(scenario())
    assert "hub-only-form" in offered_ids(data_dir)


def hub_eservices() -> dict[str, Any]:
    """The shipped e-services, one more that checks out and one that does not."""
    catalogue: dict[str, Any] = json.loads(shipped_bytes())
    first = catalogue["services"][0]
    extra = {**first, "id": "hub-only-service"}
    broken = {**first, "id": "broken-service", "start_url": "javascript:alert(1)"}
    catalogue["services"] += [extra, broken]
    return catalogue


def test_the_e_services_catalogue_is_cached_without_the_malformed_entry_and_then_a_304(
    hub: HubDouble, port: int, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hub.eservices = hub_eservices()
    target = data_dir / eservices_cache.CACHE_FILE

    async def scenario() -> None:
        async with serving(hub, port):
            with caplog.at_level(logging.INFO, logger="kiosk.agent"):
                assert await refresh_from(hub, port, data_dir, catalogue=ESERVICES) == ["updated"]
            first = target.stat()
            again = await refresh_from(hub, port, data_dir, times=2, catalogue=ESERVICES)
            assert again == ["unchanged"] * 2
            same = target.stat()
            assert (same.st_ino, same.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)

    asyncio.run(scenario())
    assert hub.eservices_requests == ["", *[f'"{hub.eservices_version}"'] * 2]
    assert hub.forms_requests == []  # one keeper, one catalogue
    [error] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert error.levelno == logging.ERROR
    assert error.getMessage().startswith("service broken-service from the hub is malformed")
    assert "start_url" in error.getMessage()
    cached = eservices_cache.read_cache(data_dir)
    assert cached is not None and cached.version == hub.eservices_version
    offered = eservices_cache.read_catalogue(data_dir)
    assert offered.errors == []
    ids = [service.id for service in offered.catalogue.services]
    assert ids[-1] == "hub-only-service" and "broken-service" not in ids
    assert sorted(p.name for p in data_dir.iterdir()) == [eservices_cache.CACHE_FILE]


@pytest.mark.parametrize(
    "served", [[], {"services": "all"}, {"services": [], "more": 1}], ids=["list", "str", "key"]
)
def test_an_answer_that_is_no_e_services_catalogue_fails_and_keeps_the_cache(
    served: object, hub: HubDouble, port: int, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hub.eservices = hub_eservices()

    async def scenario() -> list[str]:
        async with serving(hub, port):
            outcomes = await refresh_from(hub, port, data_dir, catalogue=ESERVICES)
            hub.eservices = served
            with caplog.at_level(logging.WARNING, logger="kiosk.agent"):
                outcomes += await refresh_from(hub, port, data_dir, catalogue=ESERVICES)
            return outcomes

    assert asyncio.run(scenario()) == ["updated", "failed"]
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage() == (
        "e-services catalogue: the hub is unavailable (unexpected); retrying"
    )
    offered = eservices_cache.read_catalogue(data_dir)
    assert "hub-only-service" in [service.id for service in offered.catalogue.services]


def test_a_corrupt_e_services_cache_is_fetched_anew(
    hub: HubDouble, port: int, data_dir: Path
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / eservices_cache.CACHE_FILE).write_bytes(b'{"version": "abc", "catal')
    hub.eservices = hub_eservices()

    async def scenario() -> list[str]:
        async with serving(hub, port):
            return await refresh_from(hub, port, data_dir, catalogue=ESERVICES)

    assert asyncio.run(scenario()) == ["updated"]
    assert hub.eservices_requests == [""]  # asked in full: the broken file had no usable version
    offered = eservices_cache.read_catalogue(data_dir)
    assert "hub-only-service" in [service.id for service in offered.catalogue.services]
