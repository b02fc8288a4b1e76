"""How the hub answers when its store cannot be written (a full disk, say).

`storage_middleware` is the outermost middleware, so that it sees errors from every handler. A
write that fails because the disk (or the quota) is full is answered `503 {"code":
"storage-full"}` with a Retry-After: the caller keeps what it sent and tries again later (the
kiosk's outbox does). The store rolls the failed transaction back, so nothing is half-written;
reads go on working. The first such failure is logged as an error, the next ones are not until a
write succeeds again, so that a full disk under a fleet of retrying kiosks does not also fill the
log.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import weakref
from dataclasses import dataclass

import psycopg
from aiohttp import web

from hub.auth import Handler

log = logging.getLogger(__name__)

#: What the caller is told; it says what to do, and nothing about the server's paths.
FULL_MESSAGE = "the hub cannot store anything now: its storage is full; try again later"
#: Seconds a caller is asked to wait before trying again.
RETRY_AFTER_SECONDS = 60

_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_storage_full(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) is a write refused for want of space."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:
                return True
            if "database or disk is full" in str(current):
                return True
        # PostgreSQL's server says so itself (SQLSTATE 53100, disk_full).
        if isinstance(current, psycopg.errors.DiskFull):
            return True
        if isinstance(current, OSError) and current.errno in _FULL_ERRNOS:
            return True
        current = current.__cause__ or current.__context__
    return False


@dataclass
class _State:
    #: A write was refused for want of space and none has succeeded since.
    full: bool = False


_states: weakref.WeakKeyDictionary[web.Application, _State] = weakref.WeakKeyDictionary()


def _state(app: web.Application) -> _State:
    state = _states.get(app)
    if state is None:
        state = _states[app] = _State()
    return state


@web.middleware
async def storage_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = _state(request.app)
    try:
        response = await handler(request)
    except Exception as exc:
        if not is_storage_full(exc):
            raise
        if not state.full:
            state.full = True
            log.error(
                "the store cannot be written: its disk is full; writes are refused with 503"
                " until there is room again",
                exc_info=exc,
                extra={"method": request.method, "path": request.path},
            )
        return web.json_response(
            {"error": FULL_MESSAGE, "code": "storage-full"},
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if state.full and request.method not in _SAFE_METHODS and response.status < 500:
        state.full = False
        log.warning("the store can be written again", extra={"path": request.path})
    return response
