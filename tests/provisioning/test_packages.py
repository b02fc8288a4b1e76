"""The packages step reads the dpkg database of the tree it sets up, and never runs apt-get
under --root."""

from __future__ import annotations

from pathlib import Path

from provisioning.checks import PACKAGES, check_packages
from provisioning.steps import Box, Outcome


def dpkg_status(root: Path, installed: tuple[str, ...]) -> None:
    folder = root / "var/lib/dpkg"
    (folder / "info").mkdir(parents=True)
    (folder / "updates").mkdir()
    (folder / "status").write_text(
        "".join(
            f"Package: {name}\nStatus: install ok installed\nArchitecture: amd64\n"
            f"Version: 1.0\nMaintainer: Debian\nDescription: {name}\n\n"
            for name in installed
        )
    )


def test_missing_packages_are_left_to_the_technician_under_root(tmp_path: Path) -> None:
    dpkg_status(tmp_path, tuple(name for name in PACKAGES if name != "cage"))
    result = check_packages(Box(tmp_path))
    assert result.outcome is Outcome.SKIPPED
    install = "apt-get install -y --no-install-recommends cage"
    assert result.detail.endswith(install)
    assert result.todo == (f"apt-get update && env DEBIAN_FRONTEND=noninteractive {install}",)


def test_nothing_to_do_when_every_package_is_there(tmp_path: Path) -> None:
    dpkg_status(tmp_path, PACKAGES)
    result = check_packages(Box(tmp_path, dry_run=True))
    assert result.outcome is Outcome.OK
