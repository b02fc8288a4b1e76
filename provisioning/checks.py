"""What is on the box: the Debian packages the kiosk needs, and the devices that can be found.

Everything here only looks (dpkg-query, lpstat, ippfind, PC/SC, /dev/video*, a TCP connect to
the payment terminal); nothing is changed. A tool that is missing or a daemon that is not
running means "nothing found", never an error.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from provisioning.steps import Box, Outcome, StepResult

LOOK_TIMEOUT = 5.0

#: Debian packages a kiosk box needs: the compositor (cage exits at start without the Xwayland
#: server, which it does not depend on), Python, Qt's system libraries (Wayland) and
#: QtWebEngine's, fonts, printing (CUPS with IPP Everywhere), the page pictures of Print's
#: preview (pdftoppm), smart cards (pcscd with the CCID driver), the cameras' V4L2 tools, and
#: speech (Qt's TextToSpeech over speech-dispatcher, with the espeak-ng voices).
PACKAGES: tuple[str, ...] = (
    "cage",
    "xwayland",
    # pam_systemd, in the PAM service of kiosk.service: the logind session that gives cage the seat.
    "libpam-systemd",
    "python3",
    "python3-venv",
    "libgl1",
    "libegl1",
    "libfontconfig1",
    "libxkbcommon0",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "libglib2.0-0",
    "libdbus-1-3",
    "fonts-dejavu-core",
    # QtWebEngine (the e-services browser) links to these besides Qt's own libraries.
    "libnss3",
    "libasound2",
    "libgbm1",
    "libxcb-dri3-0",
    "libxcomposite1",
    "libxdamage1",
    "libxrandr2",
    "libxtst6",
    "libxkbfile1",
    "cups",
    "cups-ipp-utils",
    "poppler-utils",
    "avahi-daemon",
    "pcscd",
    "libccid",
    "v4l-utils",
    "polkitd",
    "libspeechd2",
    "libpulse0",
    "speech-dispatcher",
    "speech-dispatcher-espeak-ng",
    "espeak-ng",
    # Debian's security updates, installed in the maintenance window (provisioning.upgrades).
    "unattended-upgrades",
)


#: The real device backends whose Python libraries (pycups, pyscard: the kiosk's `devices`
#: extra) come as source from PyPI, and the Debian packages they are built with besides a C
#: compiler, the Python headers and pkg-config (BUILD_TOOLS).
BACKEND_BUILD: dict[str, tuple[str, ...]] = {
    "cups": ("libcups2-dev",),
    "pcsc": ("libpcsclite-dev", "swig"),
}
BUILD_TOOLS = ("gcc", "python3-dev", "pkg-config")
#: What each of those backends imports: the kiosk's own Python must have it.
BACKEND_MODULES = {"cups": "cups", "pcsc": "smartcard"}


def packages_for(backends: tuple[str, ...]) -> tuple[str, ...]:
    """The packages of a box whose devices use `backends` ("cups", "pcsc", "simulated", ...):
    PACKAGES, and what the chosen real backends' libraries are built with."""
    built = [package for name in backends for package in BACKEND_BUILD.get(name, ())]
    return PACKAGES + ((*BUILD_TOOLS, *built) if built else ())


def installed_packages(names: tuple[str, ...], admindir: str) -> set[str]:
    """Which of `names` dpkg's database in `admindir` says are installed."""
    query = ["dpkg-query", f"--admindir={admindir}", "-W", "-f=${Package} ${Status}\\n"]
    found = look([*query, *names]).stdout
    return {line.split()[0] for line in found.splitlines() if line.endswith("install ok installed")}


def check_packages(box: Box, backends: tuple[str, ...] = ()) -> StepResult:
    """The packages a box needs, with what the real `backends` ("cups", "pcsc") are built with."""
    wanted = packages_for(backends)
    # Under --root, the packages of the tree being set up, not of this machine.
    installed = installed_packages(wanted, str(box.path("/var/lib/dpkg")))
    missing = [name for name in wanted if name not in installed]
    if not missing:
        return box.add(StepResult("packages", Outcome.OK, f"{len(wanted)} installed"))
    env = ["env", "DEBIAN_FRONTEND=noninteractive"]
    install = [*env, "apt-get", "install", "-y", "--no-install-recommends", *missing]
    return box.run(
        "packages", [["apt-get", "update"], install], done="installed " + " ".join(missing)
    )


