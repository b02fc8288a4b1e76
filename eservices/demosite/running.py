"""The demo site's three servers started together: on an asyncio loop of the caller's
(`start_servers`, as `python -m eservices.demosite` does), or on a loop in a thread of their own
(`SitesThread`, for tests and benchmarks in a Qt process)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Mapping, Sequence

from aiohttp import web

from eservices.demosite.app import make_app
from eservices.demosite.log import RequestLog
from eservices.demosite.sites import ROLES, Role, Sites

#: Seconds a stopping server waits for requests still being answered (an open WebSocket is).
SHUTDOWN_SECONDS = 1.0
#: Generous: a loaded machine is slow, and starting never takes this long.
START_DEADLINE = 30.0


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; port 0 picks a free one (read it back from the socket)."""
    return socket.create_server((host, port))


async def start_servers(
    sites: Sites, sockets: Mapping[Role, socket.socket], logs: Mapping[Role, RequestLog]
) -> list[web.AppRunner]:
    """Serve each role on its socket; the runners returned are what `stop_servers` takes."""
    runners: list[web.AppRunner] = []
    try:
        for role in ROLES:
            app = make_app(role, sites, requests=logs[role])
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
            await runner.setup()
            runners.append(runner)
            await web.SockSite(runner, sockets[role]).start()
    except BaseException:
        await stop_servers(runners)
        raise
    return runners


async def stop_servers(runners: Sequence[web.AppRunner]) -> None:
    for runner in runners:
        await runner.cleanup()


class SitesThread:
    """The three servers on free ports of `bind`, reached under the given host names (which the
    caller maps to `bind`, as a test browser's host-resolver rules do), on a loop in a thread
    of their own. `service_aliases` are further host names for the service, on its port."""

    def __init__(
        self,
        names: Mapping[Role, str],
        *,
        bind: str = "127.0.0.1",
        service_aliases: Sequence[str] = (),
    ) -> None:
        self._sockets = {role: listen(bind, 0) for role in ROLES}
        self.ports: dict[Role, int] = {
            role: sock.getsockname()[1] for role, sock in self._sockets.items()
        }
        port = self.ports["service"]
        self.sites = Sites(
            service=f"http://{names['service']}:{port}",
            identification=f"http://{names['identification']}:{self.ports['identification']}",
            offlist=f"http://{names['offlist']}:{self.ports['offlist']}",
            service_aliases=tuple(f"http://{alias}:{port}" for alias in service_aliases),
        )
        self.logs: dict[Role, RequestLog] = {role: RequestLog() for role in ROLES}
        self._loop = asyncio.new_event_loop()
        self._runners: list[web.AppRunner] = []
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="demo-sites", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(START_DEADLINE):
            raise RuntimeError("the demo sites did not start in time")
        if self._failed is not None:
            self._thread.join(START_DEADLINE)
            raise RuntimeError("the demo sites did not start") from self._failed

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(START_DEADLINE)
        elif self._thread.ident is None:
            self._loop.close()  # never started: the thread would have closed it
        for sock in self._sockets.values():
            sock.close()

    def _run(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        try:
            try:
                self._runners = loop.run_until_complete(
                    start_servers(self.sites, self._sockets, self.logs)
                )
            except BaseException as exc:
                self._failed = exc
                return
            finally:
                self._ready.set()
            loop.run_forever()
            loop.run_until_complete(stop_servers(self._runners))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
