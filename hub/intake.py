"""What the hub accepts from outside before a handler sees it.

`intake_middleware` runs after the access check, on every request that carries a body.
"""

from __future__ import annotations

from aiohttp import web

from hub.auth import Handler


@web.middleware
async def intake_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    return await handler(request)
