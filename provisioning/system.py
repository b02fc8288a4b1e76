"""Steps that change the running system: the kiosk user, the software in /opt/kiosk/venv and
the CUPS queue. Under `--root` they are never run: the summary names the command instead.
"""

from __future__ import annotations

import pwd
import subprocess
from pathlib import Path

from provisioning.checks import cups_devices
from provisioning.kiosktoml import DATA_DIR
from provisioning.steps import Box, Outcome, StepResult

USER = "kiosk"
#: DRM and input for cage, /dev/video* for the camera.
GROUPS = ("video", "render", "input")
#: Where the kiosk's Python software is installed; the units' ExecStart paths point here.
INSTALL = "/opt/kiosk/venv"


def ensure_user(box: Box) -> StepResult:
    name = f"user {USER}"
    create = [
        "useradd", "--system", "--user-group", "--home-dir", DATA_DIR, "--no-create-home",
        "--shell", "/usr/sbin/nologin", "--groups", ",".join(GROUPS), USER,
    ]  # fmt: skip
    if box.under_root:
        return box.run(name, [create], done="created")
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return box.run(name, [create], done=f"created, in groups {', '.join(GROUPS)}")
    found = subprocess.run(["id", "-nG", USER], capture_output=True, text=True, check=False)
    missing = [group for group in GROUPS if group not in found.stdout.split()]
    if not missing:
        return box.add(StepResult(name, Outcome.OK, f"exists, in groups {', '.join(GROUPS)}"))
    add = ["usermod", "--append", "--groups", ",".join(missing), USER]
    return box.run(name, [add], done=f"added to {', '.join(missing)}")


def ensure_software(box: Box, source: Path | None) -> StepResult:
    name = "kiosk software"
    programs = [box.path(f"{INSTALL}/bin/{program}") for program in ("kiosk", "kiosk-agent")]
    if all(program.is_file() for program in programs):
        return box.add(StepResult(name, Outcome.OK, f"installed in {INSTALL}"))
    if source is None or not (source / "pyproject.toml").is_file():
        todo = f"install the kiosk software into {INSTALL} (python3 -m venv; pip install)"
        detail = "not installed, and no source to install from: give --source DIR"
        return box.add(StepResult(name, Outcome.FAILED, detail, (todo,)))
    commands = [["python3", "-m", "venv", INSTALL], [f"{INSTALL}/bin/pip", "install", str(source)]]
    return box.run(name, commands, done=f"installed into {INSTALL} from {source}")


def ensure_cups_queue(box: Box, queue: str, uri: str) -> StepResult:
    """The CUPS queue `queue` for the printer at `uri` (IPP Everywhere), or, with no `uri`,
    a queue that must already be there."""
    name = f"CUPS queue {queue}"
    add = ["lpadmin", "-p", queue, "-E", "-v", uri, "-m", "everywhere"]
    if box.under_root:
        if uri:
            return box.run(name, [add], done="")
        check = f"check that CUPS has the queue {queue}: lpstat -v {queue}"
        return box.add(
            StepResult(name, Outcome.SKIPPED, f"skipped under --root: {check}", (check,))
        )
    device, problem = _queue_device(queue)
    if uri and device == uri:
        return box.add(StepResult(name, Outcome.OK, f"prints to {uri}"))
    if uri:
        return box.run(name, [add], done=f"prints to {uri} (IPP Everywhere)")
    if device:
        return box.add(StepResult(name, Outcome.OK, f"prints to {device}"))
    if problem:
        todo = f"start CUPS (systemctl start cups), then check: lpstat -v {queue}"
        return box.add(
            StepResult(name, Outcome.FAILED, f"CUPS cannot be asked: {problem}", (todo,))
        )
    todo = f"give --printer-uri ipp://... for the queue {queue}"
    return box.add(StepResult(name, Outcome.FAILED, "CUPS has no such queue", (todo,)))


def _queue_device(queue: str) -> tuple[str | None, str]:
    """The device URI of a CUPS queue (None if CUPS has no such queue or cannot be asked), and
    why CUPS could not be asked ("" when it answered)."""
    devices, problem = cups_devices()
    for found, device in devices.items():
        if found.casefold() == queue.casefold():  # CUPS's queue names ignore case
            return device, ""
    return None, problem
