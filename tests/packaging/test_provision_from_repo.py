"""kiosk-provision --apt-repo onto a bare Debian 12 root: the repository's source and key are
written, apt installs the kiosk package inside the root (chroot), the box is enrolled with a
real hub, and a second run changes nothing. And the options it refuses.

Starts real peers (the hub, an HTTP server, apt and dpkg in a chroot): run under
`flock /tmp/kiosk-peers.lock`.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from provisioning.apt_source import KEYRING, SOURCES
from provisioning.kiosktoml import CONFIG
from provisioning.units import KIOSK_UNITS
from tests.peers.aptrepo import AptRepo
from tests.peers.debroot import debian_root
from tests.provisioning.conftest import ROOT, Hub
from tests.provisioning.conftest import hub as hub  # the module's hub process
from tests.provisioning.test_provision import PROVISION, SIMULATED, enroll_args

DEADLINE = 1200.0


def provision(root: Path, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [str(PROVISION), "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    return done.returncode, done.stdout + done.stderr


def test_provisioning_installs_the_kiosk_from_the_signed_repository(
    hub: Hub, repo: AptRepo, tmp_path: Path
) -> None:
    with debian_root(tmp_path) as root:
        apt = ("--apt-repo", repo.url, "--apt-key", str(repo.key.public))
        try:
            status, out = provision(root.path, *enroll_args(hub, "branch-apt"), *SIMULATED, *apt)
        finally:
            root.forget_own_packages()
        assert status == 0, out
        # The newest version in the repository, with the runtime it depends on.
        assert re.search(r"changed +kiosk software +installed kiosk 0\.3\.0 from", out), out
        assert root.installed("kiosk") == "0.3.0"
        assert root.installed("kiosk-runtime") is not None
        source = root.file(SOURCES).read_text()
        assert f"URIs: {repo.url}\n" in source
        assert f"Signed-By: {KEYRING}\n" in source
        assert "trusted" not in source
        assert root.file(KEYRING).read_bytes() == repo.key.public.read_bytes()
        # The package made the user the units run as; provisioning enrolled the box.
        assert root.run("id", "-un", "kiosk").stdout.strip() == "kiosk"
        assert root.file(CONFIG).is_file()
        # The package's units are enabled, not copied: an update of the package updates them.
        for unit, target in KIOSK_UNITS.items():
            assert not root.file(f"/etc/systemd/system/{unit}").exists()
            link = root.file(f"/etc/systemd/system/{target}.wants/{unit}")
            assert os.readlink(link) == f"/lib/systemd/system/{unit}"
        helped = root.run("/opt/kiosk/venv/bin/kiosk-provision", "--help")
        assert helped.returncode == 0 and "--apt-repo" in helped.stdout, helped.stderr

        status, again = provision(root.path, *SIMULATED, *apt)
        assert status == 0, again
        assert re.search(r"ok +kiosk software +kiosk 0\.3\.0 from", again), again
        assert not re.search(r"changed +kiosk", again), again


def test_apt_repo_and_source_together_are_refused(tmp_path: Path) -> None:
    key = tmp_path / "key.gpg"
    key.write_bytes(b"\x99\x00\x33")
    status, out = provision(
        tmp_path / "root", "--apt-repo", "http://127.0.0.1:1/", "--apt-key", str(key),
        "--source", str(ROOT),
    )  # fmt: skip
    assert status == 2
    assert "--apt-repo" in out and "--source" in out and "not both" in out
    assert not (tmp_path / "root").exists()


def test_a_key_file_that_holds_no_key_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "key.txt"
    key.write_text("not a key\n")
    status, out = provision(
        tmp_path / "root", "--apt-repo", "http://127.0.0.1:1/", "--apt-key", str(key)
    )
    assert status == 2
    assert f"--apt-key: {key} is not an OpenPGP public key" in out, out
    status, out = provision(tmp_path / "root", "--apt-repo", "http://127.0.0.1:1/")
    assert status == 2 and "go together" in out, out
