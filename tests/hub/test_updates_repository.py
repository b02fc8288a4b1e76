"""The fleet's apt repository served at /apt/ ([updates] repository_dir): its files to anyone,
nothing else in the folder, no listing, no way out of it; a folder that is not there named by
check-config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from yarl import URL

from hub.__main__ import main
from hub.app import make_app
from hub.config import load_config
from hub.store import HubStore
from tests.hub.conftest import FixedClock, run_app

Client = TestClient[web.Request, web.Application]
DEB = b"!<arch>\ndebian-binary   " + bytes(range(256)) * 40


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository folder with a tool's own files beside dists/ and pool/, and a secret
    outside it."""
    root = tmp_path / "repo"
    release = root / "dists" / "stable" / "Release"
    release.parent.mkdir(parents=True)
    release.write_text("Origin: kiosk\nSuite: stable\n")
    deb = root / "pool" / "main" / "k" / "kiosk" / "kiosk_0.3.0_amd64.deb"
    deb.parent.mkdir(parents=True)
    deb.write_bytes(DEB)
    (root / "conf").mkdir()
    (root / "conf" / "distributions").write_text("SignWith: 0123ABCD\n")
    (root / "db").mkdir()
    (root / "db" / "packages.db").write_bytes(b"reprepro's own")
    (tmp_path / "secret.txt").write_text("not for apt")
    (root / "pool" / "main" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    return root


def test_the_repository_is_served_to_anyone_and_nothing_else_is(
    write_config: Callable[[str], Path], store: HubStore, clock: FixedClock, repository: Path
) -> None:
    config = load_config(write_config(f'[updates]\nrepository_dir = "{repository}"\n'))
    app = make_app(config, store, clock=clock)

    async def scenario(client: Client) -> None:
        release = await client.get("/apt/dists/stable/Release")
        assert release.status == 200
        assert await release.text() == "Origin: kiosk\nSuite: stable\n"
        deb = await client.get("/apt/pool/main/k/kiosk/kiosk_0.3.0_amd64.deb")
        assert deb.status == 200 and await deb.read() == DEB
        for path in (
            "/apt/dists/",
            "/apt/dists/stable",
            "/apt/conf/distributions",
            "/apt/db/packages.db",
            "/apt/pool/main/leak.txt",
            "/apt/pool/main/k/kiosk/missing.deb",
        ):
            response = await client.get(path)
            assert response.status == 404, path
            assert "SignWith" not in await response.text()
        for raw in (
            "/apt/pool/%2E%2E/conf/distributions",
            "/apt/dists/stable/%2e%2e/%2e%2e/%2e%2e/secret.txt",
            "/apt/pool/..%2F..%2Fsecret.txt",
        ):
            response = await client.get(URL(raw, encoded=True))
            text = await response.text()
            assert response.status == 404, raw
            assert "not for apt" not in text and "SignWith" not in text

    run_app(app, scenario)


def test_without_a_repository_apt_finds_nothing(app: web.Application) -> None:
    async def scenario(client: Client) -> None:
        response = await client.get("/apt/dists/stable/Release")
        assert response.status == 404
        assert "repository_dir" in await response.text()

    run_app(app, scenario)


def test_check_config_names_a_repository_folder_that_is_not_there(
    write_config: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    path = write_config(f'[updates]\nrepository_dir = "{missing}"\n')
    assert main(["--config", str(path), "check-config"]) == 2
    error = capsys.readouterr().err
    assert "updates.repository_dir" in error and str(missing) in error
    assert "packaging/publish.py" in error
    path = write_config('[updates]\nrepository = "/srv"\n')
    assert main(["--config", str(path), "check-config"]) == 2
    assert "unknown key updates.repository" in capsys.readouterr().err
