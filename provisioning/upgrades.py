"""Updates at night: kiosk-update's timer, and Debian's security updates with
unattended-upgrades, both in the maintenance window ([updates] window of kiosk.toml).

- `/etc/apt/apt.conf.d/52kiosk-unattended-upgrades`: only the Debian-Security origin (the
  kiosk's own package is kiosk-update's business: the hub says which version), a reboot when
  an update needs one at a time inside the window, no mail.
- Drop-ins that move `apt-daily.timer` (download) and `apt-daily-upgrade.timer` (install) from
  Debian's times of day into the window, after kiosk-update's first run of the night (at the
  window's start, the timer runs every 10 minutes on the clock), each at a fixed time: a
  random delay could push them past the window's end.
- kiosk-update.timer enabled: the package's unit when the kiosk was installed from the fleet's
  repository, else the repository's copy written to /etc/systemd/system as the other units are.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path

from kiosk.updates.window import Window, parse_window
from provisioning.kiosktoml import CONFIG
from provisioning.steps import Box, Outcome, StepResult
from provisioning.units import UNIT_DIR

APT_CONF = "/etc/apt/apt.conf.d/52kiosk-unattended-upgrades"
DROP_IN = "kiosk-window.conf"
DEFAULT_WINDOW = "02:00-05:00"
#: Below this the downloads, the installing and a reboot cannot be fitted in one after another.
SHORTEST = timedelta(minutes=30)
UPDATE_UNITS = ("kiosk-update.service", "kiosk-update.timer")
PACKAGE_UNIT_DIR = "/lib/systemd/system"


@dataclass(frozen=True)
class Night:
    """When in the window each part runs."""

    window: Window
    download: time
    upgrade: time
    reboot: time


def plan(window: Window) -> Night:
    """kiosk-update at the start; downloads a sixth of the way in, installing a third of the
    way, a reboot (only when an update needs one) two thirds of the way in."""
    length = window.length
    return Night(
        window,
        window.after_start(length / 6),
        window.after_start(length / 3),
        window.after_start(length * 2 / 3),
    )


def window_argument(text: str) -> str:
    """--update-window as argparse checks it: a window, or the reason it is not one."""
    import argparse

    try:
        parse_window(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f'{exc} (local time, such as "02:00-05:00")') from None
    return text


def window_of(box: Box) -> tuple[Window, str]:
    """The box's [updates] window and where it came from."""
    path = box.path(CONFIG)
    try:
        text = tomllib.loads(path.read_text(encoding="utf-8")).get("updates", {}).get("window")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
        text = None
    if not isinstance(text, str):
        return parse_window(DEFAULT_WINDOW), "the default window"
    return parse_window(text), f"[updates] window of {CONFIG}"


def apt_conf(night: Night) -> bytes:
    return f"""// Written by kiosk-provision: Debian's security updates, installed in the kiosk's
// maintenance window {night.window} ([updates] window in {CONFIG}). The kiosk's own
// software is updated by kiosk-update, to the version the hub wants.
#clear Unattended-Upgrade::Origins-Pattern;
#clear Unattended-Upgrade::Allowed-Origins;
Unattended-Upgrade::Origins-Pattern {{
        "origin=Debian,codename=${{distro_codename}}-security,label=Debian-Security";
}};
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
// The kiosk user always has a session (the app): reboot anyway, inside the window.
Unattended-Upgrade::Automatic-Reboot "true";
Unattended-Upgrade::Automatic-Reboot-WithUsers "true";
Unattended-Upgrade::Automatic-Reboot-Time "{night.reboot:%H:%M}";
// No mail from the box: the hub is where support looks.
Unattended-Upgrade::Mail "";
""".encode()


def drop_in(what: str, at: time, *, persistent: bool) -> bytes:
    return f"""# Written by kiosk-provision: {what} in the kiosk's maintenance window.
[Timer]
OnCalendar=
OnCalendar=*-*-* {at:%H:%M}:00
RandomizedDelaySec=0
Persistent={"true" if persistent else "false"}
""".encode()


def ensure_night_updates(box: Box, units_dir: Path) -> bool:
    """Every file of this step; True when anything changed or would (systemd must reload)."""
    try:
        window, source = window_of(box)
    except ValueError as exc:
        detail = f"{CONFIG}: [updates] window: {exc}"
        todo = f'fix [updates] window in {CONFIG} ("HH:MM-HH:MM"), then run this again'
        box.add(StepResult("security updates", Outcome.FAILED, detail, (todo,)))
        return False
    if window.length < SHORTEST:
        detail = f"the window {window} ({source}) is shorter than 30 minutes"
        todo = f"give [updates] window in {CONFIG} at least 30 minutes, then run this again"
        box.add(StepResult("security updates", Outcome.FAILED, detail, (todo,)))
        return False
    night = plan(window)
    results = [
        box.write_file("security updates", APT_CONF, apt_conf(night), mode=0o644),
        box.write_file(
            "apt downloads in the window",
            f"{UNIT_DIR}/apt-daily.timer.d/{DROP_IN}",
            drop_in("apt's daily downloads", night.download, persistent=True),
            mode=0o644,
        ),
        box.write_file(
            "apt upgrades in the window",
            f"{UNIT_DIR}/apt-daily-upgrade.timer.d/{DROP_IN}",
            # Not caught up at boot: a box switched on in the morning installs nothing then.
            drop_in("unattended-upgrades", night.upgrade, persistent=False),
            mode=0o644,
        ),
        *_update_timer(box, units_dir),
    ]
    return any(r.outcome in (Outcome.CHANGED, Outcome.WOULD_CHANGE) for r in results)


def _update_timer(box: Box, units_dir: Path) -> list[StepResult]:
    link = f"{UNIT_DIR}/timers.target.wants/kiosk-update.timer"
    packaged = f"{PACKAGE_UNIT_DIR}/kiosk-update.timer"
    if box.path(packaged).is_file():
        return [box.symlink("enable kiosk-update.timer", link, packaged)]
    results = []
    for unit in UPDATE_UNITS:
        try:
            text = (units_dir / unit).read_bytes()
        except OSError as exc:
            detail = f"cannot read {units_dir / unit}: {exc.strerror}"
            todo = "run from a clone of the repository, or give --units DIR"
            results.append(box.add(StepResult(f"unit {unit}", Outcome.FAILED, detail, (todo,))))
            return results
        results.append(box.write_file(f"unit {unit}", f"{UNIT_DIR}/{unit}", text, mode=0o644))
    results.append(box.symlink("enable kiosk-update.timer", link, f"{UNIT_DIR}/kiosk-update.timer"))
    return results
