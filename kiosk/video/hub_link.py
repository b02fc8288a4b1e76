"""The kiosk's link to the hub: the service lines over HTTP and one `/ws/kiosk` socket kept open.

The socket is re-opened with backoff whenever it drops, so that a call starts at once when the
citizen asks. Every network step has a short timeout, and both ends ping (aiohttp `heartbeat`):
a hub that is down, restarting or silent turns into "not available" within seconds and nothing
hangs; when it is back the link says so by itself. A hub that refuses the kiosk's credentials
(401/403, to the lines or the socket) is logged as that, once, as an error: not as "unreachable",
since only a fixed config brings it back. The requests are built by kiosk.hubclient. What the
messages mean for a call is the subclass's business (kiosk.video.hub_client).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from abc import abstractmethod
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any

import aiohttp

from kiosk.hubclient import REFUSED_CODE, HubClient, HubRefused, refused
from kiosk.video.advice import AdviceClient, AdviceLine, AdvicePhase, AdviceStatus
from kiosk.video.call import IceServer
from kiosk.video.hub_wire import HubUnavailable, parse_ice_servers, parse_lines

log = logging.getLogger(__name__)

#: Opening a TCP connection to the hub, and one whole HTTP request (or WebSocket handshake).
CONNECT_TIMEOUT = 3.0
REQUEST_TIMEOUT = 5.0
#: Seconds between attempts to reach the hub again after a failure, the last one repeating.
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)
#: The same while a call is kept for the kiosk (`_hurry`): the hub holds it only for its
#: resume_seconds, so the kiosk tries again at once and then every second.
RESUME_BACKOFF = (0.2, 0.5, 1.0)
#: Ping the hub this often; a hub that does not answer within half of it is gone.
HEARTBEAT = 20.0


class CredentialsRefused(HubUnavailable):
    """The hub refused this kiosk's credentials (its token or id); str() says what to fix."""

    def __init__(self, status: int) -> None:
        super().__init__(str(HubRefused(status)))
        self.status = status


