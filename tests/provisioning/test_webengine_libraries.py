"""Provisioning installs what QtWebEngine (the e-services browser) needs: every system library
its process and its core library link to comes from a package of PACKAGES, from one they
depend on, or from Debian's base system."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import PySide6

from provisioning.checks import PACKAGES

QT = Path(PySide6.__file__).parent / "Qt"
LINKED = [QT / "libexec" / "QtWebEngineProcess", QT / "lib" / "libQt6WebEngineCore.so.6"]


def system_libraries(binary: Path) -> set[str]:
    """The libraries `binary` resolves outside PySide6's own folder."""
    done = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "not found" not in done.stdout, f"{binary.name} misses libraries:\n{done.stdout}"
    found = set(re.findall(r"=> (/\S+)", done.stdout))
    return {path for path in found if not path.startswith(str(QT.parent))}


def package_of(path: str) -> str:
    real = str(Path(path).resolve())
    for candidate in (path, real, real.replace("/usr/lib/", "/lib/", 1)):
        done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, timeout=60)
        if done.returncode == 0:
            return done.stdout.split(":")[0]
    raise AssertionError(f"no Debian package has {path}")


def provided() -> set[str]:
    """PACKAGES and everything they depend on (not recommends), as apt sees it."""
    done = subprocess.run(
        [
            "apt-cache",
            "depends",
            "--recurse",
            "--no-recommends",
            "--no-suggests",
            "--no-conflicts",
            "--no-breaks",
            "--no-replaces",
            "--no-enhances",
            *PACKAGES,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    names = {line.strip() for line in done.stdout.splitlines() if not line.startswith(" ")}
    depends = re.findall(r"^\s+\|?(?:Pre)?Depends: <?([^\s>]+)>?", done.stdout, re.MULTILINE)
    return {name.split(":")[0] for name in (*names, *depends)}


def priority(package: str) -> str:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Priority}", package], capture_output=True, text=True, timeout=60
    )
    return done.stdout.strip()


def test_provisioning_installs_what_qtwebengine_links_to() -> None:
    libraries = set().union(*(system_libraries(binary) for binary in LINKED))
    assert any("libnss3" in path for path in libraries)  # the check sees what it should
    available = provided()
    missing = {
        path: package
        for path in sorted(libraries)
        if (package := package_of(path)) not in available
        and priority(package) not in ("required", "important")
    }
    assert missing == {}, f"provisioning does not install what QtWebEngine links to: {missing}"
