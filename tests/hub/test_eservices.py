"""The e-services catalogue the hub serves kiosks: `[eservices] catalogue` read and checked with
the config (a file it cannot serve stops start-up, naming the key), a malformed entry left out
and logged by name, GET /api/kiosk/eservices with its ETag and 304, for kiosks only."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from eservices.catalogue import parse_catalogue, shipped_bytes
from hub.app import make_app
from hub.config import ConfigError, default_config, load_config
from hub.store import open_configured
from tests.hub.conftest import FixedClock, add_kiosk, run_app
from tests.peers.hub import BIN

Client = TestClient[web.Request, web.Application]


def a_service(service_id: str, topic: str, **changes: Any) -> dict[str, Any]:
    texts = {"fi": "Palvelu", "sv": "Tjänst", "en": "Service"}
    service = {
        "id": service_id,
        "topic": topic,
        "names": {**texts, "en": f"Service {service_id}"},
        "summaries": texts,
        "authority": texts,
        "start_url": f"https://{service_id}.example.fi/",
        "origins": [f"https://{service_id}.example.fi"],
    }
    return {**service, **changes}


def catalogue_with_a_malformed_entry() -> dict[str, Any]:
    """The shipped catalogue, one more good service and one whose start URL is not a URL."""
    catalogue: dict[str, Any] = json.loads(shipped_bytes())
    topic = catalogue["topics"][0]["id"]
    catalogue["services"] += [
        a_service("omapalvelu", topic),
        a_service("broken-one", topic, start_url="no url"),
    ]
    return catalogue


def shipped_ids() -> list[str]:
    return [service.id for service in parse_catalogue(shipped_bytes()).catalogue.services]


def write_catalogue(folder: Path, content: object) -> Path:
    path = folder / "eservices.json"
    path.write_text(json.dumps(content, ensure_ascii=False))
    return path


def test_without_the_key_the_shipped_catalogue_is_served(
    write_config: Callable[[str], Path],
) -> None:
    shipped = parse_catalogue(shipped_bytes()).catalogue
    for config in (default_config(), load_config(write_config(""))):
        assert config.eservices.catalogue_file is None
        assert config.eservices.checked.catalogue.version == shipped.version


def test_the_catalogue_has_an_etag_a_304_and_leaves_out_a_malformed_entry(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = write_catalogue(tmp_path, catalogue_with_a_malformed_entry())
    config = load_config(write_config(f'[eservices]\ncatalogue = "{path}"\n'))
    store = open_configured(config)
    token = add_kiosk(store, "itakeskus-1")
    with caplog.at_level(logging.INFO, logger="hub.eservices"):
        app = make_app(config, store, clock=clock)
    kiosk = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": "itakeskus-1"}

    async def scenario(client: Client) -> None:
        assert (await client.get("/api/kiosk/eservices")).status == 401
        response = await client.get("/api/kiosk/eservices", headers=kiosk)
        assert response.status == 200
        body = await response.json()
        assert response.headers["ETag"] == f'"{body["version"]}"'
        served = [service["id"] for service in body["catalogue"]["services"]]
        assert served == [*shipped_ids(), "omapalvelu"]
        assert (
            parse_catalogue(json.dumps(body["catalogue"]).encode()).catalogue.version
            == (body["version"])
        )
        same = await client.get(
            "/api/kiosk/eservices", headers={**kiosk, "If-None-Match": response.headers["ETag"]}
        )
        assert (same.status, await same.read()) == (304, b"")
        stale = await client.get("/api/kiosk/eservices", headers={**kiosk, "If-None-Match": '"0"'})
        assert stale.status == 200

    try:
        run_app(app, scenario)
    finally:
        store.close()
    [left_out] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert left_out.levelno == logging.ERROR
    assert f"e-services catalogue {path}: left out service broken-one: start_url" in (
        left_out.getMessage()
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "eservices.catalogue: cannot read {path}: No such file or directory"),
        ("folder", "eservices.catalogue: cannot read {path}: Is a directory"),
        (b"{not json", "eservices.catalogue: {path} is not an e-services catalogue: not JSON"),
        ([], "eservices.catalogue: {path} is not an e-services catalogue: the catalogue is not"),
        ({"services": {}}, "eservices.catalogue: {path} is not an e-services catalogue: services"),
    ],
    ids=["missing", "a-folder", "not-json", "not-an-object", "services-not-a-list"],
)
def test_a_catalogue_the_hub_cannot_serve_is_a_config_error_naming_the_key(
    content: object, expected: str, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    path = tmp_path / "eservices.json"
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(json.dumps(content))
    config_file = write_config(f'[eservices]\ncatalogue = "{path}"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config_file)
    assert str(caught.value).startswith(f"{config_file}: {expected.format(path=path)}")


def test_kiosk_hub_refuses_to_start_on_a_catalogue_it_cannot_read(
    write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "eservices.json"
    config_file = write_config(f'[eservices]\ncatalogue = "{missing}"\n')
    for command in ("check-config", "serve"):
        done = subprocess.run(
            [str(BIN / "kiosk-hub"), "--config", str(config_file), command],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert done.stderr == (
            f"kiosk-hub: {config_file}: eservices.catalogue: cannot read {missing}: "
            "No such file or directory\n"
        )
