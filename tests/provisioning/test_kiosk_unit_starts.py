"""kiosk.service's own command line starts: cage with the kiosk in it, as an unprivileged user,
on cage's headless backend, and the app's READY=1 reaches the NOTIFY_SOCKET systemd would give.

The command and its environment are read from systemd/kiosk.service; only what systemd itself
would provide is stood in for: the user (a system user this test makes when run as root), the
unit's StateDirectory and RuntimeDirectory (folders of a temporary tree), XDG_RUNTIME_DIR (which
logind gives the PAM session), the notify socket, and the installed kiosk (this checkout's, run
with this environment's Python). Also: every program the unit runs comes from a package that
provisioning installs (with the modules of its PAM service).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from provisioning.checks import PACKAGES
from provisioning.kiosktoml import DATA_DIR
from provisioning.system import INSTALL
from provisioning.units import PAM_KIOSK
from tests.provisioning.conftest import ROOT
from tests.provisioning.test_units import settings

#: The user the unit would run as is `kiosk`; the test's own stands in for it.
TEST_USER = "kiosk-unit-test"
#: How long cage and the app may take to show the first screen (two busy cores, a cold start).
READY_DEADLINE = 120.0
#: What systemd gives the unit that a test must make itself: the headless backend instead of
#: the seat on tty1 (DRM and input devices), and software rendering.
HEADLESS = {
    "WLR_BACKENDS": "headless",
    "WLR_LIBINPUT_NO_DEVICES": "1",
    "WLR_RENDERER": "pixman",
}


def unit_command() -> list[str]:
    [exec_start] = settings("kiosk.service")["ExecStart"]
    return shlex.split(exec_start)


def unit_environment() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in settings("kiosk.service").get("Environment", []):
        for pair in shlex.split(line):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


@dataclass
class RunAs:
    """Who the kiosk runs as: (uid, gid), or None to stay the current (unprivileged) user."""

    ids: tuple[int, int] | None

    def chown(self, path: Path) -> None:
        if self.ids is not None:
            os.chown(path, *self.ids)


@pytest.fixture(scope="module")
def run_as() -> Iterator[RunAs]:
    if os.geteuid() != 0:
        yield RunAs(None)  # cage refuses root, and this user is not root
        return
    made = False
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir",
             "/nonexistent", "--shell", "/usr/sbin/nologin", TEST_USER],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        made = True
    entry = pwd.getpwnam(TEST_USER)
    python = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve()]
    opened = _let_others_traverse([ROOT, *python])
    try:
        yield RunAs((entry.pw_uid, entry.pw_gid))
    finally:
        for folder, mode in opened:
            folder.chmod(mode)
        if made:
            subprocess.run(["userdel", TEST_USER], check=True, capture_output=True, timeout=60)


def _let_others_traverse(paths: list[Path]) -> list[tuple[Path, int]]:
    """Make the folders above the checkout and the Python environment and interpreter
    searchable by others (a checkout, or a Python built into /root, under a root-only folder),
    so the unprivileged user can run the kiosk; returns the folders changed and their modes,
    to be put back when the test ends."""
    changed: list[tuple[Path, int]] = []
    for path in paths:
        for folder in [path.resolve(), *path.resolve().parents]:
            mode = stat.S_IMODE(folder.stat().st_mode)
            if not mode & stat.S_IXOTH and folder not in (f for f, _ in changed):
                folder.chmod(mode | stat.S_IXOTH)
                changed.append((folder, mode))
    return changed


@pytest.fixture
def box(run_as: RunAs) -> Iterator[Path]:
    """A folder the kiosk's user owns (pytest's tmp_path is root's alone when run as root)."""
    folder = Path(tempfile.mkdtemp(prefix="kiosk-unit-"))
    run_as.chown(folder)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def make_folder(path: Path, run_as: RunAs, mode: int = 0o700) -> Path:
    path.mkdir(parents=True, mode=mode)
    path.chmod(mode)
    run_as.chown(path)
    return path


