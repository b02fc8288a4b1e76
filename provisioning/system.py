"""Steps that change the running system: the kiosk user, the software in /opt/kiosk/venv and
the CUPS queue. Under `--root` they are never run: the summary names the command instead.
"""

from __future__ import annotations

import pwd
import subprocess
from pathlib import Path

from provisioning.checks import BACKEND_MODULES, cups_devices
from provisioning.kiosktoml import DATA_DIR
from provisioning.steps import Box, Outcome, StepResult

USER = "kiosk"
#: DRM and input for cage (input also for the headphone socket's switch), /dev/video* for the
#: camera, the sound card for speech and the call's sound.
GROUPS = ("video", "render", "input", "audio")
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


def ensure_software(
    box: Box, source: Path | None, backends: tuple[str, ...] = (), *, explicit_source: bool = True
) -> StepResult:
    """The kiosk software in INSTALL, with the libraries of the real device `backends` chosen
    ("cups", "pcsc": the `devices` extra, built from source).

    Under --root the virtualenv is made below the root when the source was named
    (`explicit_source`), its scripts pointing at INSTALL so the tree can become a box's `/`;
    otherwise the commands are left to the technician."""
    name = "kiosk software"
    venv = box.path(INSTALL)
    modules = sorted({BACKEND_MODULES[b] for b in backends if b in BACKEND_MODULES})
    programs = [venv / "bin" / program for program in ("kiosk", "kiosk-agent")]
    installed = all(program.is_file() for program in programs)
    lacking = _lacking(venv / "bin" / "python", modules) if installed else modules
    if installed and not lacking:
        with_ = f" with {', '.join(modules)}" if modules else ""
        return box.add(StepResult(name, Outcome.OK, f"installed in {INSTALL}{with_}"))
    if source is None or not (source / "pyproject.toml").is_file():
        todo = f"install the kiosk software into {INSTALL} (python3 -m venv; pip install)"
        detail = "not installed, and no source to install from: give --source DIR"
        return box.add(StepResult(name, Outcome.FAILED, detail, (todo,)))
    requirement = f"{source}[devices]" if modules else str(source)
    target = str(venv) if box.under_root else INSTALL
    commands = [
        ["python3", "-m", "venv", target],
        [f"{target}/bin/python", "-m", "pip", "install", requirement],
    ]
    if installed:  # the software is there, without the devices' libraries: add them
        commands = commands[1:]
    below_root = box.under_root and explicit_source
    what = "added the devices' libraries to" if installed else "installed into"
    result = box.run(name, commands, done=f"{what} {INSTALL} from {source}", below_root=below_root)
    if result.outcome is not Outcome.CHANGED:
        return result
    if box.under_root:
        _point_scripts_at(venv, INSTALL)
    still = _lacking(venv / "bin" / "python", modules)
    if still:
        box.results.remove(result)
        detail = f"installed, but its Python cannot import {', '.join(still)}"
        todo = f"install what {', '.join(still)} is built with (the packages step), run again"
        return box.add(StepResult(name, Outcome.FAILED, detail, (todo,)))
    return result


def _lacking(python: Path, modules: list[str]) -> list[str]:
    """Which of `modules` the Python at `python` cannot import."""
    lacking = []
    for module in modules:
        try:
            done = subprocess.run(
                [str(python), "-c", f"import {module}"], capture_output=True, timeout=120
            )
        except (OSError, subprocess.TimeoutExpired):
            lacking.append(module)
            continue
        if done.returncode != 0:
            lacking.append(module)
    return lacking


def _point_scripts_at(venv: Path, install: str) -> None:
    """A virtualenv made at `venv` below --root: its scripts name the folder it will be in on
    the box, `install`, instead (their #! lines and the activate scripts)."""
    made_at = str(venv).encode()
    for script in (venv / "bin").iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        content = script.read_bytes()
        if made_at in content and (content.startswith(b"#!") or script.name.startswith("activ")):
            script.write_bytes(content.replace(made_at, install.encode()))


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
