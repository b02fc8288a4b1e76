"""What the hub takes from outside, against `kiosk-hub serve` as a process: bodies that are not
strict JSON or nest too deep (400 before any handler), kiosk text with control characters,
durations and page counts past their caps, e-mail subjects no mail could carry (422 naming
what is wrong), times and numbers at the edge of the calendar or of the digits (400), and at
most two submissions of one kiosk at a time (429). After each, the hub still answers and its
pages still render."""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from nacl.public import SealedBox

from tests.conftest import HUB_KEY
from tests.peers.hub import Hub, wait_until
from tests.peers.postgres import STORE_VARIABLE
from tests.peers.smtp import free_port

KIOSK = "itakeskus-1"
PASSWORD = "correct horse battery staple 42"
DEEP = b"[" * 100_000
#: Valid JSON, but 40 levels deep.
DEEPISH = b'{"a":' * 40 + b"1" + b"}" * 40
SUBMISSION = "0123456789abcdef0123456789abcdef"


@dataclass
class Running:
    hub: Hub
    token: str
    cookie: str
    csrf: str

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        who: str = "kiosk",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if who == "kiosk":
            sent.update({"Authorization": f"Bearer {self.token}", "X-Kiosk-Id": KIOSK})
        elif who == "admin":
            sent.update({"Cookie": f"hub-session={self.cookie}", "X-CSRF-Token": self.csrf})
        connection = http.client.HTTPConnection("127.0.0.1", self.hub.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, data.decode(errors="replace")

    def post(self, path: str, body: object, **options: Any) -> tuple[int, Any]:
        return self.call("POST", path, json.dumps(body).encode(), **options)


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Running]:
    folder: Path = tmp_path_factory.mktemp("hub")
    # One hub for the module: on the hub's PostgreSQL pass, a schema of its own for as long
    # (each test's own, tests/conftest.py, is made and dropped around the test).
    database_url = None
    if os.environ.get(STORE_VARIABLE) == "postgresql":
        database_url = request.getfixturevalue("postgres_server").schema_url()
    key_file = folder / "sealing.key"
    key_file.write_text(base64.b64encode(bytes(HUB_KEY)).decode() + "\n")
    key_file.chmod(0o600)
    port = free_port()
    config = folder / "hub.toml"
    config.write_text(
        f'[hub]\nlisten_port = {port}\ndata_dir = "{folder / "hub"}"\ncookie_secure = false\n'
        f'[sealing]\nprivate_key_file = "{key_file}"\n'
    )
    hub = Hub(config, port, database_url=database_url)
    token = hub.cli("kiosk", "add", KIOSK, "--name", "Itäkeskus 1", "--location", "Itäkeskus")
    hub.cli("user", "add", "paakayttaja", "--role", "admin", stdin=PASSWORD + "\n")
    hub.start()
    try:
        cookie, csrf = _log_in(port)
        yield Running(hub, token.strip().splitlines()[-1], cookie, csrf)
    finally:
        hub.stop()


