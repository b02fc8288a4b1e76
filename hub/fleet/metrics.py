"""Prometheus metrics of the fleet and the hub, in a registry of the app's own (never the
process-global one, so two apps in one process, as in tests, count apart).

Counters and the latency histogram are updated as requests come; the gauges (kiosks online,
open alerts, submissions by status) are set from the hub's state when /metrics is scraped.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

#: Up to a second: the kiosk endpoints are meant to answer within 50 ms.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class FleetMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.kiosks = Gauge(
            "kiosk_hub_kiosks", "Enrolled kiosks, online or offline", ["state"], registry=r
        )
        self.open_alerts = Gauge(
            "kiosk_hub_open_alerts", "Open alerts by attention", ["attention"], registry=r
        )
        self.heartbeats = Counter("kiosk_hub_heartbeats", "Heartbeats received", registry=r)
        self.event_batches = Counter(
            "kiosk_hub_event_batches", "Event batches received", registry=r
        )
        self.events = Counter(
            "kiosk_hub_events_stored", "Kiosk events stored (duplicates not counted)", registry=r
        )
        self.usage_batches = Counter(
            "kiosk_hub_usage_batches", "Usage batches received", registry=r
        )
        self.latency = Histogram(
            "kiosk_hub_kiosk_request_seconds",
            "Time the hub took to handle a kiosk's fleet request",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.submissions = Gauge(
            "kiosk_hub_submissions", "Sealed submissions by status", ["status"], registry=r
        )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def timed(
    metrics: Callable[[web.Request], FleetMetrics], endpoint: str, handler: Handler
) -> Handler:
    """`handler`, its time observed in the latency histogram under `endpoint`."""

    async def observed(request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            metrics(request).latency.labels(endpoint).observe(time.perf_counter() - started)

    return observed
