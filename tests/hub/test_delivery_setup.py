"""The forms catalogue kiosks fetch (ETag, a malformed definition left out) and the delivery
keys of hub.toml."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.app import make_app
from hub.config import ConfigError, load_config
from hub.store import open_configured
from tests.hub.conftest import FixedClock, add_kiosk, make_catalogue, run_app

Client = TestClient[web.Request, web.Application]


def test_the_catalogue_has_an_etag_and_leaves_out_a_malformed_form(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder = make_catalogue(tmp_path / "catalogue")
    broken = json.loads((folder / "library-card.json").read_text())
    del broken["i18n"]["sv"]["title"]
    (folder / "library-card.json").write_text(json.dumps(broken))
    config = load_config(write_config(f'[forms]\ncatalogue_dir = "{folder}"\n'))
    store = open_configured(config)
    token = add_kiosk(store, "itakeskus-1")
    app = make_app(config, store, clock=clock)
    kiosk = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": "itakeskus-1"}

    async def scenario(client: Client) -> None:
        response = await client.get("/api/kiosk/forms", headers=kiosk)
        body = await response.json()
        assert response.status == 200
        assert response.headers["ETag"] == f'"{body["version"]}"'
        assert len(body["version"]) == 64
        assert [form["id"] for form in body["forms"]] == [
            "helsinki-feedback",
            "kansalaisneuvonta-contact",
        ]
        shipped = json.loads((folder / "helsinki-feedback.json").read_text())
        assert body["forms"][0] == shipped
        same = await client.get(
            "/api/kiosk/forms", headers={**kiosk, "If-None-Match": response.headers["ETag"]}
        )
        assert (same.status, await same.read()) == (304, b"")
        stale = await client.get("/api/kiosk/forms", headers={**kiosk, "If-None-Match": '"0"'})
        assert stale.status == 200

    try:
        run_app(app, scenario)
    finally:
        store.close()
    assert "form definition library-card left out: i18n.sv lacks 'title'" in caplog.text


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("[smtp]\nport = 0", "smtp.port = 0 is not allowed: a whole number from 1 to 65535"),
        ('[smtp]\nhost = ""', 'smtp.host = "" is not allowed: a host name'),
        ("[smtp]\ntls = 1", 'smtp.tls = 1 is not allowed: "starttls" (STARTTLS'),
        (
            "[smtp]\nallow_plain_smtp_to_loopback = 1",
            "smtp.allow_plain_smtp_to_loopback = 1 is not allowed: true or false",
        ),
        ("[smtp]\nuser = 'x'", "unknown key smtp.user (known in [smtp]: host, port"),
        ('[email]\nsender = "kiosk"', 'email.sender = "kiosk" is not allowed: one e-mail address'),
        ("[email]\nmax_recipients = 0", "email.max_recipients = 0 is not allowed"),
        ("[delivery]\nmax_submission_bytes = 30000000", "delivery.max_submission_bytes"),
        (
            "[delivery]\ninitial_backoff_seconds = 600\nmax_backoff_seconds = 60",
            "delivery.max_backoff_seconds = 60 is not allowed: at least",
        ),
        ("[sealing]\nprivate_key_file = 1", "sealing.private_key_file = 1 is not allowed"),
        ("[forms]\ncatalog_dir = 'x'", "unknown key forms.catalog_dir"),
    ],
)
def test_each_delivery_mistake_is_one_line_naming_the_key(
    write_config: Callable[[str], Path], extra: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write_config(extra))
    assert expected in str(raised.value)
    assert "\n" not in str(raised.value)


def test_delivery_defaults_and_relative_paths(
    write_config: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(write_config(""))
    assert config.sealing_key_path == tmp_path / "data" / "sealing.key"
    assert (config.email.max_recipients, config.email.messages_per_kiosk_per_hour) == (3, 10)
    assert config.email.max_attachment_bytes == 10 * 1024 * 1024
    assert config.delivery.max_submission_bytes == 25 * 1024 * 1024
    assert config.catalogue_dir.name == "catalogue" and config.catalogue_dir.is_dir()
    monkeypatch.chdir(tmp_path)
    relative = load_config(write_config('[sealing]\nprivate_key_file = "out/hub.key"\n'))
    assert relative.sealing_key_path == tmp_path / "out" / "hub.key"
