"""What a demo site was asked: every request, kept in memory for tests and the demo's log."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware


@dataclass(frozen=True)
class Seen:
    """One request as the site received it."""

    method: str
    path: str
    #: The query string's parameters (the last value of a repeated name).
    query: dict[str, str]
    #: The Host header as sent: the name the browser used, with its port.
    host: str
    cookies: dict[str, str]
    #: True for a WebSocket upgrade.
    websocket: bool = False
    #: The form fields of a POST with a form body (empty otherwise).
    form: dict[str, str] = field(default_factory=dict)


class RequestLog:
    """Every request a site answered, in order. The site's loop appends; any thread reads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: list[Seen] = []

    def add(self, seen: Seen) -> None:
        with self._lock:
            self._seen.append(seen)

    def entries(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def count(self) -> int:
        with self._lock:
            return len(self._seen)

    def __len__(self) -> int:
        return self.count()

    def find(self, path: str) -> list[Seen]:
        """The requests for this path, oldest first."""
        return [seen for seen in self.entries() if seen.path == path]

    def paths(self) -> list[str]:
        return [seen.path for seen in self.entries()]

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


def recording(log: RequestLog, describe: Callable[[Seen], None] | None = None) -> Middleware:
    """A middleware that records each request in `log` before it is answered (so a request the
    handler refuses, or a WebSocket that never opens, is counted all the same)."""

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        form: dict[str, str] = {}
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            posted = await request.post()
            form = {key: value for key, value in posted.items() if isinstance(value, str)}
        seen = Seen(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            host=request.headers.get("Host", ""),
            cookies=dict(request.cookies),
            websocket=request.headers.get("Upgrade", "").lower() == "websocket",
            form=form,
        )
        log.add(seen)
        if describe is not None:
            describe(seen)
        response: web.StreamResponse = await handler(request)
        return response

    return record
