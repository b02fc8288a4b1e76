"""The kiosk's two services run from the software installed in a Debian root, for the
updater's tests: `python -m tests.updates.chroot_services restart ROOT RUN_DIR` stops the app
and kiosk-agent started before and starts them again from the root (chroot), as
`systemctl restart kiosk-agent.service kiosk.service` does on a box; `stop` only stops them.
The app runs on Qt's offscreen platform; both take /etc/kiosk/kiosk.toml of the root.

This is the updater's `[updates] restart_command` in those tests: what it starts is the real
app and the real agent of whatever version apt just installed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

VENV = "/opt/kiosk/venv"
SERVICES = {
    "agent": [f"{VENV}/bin/kiosk-agent", "--config", "/etc/kiosk/kiosk.toml"],
    "app": [f"{VENV}/bin/kiosk", "--config", "/etc/kiosk/kiosk.toml"],
}
ENV = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/root",
    "QT_QPA_PLATFORM": "offscreen",
    "XDG_RUNTIME_DIR": "/run/kiosk-test",
    "XDG_CACHE_HOME": "/run/kiosk-test/cache",
}
GRACE = 15.0


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def stop(run_dir: Path, name: str) -> None:
    pid_file = run_dir / f"{name}.pid"
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + GRACE
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _gone(pid):
            break
    pid_file.unlink(missing_ok=True)


def start(root: Path, run_dir: Path, name: str) -> None:
    (root / "run/kiosk-test").mkdir(parents=True, exist_ok=True, mode=0o700)
    with (run_dir / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            ["chroot", str(root), *SERVICES[name]],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # The test run's mark (tests.peers.lifetime) comes along: a run that ends early
            # still stops these.
            env={**ENV, **{k: v for k, v in os.environ.items() if k == "KIOSK_PEER_OWNER"}},
            start_new_session=True,
        )
    (run_dir / f"{name}.pid").write_text(str(process.pid))


def main(argv: list[str]) -> int:
    action, root, run_dir = argv[0], Path(argv[1]), Path(argv[2])
    run_dir.mkdir(parents=True, exist_ok=True)
    for name in SERVICES:
        stop(run_dir, name)
    if action == "restart":
        for name in SERVICES:
            start(root, run_dir, name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