def test_cage_with_the_kiosk_starts_and_says_ready(box: Path, run_as: RunAs) -> None:
    cage = unit_command()[0]
    if not Path(cage).exists():
        pytest.fail(f"{cage} is missing: install the Debian package cage (./dev test does)")
    # The unit's StateDirectory=kiosk and RuntimeDirectory=kiosk, as systemd would make them.
    state = make_folder(box / "state", run_as)
    runtime = make_folder(box / "run", run_as)
    make_folder(runtime / "sessions", run_as)
    # logind's /run/user/UID for the PAM session: cage puts its Wayland socket there.
    xdg_runtime = make_folder(box / "xdg", run_as)
    config = box / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{state}"\n[session]\nfolder = "{runtime / "sessions"}"\n'
    )
    run_as.chown(config)

    command: list[str] = []
    for word in unit_command():
        if word == f"{INSTALL}/bin/kiosk":  # the installed kiosk: this checkout's
            command += [sys.executable, "-m", "kiosk", "--config", str(config)]
        else:
            command.append(word)
    env = {
        key: value.replace(DATA_DIR, str(state)).replace("/run/kiosk", str(runtime))
        for key, value in unit_environment().items()
    }
    assert env.get("QT_QPA_PLATFORM") == "wayland", "the app must run as a Wayland client"
    env |= HEADLESS | {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "XDG_RUNTIME_DIR": str(xdg_runtime),
        "NOTIFY_SOCKET": str(box / "notify"),
        "LANG": "C.UTF-8",
    }

    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(str(box / "notify"))
        run_as.chown(box / "notify")
        notify.settimeout(1.0)
        log = box / "cage.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                command,
                env=env,
                cwd=box,
                stdout=out,
                stderr=subprocess.STDOUT,
                user=None if run_as.ids is None else run_as.ids[0],
                group=None if run_as.ids is None else run_as.ids[1],
                extra_groups=None if run_as.ids is None else [],
                # Its own process group: cage and the kiosk it started are stopped together.
                start_new_session=True,
            )
        try:
            received = wait_for_ready(notify, proc, log)
            assert b"READY=1" in received, received
            assert proc.poll() is None, "cage stopped after the app said it was ready"
        finally:
            stop_group(proc)


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to cage and the kiosk, as systemd stops the unit; SIGKILL what outlives 30 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        end = time.monotonic() + 30
        while time.monotonic() < end:
            proc.poll()
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def wait_for_ready(notify: socket.socket, proc: subprocess.Popen[bytes], log: Path) -> list[bytes]:
    received: list[bytes] = []
    end = time.monotonic() + READY_DEADLINE
    while b"READY=1" not in received:
        if proc.poll() is not None:
            raise AssertionError(
                f"cage exited {proc.returncode} before READY=1:\n{log.read_text()[-3000:]}"
            )
        if time.monotonic() > end:
            raise AssertionError(f"no READY=1 from the app under cage:\n{log.read_text()[-3000:]}")
        try:
            received.append(notify.recv(4096))
        except TimeoutError:
            continue
    return received


def package_of(path: str) -> str:
    # dpkg knows a library by the path it installed, /lib/... (merged /usr makes both work).
    done = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"no Debian package has {path}: {done.stderr}"
    return done.stdout.split(":")[0]


def test_provisioning_installs_every_program_the_unit_runs() -> None:
    cage = unit_command()[0]
    if not Path(cage).exists():
        pytest.fail(f"{cage} is missing: install the Debian package cage (./dev test does)")
    # cage (wlroots) starts Xwayland at start-up and exits when it cannot: its path is compiled
    # into the wlroots library cage is linked with.
    libraries = subprocess.run(["ldd", cage], capture_output=True, text=True, timeout=60).stdout
    [wlroots] = re.findall(r"=> (\S*libwlroots\S*)", libraries)
    [xwayland] = set(re.findall(rb"(/[\w/]+/Xwayland)\0", Path(wlroots).read_bytes()))
    programs = [cage, xwayland.decode()]
    # The modules of the unit's PAM service (PAMName=kiosk), which provisioning writes.
    for module in sorted(set(re.findall(rb"\b(pam_\w+\.so)\b", PAM_KIOSK))):
        [found] = glob.glob(f"/lib/*/security/{module.decode()}") or [f"(no {module.decode()})"]
        programs.append(found)
    packages = {program: package_of(program) for program in programs}
    assert packages[xwayland.decode()] == "xwayland"
    missing = {
        program: name
        for program, name in packages.items()
        if name not in PACKAGES and priority(name) != "required"  # on every Debian box
    }
    assert missing == {}, f"provisioning does not install what the unit runs: {missing}"


def priority(package: str) -> str:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Priority}", package], capture_output=True, text=True, timeout=60
    )
    return done.stdout.strip()


#: Loads a page in QtWebEngine as the kiosk does (kiosk.ui.screens.eservices.web decides about
#: Chromium's sandbox) and says what came of it.
SANDBOX_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import QCoreApplication, Qt, QTimer
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from kiosk.ui.screens.eservices.web import prepare_environment
prepare_environment()
from PySide6.QtWebEngineWidgets import QWebEngineView
view = QWebEngineView()
view.resize(400, 300)
view.show()
def loaded(ok):
    view.page().runJavaScript(
        "document.title", 0, lambda title: (print("LOADED", ok, title, flush=True), app.exit(0))
    )
view.loadFinished.connect(loaded)
view.setHtml("<title>rendered</title><p>e-service</p>")
QTimer.singleShot(60000, lambda: (print("TIMEOUT", flush=True), app.exit(2)))
sys.exit(app.exec())
"""


def test_the_e_services_browser_runs_with_chromiums_sandbox_as_the_kiosk_user(
    box: Path, run_as: RunAs
) -> None:
    """As the unit's unprivileged user, QtWebEngine's pages render in Chromium's sandbox: the
    kiosk turns it off only as root (the tests, the demo)."""
    runtime = make_folder(box / "run", run_as)
    cache = make_folder(box / "cache", run_as)
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(box),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CACHE_HOME": str(cache),
        "QT_QPA_PLATFORM": "offscreen",
    }
    ids = {} if run_as.ids is None else {"user": run_as.ids[0], "group": run_as.ids[1]}
    done = subprocess.run(
        [sys.executable, "-c", SANDBOX_PROBE, str(ROOT)],
        env=environment,
        cwd=box,
        capture_output=True,
        text=True,
        timeout=180,
        **({**ids, "extra_groups": []} if ids else {}),
    )
    assert "LOADED True rendered" in done.stdout, done.stdout + done.stderr[-3000:]
    assert "Sandboxing disabled" not in done.stderr
