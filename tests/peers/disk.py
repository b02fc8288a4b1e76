"""A small disk for tests: a tmpfs of a few megabytes mounted on a folder, filled up and freed
again by the test, so that a full disk is the kernel's own ENOSPC and not a stand-in.

Mounting needs root (tests run as root here and in CI). A refused mount fails the test with
what to do; it never skips.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

_CHUNK = 64 * 1024


class SmallDisk:
    """A tmpfs of `size_mb` megabytes on `mountpoint`, with a filler file to take its room."""

    def __init__(self, mountpoint: Path, size_mb: int) -> None:
        self.mountpoint = mountpoint
        self.size_mb = size_mb
        self.filler = mountpoint / ".filler"
        self.mounted = False

    def mount(self) -> None:
        self.mountpoint.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [
                "mount",
                "-t",
                "tmpfs",
                "-o",
                f"size={self.size_mb}m,mode=0755",
                "kiosk-test-disk",
                str(self.mountpoint),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(
                f"cannot mount a small tmpfs on {self.mountpoint} ({done.stderr.strip()}): "
                "the full-disk tests need root and permission to mount (CAP_SYS_ADMIN); "
                "run them as root outside a restricted container",
                pytrace=False,
            )
        self.mounted = True

    def unmount(self) -> None:
        if not self.mounted:
            return
        done = subprocess.run(["umount", str(self.mountpoint)], capture_output=True, check=False)
        if done.returncode != 0:  # something still has a file open there: detach it anyway
            subprocess.run(["umount", "-l", str(self.mountpoint)], check=False)
        self.mounted = False

    def fill(self) -> int:
        """Take every free byte (the next write anywhere on it gets ENOSPC); bytes taken."""
        taken = 0
        block = os.urandom(_CHUNK)
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            size = _CHUNK
            while size:
                try:
                    taken += os.write(fd, block[:size])
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    size //= 2
        finally:
            os.close(fd)
        return taken

    def free(self) -> None:
        """Give the room back."""
        self.filler.unlink(missing_ok=True)

    def free_bytes(self) -> int:
        stat = os.statvfs(self.mountpoint)
        return stat.f_bavail * stat.f_frsize


@contextlib.contextmanager
def small_disk(mountpoint: Path, size_mb: int) -> Iterator[SmallDisk]:
    """A SmallDisk mounted for the block, unmounted after (with whatever is on it)."""
    disk = SmallDisk(mountpoint, size_mb)
    disk.mount()
    try:
        yield disk
    finally:
        disk.unmount()
