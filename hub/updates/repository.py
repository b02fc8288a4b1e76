"""The fleet's signed apt repository, served read-only at /apt/ ([updates] repository_dir,
a folder made by packaging/publish.py).

Public, as apt repositories are: a box trusts a package for the repository's signature, made
with the fleet's key, not for where it came from. Only files under `dists/` and `pool/` are
served (nothing else an admin keeps in the folder: a tool's configuration or database, a
key), no folder is listed, and a path that leads out of the folder (`..`, a link) is not
found.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from aiohttp import web

from hub.auth import PUBLIC
from hub.context import HUB
from hub.route import Route

SERVED = ("dists", "pool")


def repository_file(root: Path, relative: str) -> Path | None:
    """The file at `relative` in the repository `root`, or None if apt may not have it."""
    parts = PurePosixPath(relative).parts
    if not parts or parts[0] not in SERVED or any(part in ("..", ".") for part in parts):
        return None
    base = root.resolve()
    found = base.joinpath(*parts).resolve()
    if not found.is_relative_to(base) or not found.is_file():
        return None
    return found


async def apt_file(request: web.Request) -> web.StreamResponse:
    root = request.app[HUB].config.updates_repository
    if root is None:
        raise web.HTTPNotFound(text="this hub serves no apt repository ([updates] repository_dir)")
    found = repository_file(root, request.match_info["path"])
    if found is None:
        raise web.HTTPNotFound(text="no such file in the repository")
    return web.FileResponse(found)


REPOSITORY_ROUTES: tuple[Route, ...] = (
    Route("GET", "/apt/{path:.+}", apt_file, frozenset({PUBLIC})),
)
