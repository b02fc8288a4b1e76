"""The package steps of an update, as the real commands: dpkg-query for the installed version,
apt-get for the rest, from the kiosk's own apt source only.

With `root` (a Debian tree, for tests and for a technician's chroot) every command runs as
`chroot ROOT …`. A failed step raises AptFailed with the command's last line of output, which
is what a technician needs to see first.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

PACKAGE = "kiosk"
SOURCE_LIST = "sources.list.d/kiosk.sources"
#: apt-get update and install, each; a slow mirror at night is not a failure.
TIMEOUT = 1800.0
#: apt waits this long for another apt (unattended-upgrades) to finish rather than fail.
LOCK_WAIT = 600
ARCHIVES = "/var/cache/apt/archives"


class AptFailed(Exception):
    """A package step failed; str() is the command's last line, for the technician."""


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


class Packages:
    """The kiosk package on this box (or in the Debian tree at `root`)."""

    def __init__(self, root: Path | None = None, *, package: str = PACKAGE) -> None:
        self.root = root
        self.package = package

    def _run(self, command: Sequence[str], *, what: str) -> str:
        full = ["chroot", str(self.root), *command] if self.root is not None else list(command)
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "LC_ALL": "C.UTF-8",
            "DEBIAN_FRONTEND": "noninteractive",
            "APT_LISTCHANGES_FRONTEND": "none",
        }
        try:
            done = subprocess.run(
                full,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="replace",
                env=env,
                timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise AptFailed(f"{what}: no answer in {TIMEOUT:.0f} s") from None
        except OSError as exc:
            raise AptFailed(f"{what}: {exc.strerror}") from None
        if done.returncode != 0:
            said = _last_line(done.stderr) or _last_line(done.stdout) or f"exit {done.returncode}"
            raise AptFailed(f"{what}: {said}")
        return done.stdout

    def installed(self) -> str | None:
        """The installed version of the package; None when it is not installed."""
        try:
            out = self._run(
                ["dpkg-query", "-W", "-f", "${db:Status-Status} ${Version}", self.package],
                what="dpkg-query",
            )
        except AptFailed:
            return None  # dpkg knows no such package
        status, _, version = out.strip().partition(" ")
        return version if status == "installed" and version else None

    def refresh(self) -> None:
        """apt-get update of the kiosk source alone (the other lists are kept as they are)."""
        self._run(
            [
                "apt-get", "update", "-q",
                "-o", f"Dir::Etc::sourcelist={SOURCE_LIST}",
                "-o", "Dir::Etc::sourceparts=-",
                "-o", "APT::Get::List-Cleanup=0",
                "-o", f"DPkg::Lock::Timeout={LOCK_WAIT}",
            ],
            what="apt-get update",
        )  # fmt: skip

    def install(self, version: str) -> None:
        """Install exactly `version` (up or down) from what apt knows, signed by the fleet's
        key; the site's configuration files are kept."""
        self._install(f"{self.package}={version}")

    def install_cached(self, version: str) -> bool:
        """Install `version` from apt's own cache of downloaded packages (it was checked when
        it was downloaded), for a rollback when the repository no longer has it; False when
        the cache has no such file."""
        # apt names a cached file with the epoch's ':' written as %3a.
        name = f"{self.package}_{version.replace(':', '%3a')}_"
        folder = self.root / ARCHIVES.lstrip("/") if self.root is not None else Path(ARCHIVES)
        found = sorted(p.name for p in folder.glob(f"{name}*.deb")) if folder.is_dir() else []
        if not found:
            return False
        self._install(f"{ARCHIVES}/{found[0]}")
        return True

    def _install(self, what: str) -> None:
        self._run(
            [
                "apt-get", "install", "-y", "-q", "--allow-downgrades", "--no-install-recommends",
                "-o", "Dpkg::Options::=--force-confdef",
                "-o", "Dpkg::Options::=--force-confold",
                "-o", f"DPkg::Lock::Timeout={LOCK_WAIT}",
                what,
            ],
            what=f"apt-get install {what.rsplit('/', 1)[-1]}",
        )  # fmt: skip