def _log_in(port: int) -> tuple[str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    form = f"username=paakayttaja&password={PASSWORD.replace(' ', '+')}"
    connection.request(
        "POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    response = connection.getresponse()
    response.read()
    assert response.status == 303
    cookie = response.getheader("Set-Cookie", "").partition(";")[0].partition("=")[2]
    connection.request("GET", "/api/me", headers={"Cookie": f"hub-session={cookie}"})
    me = json.loads(connection.getresponse().read())
    connection.close()
    return cookie, str(me["csrf_token"])


def _healthy(running: Running) -> None:
    assert running.call("GET", "/healthz", who="nobody") == (200, {"status": "ok"})
    status, _ = running.call("GET", f"/api/support/kiosks/{KIOSK}", who="admin")
    assert status == 200
    status, _ = running.call("GET", "/api/support/usage", who="admin")
    assert status == 200


def heartbeat(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sent_at": "2025-01-13T08:00:00Z",
        "app": {"state": "running", "since": "2025-01-13T07:00:00Z", "version": "0.9"},
        "session_active": False,
        "devices": {"printer": {"state": "online", "attention": "none", "code": None}},
    }
    body.update(changes)
    return body


def event(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": 1,
        "at": "2025-01-13T07:00:00Z",
        "level": "info",
        "kind": "device",
        "device_id": "printer",
        "code": None,
        "attention": "none",
        "message": "printer ready\n  (second line)",
        "payload": {"state": "online"},
    }
    body.update(changes)
    return body


def usage(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": 1,
        "kind": "outcome",
        "service": "print",
        "value": "printed:3",
        "at": "2025-01-13T07:00:00Z",
    }
    body.update(changes)
    return body


def sealed(payload: dict[str, Any] | bytes) -> bytes:
    text = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return bytes(SealedBox(HUB_KEY.public_key).encrypt(text))


def submission_headers(submission_id: str = SUBMISSION, kind: str = "email") -> dict[str, str]:
    return {
        "Content-Type": "application/octet-stream",
        "X-Submission-Id": submission_id,
        "X-Submission-Kind": kind,
    }


def email(submission_id: str = SUBMISSION, **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kind": "email",
        "submission_id": submission_id,
        "kiosk_id": KIOSK,
        "language": "fi",
        "to": ["someone@example.fi"],
        "subject": "Hakemus",
        "message": "Hei,\nliitteenä hakemus.\n",
        "attachments": [],
    }
    payload.update(changes)
    return payload


#: Every route that takes a JSON body, and who may post to it.
JSON_POSTS = (
    ("/api/enroll", "nobody"),
    ("/api/kiosk/heartbeat", "kiosk"),
    ("/api/kiosk/events", "kiosk"),
    ("/api/kiosk/usage", "kiosk"),
    ("/api/kiosk/self-test", "kiosk"),
    ("/api/kiosk/actions/0123456789abcdef0123456789abcdef/result", "kiosk"),
    ("/api/admin/enrollment-codes", "admin"),
    (f"/api/support/kiosks/{KIOSK}/actions", "admin"),
)


@pytest.mark.parametrize(("path", "who"), JSON_POSTS)
def test_deep_nesting_is_400_on_every_json_post(running: Running, path: str, who: str) -> None:
    for body in (DEEP, DEEPISH):
        status, answer = running.call("POST", path, body, who=who)
        assert status == 400, answer
        assert "nested deeper than" in answer["error"]
    _healthy(running)


@pytest.mark.parametrize(
    "body",
    [
        b'{"code": "\xff\xfe"}',
        b'{"n": NaN}',
        b'{"n": -Infinity}',
        b'{"n": 1e999}',
        b'{"n": 18446744073709551616}',
        b'{"s": "\\ud800"}',
        b'{"\\udfff": 1}',
        b'{"events": [',
    ],
)
def test_a_body_that_is_not_strict_json_is_400(running: Running, body: bytes) -> None:
    for path, who in JSON_POSTS[:3]:
        status, answer = running.call("POST", path, body, who=who)
        assert status == 400, (path, answer)
        assert answer["error"]
    _healthy(running)


@pytest.mark.parametrize("bad", ["media\nempty", "a\x0bb", "a\x85b", "a\u2028b", "a\x00b"])
def test_control_characters_in_kiosk_text_are_422_naming_the_field(
    running: Running, bad: str
) -> None:
    printer = {"state": "degraded", "attention": "maintenance", "code": bad}
    cases: list[tuple[str, object, str]] = [
        ("/api/kiosk/heartbeat", heartbeat(devices={"printer": printer}), "devices.printer.code"),
        (
            "/api/kiosk/heartbeat",
            heartbeat(devices={f"print{bad}er": {"state": "online"}}),
            f"devices.print{bad}er",
        ),
        (
            "/api/kiosk/heartbeat",
            heartbeat(app={"state": "running", "version": bad}),
            "app.version",
        ),
        ("/api/kiosk/events", {"events": [event(code=bad)]}, "events[0].code"),
        ("/api/kiosk/events", {"events": [event(kind=bad)]}, "events[0].kind"),
        ("/api/kiosk/usage", {"usage": [usage(service=bad)]}, "usage[0].service"),
        (
            "/api/kiosk/self-test",
            {"at": "2025-01-13T07:00:00Z", "results": {"printer": bad}},
            "results.printer",
        ),
    ]
    for path, body, field in cases:
        status, answer = running.post(path, body)
        assert (status, answer["field"]) == (422, field), (path, answer)
    assert running.hub.rows("SELECT * FROM alerts") == []
    _healthy(running)


def test_a_log_message_keeps_its_lines_and_its_stray_controls_are_marked(
    running: Running,
) -> None:
    # Refusing it would hold up every record of the kiosk behind it: it is kept, marked.
    message = "printer ready\n\t(second line) \x1b[31mbeep\x07\u2028end"
    status, answer = running.post("/api/kiosk/events", {"events": [event(id=7, message=message)]})
    assert (status, answer["stored"]) == (200, 1), answer
    (row,) = running.hub.rows("SELECT message FROM kiosk_events WHERE event_id = 7")
    assert row["message"] == "printer ready\n\t(second line) \ufffd[31mbeep\ufffd\ufffdend"
    _healthy(running)


def test_usage_the_report_cannot_count_is_422_and_the_report_renders(running: Running) -> None:
    for bad, field in (
        (usage(value="printed:²"), "usage[0].value"),
        (usage(value="printed:٣"), "usage[0].value"),
        (usage(value="printed:99999999"), "usage[0].value"),
        (usage(kind="session_end", value=None, duration_ms=2**63 - 1), "usage[0].duration_ms"),
    ):
        status, answer = running.post("/api/kiosk/usage", {"usage": [bad]})
        assert (status, answer["field"]) == (422, field), answer
    status, answer = running.post("/api/kiosk/usage", {"usage": [usage(id=5)]})
    assert (status, answer["stored"]) == (200, 1)
    _healthy(running)


def test_a_nan_in_an_event_payload_is_refused_and_the_kiosk_page_renders(
    running: Running,
) -> None:
    body = json.dumps({"events": [event(id=11)]}).replace('"online"', "NaN").encode()
    status, answer = running.call("POST", "/api/kiosk/events", body)
    assert status == 400, answer
    assert running.hub.rows("SELECT * FROM kiosk_events WHERE event_id = 11") == []
    _healthy(running)


def test_times_and_numbers_out_of_range_are_400(running: Running) -> None:
    edge = "0001-01-01T00:00:00+01:00"
    for path, body, field in (
        ("/api/kiosk/events", {"events": [event(id=20, at=edge)]}, "events[0].at"),
        ("/api/kiosk/usage", {"usage": [usage(id=20, at=edge)]}, "usage[0].at"),
        ("/api/kiosk/heartbeat", heartbeat(sent_at="9999-12-31T23:59:59-01:00"), "sent_at"),
        ("/api/kiosk/self-test", {"at": edge, "results": {}}, "at"),
    ):
        status, answer = running.post(path, body)
        assert (status, answer["field"]) == (400, field), answer
    for query in (
        "/api/support/usage?to=9999-12-31",
        "/api/support/usage?from=0001-01-01&to=0001-01-05",
        "/api/support/usage?to=0001-01-05",
        "/api/support/usage.csv?to=9999-12-31",
        f"/api/support/kiosks/{KIOSK}/logs?limit=%C2%B2",
        f"/api/support/kiosks/{KIOSK}/logs?offset=99999999999999999999999",
        f"/api/support/kiosks/{KIOSK}?history_limit=%C2%B2",
        f"/api/support/kiosks/{KIOSK}?history_offset=-1",
    ):
        status, answer = running.call("GET", query, who="admin")
        assert status == 400, (query, answer)
    status, answer = running.post(
        "/api/admin/enrollment-codes",
        {"kiosk_id": "k2", "name": "K", "location": "L", "hours": 2**62},
        who="admin",
    )
    assert status == 400, answer
    _healthy(running)


def test_staff_text_with_control_characters_is_refused(running: Running) -> None:
    status, answer = running.post(
        "/api/admin/enrollment-codes",
        {"kiosk_id": "k2", "name": "Kirjasto\nBcc: x@example.fi", "location": "L"},
        who="admin",
    )
    assert (status, answer["field"]) == (422, "name"), answer
    status, answer = running.post(
        f"/api/support/kiosks/{KIOSK}/actions",
        {"kind": "self-test", "device_id": "printer\r\n"},
        who="admin",
    )
    assert (status, answer["field"]) == (422, "device_id"), answer


@pytest.mark.parametrize("subject", ["Hei\x0bmaailma", "Hei\x85maailma", "Hei\u2028maailma"])
def test_an_email_subject_no_mail_can_carry_is_422_and_not_stored(
    running: Running, subject: str
) -> None:
    status, answer = running.call(
        "POST",
        "/api/kiosk/submissions",
        sealed(email(subject=subject)),
        headers=submission_headers(),
    )
    assert (status, answer["code"]) == (422, "refused"), answer
    assert running.hub.rows("SELECT id FROM submissions WHERE id = ?", (SUBMISSION,)) == []


def test_a_sealed_submission_nested_too_deep_is_refused(running: Running) -> None:
    status, answer = running.call(
        "POST", "/api/kiosk/submissions", sealed(DEEP), headers=submission_headers()
    )
    assert (status, answer["code"]) == (422, "unreadable"), answer
    _healthy(running)


def _slow_upload(port: int, token: str, submission_id: str) -> socket.socket:
    """A submission whose body is announced but only begun: it stays in flight."""
    conn = socket.create_connection(("127.0.0.1", port))
    head = (
        f"POST /api/kiosk/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nX-Kiosk-Id: {KIOSK}\r\n"
        "Content-Type: application/octet-stream\r\n"
        f"X-Submission-Id: {submission_id}\r\nX-Submission-Kind: email\r\n"
        "Content-Length: 100000\r\n\r\n"
    )
    conn.sendall(head.encode() + b"x" * 1000)
    return conn


def test_a_kiosk_sends_at_most_two_submissions_at_once(running: Running) -> None:
    uploads = [
        _slow_upload(running.hub.port, running.token, f"{n:032x}") for n in range(0xA1, 0xA3)
    ]
    # A third, with an empty body: refused 400 as empty until both above are in flight.
    answers: list[tuple[int, Any]] = []

    def third() -> tuple[int, Any]:
        answers.append(
            running.call(
                "POST", "/api/kiosk/submissions", b"", headers=submission_headers(f"{0xA3:032x}")
            )
        )
        return answers[-1]

    try:
        wait_until(lambda: third()[0] == 429, "a third submission is refused as busy")
        assert answers[-1][1]["code"] == "busy"
        assert {status for status, _ in answers} <= {400, 429}
    finally:
        for upload in uploads:
            upload.close()
    # Once those are gone, the kiosk may send again.
    wait_until(lambda: third()[0] == 400, "the kiosk may send again")
    _healthy(running)


def test_retry_after_comes_with_the_429(running: Running) -> None:
    uploads = [
        _slow_upload(running.hub.port, running.token, f"{n:032x}") for n in range(0xB1, 0xB3)
    ]
    seen: dict[str, str] = {}

    def busy() -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", running.hub.port, timeout=30)
        try:
            connection.request(
                "POST",
                "/api/kiosk/submissions",
                body=b"",
                headers={
                    **submission_headers(f"{0xB3:032x}"),
                    "Authorization": f"Bearer {running.token}",
                    "X-Kiosk-Id": KIOSK,
                },
            )
            response = connection.getresponse()
            response.read()
            seen.update(response.getheaders())
            return response.status == 429
        finally:
            connection.close()

    try:
        wait_until(busy, "a third submission is refused as busy")
        assert seen["Retry-After"].isascii() and int(seen["Retry-After"]) > 0
    finally:
        for upload in uploads:
            upload.close()


def test_a_screenshot_that_is_not_ascii_base64_is_400(running: Running) -> None:
    status, answer = running.post(
        f"/api/support/kiosks/{KIOSK}/actions", {"kind": "screenshot"}, who="admin"
    )
    assert status == 202, answer
    path = f"/api/kiosk/actions/{answer['id']}/result"
    status, answer = running.post(path, {"ok": True, "screenshot_png": "iVBORw0KGgé="})
    assert (status, answer["field"]) == (400, "screenshot_png"), answer
    _healthy(running)
