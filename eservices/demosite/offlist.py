"""A site that no catalogue lists. It answers anything (a small page, image, script or JSON by
the path's ending; a WebSocket upgrade is accepted), so that a request the kiosk failed to stop
shows as loaded in the probe page, and its request log counts every request that reached it."""

from __future__ import annotations

import base64

from aiohttp import WSMsgType, web

#: A 1x1 transparent PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def add_routes(app: web.Application) -> None:
    app.router.add_route("*", "/{tail:.*}", answer)


async def answer(request: web.Request) -> web.StreamResponse:
    if request.headers.get("Upgrade", "").lower() == "websocket":
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                await socket.send_str(message.data)
        return socket
    path = request.path
    if path.endswith(".png"):
        return web.Response(body=PIXEL, content_type="image/png")
    if path.endswith(".js"):
        return web.Response(
            text="window.offlistScriptRan = true;\n", content_type="text/javascript"
        )
    if path.endswith(".json"):
        return web.json_response({"offlist": True})
    # A page in a frame tells its parent it ran (the probe page counts that as loaded).
    text = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Off-list site</title></head>'
        "<body><h1>Off-list site / Listan ulkopuolinen palvelu</h1><script>"
        "if (window.parent !== window)"
        ' window.parent.postMessage("offlist:" + location.pathname, "*");'
        "</script></body></html>\n"
    )
    return web.Response(text=text, content_type="text/html")
