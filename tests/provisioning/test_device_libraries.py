"""A box set up for the real printer and card reader gets their libraries: provisioning installs
what pycups and pyscard are built with and the kiosk's `devices` extra, into a fresh virtualenv
below --root, and the kiosk's own Python imports them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from provisioning.system import INSTALL
from tests.provisioning.conftest import ROOT
from tests.provisioning.test_provision import PROVISION

REAL_DEVICES = (
    "--printer", "cups", "--card-reader", "pcsc",
    "--camera", "simulated", "--payment", "simulated",
)  # fmt: skip
BUILD_PACKAGES = ("gcc", "python3-dev", "pkg-config", "libcups2-dev", "libpcsclite-dev", "swig")
#: A fresh virtualenv with the kiosk and everything it needs, downloaded or from pip's cache.
INSTALL_DEADLINE = 900.0


def provision(root: Path, *args: str) -> str:
    done = subprocess.run(
        [str(PROVISION), "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=INSTALL_DEADLINE,
        cwd=ROOT,
    )
    return done.stdout + done.stderr


def source_copy(folder: Path) -> Path:
    """The checkout's files, so that building the package writes nothing into the checkout."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        path = ROOT / name
        if path.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, folder / name)
    return folder


def step(out: str, name: str) -> str:
    found = re.search(rf"^  (\S+(?: \S+)?) +{re.escape(name)} +(.*)$", out, re.MULTILINE)
    assert found is not None, out
    return f"{found[1]}: {found[2]}"


def test_a_dry_run_names_the_build_packages_and_the_devices_extra(tmp_path: Path) -> None:
    out = provision(tmp_path / "root", "--dry-run", "--source", str(ROOT), *REAL_DEVICES)
    packages = step(out, "packages")
    for package in BUILD_PACKAGES:
        assert f" {package}" in packages, packages
    assert f"pip install '{ROOT}[devices]'" in step(out, "kiosk software")


def test_simulated_devices_need_no_compiler(tmp_path: Path) -> None:
    simulated = ("--printer", "simulated", "--card-reader", "simulated")
    out = provision(tmp_path / "root", "--dry-run", "--source", str(ROOT), *simulated)
    packages = step(out, "packages")
    assert "gcc" not in packages and "libcups2-dev" not in packages, packages
    software = step(out, "kiosk software")
    assert software.endswith(f"pip install {ROOT}"), software


def test_the_kiosks_python_imports_the_printer_and_card_reader_libraries(tmp_path: Path) -> None:
    source = source_copy(tmp_path / "source")
    root = tmp_path / "root"

    out = provision(root, "--source", str(source), *REAL_DEVICES)

    assert step(out, "kiosk software") == (f"changed: installed into {INSTALL} from {source}"), out
    python = root / INSTALL.lstrip("/") / "bin" / "python"
    imported = subprocess.run(
        [str(python), "-c", "import cups, smartcard, sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == str(root / INSTALL.lstrip("/"))
    # The tree can become a box's /: its programs run the Python in /opt/kiosk/venv.
    kiosk = (root / INSTALL.lstrip("/") / "bin" / "kiosk").read_text().splitlines()[0]
    assert kiosk == f"#!{INSTALL}/bin/python"

    again = provision(root, "--source", str(source), *REAL_DEVICES)
    assert step(again, "kiosk software") == f"ok: installed in {INSTALL} with cups, smartcard"
