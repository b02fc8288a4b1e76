"""Provisioning's night-updates step on a --root tree: unattended-upgrades for the
Debian-Security origin only with its reboot in the window, apt's timers moved into the window
after kiosk-update's first run, kiosk-update.timer enabled; idempotent; the apt file read back
by apt-config and the timers' drop-ins by systemd-analyze verify."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from provisioning.kiosktoml import read_existing, render
from provisioning.steps import Box, Outcome
from provisioning.upgrades import APT_CONF, ensure_night_updates
from tests.provisioning.conftest import DEADLINE, ROOT, Hub, hub  # noqa: F401 (a real hub)
from tests.provisioning.test_provision import SIMULATED, enroll_args, provision

UNITS = ROOT / "systemd"
#: What Debian's unattended-upgrades package itself configures (50unattended-upgrades): the
#: main archive as well as security. The kiosk's file, read after it, must leave security alone.
DEBIAN_DEFAULTS = """Unattended-Upgrade::Origins-Pattern {
        "origin=Debian,codename=${distro_codename},label=Debian";
        "origin=Debian,codename=${distro_codename},label=Debian-Security";
        "origin=Debian,codename=${distro_codename}-security,label=Debian-Security";
};
Unattended-Upgrade::Mail "root";
"""


def kiosk_toml(root: Path, text: str) -> None:
    path = root / "etc/kiosk/kiosk.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def timer_at(root: Path, timer: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    text = (root / f"etc/systemd/system/{timer}.d/kiosk-window.conf").read_text()
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            found.setdefault(key, []).append(value)
    return found


def apt_dump(*files: Path) -> list[str]:
    command = ["apt-config"]
    for file in files:
        command += ["-c", str(file)]
    done = subprocess.run(
        [*command, "dump"], capture_output=True, text=True, timeout=DEADLINE, check=False
    )
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line.startswith("Unattended-Upgrade")]


def test_the_default_window_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    box = Box(tmp_path)
    assert ensure_night_updates(box, UNITS)
    assert {r.outcome for r in box.results} == {Outcome.CHANGED}
    # kiosk-update runs at 02:00 (its timer, every 10 minutes), then downloads, then installs.
    download = timer_at(tmp_path, "apt-daily.timer")
    upgrade = timer_at(tmp_path, "apt-daily-upgrade.timer")
    assert download["OnCalendar"] == ["", "*-*-* 02:30:00"]
    assert upgrade["OnCalendar"] == ["", "*-*-* 03:00:00"]
    assert download["RandomizedDelaySec"] == upgrade["RandomizedDelaySec"] == ["0"]
    assert upgrade["Persistent"] == ["false"]
    conf = (tmp_path / APT_CONF.lstrip("/")).read_text()
    assert 'Unattended-Upgrade::Automatic-Reboot-Time "04:00";' in conf
    wants = tmp_path / "etc/systemd/system/timers.target.wants/kiosk-update.timer"
    assert os.readlink(wants) == "/etc/systemd/system/kiosk-update.timer"
    for unit in ("kiosk-update.service", "kiosk-update.timer"):
        assert (tmp_path / "etc/systemd/system" / unit).read_bytes() == (UNITS / unit).read_bytes()

    again = Box(tmp_path)
    assert not ensure_night_updates(again, UNITS)
    assert {r.outcome for r in again.results} == {Outcome.OK}


def test_a_window_past_midnight(tmp_path: Path) -> None:
    kiosk_toml(tmp_path, '[kiosk]\nid = "k1"\n[updates]\nwindow = "23:30-04:00"\n')
    ensure_night_updates(Box(tmp_path), UNITS)
    assert timer_at(tmp_path, "apt-daily.timer")["OnCalendar"][1] == "*-*-* 00:15:00"
    assert timer_at(tmp_path, "apt-daily-upgrade.timer")["OnCalendar"][1] == "*-*-* 01:00:00"
    conf = (tmp_path / APT_CONF.lstrip("/")).read_text()
    assert 'Automatic-Reboot-Time "02:30"' in conf


def test_a_changed_window_rewrites_the_files(tmp_path: Path) -> None:
    ensure_night_updates(Box(tmp_path), UNITS)
    kiosk_toml(tmp_path, '[updates]\nwindow = "01:00-04:00"\n')
    box = Box(tmp_path)
    assert ensure_night_updates(box, UNITS)
    changed = {r.name for r in box.results if r.outcome is Outcome.CHANGED}
    assert changed == {
        "security updates",
        "apt downloads in the window",
        "apt upgrades in the window",
    }


@pytest.mark.parametrize(
    ("window", "says"),
    [
        ("2-5", "/etc/kiosk/kiosk.toml: [updates] window: '2-5' is not a time span"),
        ("02:00-02:20", "the window 02:00-02:20 ([updates] window of /etc/kiosk/kiosk.toml) is"),
    ],
)
def test_a_window_that_cannot_be_used_fails_the_step(
    tmp_path: Path, window: str, says: str
) -> None:
    kiosk_toml(tmp_path, f'[updates]\nwindow = "{window}"\n')
    box = Box(tmp_path)
    assert not ensure_night_updates(box, UNITS)
    [result] = box.results
    assert result.outcome is Outcome.FAILED and result.detail.startswith(says)
    assert result.todo and "[updates] window" in result.todo[0]
    assert not (tmp_path / APT_CONF.lstrip("/")).exists()


def test_the_packaged_timer_is_enabled_rather_than_copied(tmp_path: Path) -> None:
    packaged = tmp_path / "lib/systemd/system"
    packaged.mkdir(parents=True)
    shutil.copy(UNITS / "kiosk-update.timer", packaged)
    ensure_night_updates(Box(tmp_path), UNITS)
    wants = tmp_path / "etc/systemd/system/timers.target.wants/kiosk-update.timer"
    assert os.readlink(wants) == "/lib/systemd/system/kiosk-update.timer"
    assert not (tmp_path / "etc/systemd/system/kiosk-update.timer").exists()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    box = Box(tmp_path, dry_run=True)
    assert ensure_night_updates(box, UNITS)
    assert {r.outcome for r in box.results} == {Outcome.WOULD_CHANGE}
    assert not any(tmp_path.iterdir())


def test_apt_reads_the_file_and_keeps_only_debian_security(tmp_path: Path) -> None:
    assert shutil.which("apt-config"), "apt-config is missing (Debian package apt)"
    ensure_night_updates(Box(tmp_path), UNITS)
    debian = tmp_path / "50unattended-upgrades"
    debian.write_text(DEBIAN_DEFAULTS)
    found = apt_dump(debian, tmp_path / APT_CONF.lstrip("/"))
    origins = [line for line in found if line.startswith("Unattended-Upgrade::Origins-Pattern::")]
    assert origins == [
        'Unattended-Upgrade::Origins-Pattern:: "origin=Debian,codename=${distro_codename}'
        '-security,label=Debian-Security";'
    ]
    assert 'Unattended-Upgrade::Automatic-Reboot "true";' in found
    assert 'Unattended-Upgrade::Automatic-Reboot-WithUsers "true";' in found
    assert 'Unattended-Upgrade::Automatic-Reboot-Time "04:00";' in found
    assert 'Unattended-Upgrade::Mail "";' in found


@pytest.mark.parametrize("timer", ["apt-daily.timer", "apt-daily-upgrade.timer"])
def test_systemd_reads_the_drop_ins(tmp_path: Path, timer: str) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze is not None, "systemd-analyze is missing: install the Debian package systemd"
    shipped = Path("/lib/systemd/system")
    if not (shipped / timer).is_file():
        pytest.skip(f"{timer} is not on this machine (Debian package apt)")
    root = tmp_path / "root"
    ensure_night_updates(Box(root), UNITS)
    units = tmp_path / "units"
    units.mkdir()
    service = timer.replace(".timer", ".service")
    shutil.copy(shipped / timer, units)
    shutil.copy(shipped / service, units)
    shutil.copytree(root / f"etc/systemd/system/{timer}.d", units / f"{timer}.d")
    quiet = subprocess.run(
        [analyze, "verify", str(units / timer)], capture_output=True, text=True, timeout=DEADLINE
    )
    assert (quiet.returncode, quiet.stdout + quiet.stderr) == (0, "")
    # The same at debug level says which drop-ins it read.
    loud = subprocess.run(
        [analyze, "verify", str(units / timer)],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "debug"},
    )
    said = loud.stdout + loud.stderr
    assert f"DropIn Path: {units}/{timer}.d/kiosk-window.conf" in said
    assert "kiosk-window.conf:" not in said  # no line of it complained about


def test_a_second_provisioning_keeps_the_sites_window(tmp_path: Path) -> None:
    """kiosk.toml is rewritten from its answers on every run: the window is one of them."""
    kiosk_toml(tmp_path, '[kiosk]\nid = "k1"\n[updates]\nwindow = "23:30-04:00"\n')
    answers = read_existing(tmp_path / "etc/kiosk/kiosk.toml")
    assert answers.update_window == "23:30-04:00"
    kiosk_toml(tmp_path, render(answers).decode())
    assert read_existing(tmp_path / "etc/kiosk/kiosk.toml") == answers
    ensure_night_updates(Box(tmp_path), UNITS)
    assert timer_at(tmp_path, "apt-daily.timer")["OnCalendar"][1] == "*-*-* 00:15:00"
    # Without a window of its own, the file has no [updates] and the kiosk's default holds.
    assert b"[updates]" not in render(replace(answers, update_window=""))


def test_kiosk_provision_sets_the_window_and_the_nights_updates(
    tmp_path: Path,
    hub: Hub,  # noqa: F811 (the real hub of tests.provisioning)
) -> None:
    """The whole command on a --root tree, enrolling with a real hub: --update-window goes into
    kiosk.toml, and the night's files follow it; a second run keeps both."""
    args = (*enroll_args(hub, "night-1"), *SIMULATED, "--update-window", "01:00-04:00")
    status, out = provision(tmp_path, *args)
    assert status == 0, out
    assert window_in(tmp_path) == "01:00-04:00"
    assert timer_at(tmp_path, "apt-daily-upgrade.timer")["OnCalendar"][1] == "*-*-* 02:00:00"
    assert re.search(r"changed +security updates +wrote /etc/apt/apt.conf.d/52kiosk-unatt", out)
    status, again = provision(tmp_path, *SIMULATED)
    assert status == 0, again
    assert window_in(tmp_path) == "01:00-04:00"
    assert re.search(r"ok +security updates +/etc/apt/apt.conf.d/52kiosk-unattended", again)


def window_in(root: Path) -> object:
    config = tomllib.loads((root / "etc/kiosk/kiosk.toml").read_text())
    return config["updates"]["window"]


def test_a_malformed_update_window_is_refused(tmp_path: Path) -> None:
    status, out = provision(tmp_path, "--update-window", "2-5")
    assert status == 2
    assert "argument --update-window: '2-5' is not a time span \"HH:MM-HH:MM\"" in out
    assert not any(tmp_path.iterdir())
