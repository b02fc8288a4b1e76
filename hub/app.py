"""The hub's aiohttp application: routes from the table, the access middleware, and serving it.

`make_app` takes its config, store and clock from the caller, so tests build the same app on a
temporary database and a fixed clock (and the delivery secrets, read from the configured files
when not given).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from hub.appointments.sweeper import SWEEPER, Sweeper
from hub.auth import access_middleware
from hub.calls.desk import DESK, CallDesk
from hub.cluster import join_cluster
from hub.config import HubConfig
from hub.context import ACCESS, HUB, HubContext, utc_now
from hub.delivery.keys import Secrets
from hub.delivery.service import DELIVERY, Delivery
from hub.eservices import ESERVICES, served_catalogue
from hub.fleet.service import FLEET, Fleet
from hub.intake import intake_middleware
from hub.routes import ROUTES, Route
from hub.storage import storage_middleware
from hub.store import HubStore

log = logging.getLogger(__name__)


def make_app(
    config: HubConfig,
    store: HubStore,
    *,
    clock: Callable[[], datetime] = utc_now,
    routes: tuple[Route, ...] = ROUTES,
    secrets: Secrets | None = None,
) -> web.Application:
    app = web.Application(
        middlewares=[storage_middleware, access_middleware, intake_middleware],
        client_max_size=256 * 1024,
    )
    app[HUB] = HubContext.make(config, store, clock)
    desk = CallDesk(config, store, clock)
    app[DESK] = desk
    if store.dialect == "postgresql":
        # Several instances may share this database: the switchboard is shared (hub.cluster).
        join_cluster(app, desk, config, store)
    app.on_startup.append(desk.start)
    app.on_shutdown.append(desk.close_all)
    app.on_cleanup.append(desk.stop)
    delivery = Delivery.make(config, store, clock, secrets)
    app[DELIVERY] = delivery
    app.on_startup.append(delivery.start)
    app.on_cleanup.append(delivery.stop)
    app[ESERVICES] = served_catalogue(config.eservices)
    # Fleet health: its watch task opens offline alerts at start and every 30 s after.
    fleet = Fleet.make(config, store, clock, secrets.smtp_password if secrets else None)
    app[FLEET] = fleet
    app.on_startup.append(fleet.start)
    app.on_cleanup.append(fleet.stop)
    # Bookings and callbacks: no-shows, and personal data deleted when its time is up.
    sweeper = Sweeper()
    app[SWEEPER] = sweeper
    app.on_startup.append(sweeper.start)
    app.on_cleanup.append(sweeper.stop)
    access: dict[tuple[str, str], frozenset[str]] = {}
    for route in routes:
        added = app.router.add_route(route.method, route.path, route.handler)
        # By the path the access check sees: a part with a pattern ("{path:.+}") without it.
        canonical = added.resource.canonical if added.resource is not None else route.path
        access[(route.method, canonical)] = route.allowed
    app[ACCESS] = access
    app.on_response_prepare.append(_security_headers)
    return app


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Not "no-referrer": under it Chromium sends `Origin: null` with a form POST, and the
    # login's same-origin check refused the hub's own form. "same-origin" still tells other
    # sites nothing.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cache-Control", "no-store")
    if response.content_type == "text/html":
        headers.setdefault(
            "Content-Security-Policy",
            # blob: images: the papers a citizen shows in a call, held in the console's page.
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob:; "
            "frame-ancestors 'none'; form-action 'self'",
        )


async def serve(config: HubConfig, store: HubStore, secrets: Secrets | None = None) -> None:
    """Run the hub until SIGTERM or SIGINT, then close connections and return."""
    app = make_app(config, store, secrets=secrets)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.listen_host, config.listen_port)
        await site.start()
        log.info(
            "kiosk-hub listening",
            extra={"host": config.listen_host, "port": config.listen_port},
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        log.info("kiosk-hub stopping")
    finally:
        await runner.cleanup()
