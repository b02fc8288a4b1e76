"""kiosk-provision into a temporary root, enrolling with a real hub process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path

from kiosk.config import load_config
from provisioning.kiosktoml import SESSION_FOLDER, TOKEN_FILE
from tests.provisioning.conftest import DEADLINE, ROOT, Hub

PROVISION = Path(sys.prefix) / "bin" / "kiosk-provision"
SIMULATED = (
    "--printer", "simulated", "--card-reader", "simulated",
    "--camera", "simulated", "--payment", "simulated",
)  # fmt: skip
Snapshot = dict[str, tuple[str, int, bytes]]


def provision(root: Path, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [str(PROVISION), "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=DEADLINE * 4,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,  # unattended: nothing is asked
    )
    return done.returncode, done.stdout + done.stderr


def enroll_args(hub: Hub, kiosk_id: str) -> tuple[str, ...]:
    """The hub, a new code for `kiosk_id`, and the fingerprint the admin was shown with it."""
    code = hub.enroll_code(kiosk_id)
    return ("--hub-url", hub.url, "--code", code, "--hub-key-fingerprint", hub.fingerprint)


def snapshot(root: Path) -> Snapshot:
    """Every file and link below root: its kind, mode and bytes (a link's target)."""
    found: Snapshot = {}
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            found[name] = ("link", 0, os.readlink(path).encode())
        elif path.is_file():
            found[name] = ("file", path.stat().st_mode & 0o7777, path.read_bytes())
    return found


def lines(out: str, outcome: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(f"  {outcome} ")]


def hello(hub: Hub, kiosk_id: str, token: str) -> int:
    request = urllib.request.Request(
        f"{hub.url}/api/kiosk/hello",
        data=b"{}",
        headers={"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=DEADLINE) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_provisioning_enrolls_and_a_second_run_changes_nothing(hub: Hub, tmp_path: Path) -> None:
    root = tmp_path / "root"
    args = (*enroll_args(hub, "branch-1"), *SIMULATED)
    status, out = provision(root, *args)
    assert status == 0, out
    assert re.search(r"changed +enrollment +enrolled as branch-1", out), out

    token_file = root / TOKEN_FILE.lstrip("/")
    assert token_file.stat().st_mode & 0o777 == 0o640
    token = token_file.read_text().strip()
    assert hello(hub, "branch-1", token) == 200

    config_file = root / "etc/kiosk/kiosk.toml"
    written = tomllib.loads(config_file.read_text())
    assert written["kiosk"]["id"] == "branch-1"
    assert written["kiosk"]["name"] == "Kiosk branch-1"
    assert written["kiosk"]["hub_public_key"] == hub.public_key
    assert written["kiosk"]["hub_token_file"] == TOKEN_FILE
    assert "hub_token" not in written["kiosk"]
    assert written["session"]["folder"] == SESSION_FOLDER
    # The kiosk itself accepts the file and finds the token through hub_token_file.
    copy = tmp_path / "kiosk.toml"
    copy.write_text(config_file.read_text().replace(TOKEN_FILE, str(token_file)))
    assert load_config(copy).kiosk.hub_token == token

    units = root / "etc/systemd/system"
    for unit in ("kiosk.service", "kiosk-agent.service"):
        assert (units / unit).read_bytes() == (ROOT / "systemd" / unit).read_bytes()
    assert os.readlink(units / "graphical.target.wants/kiosk.service") == (
        "/etc/systemd/system/kiosk.service"
    )
    assert os.readlink(units / "multi-user.target.wants/kiosk-agent.service") == (
        "/etc/systemd/system/kiosk-agent.service"
    )
    # Nothing was run against this machine: the commands are left for the technician.
    assert "skipped under --root: run useradd --system" in out
    assert "skipped under --root: run systemctl daemon-reload" in out
    self_test = re.search(r"device self-tests +(.*)", out)
    assert self_test is not None, out
    assert "printer ok, cardreader ok, camera ok, payment ok" in self_test[1]
    assert re.search(r"; (reported to the hub|not reported: hub answered 404)$", self_test[1])

    before = snapshot(root)
    status, again = provision(root, *args)
    assert status == 0, again
    assert lines(again, "changed") == [], again
    assert "All ok: nothing needed changing." in again
    assert re.search(r"ok +enrollment +enrolled as branch-1; the hub accepts its token", again)
    assert snapshot(root) == before
    # Not enrolled a second time: that would have replaced the token.
    assert hello(hub, "branch-1", token) == 200


def test_a_used_code_is_refused_with_its_message(hub: Hub, tmp_path: Path) -> None:
    code = hub.enroll_code("branch-2")
    first = ("--hub-url", hub.url, "--code", code, "--hub-key-fingerprint", hub.fingerprint)
    assert provision(tmp_path / "first", *first)[0] == 0
    status, out = provision(tmp_path / "second", "--hub-url", hub.url, "--code", code)
    assert status == 1
    assert "enrollment refused: this enrollment code was already used at" in out
    assert "ask an admin for a new one" in out
    assert not (tmp_path / "second" / TOKEN_FILE.lstrip("/")).exists()
    assert not (tmp_path / "second/etc/kiosk/kiosk.toml").exists()


def test_an_expired_code_is_refused(hub: Hub, tmp_path: Path) -> None:
    status, out = provision(tmp_path, "--hub-url", hub.url, "--code", hub.expired_code("branch-3"))
    assert status == 1
    assert re.search(r"enrollment refused: this enrollment code expired at \S+: ask an admin", out)
    assert not (tmp_path / TOKEN_FILE.lstrip("/")).exists()


def test_a_dry_run_writes_nothing_and_leaves_the_code_unused(hub: Hub, tmp_path: Path) -> None:
    root = tmp_path / "root"
    args = (*enroll_args(hub, "branch-4"), *SIMULATED)
    status, out = provision(root, "--dry-run", *args)
    assert status == 0, out
    assert "dry run: nothing was changed" in out
    assert "would enroll with the code" in out
    assert "would write /etc/systemd/system/kiosk.service" in out
    assert not root.exists() or snapshot(root) == {}
    # The code still works: the dry run did not send it.
    assert provision(root, *args)[0] == 0


def test_a_run_fixes_what_is_wrong_and_only_that(hub: Hub, tmp_path: Path) -> None:
    root = tmp_path / "root"
    args = (*enroll_args(hub, "branch-5"), *SIMULATED)
    assert provision(root, *args)[0] == 0
    right = snapshot(root)
    token_file = root / TOKEN_FILE.lstrip("/")
    token_file.chmod(0o644)
    unit = root / "etc/systemd/system/kiosk.service"
    unit.write_text(unit.read_text().replace("WatchdogSec=30", "WatchdogSec=0"))
    (root / "etc/systemd/system/multi-user.target.wants/kiosk-agent.service").unlink()
    broken = snapshot(root)

    status, dry = provision(root, "--dry-run", *args)
    assert status == 0, dry
    assert snapshot(root) == broken
    assert {line.split()[-1] for line in lines(dry, "would change")} >= {
        "/etc/kiosk/hub-token",
        "/etc/systemd/system/kiosk.service",
        "/etc/systemd/system/multi-user.target.wants/kiosk-agent.service",
    }

    status, fixed = provision(root, *args)
    assert status == 0, fixed
    changed = [line.split()[1:3] for line in lines(fixed, "changed")]
    assert changed == [
        ["token", "file"],
        ["unit", "kiosk.service"],
        ["enable", "kiosk-agent.service"],
    ], fixed
    assert snapshot(root) == right


def test_the_config_and_summary_say_where_things_are(hub: Hub, tmp_path: Path) -> None:
    """A box with no devices given: they are "none", and nothing is tested or refused."""
    status, out = provision(tmp_path, *enroll_args(hub, "branch-6"))
    assert status == 0, out
    written = tomllib.loads((tmp_path / "etc/kiosk/kiosk.toml").read_text())
    devices = {name: section["backend"] for name, section in written["devices"].items()}
    assert devices == {"printer": "none", "cardreader": "none", "camera": "none", "payment": "none"}
    assert re.search(r"device self-tests +no devices configured", out), out
    assert "set a technician PIN" in out
    assert written["kiosk"]["location"] == "Main library, ground floor"
