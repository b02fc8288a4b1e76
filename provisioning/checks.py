"""What is on the box: the Debian packages the kiosk needs, and the devices that can be found.

Everything here only looks (dpkg-query, lpstat, ippfind, PC/SC, /dev/video*, a TCP connect to
the payment terminal); nothing is changed. A tool that is missing or a daemon that is not
running means "nothing found", never an error.
"""

from __future__ import annotations

import glob
import shutil
import socket
import subprocess
from dataclasses import dataclass
from urllib.parse import urlsplit

from provisioning.steps import Box, Outcome, StepResult

LOOK_TIMEOUT = 5.0

#: Debian packages a kiosk box needs: the compositor, Python, Qt's system libraries (Wayland),
#: fonts, printing (CUPS with IPP Everywhere), smart cards (pcscd with the CCID driver) and the
#: cameras' V4L2 tools.
PACKAGES: tuple[str, ...] = (
    "cage",
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
    "cups",
    "cups-ipp-utils",
    "avahi-daemon",
    "pcscd",
    "libccid",
    "v4l-utils",
    "polkitd",
)


def installed_packages(names: tuple[str, ...], admindir: str) -> set[str]:
    """Which of `names` dpkg's database in `admindir` says are installed."""
    query = ["dpkg-query", f"--admindir={admindir}", "-W", "-f=${Package} ${Status}\\n"]
    found = _output([*query, *names])
    return {line.split()[0] for line in found.splitlines() if line.endswith("install ok installed")}


def check_packages(box: Box) -> StepResult:
    # Under --root, the packages of the tree being set up, not of this machine.
    installed = installed_packages(PACKAGES, str(box.path("/var/lib/dpkg")))
    missing = [name for name in PACKAGES if name not in installed]
    if not missing:
        return box.add(StepResult("packages", Outcome.OK, f"{len(PACKAGES)} installed"))
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

    def lines(self) -> list[str]:
        terminal = {None: "not configured", True: "answers", False: "does not answer"}
        return [
            f"printers in CUPS: {', '.join(self.cups_queues) or 'none'}",
            f"IPP printers on the network: {', '.join(self.ipp_printers) or 'none'}",
            f"PC/SC readers: {', '.join(self.readers) or 'none'}",
            f"cameras: {', '.join(self.cameras) or 'none'}",
            f"payment terminal: {terminal[self.terminal_reachable]}",
        ]


def find_devices(terminal_url: str | None) -> Found:
    return Found(
        cups_queues=_cups_queues(),
        ipp_printers=_ipp_printers(),
        readers=_readers(),
        cameras=tuple(sorted(glob.glob("/dev/video*"))),
        terminal_reachable=None if terminal_url is None else _answers(terminal_url),
    )


def check_devices(box: Box, terminal_url: str | None) -> Found:
    if box.under_root:
        # The devices would be this machine's, not those of the box the root is for.
        detail = "not looked for under --root"
        box.add(StepResult("devices found", Outcome.SKIPPED, detail))
        return Found((), (), (), (), None)
    found = find_devices(terminal_url)
    box.add(StepResult("devices found", Outcome.OK, "; ".join(found.lines())))
    return found


def _output(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        return ""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=LOOK_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout


def _cups_queues() -> tuple[str, ...]:
    # "device for kiosk: ipp://printer.local/ipp/print"
    lines = _output(["lpstat", "-v"]).splitlines()
    return tuple(line.split()[2].rstrip(":") for line in lines if line.startswith("device for "))


def _ipp_printers() -> tuple[str, ...]:
    found = _output(["ippfind", "-T", "3", "_ipp._tcp", "--print"]).split()
    return tuple(sorted({uri for uri in found if uri.startswith(("ipp://", "ipps://"))}))


def _readers() -> tuple[str, ...]:
    try:
        from smartcard.System import readers
    except ImportError:
        return ()
    try:
        return tuple(str(reader) for reader in readers())
    except Exception:  # no pcscd: pyscard raises its own errors, or OSError
        return ()


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=LOOK_TIMEOUT):
            return True
    except OSError:
        return False