@dataclass(frozen=True)
class Found:
    """Devices that could be seen from this box."""

    cups_queues: tuple[str, ...]
    ipp_printers: tuple[str, ...]
    readers: tuple[str, ...]
    cameras: tuple[str, ...]
    #: None when no nexo terminal is configured; else whether its address answered.
    terminal_reachable: bool | None
    #: Why a look found nothing when the reason is not "nothing is there" (CUPS or pcscd not
    #: running, a tool missing, an address that cannot be used), or where the terminal was
    #: asked; "" otherwise. Shown after the finding, so the technician knows what to fix; never
    #: with a ";", which separates the findings in the summary.
    cups_note: str = ""
    ipp_note: str = ""
    readers_note: str = ""
    terminal_note: str = ""
    #: Where the camera nodes were looked for.
    dev: Path = Path("/dev")

    def lines(self) -> list[str]:
        terminal = {None: "not configured", True: "answers", False: "does not answer"}
        video = self.dev / "video*"
        no_camera = (
            f"none: no {video} (plug the camera in, then `v4l2-ctl --list-devices` lists it)"
        )
        return [
            f"printers in CUPS: {_listed(self.cups_queues, self.cups_note)}",
            f"IPP printers on the network: {_listed(self.ipp_printers, self.ipp_note)}",
            f"PC/SC readers: {_listed(self.readers, self.readers_note)}",
            f"cameras: {', '.join(self.cameras) or no_camera}",
            f"payment terminal: {_noted(terminal[self.terminal_reachable], self.terminal_note)}",
        ]


def find_devices(
    terminal_url: str | None, *, dev: Path = Path("/dev"), sysfs: Path = Path("/sys")
) -> Found:
    """Everything that can be seen from here. `terminal_url` is the configured nexo terminal's
    address (None: no terminal configured); `dev` is where the camera nodes are."""
    cups_queues, cups_note = _cups_queues()
    ipp_printers, ipp_note = _ipp_printers()
    readers, readers_note = _readers()
    reachable, terminal_note = (None, "") if terminal_url is None else _answers(terminal_url)
    return Found(
        cups_queues=cups_queues,
        ipp_printers=ipp_printers,
        readers=readers,
        cameras=_cameras(dev, sysfs),
        terminal_reachable=reachable,
        cups_note=cups_note,
        ipp_note=ipp_note,
        readers_note=readers_note,
        terminal_note=terminal_note,
        dev=dev,
    )


def check_devices(
    box: Box, terminal_url: str | None, *, dev: Path = Path("/dev"), sysfs: Path = Path("/sys")
) -> Found:
    if box.under_root:
        # The devices would be this machine's, not those of the box the root is for.
        detail = "not looked for under --root"
        box.add(StepResult("devices found", Outcome.SKIPPED, detail))
        return Found((), (), (), (), None)
    found = find_devices(terminal_url, dev=dev, sysfs=sysfs)
    box.add(StepResult("devices found", Outcome.OK, "; ".join(found.lines())))
    return found


@dataclass(frozen=True)
class Looked:
    """What a read-only tool printed, and why it could not tell anything ("" when it could)."""

    stdout: str
    #: The tool's exit status; None when it could not be run or did not finish.
    status: int | None
    problem: str = ""


def look(command: list[str], timeout: float = LOOK_TIMEOUT) -> Looked:
    """Run a read-only tool in the C locale, whose output is what the parsing here expects
    (under a German locale `lpstat -v` says "Gerät für kiosk: ..."). A missing tool, a
    timeout or a failure is a `problem`, never an exception."""
    if shutil.which(command[0]) is None:
        return Looked("", None, f"{command[0]} is not installed")
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "LC_ALL": "C"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Looked("", None, f"{command[0]} gave no answer in {timeout:g} s")
    except OSError as exc:
        return Looked("", None, f"{command[0]}: {exc.strerror or exc}")
    if done.returncode == 0:
        return Looked(done.stdout, 0)
    said = (done.stderr.strip().splitlines() or [f"{command[0]} exited {done.returncode}"])[-1]
    return Looked(done.stdout, done.returncode, said)


def _listed(names: tuple[str, ...], note: str) -> str:
    return ", ".join(names) if names else _noted("none", note)


def _noted(text: str, note: str) -> str:
    return f"{text} ({note})" if note else text


def _cups_queues() -> tuple[tuple[str, ...], str]:
    devices, problem = cups_devices()
    note = f"{problem.rstrip('.')}. Start CUPS: systemctl start cups" if problem else ""
    return tuple(devices), note


