"""Every route of the hub's table (hub.routes.ROUTES, so a new route is fuzzed without a line
here) against the hub as a process: hostile JSON and raw bodies, well-formed bodies with a part
changed, query strings and path parameters, each sent as a caller the route allows.

After each case: no 5xx answer, /healthz still answers, and when a write was accepted, every
page and API that shows what was written still answers (support's kiosk, usage and delivery
views, the kiosk's log, the enrollment codes).
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.public import SealedBox

from hub.routes import ROUTES, Route, logout
from tests.conftest import HUB_KEY
from tests.fuzz import strategies as fz
from tests.fuzz.site import KIOSK_ID, LEAVING, Answer, Site, path_with
from tests.fuzz.tally import tried
from tests.hub.conftest import email_payload, form_payload

NOW = datetime.now(UTC).replace(microsecond=0).isoformat()
DEVICE = {"state": "online", "attention": "none", "code": None, "since": NOW}
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()

#: A well-formed body for each route that takes one (docs/fleet-protocol.md,
#: docs/outbox-protocol.md); the fuzzing changes its parts. A route not listed here still gets
#: arbitrary JSON and raw bodies.
BODIES: dict[str, Any] = {
    "/api/kiosk/heartbeat": {
        "sent_at": NOW,
        "app": {"state": "running", "since": NOW, "version": "1.4.0"},
        "session_active": False,
        "devices": {"printer": DEVICE, "camera": {**DEVICE, "code": "busy"}},
        "disk": {"free_bytes": 10_000, "total_bytes": 20_000},
        "memory": {"available_bytes": 1_000, "total_bytes": 4_000},
        "uptime_seconds": 3600,
        "last_self_test": {"at": NOW, "results": {"printer": "ok", "camera": "no image"}},
        "update": {
            "installed": "1.4.0",
            "previous": "1.3.0",
            "wanted": "1.5.0",
            "state": "rolled-back",
            "detail": "did not come up",
            "at": NOW,
        },
    },
    "/api/kiosk/events": {
        "events": [
            {
                "id": 1,
                "at": NOW,
                "level": "warning",
                "kind": "device",
                "device_id": "printer",
                "code": "media-low",
                "attention": "none",
                "message": "printer paper low",
                "payload": {"state": "online", "pages": 3},
            }
        ]
    },
    "/api/kiosk/usage": {
        "usage": [
            {
                "id": 1,
                "session_id": "s-1",
                "kind": "outcome",
                "service": "print",
                "language": "fi",
                "value": "printed:3",
                "duration_ms": 1200,
                "at": NOW,
            },
            {
                "id": 2,
                "session_id": "s-1",
                "kind": "session_end",
                "service": None,
                "language": "sv",
                "value": None,
                "duration_ms": 60_000,
                "at": NOW,
            },
        ]
    },
    "/api/kiosk/actions/{id}/result": {"ok": True, "message": "done", "screenshot_png": PNG},
    "/api/kiosk/self-test": {"at": NOW, "results": {"printer": "ok", "scanner": "jammed"}},
    "/api/support/kiosks/{kiosk_id}/actions": {"kind": "screenshot", "device_id": "printer"},
    "/api/admin/enrollment-codes": {
        "kiosk_id": "kallio-2",
        "name": "Kallio 2",
        "location": "Kallio library",
        "contact": "kallio@example.fi",
        "hours": 24,
    },
    "/api/enroll": {"code": "ABCD-EFGH-JKLM-NPQR"},
    "/login": {"username": "someone", "password": "not the password"},
    "/api/admin/rollouts": {"target": "all", "version": "1.5.0"},
    "/api/admin/update-groups/{name}": {"kiosks": [KIOSK_ID]},
    "/api/admin/kiosks/{kiosk_id}/library": {"library": "kallio"},
}


def _label(route: Route) -> str:
    return f"{route.method} {route.path}"


def _params(route: Route) -> list[str]:
    return re.findall(r"\{(\w+)\}", route.path)


def _param_values(name: str, site: Site) -> st.SearchStrategy[str]:
    known = {"kiosk_id": [KIOSK_ID], "id": [*site.known_ids]}.get(name, [])
    hostile = st.one_of(fz.nasty_text(), st.integers().map(str), st.uuids().map(lambda u: u.hex))
    return st.one_of(st.sampled_from(known), hostile) if known else hostile


def _json_body(route: Route) -> st.SearchStrategy[bytes]:
    example = BODIES.get(route.path)
    options = [fz.json_values().map(fz.encode), fz.raw_bodies()]
    if example is not None:
        options.insert(0, fz.mutated(example).map(fz.encode))
    return st.one_of(*options)


def _sealed(payload: Any) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, allow_nan=True)
    return bytes(SealedBox(HUB_KEY.public_key).encrypt(text.encode("utf-8", "surrogatepass")))


@st.composite
def _submission(draw: st.DrawFn) -> tuple[dict[str, str], bytes]:
    """A sealed form or e-mail as a kiosk sends one, its payload's parts changed."""
    submission_id = draw(st.uuids()).hex
    kind = draw(st.sampled_from(("form", "email")))
    example = (form_payload if kind == "form" else email_payload)(submission_id)
    example["kiosk_id"] = KIOSK_ID
    payload = draw(fz.mutated(example))
    body = draw(st.one_of(st.just(_sealed(payload)), fz.raw_bodies()))
    headers = {
        "X-Submission-Id": draw(st.one_of(st.just(submission_id), fz.nasty_text())),
        "X-Submission-Kind": draw(st.one_of(st.just(kind), fz.nasty_text())),
        "Content-Type": "application/octet-stream",
    }
    return {k: v for k, v in headers.items() if _header_safe(v)}, body


