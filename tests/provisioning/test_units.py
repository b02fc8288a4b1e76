"""The systemd units: `systemd-analyze verify` finds nothing wrong, and they agree with what
provisioning installs and configures."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provisioning.kiosktoml import DATA_DIR, SESSION_FOLDER
from provisioning.system import INSTALL
from tests.provisioning.conftest import DEADLINE, ROOT

UNITS = ROOT / "systemd"
#: Where the hub's software goes on its server (docs/provisioning.md).
HUB_INSTALL = "/opt/kiosk-hub/venv"


def settings(unit: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (UNITS / unit).read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.mark.parametrize(
    "unit",
    [
        "kiosk.service",
        "kiosk-agent.service",
        "kiosk-hub.service",
        "kiosk-update.service",
        "kiosk-update.timer",
    ],
)
def test_systemd_analyze_verify_finds_nothing(unit: str, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze is not None, "systemd-analyze is missing: install the Debian package systemd"
    text = (UNITS / unit).read_text()
    if "/usr/bin/cage" in text and not Path("/usr/bin/cage").exists():
        pytest.skip(
            "cage is not installed (Debian package `cage`): systemd-analyze verify checks that "
            "ExecStart's program exists"
        )
    # verify checks that ExecStart's program exists: this test's environment stands in for the
    # venv the units run from on a box.
    copy = tmp_path / unit
    copy.write_text(text.replace(INSTALL, sys.prefix).replace(HUB_INSTALL, sys.prefix))
    done = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=DEADLINE
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_app_unit_runs_under_cage_with_the_watchdog_and_its_folders() -> None:
    app = settings("kiosk.service")
    assert app["ExecStart"] == [f"/usr/bin/cage -- {INSTALL}/bin/kiosk"]
    assert (app["Type"], app["NotifyAccess"], app["WatchdogSec"]) == (["notify"], ["all"], ["30"])
    assert app["User"] == ["kiosk"] and app["Restart"] == ["always"]
    # Citizens' session files on the unit's tmpfs folder, the database in its state folder.
    assert app["RuntimeDirectory"] == ["kiosk"] and SESSION_FOLDER.startswith("/run/kiosk/")
    assert app["StateDirectory"] == ["kiosk"] and DATA_DIR == "/var/lib/kiosk"
    for unit in ("kiosk.service", "kiosk-agent.service", "kiosk-hub.service"):
        hardening = settings(unit)
        for key in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "RestrictSUIDSGID"):
            assert hardening[key] == ["yes"], (unit, key)
        assert hardening["ProtectSystem"] == ["strict"], unit
    agent = settings("kiosk-agent.service")
    assert agent["ExecStart"] == [f"{INSTALL}/bin/kiosk-agent --config /etc/kiosk/kiosk.toml"]


@pytest.mark.parametrize(
    ("unit", "threshold"),
    [
        ("kiosk.service", 5.0),
        ("kiosk-agent.service", 2.5),
        ("kiosk-hub.service", 2.0),
        # Root, writing anywhere a package may: what is left is what apt and dpkg need.
        ("kiosk-update.service", 6.0),
    ],
)
def test_the_units_exposure_stays_low(unit: str, threshold: float) -> None:
    """`systemd-analyze security` scores 0 (locked down) to 10; the GUI app needs devices,
    a seat and JIT memory, so it is allowed more than the agent and the hub."""
    analyze = shutil.which("systemd-analyze")
    assert analyze is not None, "systemd-analyze is missing: install the Debian package systemd"
    done = subprocess.run(
        [analyze, "security", "--offline=yes", "--no-pager", str(UNITS / unit)],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found is not None, done.stdout + done.stderr
    assert float(found[1]) <= threshold, done.stdout
