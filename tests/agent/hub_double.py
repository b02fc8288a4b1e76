"""A small stand-in for the hub's kiosk API (docs/outbox-protocol.md), for the agent's own tests.

It opens sealed boxes with PyNaCl as the hub does, keeps the sealed bytes by submission id
before it answers (so a lost answer is a committed submission), answers a repeated id with
"duplicate", and serves a forms catalogue and the shipped e-services catalogue with an ETag.
Switches let a test make it fail, refuse, or hold a request after committing it.

The fleet endpoints (docs of the fleet contract) are here too: heartbeats are kept, events and
usage are stored by id (a repeated id is a duplicate), actions queued by a test are delivered
once in a heartbeat's answer, and action outcomes and self-tests are kept. `fleet_down` makes
every fleet endpoint answer 503.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from eservices.catalogue import shipped_bytes

TOKEN = "kiosk-test-token"
#: The kiosk the token is for: like the hub, the stand-in takes the token only with this id.
KIOSK_ID = "test-kiosk"
MAX_BYTES = 25 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class HubDouble:
    def __init__(self, private_key: PrivateKey, known_forms: set[str]) -> None:
        self._box = SealedBox(private_key)
        self.known_forms = known_forms
        #: Submission ids in the order requests arrived (including failed and refused ones).
        self.seen: list[str] = []
        #: Committed submissions: id -> sealed bytes.
        self.stored: dict[str, bytes] = {}
        #: Answers sent for submissions, in order: "stored", "duplicate", a code, or a status.
        self.answers: list[str] = []
        #: The next `fail_next` submissions get `fail_status` before anything is looked at.
        self.fail_next = 0
        self.fail_status = 503
        #: Hold each request after committing it until `release` is set.
        self.hold = False
        self.held = asyncio.Event()
        self.release = asyncio.Event()
        self.forms: list[dict[str, Any]] = []
        #: The If-None-Match header of each catalogue request ("" when absent).
        self.forms_requests: list[str] = []
        #: The e-services catalogue as served: the shipped one unless a test sets another.
        self.eservices: Any = json.loads(shipped_bytes())
        self.eservices_requests: list[str] = []
        self.fleet_down = False
        self.heartbeats: list[dict[str, Any]] = []
        #: Stored events and usage rows by id; each batch's size in arrival order.
        self.events: dict[int, dict[str, Any]] = {}
        self.usage: dict[int, dict[str, Any]] = {}
        self.event_batches: list[int] = []
        #: Actions to hand out with the next heartbeat's answer (each delivered once).
        self.actions: list[dict[str, Any]] = []
        self.action_results: dict[str, dict[str, Any]] = {}
        self.self_tests: list[dict[str, Any]] = []

    @property
    def version(self) -> str:
        data = json.dumps(self.forms, sort_keys=True).encode()
        return hashlib.sha256(data).hexdigest()

    @property
    def eservices_version(self) -> str:
        return hashlib.sha256(json.dumps(self.eservices, sort_keys=True).encode()).hexdigest()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BYTES + 1024)
        app.router.add_post("/api/kiosk/submissions", self._submit)
        app.router.add_get("/api/kiosk/forms", self._forms)
        app.router.add_get("/api/kiosk/eservices", self._eservices)
        app.router.add_post("/api/kiosk/heartbeat", self._heartbeat)
        app.router.add_post("/api/kiosk/events", self._events)
        app.router.add_post("/api/kiosk/usage", self._usage)
        app.router.add_post("/api/kiosk/actions/{id}/result", self._action_result)
        app.router.add_post("/api/kiosk/self-test", self._self_test)
        return app

    def _authorised(self, request: web.Request) -> bool:
        return (
            request.headers.get("Authorization") == f"Bearer {TOKEN}"
            and request.headers.get("X-Kiosk-Id") == KIOSK_ID
        )

    async def _submit(self, request: web.Request) -> web.Response:
        submission_id = request.headers.get("X-Submission-Id", "")
        kind = request.headers.get("X-Submission-Kind", "")
        self.seen.append(submission_id)
        if not self._authorised(request):
            return self._answer(401, "unauthorised", "no valid kiosk token")
        if self.fail_next:
            self.fail_next -= 1
            return self._answer(self.fail_status, str(self.fail_status), "try again later")
        if not re.fullmatch(r"[0-9a-f]{32}", submission_id) or kind not in ("form", "email"):
            return self._answer(400, "bad-request", "missing or malformed headers")
        sealed = await request.read()
        try:
            payload = json.loads(self._box.decrypt(sealed))
        except CryptoError:
            return self._answer(422, "unreadable", "not sealed to this hub's key")
        if payload.get("submission_id") != submission_id or payload.get("kind") != kind:
            return self._answer(422, "id-mismatch", "the headers do not match the payload")
        if kind == "form" and payload.get("form") not in self.known_forms:
            return self._answer(422, "unknown-form", "no such form in the hub's catalogue")
        status = "duplicate" if submission_id in self.stored else "stored"
        self.stored.setdefault(submission_id, sealed)
        self.answers.append(status)
        if self.hold:
            self.held.set()
            await self.release.wait()
        return web.json_response({"submission_id": submission_id, "status": status})

    def _answer(self, status: int, code: str, error: str) -> web.Response:
        self.answers.append(code)
        return web.json_response({"error": error, "code": code}, status=status)

    async def _forms(self, request: web.Request) -> web.Response:
        return self._catalogue(request, self.forms_requests, self.version, "forms", self.forms)

    async def _eservices(self, request: web.Request) -> web.Response:
        # Served as set, unchecked: the agent's own checks are what the tests look at.
        return self._catalogue(
            request, self.eservices_requests, self.eservices_version, "catalogue", self.eservices
        )

    def _catalogue(
        self, request: web.Request, requests: list[str], version: str, key: str, content: Any
    ) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "no valid kiosk token"}, status=401)
        requests.append(request.headers.get("If-None-Match", ""))
        etag = f'"{version}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.json_response({"version": version, key: content}, headers={"ETag": etag})

    async def _fleet_body(self, request: web.Request) -> dict[str, Any] | web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "no valid kiosk token"}, status=401)
        if self.fleet_down:
            return web.json_response({"error": "try again later"}, status=503)
        body = await request.json()
        if not isinstance(body, dict):
            return web.json_response({"error": "not an object"}, status=400)
        return body

    async def _heartbeat(self, request: web.Request) -> web.Response:
        body = await self._fleet_body(request)
        if isinstance(body, web.Response):
            return body
        self.heartbeats.append(body)
        actions, self.actions = self.actions, []
        return web.json_response({"actions": actions})

    async def _store_rows(
        self, request: web.Request, key: str, into: dict[int, dict[str, Any]], limit: int
    ) -> web.Response:
        body = await self._fleet_body(request)
        if isinstance(body, web.Response):
            return body
        rows = body.get(key)
        if not isinstance(rows, list) or len(rows) > limit:
            return web.json_response({"error": f"{key}: a list of at most {limit}"}, status=400)
        stored = sum(1 for row in rows if into.setdefault(row["id"], row) is row)
        if key == "events":
            self.event_batches.append(len(rows))
        return web.json_response({"stored": stored, "duplicates": len(rows) - stored})

    async def _events(self, request: web.Request) -> web.Response:
        return await self._store_rows(request, "events", self.events, 500)

    async def _usage(self, request: web.Request) -> web.Response:
        return await self._store_rows(request, "usage", self.usage, 1000)

    async def _action_result(self, request: web.Request) -> web.Response:
        body = await self._fleet_body(request)
        if isinstance(body, web.Response):
            return body
        self.action_results[request.match_info["id"]] = body
        return web.json_response({})

    async def _self_test(self, request: web.Request) -> web.Response:
        body = await self._fleet_body(request)
        if isinstance(body, web.Response):
            return body
        self.self_tests.append(body)
        return web.json_response({})


@asynccontextmanager
async def serving(hub: HubDouble, port: int) -> AsyncIterator[str]:
    """Serve `hub` on 127.0.0.1:`port` until the block ends; yields its base URL."""
    runner = web.AppRunner(hub.app(), shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        yield f"http://127.0.0.1:{port}"
    finally:
        hub.release.set()  # a held request must not keep the server from closing
        await runner.cleanup()
