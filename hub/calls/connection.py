"""One party's call socket on this hub instance: its WebSocket and its outbox, written in order
by a task of its own, and what the party said about leaving (hub.calls.desk)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable

from aiohttp import WSCloseCode, web

from hub.calls.model import Message, Party

log = logging.getLogger(__name__)


def always_valid() -> bool:
    return True


class Connection:
    """One party's WebSocket and its outbox: messages are queued at once and sent in order."""

    def __init__(
        self,
        party: Party,
        ws: web.WebSocketResponse,
        still_valid: Callable[[], bool] = always_valid,
    ) -> None:
        self.party = party
        self.ws = ws
        #: This socket among the party's sockets, over every instance.
        self.socket_id = uuid.uuid4().hex[:16]
        #: Whether the credential the socket was opened with still holds (reads the store).
        self.still_valid = still_valid
        #: The client closed the socket itself (a close frame), or the hub closed it for good
        #: (its credential ended): the party is gone. Otherwise the socket was lost (a dropped
        #: network, a dead hub instance, a hub shutting down): the party is away, and may
        #: reconnect and resume its call.
        self.goodbye = False
        #: What the switchboard was told when the party joined (a kiosk's name and place).
        self.details: dict[str, str] = {}
        self._outbox: asyncio.Queue[Message | None] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write(), name=f"ws-writer-{party.id}")
        self._closing: asyncio.Future[None] | None = None

    def send(self, message: Message) -> None:
        self._outbox.put_nowait(message)

    async def _write(self) -> None:
        while (message := await self._outbox.get()) is not None:
            if self.ws.closed:
                continue
            try:
                await self.ws.send_json(message)
            except (ConnectionError, RuntimeError):
                log.info("could not send to %s %s: socket closing", *self.party)

    async def close(self, code: int = WSCloseCode.OK, message: bytes = b"") -> None:
        """Send what is queued, stop the writer, close the socket. The first call's code and
        reason are the ones sent; a later call (the handler's own, as its loop ends) waits for
        that close rather than racing it with another."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close(code, message))
        await asyncio.shield(self._closing)

    async def _close(self, code: int, message: bytes) -> None:
        self._outbox.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer, timeout=5.0)
        self._writer.cancel()
        with contextlib.suppress(Exception):
            await self.ws.close(code=code, message=message)
