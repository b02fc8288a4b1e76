"""What the hub's outermost layer answers when a handler meets a full disk, without a disk: a
write refused for want of space (SQLite's SQLITE_FULL, or ENOSPC, raised or as the cause of
another error) is 503 storage-full and logged once until a write goes through again; any other
error is not its business. The real disk is in test_storage_full.py."""

from __future__ import annotations

import errno
import logging
import sqlite3

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.storage import FULL_MESSAGE, is_storage_full, storage_middleware
from tests.hub.conftest import run_app


class Wrapped(RuntimeError):
    pass


def full_sqlite() -> sqlite3.OperationalError:
    """The error SQLite itself raises when the disk is full (not one made up with its words)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("PRAGMA max_page_count = 2")
        conn.execute("CREATE TABLE t (x BLOB)")
        conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
    except sqlite3.OperationalError as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError("SQLite took a row larger than its pages")


def test_what_counts_as_a_full_disk() -> None:
    assert is_storage_full(full_sqlite())
    assert is_storage_full(OSError(errno.ENOSPC, "No space left on device"))
    try:
        try:
            raise full_sqlite()
        except sqlite3.OperationalError as exc:
            raise Wrapped("could not store it") from exc
    except Wrapped as wrapped:
        assert is_storage_full(wrapped)
    assert not is_storage_full(sqlite3.OperationalError("database is locked"))
    assert not is_storage_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_storage_full(ValueError("no"))


def test_a_full_disk_is_503_logged_once_and_other_errors_pass(
    caplog: pytest.LogCaptureFixture,
) -> None:
    full = {"now": True}

    async def write(request: web.Request) -> web.Response:
        if full["now"]:
            raise Wrapped("could not store it") from full_sqlite()
        return web.json_response({"status": "stored"})

    async def read(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def broken(request: web.Request) -> web.Response:
        raise sqlite3.OperationalError("database is locked")

    app = web.Application(middlewares=[storage_middleware])
    app.router.add_post("/write", write)
    app.router.add_get("/read", read)
    app.router.add_post("/broken", broken)

    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        for _ in range(3):
            answer = await client.post("/write", data=b"x")
            assert answer.status == 503
            assert await answer.json() == {"error": FULL_MESSAGE, "code": "storage-full"}
            assert int(answer.headers["Retry-After"]) > 0
        assert (await client.get("/read")).status == 200
        assert (await client.post("/broken")).status == 500
        full["now"] = False
        assert (await client.post("/write", data=b"x")).status == 200
        full["now"] = True
        assert (await client.post("/write", data=b"x")).status == 503

    caplog.set_level(logging.INFO, logger="hub.storage")
    run_app(app, scenario)
    said = [r.getMessage() for r in caplog.records if r.name == "hub.storage"]
    assert [m.split(":")[0] for m in said] == [
        "the store cannot be written",
        "the store can be written again",
        "the store cannot be written",
    ]
