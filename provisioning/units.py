"""The systemd units of a kiosk box, the PAM service cage's session needs, the polkit rule that
lets kiosk-agent restart the app, and enabling them.

The unit files are the ones in the repository's `systemd/` folder (or `--units DIR`); enabling
is the symlink `systemctl enable` would make, so it works the same under `--root`.
"""

from __future__ import annotations

from pathlib import Path

from provisioning.steps import Box, Outcome, StepResult

UNIT_DIR = "/etc/systemd/system"
#: Unit -> the target that wants it. kiosk-hub.service is for the hub's server, not a kiosk.
KIOSK_UNITS = {"kiosk.service": "graphical.target", "kiosk-agent.service": "multi-user.target"}
DEFAULT_TARGET = "/lib/systemd/system/graphical.target"

#: The PAM service of kiosk.service (PAMName=kiosk): a logind session on tty1 for cage.
PAM_KIOSK = b"""# Written by kiosk-provision: the session of kiosk.service (cage on tty1).
auth     required pam_unix.so nullok
account  required pam_unix.so
session  required pam_unix.so
session  required pam_systemd.so
"""

#: kiosk-agent restarts the app when support asks (its [agent] restart_command runs
#: `systemctl restart kiosk.service` as the user kiosk): allow exactly that.
POLKIT_RULE = b"""// Written by kiosk-provision: the user kiosk may restart kiosk.service, no more.
polkit.addRule(function(action, subject) {
    if (action.id == "org.freedesktop.systemd1.manage-units" &&
        action.lookup("unit") == "kiosk.service" &&
        action.lookup("verb") == "restart" &&
        subject.user == "kiosk") {
        return polkit.Result.YES;
    }
});
"""


def source_units() -> Path:
    """The repository's systemd/ folder, next to this package in a checkout."""
    return Path(__file__).resolve().parents[1] / "systemd"


def install_units(box: Box, units_dir: Path) -> bool:
    """Write the units, the PAM service and the polkit rule, and enable the units; returns
    True when anything changed or would (so systemd must reload)."""
    results: list[StepResult] = []
    for unit, target in KIOSK_UNITS.items():
        packaged = f"/lib/systemd/system/{unit}"
        if box.path(packaged).is_file():  # the kiosk package's unit: updated with the package
            link = f"{UNIT_DIR}/{target}.wants/{unit}"
            results.append(box.symlink(f"enable {unit}", link, packaged))
            continue
        try:
            text = (units_dir / unit).read_bytes()
        except OSError as exc:
            detail = f"cannot read {units_dir / unit}: {exc.strerror}"
            todo = "run from a clone of the repository, or give --units DIR"
            results.append(box.add(StepResult(f"unit {unit}", Outcome.FAILED, detail, (todo,))))
            continue
        path = f"{UNIT_DIR}/{unit}"
        results.append(box.write_file(f"unit {unit}", path, text, mode=0o644))
        link = f"{UNIT_DIR}/{target}.wants/{unit}"
        results.append(box.symlink(f"enable {unit}", link, path))
    results.append(box.write_file("PAM service kiosk", "/etc/pam.d/kiosk", PAM_KIOSK, mode=0o644))
    results.append(
        box.write_file(
            "polkit rule",
            "/etc/polkit-1/rules.d/50-kiosk-agent.rules",
            POLKIT_RULE,
            mode=0o644,
        )
    )
    default = f"{UNIT_DIR}/default.target"
    results.append(box.symlink("boot to graphical.target", default, DEFAULT_TARGET))
    return any(r.outcome in (Outcome.CHANGED, Outcome.WOULD_CHANGE) for r in results)


def reload_systemd(box: Box, changed: bool) -> None:
    if changed:
        box.run("systemd reload", [["systemctl", "daemon-reload"]], done="reloaded")
