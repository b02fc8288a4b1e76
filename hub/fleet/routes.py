"""The fleet's routes, for the hub's one route table (hub.routes.ROUTES takes them as they are).

Kiosk endpoints take the kiosk's bearer token; support's API takes a support or admin login
(and the CSRF token for its POST). /metrics is public in the table and checks its caller
itself: loopback only, or the bearer token of [metrics] token_file.
"""

from __future__ import annotations

from aiohttp import web

from hub.auth import KIOSK, PUBLIC, Handler
from hub.fleet import advice_usage, ingest, support
from hub.fleet.metrics import FleetMetrics, timed
from hub.fleet.service import FLEET
from hub.route import Route

SUPPORT = frozenset({"support", "admin"})
_KIOSK = frozenset({KIOSK})


def _metrics(request: web.Request) -> FleetMetrics:
    return request.app[FLEET].metrics


def _kiosk(endpoint: str, handler: Handler) -> Handler:
    return timed(_metrics, endpoint, ingest.refusing_bad_bodies(handler))


FLEET_ROUTES: tuple[Route, ...] = (
    Route("POST", "/api/kiosk/heartbeat", _kiosk("heartbeat", ingest.heartbeat), _KIOSK),
    Route("POST", "/api/kiosk/events", _kiosk("events", ingest.events), _KIOSK),
    Route("POST", "/api/kiosk/usage", _kiosk("usage", ingest.usage), _KIOSK),
    Route(
        "POST",
        "/api/kiosk/actions/{id}/result",
        _kiosk("action-result", ingest.action_result),
        _KIOSK,
    ),
    Route("POST", "/api/kiosk/self-test", _kiosk("self-test", ingest.self_test), _KIOSK),
    Route("GET", "/api/support/fleet", support.fleet_view, SUPPORT),
    Route("GET", "/api/support/kiosks/{kiosk_id}", support.kiosk_view, SUPPORT),
    Route("GET", "/api/support/kiosks/{kiosk_id}/logs", support.kiosk_logs, SUPPORT),
    Route("POST", "/api/support/kiosks/{kiosk_id}/actions", support.request_action, SUPPORT),
    Route("GET", "/api/support/actions/{id}/screenshot", support.screenshot, SUPPORT),
    Route("GET", "/api/support/usage", support.usage, SUPPORT),
    Route("GET", "/api/support/usage.csv", support.usage_csv, SUPPORT),
    Route("GET", "/api/support/advice-usage", advice_usage.advice_usage, SUPPORT),
    Route("GET", "/metrics", support.metrics, frozenset({PUBLIC})),
)
