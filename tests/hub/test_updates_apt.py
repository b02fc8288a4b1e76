"""The fleet's repository served by the hub itself ([updates] repository_dir, /apt/) to a
Debian 12 root's real apt: published with packaging/publish.py, fetched and its signature
checked against the fleet's key alone, a newer version seen as soon as it is published, and a
package changed after publishing refused. Starts real peers (kiosk-hub, apt in a chroot): run
under `flock /tmp/kiosk-peers.lock`."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import HUB_KEY
from tests.peers.aptrepo import SigningKey, make_key, publish, use_repository
from tests.peers.debroot import debian_root
from tests.peers.hub import Hub, configured_hub
from tests.peers.smtp import free_port


def small_kiosk(out: Path, version: str) -> Path:
    """A package named kiosk at `version` holding one file: what apt fetches, not what runs."""
    staging = out / f"kiosk-{version}"
    (staging / "DEBIAN").mkdir(parents=True)
    (staging / "DEBIAN" / "control").write_text(
        f"Package: kiosk\nVersion: {version}\nArchitecture: amd64\n"
        "Maintainer: Kiosk fleet <fleet@kiosk.test>\nDescription: probe of the hub's repository\n"
    )
    (staging / "usr" / "share" / "kiosk-probe").mkdir(parents=True)
    (staging / "usr" / "share" / "kiosk-probe" / "version").write_text(version + "\n")
    deb = out / f"kiosk_{version}_amd64.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(staging), str(deb)],
        check=True,
        capture_output=True,
    )
    return deb


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Hub, SigningKey, Path]]:
    key = make_key(tmp_path, "kiosk-fleet")
    repo = tmp_path / "repo"
    publish(repo, key, small_kiosk(tmp_path, "0.3.0"))
    hub = configured_hub(
        tmp_path, bytes(HUB_KEY), free_port(), f'[updates]\nrepository_dir = "{repo}"\n'
    )
    hub.start()
    try:
        yield hub, key, repo
    finally:
        hub.stop()
        key.forget()


def test_apt_in_a_debian_root_installs_from_the_hub_only_what_the_fleet_key_signed(
    served: tuple[Hub, SigningKey, Path], tmp_path: Path
) -> None:
    hub, key, repo = served
    with debian_root(tmp_path) as root:
        use_repository(root.path, f"{hub.url}/apt/", key.public)
        updated = root.apt("update")
        assert updated.returncode == 0, updated.stdout + updated.stderr
        assert f"{hub.url}/apt" in updated.stdout
        installed = root.apt("install", "kiosk=0.3.0")
        assert installed.returncode == 0, installed.stdout + installed.stderr
        assert root.installed("kiosk") == "0.3.0"
        assert root.file("/usr/share/kiosk-probe/version").read_text() == "0.3.0\n"

        # A version published while the hub runs is there at the next apt update.
        publish(repo, key, small_kiosk(tmp_path, "0.3.1"))
        assert root.apt("update").returncode == 0
        assert root.apt("install", "kiosk=0.3.1").returncode == 0
        assert root.installed("kiosk") == "0.3.1"

        # A package changed in the pool after it was signed is refused; nothing changes.
        publish(repo, key, small_kiosk(tmp_path, "0.3.2"))
        assert root.apt("update").returncode == 0
        changed = repo / "pool" / "main" / "k" / "kiosk" / "kiosk_0.3.2_amd64.deb"
        data = bytearray(changed.read_bytes())
        data[-16] ^= 0xFF  # the same size, one byte changed
        changed.write_bytes(bytes(data))
        refused = root.apt("install", "kiosk=0.3.2")
        assert refused.returncode != 0
        assert "Hash Sum mismatch" in refused.stdout + refused.stderr
        assert root.installed("kiosk") == "0.3.1"

        # A root that trusts another key takes nothing from the hub: with the lists fetched
        # before forgotten, no version of the kiosk is to be had.
        for listed in root.file("/var/lib/apt/lists").glob("127.0.0.1*"):
            listed.unlink()
        stranger = make_key(tmp_path / "stranger", "stranger")
        try:
            use_repository(root.path, f"{hub.url}/apt/", stranger.public)
            untrusted = root.apt("update")
            assert "NO_PUBKEY" in untrusted.stdout + untrusted.stderr
            back = root.apt("install", "--allow-downgrades", "kiosk=0.3.0")
            assert back.returncode != 0
            assert root.installed("kiosk") == "0.3.1"
        finally:
            stranger.forget()
