"""/metrics: Prometheus text from the app's own registry, with the token or on a private port."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from hub.app import make_app
from hub.config import load_config
from hub.store import HubStore
from tests.hub.conftest import FixedClock
from tests.hub.test_fleet import Kiosk, Support, event, fleet_scenario, printer


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.fixture
def app(write_config: Callable[[str], Path], store: HubStore, clock: FixedClock) -> web.Application:
    return make_app(
        load_config(write_config("[metrics]\nprivate_port = true\n")), store, clock=clock
    )


def test_metrics_count_the_fleet(app: web.Application, store: HubStore) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        await kiosk.beat()
        await kiosk.beat(devices=printer("clear", "media-empty"))
        await kiosk.post("/api/kiosk/events", {"events": [event(1), event(2)]})
        response = await kiosk.client.get("/metrics")
        assert response.status == 200
        found = samples(await response.text())
        assert found[("kiosk_hub_heartbeats_total", ())] == 2
        assert found[("kiosk_hub_event_batches_total", ())] == 1
        assert found[("kiosk_hub_events_stored_total", ())] == 2
        assert found[("kiosk_hub_kiosks", (("state", "online"),))] == 1
        assert found[("kiosk_hub_kiosks", (("state", "offline"),))] == 0
        assert found[("kiosk_hub_open_alerts", (("attention", "clear"),))] == 1
        assert found[("kiosk_hub_submissions", (("status", "pending"),))] == 0
        latency = ("kiosk_hub_kiosk_request_seconds_count", (("endpoint", "heartbeat"),))
        assert found[latency] == 2

    fleet_scenario(app, store, body)


def test_with_a_token_file_metrics_want_the_token(
    write_config: Callable[[str], Path],
    store: HubStore,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    token_file = tmp_path / "metrics.token"
    token_file.write_text("s3cret-scrape-token\n")
    config = load_config(write_config(f'[metrics]\ntoken_file = "{token_file}"\n'))
    app = make_app(config, store, clock=clock)

    async def body(kiosk: Kiosk, support: Support) -> None:
        assert (await kiosk.client.get("/metrics")).status == 401
        wrong = {"Authorization": "Bearer nope"}
        assert (await kiosk.client.get("/metrics", headers=wrong)).status == 401
        right = {"Authorization": "Bearer s3cret-scrape-token"}
        response = await kiosk.client.get("/metrics", headers=right)
        assert response.status == 200
        assert "kiosk_hub_heartbeats_total" in await response.text()

    fleet_scenario(app, store, body)
