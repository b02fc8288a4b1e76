"""One-time enrollment codes: made by an admin, traded once for a kiosk token, refused when
used or expired, stored only as hashes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.__main__ import main as hub_main
from hub.config import HubConfig
from hub.delivery.keys import public_key_text
from hub.enrollment import make_code
from hub.store import HubStore, open_configured
from tests.conftest import HUB_KEY
from tests.hub.conftest import MONDAY_MORNING, FixedClock, add_kiosk, add_user, log_in, run_app

Client = TestClient[web.Request, web.Application]
CODE = re.compile(r"[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){3}")


def new_code(store: HubStore, kiosk_id: str = "pasila-2", **changes: object) -> str:
    fields: dict[str, object] = {
        "name": "Pasila 2",
        "location": "Pasila library, 1st floor",
        "contact": "Information desk",
        "created_by": "admin",
        "at": MONDAY_MORNING,
        "hours": 24,
        **changes,
    }
    return make_code(store, kiosk_id, **fields).code  # type: ignore[arg-type]


async def hello(client: Client, kiosk_id: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}
    return (await client.post("/api/kiosk/hello", headers=headers)).status


def test_a_code_is_traded_once_for_the_kiosk_token_and_the_hub_key(
    app: web.Application, store: HubStore
) -> None:
    code = new_code(store)
    assert CODE.fullmatch(code)

    async def scenario(client: Client) -> None:
        # Typed as a technician may: lower case, spaces instead of dashes.
        typed = code.lower().replace("-", " ")
        answer = await client.post("/api/enroll", json={"code": typed})
        assert answer.status == 200
        body = await answer.json()
        assert body["kiosk_id"] == "pasila-2"
        assert body["name"] == "Pasila 2"
        assert body["location"] == "Pasila library, 1st floor"
        assert body["hub_public_key"] == public_key_text(HUB_KEY)
        assert await hello(client, "pasila-2", body["token"]) == 200

        again = await client.post("/api/enroll", json={"code": code})
        assert again.status == 410
        message = (await again.json())["error"]
        assert "already used" in message and "ask an admin for a new one" in message
        # The refused second try did not touch the kiosk's token.
        assert await hello(client, "pasila-2", body["token"]) == 200

    run_app(app, scenario)
    kiosk = store.kiosk("pasila-2")
    assert kiosk is not None and kiosk.contact == "Information desk"


def test_an_expired_or_unknown_code_is_refused_with_its_reason(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    code = new_code(store, hours=2)
    clock.advance(hours=2)

    async def scenario(client: Client) -> None:
        expired = await client.post("/api/enroll", json={"code": code})
        assert expired.status == 410
        assert "expired at 2025-01-13T10:00:00.000Z" in (await expired.json())["error"]
        unknown = await client.post("/api/enroll", json={"code": "AAAA-BBBB-CCCC-DDDD"})
        assert unknown.status == 404
        assert "not known to the hub" in (await unknown.json())["error"]
        malformed = await client.post("/api/enroll", data=b"code=1")
        assert malformed.status == 400

    run_app(app, scenario)
    assert store.kiosk("pasila-2") is None


def test_enrolling_a_kiosk_again_replaces_its_token(app: web.Application, store: HubStore) -> None:
    old_token = add_kiosk(store, "pasila-2")
    code = new_code(store)

    async def scenario(client: Client) -> None:
        body = await (await client.post("/api/enroll", json={"code": code})).json()
        assert await hello(client, "pasila-2", body["token"]) == 200
        assert await hello(client, "pasila-2", old_token) == 401

    run_app(app, scenario)


def test_a_new_code_replaces_the_kiosks_unused_one(app: web.Application, store: HubStore) -> None:
    first, second = new_code(store), new_code(store)

    async def scenario(client: Client) -> None:
        assert (await client.post("/api/enroll", json={"code": first})).status == 404
        assert (await client.post("/api/enroll", json={"code": second})).status == 200

    run_app(app, scenario)


def test_an_admin_makes_codes_through_the_api(app: web.Application, store: HubStore) -> None:
    add_user(store, "root", "admin")

    async def scenario(client: Client) -> None:
        csrf = await log_in(client, "root")
        made = await client.post(
            "/api/admin/enrollment-codes",
            json={"kiosk_id": "kallio-1", "name": "Kallio 1", "location": "Kallio", "hours": 48},
            headers={"X-CSRF-Token": csrf},
        )
        assert made.status == 201
        body = await made.json()
        assert CODE.fullmatch(body["code"]) and body["expires_at"] == "2025-01-15T08:00:00.000Z"
        bad = await client.post(
            "/api/admin/enrollment-codes",
            json={"kiosk_id": "Kallio_1", "name": "Kallio 1", "location": "Kallio"},
            headers={"X-CSRF-Token": csrf},
        )
        assert bad.status == 400
        assert "kiosk id" in (await bad.json())["error"]
        listed = await (await client.get("/api/admin/enrollment-codes")).json()
        assert [c["kiosk_id"] for c in listed["codes"]] == ["kallio-1"]
        assert listed["codes"][0]["created_by"] == "root"
        assert "code" not in listed["codes"][0]

    run_app(app, scenario)


def test_the_cli_prints_a_code_once_and_stores_only_its_hash(
    tmp_path: Path, config: HubConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "hub.toml")
    status = hub_main(
        ["--config", path, "kiosk", "enroll-code", "vallila-1", "--name", "Vallila 1",
         "--location", "Vallila", "--contact", "Desk", "--hours", "12"]
    )  # fmt: skip
    assert status == 0
    out = capsys.readouterr()
    code = out.out.strip()
    assert CODE.fullmatch(code)
    assert "valid once until" in out.err
    # The database holds the code's hash, never the code, with or without dashes: in its rows,
    # and (SQLite) nowhere in its file or write-ahead log either.
    store = open_configured(config)
    try:
        rows = list(store.db.query("SELECT * FROM enrollment_codes"))
    finally:
        store.close()
    stored = repr(rows).encode()
    if not config.store_url:
        files = config.db_path.parent.glob(f"{config.db_path.name}*")
        stored += b"".join(f.read_bytes() for f in files)
    assert code.encode() not in stored and code.replace("-", "").encode() not in stored
    assert hashlib.sha256(code.replace("-", "").encode()).hexdigest().encode() in stored
    picked = [(row["kiosk_id"], row["contact"], row["created_by"]) for row in rows]
    assert picked == [("vallila-1", "Desk", "command line")]

    assert hub_main(["--config", path, "kiosk", "enroll-code", "x.y", "--name", "n",
                     "--location", "l"]) == 2  # fmt: skip
    assert "kiosk id" in capsys.readouterr().err


def test_kiosk_add_takes_a_contact(tmp_path: Path, config: HubConfig) -> None:
    path = str(tmp_path / "hub.toml")
    args = ["--config", path, "kiosk", "add", "sornainen-1", "--name", "Sörnäinen 1"]
    assert hub_main([*args, "--location", "Sörnäinen", "--contact", "Lending desk"]) == 0
    store = open_configured(config)
    try:
        kiosk = store.kiosk("sornainen-1")
    finally:
        store.close()
    assert kiosk is not None and kiosk.contact == "Lending desk"
