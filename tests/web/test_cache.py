"""The e-services catalogue as the app reads it (kiosk.web.cache.read_catalogue): the hub's, as
kiosk-agent cached it, checked again; the shipped one while there is no cache or the cache
cannot be used, which is logged."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from eservices.catalogue import parse_catalogue, shipped_bytes
from kiosk import threads
from kiosk.web.cache import CACHE_FILE, read_catalogue

SHIPPED = parse_catalogue(shipped_bytes()).catalogue


def cache(data_dir: Path, catalogue: object, version: str = "v1") -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    content = {"version": version, "fetched_at": "2026-12-06T10:00:00.000Z", "catalogue": catalogue}
    (data_dir / CACHE_FILE).write_text(json.dumps(content))


def hub_catalogue() -> dict[str, Any]:
    """The shipped catalogue less all but its first service: what a hub might serve."""
    catalogue: dict[str, Any] = json.loads(shipped_bytes())
    catalogue["services"] = catalogue["services"][:1]
    return catalogue


def test_without_a_cache_the_shipped_catalogue_is_offered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    checked = read_catalogue(tmp_path / "data")
    assert checked.catalogue.version == SHIPPED.version and checked.errors == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_the_cached_catalogue_is_offered_checked_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    catalogue = hub_catalogue()
    broken = {**catalogue["services"][0], "id": "broken-one", "origins": ["ftp://x.example.fi"]}
    cache(tmp_path, {**catalogue, "services": [*catalogue["services"], broken]})
    with caplog.at_level(logging.WARNING, logger="kiosk.web.cache"):
        checked = read_catalogue(tmp_path)
    assert [s.id for s in checked.catalogue.services] == [catalogue["services"][0]["id"]]
    assert (
        checked.catalogue.version
        == parse_catalogue(json.dumps(catalogue).encode()).catalogue.version
    )
    [warning] = caplog.records
    assert "leaves out service broken-one: " in warning.getMessage()


def test_an_empty_cached_catalogue_is_the_hubs_word_and_kept(tmp_path: Path) -> None:
    cache(tmp_path, {"services": []})
    assert read_catalogue(tmp_path).catalogue.services == ()


@pytest.mark.parametrize(
    "content",
    [
        b'{"version": "v1", "fetched_at": "x", "catalogue": {',
        b"\xff\xfe",
        b"[]",
        b'{"version": "", "fetched_at": "x", "catalogue": {"services": []}}',
        b'{"version": "v1", "fetched_at": "x", "catalogue": []}',
        b'{"version": "v1", "fetched_at": "x", "catalogue": {"services": 5}}',
    ],
    ids=["cut-short", "not-utf8", "not-an-object", "no-version", "not-a-catalogue", "services-5"],
)
def test_a_corrupt_cache_gives_way_to_the_shipped_catalogue(
    content: bytes, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / CACHE_FILE).write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="kiosk.web.cache"):
        checked = read_catalogue(tmp_path)
    assert checked.catalogue.version == SHIPPED.version
    [warning] = caplog.records
    assert "the cached e-services catalogue is unusable" in warning.getMessage()


def test_reading_the_catalogue_on_the_ui_thread_is_refused(tmp_path: Path) -> None:
    threads.mark_ui_thread()
    try:
        with pytest.raises(threads.BlockingOnUiThread):
            read_catalogue(tmp_path)
    finally:
        threads.clear_ui_thread()
