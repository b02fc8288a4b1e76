"""A bare Debian 12 root to install into with apt, as a kiosk box's own apt would: made by
`mmdebstrap --variant=apt bookworm` (essential packages and apt, nothing else, so a missing
dependency shows), cached as a tarball under /var/cache/kiosk-tests for the day, unpacked
into a folder per test, and entered with chroot.

mmdebstrap rather than debootstrap: it resolves with apt itself, makes the tarball in one
step and needs no second stage; the apt variant is the smallest root in which apt runs.

Inside the root: /proc is mounted, and no service is started (policy-rc.d). Debian's
downloaded packages are kept in /var/cache/kiosk-tests/apt-archives: a new root's own archive
folder starts with them (hard links) and gives back what it downloaded when it is left, so a
second root does not download them again. Each root has its own folder, so two test runs at
once never share apt's lock or its partial downloads; the kiosk's own packages are never kept.
Run tests that use it under `flock /tmp/kiosk-peers.lock`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

CACHE = Path("/var/cache/kiosk-tests")
#: Debian's packages downloaded by earlier roots.
SHARED = CACHE / "apt-archives"
MIRROR = "http://deb.debian.org/debian"
SUITE = "bookworm"
DEADLINE = 1800.0
#: The kiosk's own packages: never kept in the shared archive folder, so that each install
#: downloads them from the repository under test (and its checks apply).
OWN = ("kiosk_", "kiosk-runtime_")
POLICY_RC = b"#!/bin/sh\n# No service starts while a test installs packages here.\nexit 101\n"


def base_tarball() -> Path:
    """Today's bare root as a tarball, made now when there is none yet."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{SUITE}-apt-{date.today().isoformat()}.tar"
    if path.is_file():
        return path
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    made = subprocess.run(
        ["mmdebstrap", "--variant=apt", "--quiet", "--format=tar", SUITE, str(partial), MIRROR],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    if made.returncode != 0:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"mmdebstrap failed: {made.stderr.strip()[-2000:]}")
    partial.replace(path)
    for old in CACHE.glob(f"{SUITE}-apt-*.tar"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


class DebRoot:
    """A Debian 12 root in `path`; use `debian_root()` so that it is unmounted and removed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.mounted: list[Path] = []

    def file(self, absolute: str) -> Path:
        return self.path / absolute.lstrip("/")

    def enter(self) -> None:
        """Mount what the root needs, with the host's name servers for Debian's mirror."""
        shutil.copyfile("/etc/resolv.conf", self.file("/etc/resolv.conf"))
        policy = self.file("/usr/sbin/policy-rc.d")
        policy.write_bytes(POLICY_RC)
        policy.chmod(0o755)
        self._mount(["-t", "proc", "proc"], self.file("/proc"))
        archives = self.file("/var/cache/apt/archives")
        (archives / "partial").mkdir(parents=True, exist_ok=True)
        SHARED.mkdir(parents=True, exist_ok=True)
        for deb in SHARED.glob("*.deb"):
            if not deb.name.startswith(OWN):
                _place(deb, archives / deb.name)

    def _mount(self, how: list[str], where: Path) -> None:
        where.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", *how, str(where)], check=True, capture_output=True)
        self.mounted.append(where)

    def leave(self) -> None:
        with contextlib.suppress(OSError):  # the cache is a help, never a reason to fail
            for deb in self.file("/var/cache/apt/archives").glob("*.deb"):
                if not deb.name.startswith(OWN) and not (SHARED / deb.name).exists():
                    _place(deb, SHARED / deb.name)
        for where in reversed(self.mounted):
            done = subprocess.run(["umount", str(where)], capture_output=True, check=False)
            if done.returncode != 0:
                subprocess.run(["umount", "--lazy", str(where)], capture_output=True, check=True)
        self.mounted.clear()

    def run(
        self, *argv: str, timeout: float = DEADLINE, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`argv` run inside the root (chroot), its output captured."""
        environment = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "HOME": "/root",
            "DEBIAN_FRONTEND": "noninteractive",
            **(env or {}),
        }
        return subprocess.run(
            ["chroot", str(self.path), *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=environment,
        )

    def apt(self, *args: str) -> subprocess.CompletedProcess[str]:
        """apt-get in the root, with the kiosk's own packages taken from the repository."""
        self.forget_own_packages()
        try:
            return self.run("apt-get", "-q", "-y", "--no-install-recommends", *args)
        finally:
            self.forget_own_packages()

    def forget_own_packages(self) -> None:
        for deb in self.file("/var/cache/apt/archives").rglob("*.deb"):
            if deb.name.startswith(OWN):
                deb.unlink(missing_ok=True)

    def installed(self, package: str) -> str | None:
        """The installed version of `package` by the root's dpkg database, or None."""
        done = subprocess.run(
            ["dpkg-query", f"--admindir={self.file('/var/lib/dpkg')}", "-W",
             "-f=${Status}\t${Version}", package],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        status, _, version = done.stdout.partition("\t")
        return version if done.returncode == 0 and status == "install ok installed" else None


def _place(source: Path, target: Path) -> None:
    """`source` at `target` as a hard link (a copy across file systems), appearing whole."""
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        os.link(source, partial)
    except OSError:
        shutil.copyfile(source, partial)
    partial.replace(target)


def _mounted_below(path: Path) -> list[str]:
    prefix = f"{path.resolve()}/"
    with open("/proc/mounts") as mounts:
        return [line.split()[1] for line in mounts if line.split()[1].startswith(prefix)]


@contextlib.contextmanager
def debian_root(folder: Path) -> Iterator[DebRoot]:
    """A fresh Debian 12 root unpacked in `folder`/root, entered; unmounted and removed after."""
    path = folder / "root"
    path.mkdir(parents=True)
    subprocess.run(
        ["tar", "-xf", str(base_tarball()), "-C", str(path)], check=True, capture_output=True
    )
    root = DebRoot(path)
    try:
        root.enter()
        yield root
    finally:
        root.leave()
        left = _mounted_below(path)
        if left:  # never remove through a mount: the host's files would go
            raise RuntimeError(f"still mounted below the test root: {left}")
        shutil.rmtree(path)
