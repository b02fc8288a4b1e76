"""packaging/publish.py: every version stays listed, the index is signed by the fleet's key, and
a version published again is skipped when it is the same, refused when the kiosk's contents
changed, and kept when it is the runtime (its version says which libraries it holds).

Uses gpg, apt-ftparchive and the session's built packages; serves nothing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.peers.aptrepo import PUBLISH, BuiltPackages, SigningKey, build, make_key, publish


@pytest.fixture
def key(tmp_path: Path) -> Iterator[SigningKey]:
    made = make_key(tmp_path / "signing", "fleet")
    yield made
    made.forget()


def publish_status(repo: Path, key: SigningKey, deb: Path) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, str(PUBLISH), "--repo", str(repo), "--key", key.fingerprint,
         "--gnupg-home", str(key.home), str(deb)],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def listed(repo: Path) -> list[tuple[str, str]]:
    index = (repo / "dists" / "stable" / "main" / "binary-amd64" / "Packages").read_text()
    found = []
    for stanza in index.split("\n\n"):
        fields = dict(re.findall(r"(?m)^([A-Za-z-]+): (.*)$", stanza))
        if "Package" in fields:
            found.append((fields["Package"], fields["Version"]))
    return found


def test_every_version_stays_listed_and_the_index_is_signed(
    packages: BuiltPackages, key: SigningKey, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    publish(repo, key, packages.kiosk("0.2.0"))
    publish(repo, key, packages.kiosk("0.3.0"))
    assert sorted(listed(repo)) == [("kiosk", "0.2.0"), ("kiosk", "0.3.0")]
    release = repo / "dists" / "stable"
    for signed in (["InRelease"], ["Release.gpg", "Release"]):
        verify = ["gpgv", "--keyring", str(key.public), *(str(release / f) for f in signed)]
        checked = subprocess.run(verify, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
    other = make_key(tmp_path / "other", "someone-else")
    other.forget()
    verify = ["gpgv", "--keyring", str(other.public), str(release / "InRelease")]
    assert subprocess.run(verify, capture_output=True).returncode != 0


def test_a_version_published_again(
    packages: BuiltPackages, key: SigningKey, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    first = packages.kiosk("0.3.0")
    publish(repo, key, first)
    status, out = publish_status(repo, key, first)
    assert status == 0 and "kiosk 0.3.0: already published" in out, out

    rebuilt = tmp_path / "rebuilt"
    build(rebuilt, "--only", "kiosk", "--version", "0.3.0",
          "--runtime-version", packages.runtime_version)  # fmt: skip
    again = rebuilt / "kiosk_0.3.0_amd64.deb"
    assert again.read_bytes() != first.read_bytes()
    status, out = publish_status(repo, key, again)
    assert status == 1, out
    assert "kiosk 0.3.0 is already published with other contents" in out
    assert "new version" in out
    pool = repo / "pool" / "main" / "k" / "kiosk" / "kiosk_0.3.0_amd64.deb"
    assert pool.read_bytes() == first.read_bytes()

    runtimes = [small_runtime(tmp_path / f"runtime-{n}", f"built {n}\n") for n in (1, 2)]
    publish(repo, key, runtimes[0])
    status, out = publish_status(repo, key, runtimes[1])
    assert status == 0, out
    assert "kiosk-runtime 0.0test: already published (the same libraries), kept" in out
    assert ("kiosk-runtime", "0.0test") in listed(repo)


def small_runtime(folder: Path, note: str) -> Path:
    """A package named kiosk-runtime with one file, `note`: two builds differ in bytes only."""
    stage = folder / "stage"
    (stage / "DEBIAN").mkdir(parents=True)
    (stage / "DEBIAN" / "control").write_text(
        "Package: kiosk-runtime\nVersion: 0.0test\nArchitecture: amd64\n"
        "Maintainer: Tests <tests@kiosk.test>\nDescription: a stand-in\n"
    )
    (stage / "opt").mkdir()
    (stage / "opt" / "note").write_text(note)
    deb = folder / "kiosk-runtime_0.0test_amd64.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(stage), str(deb)],
                   check=True, capture_output=True)  # fmt: skip
    return deb