def _header_safe(value: str) -> bool:
    """What an HTTP client can put in a header at all (latin-1, no control characters)."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return not any(ord(c) < 0x20 or c == "\x7f" for c in value)


@st.composite
def _request(draw: st.DrawFn, route: Route, site: Site) -> dict[str, Any]:
    values = {name: draw(_param_values(name, site)) for name in _params(route)}
    request: dict[str, Any] = {
        "path": path_with(route.path, values),
        "query": draw(fz.queries()) if route.method == "GET" else [],
        "headers": {},
        "body": None,
    }
    if route.method in ("POST", "PUT"):
        if route.path == "/api/kiosk/submissions":
            request["headers"], request["body"] = draw(_submission())
        elif route.path == "/login":
            form = draw(fz.mutated(BODIES["/login"]))
            pairs = form.items() if isinstance(form, dict) else [("username", form)]
            request["body"] = urlencode([(str(k), str(v)) for k, v in pairs]).encode()
            request["headers"] = {"Content-Type": "application/x-www-form-urlencoded"}
        else:
            request["body"] = draw(_json_body(route))
            request["headers"] = {"Content-Type": "application/json"}
    return request


def reproducer(who: str, route: Route, request: dict[str, Any], answer: Answer) -> str:
    body = request["body"]
    shown = None
    if body is not None:
        shown = repr(body[:300]) + (f"... ({len(body)} bytes)" if len(body) > 300 else "")
    return (
        f"as {who}: {route.method} {request['path']}"
        f"{'?' + urlencode(request['query']) if request['query'] else ''} "
        f"headers={request['headers']} body={shown}\n"
        f"-> {answer.status} {answer.text[:300]}"
    )


def check_hub(site: Site, what: str) -> None:
    health = site.run(site.healthy())
    assert health.status == 200, f"/healthz answers {health.status} after {what}"


def check_reads(site: Site, what: str) -> None:
    for path, answer in site.run(site.reads()).items():
        assert answer.status < 500, f"GET {path} -> {answer.status} after {what}"


@pytest.mark.parametrize("route", ROUTES, ids=_label)
@given(data=st.data())
def test_route_answers_hostile_requests(site: Site, route: Route, data: st.DataObject) -> None:
    request = data.draw(_request(route, site), label="request")
    # Logging out ends the session of the one who asks: a session of its own, never renewed
    # (logging in again for each case would meet the hub's limit on login attempts).
    who = LEAVING if route.handler is logout else site.caller(route.allowed)
    answer = site.run(
        site.send(
            who,
            route.method,
            request["path"],
            query=request["query"],
            headers=request["headers"],
            body=request["body"],
        )
    )
    tried(f"hub route {_label(route)}")
    what = reproducer(who, route, request, answer)
    assert answer.status < 500, what
    check_hub(site, what)
    if route.method in ("POST", "PUT") and 200 <= answer.status < 300:
        check_reads(site, what)


#: Credentials as bytes that are not UTF-8 text, or not one's own, in every header that
#: carries one.
HOSTILE_CREDENTIALS = (
    {"Authorization": b"Bearer \xff\xfe"},
    {"Authorization": b"Bearer tok\xe4n", "X-Kiosk-Id": b"\xe4\xff"},
    {"Cookie": b"hub-session=\xff\xfe\xfd"},
    {"Cookie": b"\xff=\xff"},
    {"Authorization": b"\x85"},
    {"X-CSRF-Token": b"\xc3\x28", "Origin": b"http://\xff"},
)
#: What a header's value can hold on the wire: any byte but the line's end and NUL.
HEADER_BYTES = st.binary(max_size=40).map(
    lambda data: data.replace(b"\r", b"").replace(b"\n", b"").replace(b"\x00", b"")
)


@pytest.mark.parametrize("route", ROUTES, ids=_label)
@given(
    credentials=st.one_of(
        st.sampled_from(HOSTILE_CREDENTIALS),
        st.dictionaries(
            st.sampled_from(("Authorization", "Cookie", "X-Kiosk-Id", "X-CSRF-Token", "Origin")),
            st.one_of(HEADER_BYTES, HEADER_BYTES.map(lambda data: b"Bearer " + data)),
            max_size=3,
        ),
    )
)
def test_route_answers_hostile_credentials(
    site: Site, route: Route, credentials: dict[str, bytes]
) -> None:
    """Credentials that are not text, or not one's own: never a 5xx, before or after login."""
    path = path_with(route.path, dict.fromkeys(_params(route), KIOSK_ID))
    status = site.run(site.send_raw(route.method, path, credentials, b"{}"))
    tried("hub credentials")
    assert status < 500, f"{route.method} {path} headers={credentials!r} -> {status}"