class HubLink(AdviceClient):
    """The lines and the socket. Everything runs on `loop`; the public methods may be called
    from any thread and return at once."""

    def __init__(
        self,
        *,
        hub_url: str,
        token: str,
        kiosk_id: str,
        loop: asyncio.AbstractEventLoop,
        connect_timeout: float = CONNECT_TIMEOUT,
        request_timeout: float = REQUEST_TIMEOUT,
        backoff: tuple[float, ...] = BACKOFF,
        heartbeat: float = HEARTBEAT,
        ca_file: str = "",
    ) -> None:
        super().__init__()
        self._hub = HubClient(base_url=hub_url, kiosk_id=kiosk_id, token=token, ca_file=ca_file)
        self._loop = loop
        self._connect_timeout = connect_timeout
        self._request_timeout = request_timeout
        self._backoff = backoff
        self._heartbeat = heartbeat
        self._lines: list[AdviceLine] = []
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ice: list[IceServer] = []
        self._keeper: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._failed = asyncio.Event()
        self._wake = asyncio.Event()
        self._closed = False
        #: The hub's last refusal of the kiosk's credentials, while it lasts (logged once).
        self._refused: int | None = None
        #: Reconnect quickly (`RESUME_BACKOFF`): a call is waiting for the kiosk to resume it.
        self._hurry = False

    # ---- what the subclass does with the socket -----------------------------------------------

    @abstractmethod
    async def _on_message(self, data: dict[str, Any]) -> None:
        """One message from the hub."""

    @abstractmethod
    async def _socket_lost(self, close_code: int | None) -> None:
        """The socket closed (`close_code` from the hub's close frame, None when there was
        none) or its heartbeat was lost; the link is trying again already."""

    async def _socket_opened(self, hello: dict[str, Any]) -> None:
        """A socket just opened and the hub said `hello`: before any other message."""

    # ---- the interface (any thread) -----------------------------------------------------------

    def open(self) -> None:
        """Start keeping a socket to the hub."""
        self._loop.call_soon_threadsafe(self._start_keeper)

    @property
    def hub_connected(self) -> bool:
        """Whether the socket to the hub is open now (any thread; a snapshot)."""
        ws = self._ws
        return ws is not None and not ws.closed

    def lines(self) -> list[AdviceLine]:
        return list(self._lines)

    def refresh_lines(self) -> Future[list[AdviceLine]]:
        return self._submit(self._fetch_lines())

    def _submit(self, coro: Coroutine[Any, Any, Any]) -> Future[Any]:
        if self._loop.is_closed():
            coro.close()
            failed: Future[Any] = Future()
            failed.set_exception(HubUnavailable("the engine is not running"))
            return failed
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    # ---- HTTP ---------------------------------------------------------------------------------

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = self._hub.session(
                total=self._request_timeout, connect=self._connect_timeout
            )
        return self._http

    async def _fetch_lines(self) -> list[AdviceLine]:
        try:
            async with self._session().get(self._hub.url("/api/lines")) as response:
                if refused(response.status):
                    raise CredentialsRefused(response.status)
                if response.status != 200:
                    raise HubUnavailable(f"the hub answered {response.status} to /api/lines")
                self._lines = parse_lines(await response.json())
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError, KeyError) as exc:
            self._unreachable()
            raise HubUnavailable(str(exc) or type(exc).__name__) from exc
        except CredentialsRefused as exc:
            self._was_refused(exc)
            raise
        except HubUnavailable:
            self._unreachable()
            raise
        self._accepted()
        return list(self._lines)

    def _unreachable(self, reason: str = "hub_unreachable") -> None:
        if self.status.phase in (AdvicePhase.IDLE, AdvicePhase.UNAVAILABLE):
            self._report(AdviceStatus(AdvicePhase.UNAVAILABLE, reason=reason))

    def _was_refused(self, exc: CredentialsRefused) -> None:
        """The hub said no to the kiosk's credentials: an error for a person to fix, logged
        once while it lasts; to the citizen the service is not available."""
        if self._refused != exc.status:
            self._refused = exc.status
            log.error(
                "call service: %s",
                exc,
                extra={"code": REFUSED_CODE, "reason": f"HTTP {exc.status}"},
            )
        self._unreachable("hub_refused")

    def _accepted(self) -> None:
        if self._refused is not None:
            self._refused = None
            log.info("call service: the hub accepts this kiosk's credentials again")

    # ---- the socket ---------------------------------------------------------------------------

    def _start_keeper(self) -> None:
        if self._keeper is None and not self._closed:
            self._keeper = self._loop.create_task(self._keep_connected())

    async def _keep_connected(self) -> None:
        failures = 0
        while not self._closed:
            try:
                with contextlib.suppress(HubUnavailable):
                    await self._fetch_lines()
                if await self._serve_socket():
                    failures = 0
            except CredentialsRefused as exc:
                self._was_refused(exc)
            except (aiohttp.ClientError, TimeoutError, OSError, HubUnavailable) as exc:
                log.info("hub not reachable: %s", str(exc) or type(exc).__name__)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub socket failed")
            self._failed.set()
            if self._closed:
                break
            delays = RESUME_BACKOFF if self._hurry else self._backoff
            delay = delays[min(failures, len(delays) - 1)]
            failures += 1
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def _serve_socket(self) -> bool:
        """Connect, take the hello, then handle messages until the socket closes or the hub
        stops answering pings. True when it had connected."""
        try:
            ws = await self._session().ws_connect(
                self._hub.url("/ws/kiosk"), heartbeat=self._heartbeat, autoping=True
            )
        except aiohttp.WSServerHandshakeError as exc:
            if refused(exc.status):
                raise CredentialsRefused(exc.status) from None
            raise
        try:
            hello = await asyncio.wait_for(ws.receive(), self._request_timeout)
            if hello.type != aiohttp.WSMsgType.TEXT:
                raise HubUnavailable(f"no hello from the hub ({hello.type!r})")
            first = json.loads(hello.data)
            if first.get("type") != "hello":
                raise HubUnavailable(f"the hub said {first.get('type')!r} before hello")
            self._ice = parse_ice_servers(first)
            self._accepted()
            self._ws = ws
            self._failed.clear()
            self._connected.set()
            if self.status.phase is AdvicePhase.UNAVAILABLE:
                self._report(AdviceStatus(AdvicePhase.IDLE))
            log.info("connected to the hub's call service")
            await self._socket_opened(first)
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    await self._on_message(json.loads(message.data))
                except Exception:
                    log.exception("a message from the hub could not be handled")
            log.info("the hub's call socket closed (%s)", ws.close_code)
            return True
        finally:
            had_socket = self._ws is ws
            self._ws = None
            self._connected.clear()
            code = ws.close_code
            await ws.close()
            if had_socket and not self._closed:
                await self._socket_lost(code)

    async def _socket(self) -> aiohttp.ClientWebSocketResponse | None:
        """The open socket, trying once more at once if there is none."""
        if self._ws is not None:
            return self._ws
        self._start_keeper()
        self._failed.clear()
        self._wake.set()
        connected = asyncio.ensure_future(self._connected.wait())
        failed = asyncio.ensure_future(self._failed.wait())
        try:
            await asyncio.wait(
                (connected, failed),
                timeout=self._connect_timeout + self._request_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            connected.cancel()
            failed.cancel()
        return self._ws

    async def _send(self, message: dict[str, Any]) -> bool:
        ws = self._ws
        if ws is None or ws.closed:
            return False
        try:
            await ws.send_json(message)
        except (aiohttp.ClientError, ConnectionError, RuntimeError):
            log.info("could not send %s to the hub", message.get("type"))
            return False
        return True

    async def _close_link(self) -> None:
        """Stop trying, close the socket and the HTTP session."""
        self._closed = True
        keeper, self._keeper = self._keeper, None
        if keeper is not None:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()
        if self._http is not None:
            await self._http.close()
            self._http = None
