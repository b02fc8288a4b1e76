"""The e-services catalogue and its usage figures end to end: `kiosk-hub serve` and
`kiosk-agent --once` as the processes they run as, and the kiosk app's back end (no screen).

1. The hub serves the catalogue of `[eservices] catalogue`, a malformed entry left out and
   logged by name; kiosk-agent caches the rest in eservices-catalogue.json, where the app reads
   it; an unchanged catalogue costs a 304 and no write.
2. The app records an e-service opened; the agent ships the row; the hub's usage report counts
   it per e-service, by the name the hub's catalogue gives it.
"""

from __future__ import annotations

import asyncio
import base64
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from eservices.catalogue import parse_catalogue, shipped_bytes
from kiosk.app import Kiosk
from kiosk.session import EndReason
from kiosk.web.cache import CACHE_FILE, read_cache, read_catalogue
from tests.conftest import HUB_KEY
from tests.hub.test_eservices import catalogue_with_a_malformed_entry, write_catalogue
from tests.hubcalls.conftest import KIOSK_ID, PASSWORD, SUPPORT, Site, load, log_lines
from tests.peers.hub import BIN, Hub, wait_until
from tests.peers.smtp import free_port

#: The service the hub's catalogue has on top of the shipped ones.
EXTRA = "omapalvelu"
#: An e-service of the shipped catalogue.
SHIPPED = parse_catalogue(shipped_bytes()).catalogue.services[0]


def start(hub: Hub, log: Path) -> None:
    """`kiosk-hub serve`, its log kept in `log`."""
    with log.open("wb") as sink:
        hub.process = subprocess.Popen(
            [str(BIN / "kiosk-hub"), "--config", str(hub.config), "serve"], stderr=sink
        )

    def listening() -> bool:
        assert hub.process is not None
        if hub.process.poll() is not None:
            raise AssertionError(f"kiosk-hub exited: {log.read_text()}")
        return any(r.get("msg") == "kiosk-hub listening" for r in log_lines(log.read_text()))

    wait_until(listening, "the hub listens")


@pytest.fixture
def hub_log(tmp_path: Path) -> Path:
    """The hub's log (JSON lines), written while it runs."""
    return tmp_path / "hub.log"


@pytest.fixture
def site(tmp_path: Path, hub_log: Path) -> Iterator[Site]:
    key_file = tmp_path / "sealing.key"
    key_file.write_text(base64.b64encode(bytes(HUB_KEY)).decode() + "\n")
    key_file.chmod(0o600)
    catalogue_file = write_catalogue(tmp_path, catalogue_with_a_malformed_entry())
    hub_toml = tmp_path / "hub.toml"
    port = free_port()
    hub_toml.write_text(
        f'[hub]\nlisten_port = {port}\ndata_dir = "{tmp_path / "hub"}"\ncookie_secure = false\n'
        f'[sealing]\nprivate_key_file = "{key_file}"\n'
        f'[eservices]\ncatalogue = "{catalogue_file}"\n'
    )
    hub = Hub(hub_toml, port)
    token = hub.cli("kiosk", "add", KIOSK_ID, "--name", "Itäkeskus 1", "--location", "Itäkeskus")
    token = token.strip().splitlines()[-1]
    hub.cli("user", "add", SUPPORT, "--role", "support", stdin=PASSWORD + "\n")
    kiosk_toml = tmp_path / "kiosk.toml"
    kiosk_toml.write_text(
        f'[kiosk]\nid = "{KIOSK_ID}"\nhub_url = "{hub.url}"\nhub_token = "{token}"\n'
        f'data_dir = "{tmp_path / "data"}"\n[session]\nfolder = "{tmp_path / "sessions"}"\n'
    )
    start(hub, hub_log)
    yield Site(hub, token, kiosk_toml, load(kiosk_toml))
    hub.stop()


def test_the_agent_keeps_the_hubs_e_services_catalogue(site: Site, hub_log: Path) -> None:
    [left_out] = [r for r in log_lines(hub_log.read_text()) if r["level"] == "ERROR"]
    assert "left out service broken-one: start_url must be" in str(left_out["msg"])

    done = site.agent_once()
    assert done.returncode == 0, done.stderr
    data_dir = site.config.data_dir
    cached = read_cache(data_dir)
    assert cached is not None
    shipped = [s.id for s in parse_catalogue(shipped_bytes()).catalogue.services]
    assert [s["id"] for s in cached.catalogue["services"]] == [*shipped, EXTRA]
    messages = [str(r.get("msg")) for r in log_lines(done.stderr)]
    assert any(m.startswith(f"e-services catalogue {cached.version[:16]} cached") for m in messages)
    # Only the two caches: no temporary file is left behind.
    assert {CACHE_FILE, "forms-catalogue.json"} <= {p.name for p in data_dir.iterdir()}
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".")]
    checked = read_catalogue(data_dir)
    assert checked.errors == [] and checked.catalogue.service(EXTRA) is not None
    assert checked.catalogue.version == cached.version  # the hub's version, served as checked

    before = (data_dir / CACHE_FILE).stat()
    again = site.agent_once()  # unchanged: the hub answers 304 and nothing is written
    assert again.returncode == 0, again.stderr
    assert not any("cached" in str(r.get("msg")) for r in log_lines(again.stderr))
    after = (data_dir / CACHE_FILE).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


async def support_usage(site: Site) -> dict[str, Any]:
    jar = aiohttp.CookieJar(unsafe=True)  # the hub is at an IP address
    async with aiohttp.ClientSession(base_url=site.hub.url, cookie_jar=jar) as http:
        login = {"username": SUPPORT, "password": PASSWORD}
        async with http.post("/login", data=login, allow_redirects=False) as response:
            assert response.status == 303
        async with http.get("/api/support/usage") as response:
            assert response.status == 200, await response.text()
            figures: dict[str, Any] = await response.json()
    return figures


def test_e_services_opened_reach_the_hubs_usage_report(site: Site) -> None:
    kiosk = Kiosk(site.config)
    kiosk.start_backend()
    try:
        kiosk.session.start("fi")
        for service in (EXTRA, SHIPPED.id, EXTRA):
            kiosk.session.eservice_opened(service)
        kiosk.session.end(EndReason.USER)
        writer = kiosk.writer
        assert writer is not None
        wait_until(lambda: writer.flush(1), "the app's records are written")
    finally:
        kiosk.shutdown()
    assert site.agent_once().returncode == 0

    rows = site.hub.rows(
        "SELECT service, language FROM kiosk_usage WHERE kind = 'eservice_opened' ORDER BY usage_id"
    )
    assert [(r["service"], r["language"]) for r in rows] == [
        (EXTRA, "fi"),
        (SHIPPED.id, "fi"),
        (EXTRA, "fi"),
    ]
    figures = asyncio.run(support_usage(site))
    assert figures["per_eservice"] == [
        {"eservice": EXTRA, "opens": 2, "name": "Service omapalvelu"},
        {"eservice": SHIPPED.id, "opens": 1, "name": SHIPPED.name("en")},
    ]
    [kiosk_figures] = figures["per_kiosk"]
    assert kiosk_figures["eservices"] == {EXTRA: 2, SHIPPED.id: 1}
