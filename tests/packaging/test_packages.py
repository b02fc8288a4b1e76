"""The kiosk's packages, built from this checkout, published into a signed repository served on
loopback and installed with apt into a bare Debian 12 root that trusts only the fleet's key:
what is installed works, an upgrade and a downgrade go through, and apt refuses a repository
signed by another key, one not signed at all, and a package changed after publishing, leaving
what is installed as it was.

Starts real peers (an HTTP server, apt and dpkg in a chroot): run under
`flock /tmp/kiosk-peers.lock`.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.peers.aptrepo import SOURCES, AptRepo, BuiltPackages, served_repo, use_repository
from tests.peers.debroot import DebRoot, debian_root

VENV = "/opt/kiosk/venv"
REPO = Path(__file__).resolve().parents[2]
#: What the kiosk loads besides its own code: a library missing from the package's Depends
#: fails one of these imports.
LIBRARIES = (
    "PySide6.QtCore", "PySide6.QtWidgets", "PySide6.QtWebEngineWidgets",
    "PySide6.QtTextToSpeech", "cv2", "av", "aiortc", "cups", "smartcard", "nacl",
)  # fmt: skip


@pytest.fixture(scope="module")
def root(repo: AptRepo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DebRoot]:
    with debian_root(tmp_path_factory.mktemp("box")) as box:
        use_repository(box.path, repo.url, repo.key.public)
        yield box


def said(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


def test_kiosk_installs_from_the_signed_repository_and_runs(root: DebRoot) -> None:
    assert root.installed("kiosk") is None
    update = root.apt("update")
    assert update.returncode == 0, said(update)
    install = root.apt("install", "kiosk=0.2.0")
    assert install.returncode == 0, said(install)
    assert root.installed("kiosk") == "0.2.0"
    assert root.installed("kiosk-runtime") is not None

    helped = root.run(f"{VENV}/bin/kiosk", "--help")
    assert helped.returncode == 0 and "usage: kiosk" in helped.stdout, said(helped)
    imports = "; ".join(f"import {name}" for name in LIBRARIES)
    probe = (
        f"import kiosk; {imports}; from importlib.metadata import version; print(version('kiosk'))"
    )
    loaded = root.run(f"{VENV}/bin/python", "-c", probe, env={"QT_QPA_PLATFORM": "offscreen"})
    assert loaded.returncode == 0, said(loaded)
    assert loaded.stdout.split() == ["0.2.0"]
    # Every program of pyproject.toml but the hub's, every kiosk unit of systemd/.
    with (REPO / "pyproject.toml").open("rb") as f:
        programs = set(tomllib.load(f)["project"]["scripts"]) - {"kiosk-hub"}
    assert {"kiosk", "kiosk-agent", "kiosk-provision"} <= programs
    for program in programs:
        first = root.file(f"{VENV}/bin/{program}").read_text().splitlines()[0]
        assert first == f"#!{VENV}/bin/python"
    units = root.file("/lib/systemd/system")
    ours = {u.name for u in (REPO / "systemd").glob("kiosk*") if not u.name.startswith("kiosk-hub")}
    assert {"kiosk.service", "kiosk-agent.service"} <= ours
    for unit in ours:
        assert (units / unit).read_bytes() == (REPO / "systemd" / unit).read_bytes()
    assert not (units / "kiosk-hub.service").exists()
    user = root.run("id", "-un", "kiosk")
    assert user.stdout.strip() == "kiosk", said(user)
    # Python never writes into the packaged tree: its byte-code came with the package.
    listed = root.run("dpkg", "-L", "kiosk").stdout.splitlines()
    assert f"{VENV}/lib/python3.11/site-packages/kiosk/__pycache__" in listed


def test_an_upgrade_and_a_downgrade_go_through(root: DebRoot) -> None:
    assert root.installed("kiosk") == "0.2.0"
    up = root.apt("install", "kiosk=0.3.0")
    assert up.returncode == 0, said(up)
    assert root.installed("kiosk") == "0.3.0"
    refused = root.apt("install", "kiosk=0.2.0")
    assert refused.returncode != 0 and "downgrade" in said(refused).lower(), said(refused)
    assert root.installed("kiosk") == "0.3.0"
    down = root.apt("install", "--allow-downgrades", "kiosk=0.2.0")
    assert down.returncode == 0, said(down)
    assert root.installed("kiosk") == "0.2.0"
    told = root.run(
        f"{VENV}/bin/python", "-c", "import importlib.metadata as m; print(m.version('kiosk'))"
    )
    assert told.stdout.strip() == "0.2.0", said(told)


def test_a_repository_signed_by_another_key_is_refused(
    root: DebRoot, packages: BuiltPackages, tmp_path: Path
) -> None:
    before = root.installed("kiosk")
    good = root.file(SOURCES).read_text()
    with served_repo(tmp_path / "other", "someone-else") as other:
        other.publish(packages.kiosk("0.3.0"))
        root.file(SOURCES).write_text(good.replace(_uri(good), other.url))
        try:
            update = root.apt("update")
            install = root.apt("install", "kiosk=0.3.0")
        finally:
            root.file(SOURCES).write_text(good)
    assert update.returncode != 0, said(update)
    assert "NO_PUBKEY" in said(update), said(update)
    assert install.returncode != 0, said(install)
    assert root.installed("kiosk") == before


def test_a_repository_not_signed_is_refused(root: DebRoot, repo: AptRepo, tmp_path: Path) -> None:
    before = root.installed("kiosk")
    unsigned = AptRepo(tmp_path / "unsigned", repo.key)
    shutil.copytree(repo.folder, unsigned.folder, copy_function=_link)
    (unsigned.folder / "dists" / "stable" / "InRelease").unlink()
    (unsigned.folder / "dists" / "stable" / "Release.gpg").unlink()
    good = root.file(SOURCES).read_text()
    unsigned.start()
    try:
        root.file(SOURCES).write_text(good.replace(_uri(good), unsigned.url))
        update = root.apt("update")
        install = root.apt("install", "kiosk=0.3.0")
    finally:
        root.file(SOURCES).write_text(good)
        unsigned.stop(keep_key=True)
    assert update.returncode != 0, said(update)
    assert "not signed" in said(update), said(update)
    assert install.returncode != 0, said(install)
    assert root.installed("kiosk") == before


def test_a_package_changed_after_publishing_is_refused(
    root: DebRoot, repo: AptRepo, packages: BuiltPackages
) -> None:
    before = root.installed("kiosk")
    repo.publish(packages.kiosk("0.4.0"))
    published = repo.pool_file("kiosk", "0.4.0")
    content = bytearray(published.read_bytes())
    middle = len(content) // 2
    content[middle : middle + 16] = bytes(b ^ 0xFF for b in content[middle : middle + 16])
    published.write_bytes(bytes(content))  # the same size: only the hash tells
    update = root.apt("update")
    assert update.returncode == 0, said(update)
    install = root.apt("install", "kiosk=0.4.0")
    assert install.returncode != 0, said(install)
    assert "Hash Sum mismatch" in said(install), said(install)
    assert root.installed("kiosk") == before


def _uri(sources: str) -> str:
    return next(line.split(None, 1)[1] for line in sources.splitlines() if line[:5] == "URIs:")


def _link(source: str, target: str) -> None:
    Path(target).hardlink_to(source)
