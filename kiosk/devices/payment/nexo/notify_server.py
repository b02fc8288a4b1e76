"""The kiosk's endpoint for what the terminal sends on its own: prompts and events.

The terminal POSTs a SaleToPOIRequest holding a DisplayRequest (a prompt for the customer, by
its id: "insert_card", "enter_pin", ...) or an EventNotification (maintenance, restart, ...)
to http://127.0.0.1:<notify_port>/nexo/notify. Both are taken with 204 and no body: the
prompts ask for no DisplayResponse (ResponseRequiredFlag false), and events have none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from aiohttp import web

from kiosk.devices.payment.nexo.messages import (
    MAX_MESSAGE_BYTES,
    DisplayRequest,
    EventNotification,
    NexoProtocolError,
    decode,
)

log = logging.getLogger(__name__)

NOTIFY_PATH = "/nexo/notify"


class NotificationServer:
    def __init__(
        self,
        port: int,
        *,
        on_prompt: Callable[[str], None],
        on_event: Callable[[EventNotification], None],
        log_extra: Mapping[str, str],
    ) -> None:
        self._port = port
        self._on_prompt = on_prompt
        self._on_event = on_event
        self._extra = dict(log_extra)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on 127.0.0.1; raises OSError when the port cannot be had."""
        app = web.Application(client_max_size=MAX_MESSAGE_BYTES)
        app.router.add_post(NOTIFY_PATH, self._take)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", self._port).start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _take(self, request: web.Request) -> web.Response:
        try:
            message = decode(await request.read())
        except NexoProtocolError as exc:
            log.warning("nexo notification refused: %s", exc, extra=self._extra)
            return web.Response(status=400, text=f"{exc}\n")
        body, header = message.body, message.header
        log.info(
            "nexo <- %s %s service_id=%s",
            header.category,
            header.type,
            header.service_id,
            extra=self._extra,
        )
        if isinstance(body, DisplayRequest):
            self._on_prompt(body.message_id)
        elif isinstance(body, EventNotification):
            self._on_event(body)
        else:
            return web.Response(status=400, text="expected DisplayRequest or EventNotification\n")
        return web.Response(status=204)