def cups_devices() -> tuple[dict[str, str], str]:
    """Each CUPS queue's device URI, from `lpstat -v`, and why CUPS could not be asked ("" when
    it answered). All queues are asked for: asked for one, lpstat says "Invalid destination
    name" both when the queue is missing and when the scheduler is not running."""
    looked = look(["lpstat", "-v"])
    devices: dict[str, str] = {}
    for line in looked.stdout.splitlines():
        # "device for kiosk: ipp://printer.local/ipp/print"
        head, colon, device = line.partition(": ")
        queue = head.removeprefix("device for ")
        if colon and queue != head and queue and " " not in queue:
            devices[queue] = device.strip()
    if devices or "No destinations added" in looked.problem:  # an empty CUPS, not an error
        return devices, ""
    return devices, looked.problem


def _ipp_printers() -> tuple[tuple[str, ...], str]:
    looked = look(["ippfind", "-T", "3", "_ipp._tcp", "--print"])
    found = looked.stdout.split()
    printers = tuple(sorted({uri for uri in found if uri.startswith(("ipp://", "ipps://"))}))
    # Status 1 is "nothing matched"; 2 and up are browsing or resolving that failed.
    if printers or looked.status in (0, 1):
        return printers, ""
    return printers, looked.problem


#: Lists the PC/SC readers from another Python (the kiosk's own, which has pyscard): one name a
#: line; exit status 3 when pcscd does not answer.
_READERS_SCRIPT = """
import sys
from smartcard.System import readers
try:
    names = [str(r) for r in readers()]
except Exception:
    sys.exit(3)
print("\\n".join(names))
"""
NO_PYSCARD = "not looked for: this Python has no pyscard"


def readers_with(python: str) -> tuple[tuple[str, ...], str]:
    """The PC/SC readers as `python` sees them, and why none when there is a reason."""
    looked = look([python, "-c", _READERS_SCRIPT])
    if looked.status == 0:
        return tuple(name for name in looked.stdout.splitlines() if name.strip()), ""
    if looked.status == 3:
        return (), "pcscd does not answer: systemctl start pcscd.socket"
    return (), (looked.problem or f"{python} could not list them").replace(";", ",")


def look_again_for_readers(box: Box, found: Found, python: str) -> Found:
    """Provisioning runs on the system's Python, which has no pyscard on a fresh box: once the
    kiosk's own Python is installed, the readers are looked for again with it."""
    if found.readers_note != NO_PYSCARD or box.dry_run or box.under_root:
        return found
    readers, note = readers_with(python)
    again = replace(found, readers=readers, readers_note=note)
    box.add(StepResult("PC/SC readers", Outcome.OK, line_of(again, "PC/SC readers")))
    return again


def line_of(found: Found, what: str) -> str:
    """The summary's line for `what` ("PC/SC readers", "cameras", ...)."""
    return next(text for text in found.lines() if text.startswith(f"{what}: "))


def _readers() -> tuple[tuple[str, ...], str]:
    try:
        from smartcard.System import readers
    except ImportError:
        return (), NO_PYSCARD
    try:
        return tuple(str(reader) for reader in readers()), ""
    except Exception:  # no pcscd: pyscard raises its own errors, or OSError
        return (), "pcscd does not answer: systemctl start pcscd.socket"


def _cameras(dev: Path, sysfs: Path) -> tuple[str, ...]:
    """The cameras' capture nodes. A UVC camera makes two nodes, the pictures (index 0 in
    sysfs) and their metadata (index 1): only the first counts, so one camera is one camera."""

    def number(path: str) -> tuple[int, str]:
        digits = path.removeprefix(str(dev / "video"))
        return (int(digits), path) if digits.isdigit() else (-1, path)

    def capture(path: str) -> bool:
        index = sysfs / "class" / "video4linux" / Path(path).name / "index"
        try:
            return index.read_text().strip() == "0"
        except OSError:
            return True  # no sysfs entry to ask: count it

    # video10 after video9: the number, not the text.
    return tuple(sorted((p for p in glob.glob(str(dev / "video*")) if capture(p)), key=number))


def _answers(url: str) -> tuple[bool, str]:
    """Whether the terminal at `url` takes a TCP connection, and where it was asked (or why
    it could not be)."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 0
    if parts.scheme not in ("http", "https") or not parts.hostname or not port:
        return False, f"{url!r} is not an http:// address with a host, give --terminal-url"
    where = f"{parts.hostname}:{port}"
    try:
        with socket.create_connection((parts.hostname, port), timeout=LOOK_TIMEOUT):
            return True, f"at {where}"
    except TimeoutError:
        return False, f"at {where}: no answer in {LOOK_TIMEOUT:g} s"
    except OSError as exc:
        return False, f"at {where}: {exc.strerror or exc}"
