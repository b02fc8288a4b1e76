"""A real print path for tests: a private cupsd and an ippeveprinter (IPP Everywhere) behind it.

The session fixture `cups_peer` starts, under one temporary folder, a cupsd with its own
configuration, spool and port (it never touches the system CUPS) and a virtual printer that keeps
every document it receives, then creates the queue `kiosk` on it. Faults are real: paper out is
the printer's own `media-empty` state (set by its per-document hook, which holds the document
until paper is back), "printer gone" kills the printer process. A missing program fails the
session with the Debian package to install; it never skips.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.peers import lifetime

#: Program -> the Debian package that ships it.
REQUIRED = {
    "cupsd": "cups-daemon (apt-get install cups)",
    "lpadmin": "cups-client (apt-get install cups)",
    "ippeveprinter": "cups-ipp-utils",
    "dbus-daemon": "dbus",
    "avahi-daemon": "avahi-daemon",
}

QUEUE = "kiosk"
STARTUP_DEADLINE = 30.0

_HOOK = '''\
#!{python}
"""Runs once per document inside ippeveprinter: holds it while the test says paper is out
(reporting media-empty, as a real printer does) or while the test holds the printer busy, and
reports the printer-state-reasons the test asks for meanwhile."""
import sys, time
from pathlib import Path

flags = Path({flags!r})


def wanted():
    try:
        reasons = set((flags / "reasons").read_text().split())
    except OSError:
        reasons = set()
    if (flags / "paper-out").exists():
        reasons |= {{"media-empty", "media-needed"}}
    return reasons


def report(sign, reasons):
    if reasons:
        print(f"STATE: {{sign}}{{','.join(sorted(reasons))}}", file=sys.stderr, flush=True)


current = set()
while flags.is_dir() and ((flags / "paper-out").exists() or (flags / "busy").exists()):
    now = wanted()
    report("+", now - current)
    report("-", current - now)
    current = now
    time.sleep(0.1)
report("-", current)
'''


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, log: Path) -> None:
    end = time.monotonic() + STARTUP_DEADLINE
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}: {_tail(log)}", pytrace=False)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{what} did not listen on port {port}: {_tail(log)}")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None:
        lifetime.stop(proc)


class CupsPeer:
    """The running cupsd + ippeveprinter, with switches for the faults a test needs."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.cups_port = free_port()
        self.ipp_port = free_port()
        self.queue = QUEUE
        self.server = f"127.0.0.1:{self.cups_port}"
        self.etc = base / "etc"
        self.request_root = base / "spool"
        self.logs = base / "log"
        #: Where ippeveprinter keeps each document it received (-k).
        self.printer_spool = base / "printer"
        self.flags = base / "flags"
        self.hook = base / "hook.py"
        self._cupsd: subprocess.Popen[bytes] | None = None
        self._printer: subprocess.Popen[bytes] | None = None
        self._printer_runs = 0

    # ---- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        missing = [f"{p} (Debian package {pkg})" for p, pkg in REQUIRED.items() if not _which(p)]
        if missing:
            pytest.fail("the CUPS test peer needs: " + ", ".join(missing), pytrace=False)
        # cupsd runs filters as user lp: every folder above the spool must be traversable.
        self.base.chmod(0o755)
        for folder in (self.etc / "ppd", self.request_root / "tmp", self.logs, self.flags):
            folder.mkdir(parents=True, exist_ok=True)
        self.printer_spool.mkdir(mode=0o755, exist_ok=True)
        (self.base / "cache").mkdir(exist_ok=True)
        (self.base / "run").mkdir(exist_ok=True)
        self.hook.write_text(_HOOK.format(python=sys.executable, flags=str(self.flags)))
        self.hook.chmod(0o755)
        self.start_printer()
        self._write_cups_config()
        log = self.logs / "cupsd.out"
        with log.open("wb") as out:
            self._cupsd = self._spawn(
                [
                    _which("cupsd"),
                    "-f",
                    "-c",
                    str(self.etc / "cupsd.conf"),
                    "-s",
                    str(self.etc / "cups-files.conf"),
                ],
                out,
            )
        _wait_port(self.cups_port, self._cupsd, "cupsd", self.logs / "error_log")
        self.add_queue(self.queue)

    def stop(self) -> None:
        self.printer_gone()
        _stop(self._cupsd)
        self._cupsd = None

    def _start_dns_sd(self) -> None:
        """ippeveprinter will not start without DNS-SD: a system bus and avahi must run.

        Started only when absent and left running at the end, like the system services they
        are: another test session on this machine may be using them.
        """
        bus = Path("/run/dbus/system_bus_socket")
        if not _answers(bus):
            Path("/run/dbus").mkdir(parents=True, exist_ok=True)
            Path("/run/dbus/pid").unlink(missing_ok=True)
            subprocess.run([_which("dbus-daemon"), "--system", "--fork"], check=True)
        if subprocess.run([_which("avahi-daemon"), "--check"], check=False).returncode != 0:
            Path("/run/avahi-daemon/pid").unlink(missing_ok=True)
            subprocess.run([_which("avahi-daemon"), "-D", "--no-drop-root"], check=True)
        end = time.monotonic() + STARTUP_DEADLINE
        while subprocess.run([_which("avahi-daemon"), "--check"], check=False).returncode != 0:
            if time.monotonic() > end:
                pytest.fail("avahi-daemon did not start")
            time.sleep(0.1)

    def _write_cups_config(self) -> None:
        b = self.base
        (self.etc / "cups-files.conf").write_text(
            textwrap.dedent(f"""\
                ServerRoot {self.etc}
                RequestRoot {self.request_root}
                TempDir {self.request_root}/tmp
                StateDir {b}/run
                CacheDir {b}/cache
                AccessLog {self.logs}/access_log
                ErrorLog {self.logs}/error_log
                PageLog {self.logs}/page_log
                SystemGroup root
                FileDevice No
                Printcap {b}/run/printcap
                """)
        )
        (self.etc / "cupsd.conf").write_text(
            textwrap.dedent(f"""\
                LogLevel info
                Listen 127.0.0.1:{self.cups_port}
                Browsing Off
                WebInterface No
                DefaultAuthType None
                PreserveJobFiles No
                PreserveJobHistory Yes
                <Location />
                  Order allow,deny
                  Allow all
                </Location>
                <Policy default>
                  <Limit All>
                    Order deny,allow
                  </Limit>
                </Policy>
                """)
        )

    # ---- queues -------------------------------------------------------------------------------

    @property
    def printer_uri(self) -> str:
        return f"ipp://127.0.0.1:{self.ipp_port}/ipp/print"

    def lpadmin(self, *args: str) -> None:
        result = subprocess.run(
            [_which("lpadmin"), "-h", self.server, *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if result.returncode != 0:
            pytest.fail(f"lpadmin {' '.join(args)} failed: {result.stderr.strip()}")

    def add_queue(self, name: str) -> None:
        self.lpadmin("-p", name, "-E", "-v", self.printer_uri, "-m", "everywhere")

    # ---- the virtual printer and its faults ---------------------------------------------------

    def start_printer(self) -> None:
        """Start (or restart, on the same port) the virtual printer."""
        self._printer_runs += 1
        self._start_dns_sd()  # again: something else on this machine may have stopped avahi
        log = self.logs / f"ippeveprinter-{self._printer_runs}.log"
        with log.open("wb") as out:
            self._printer = self._spawn(
                [
                    _which("ippeveprinter"),
                    "-p",
                    str(self.ipp_port),
                    "-d",
                    str(self.printer_spool),
                    "-k",
                    "-f",
                    "application/pdf,image/jpeg,text/plain",
                    "-c",
                    str(self.hook),
                    f"KioskTest-{os.getpid()}-{self.ipp_port}",
                ],
                out,
            )
        _wait_port(self.ipp_port, self._printer, "ippeveprinter", log)

    @staticmethod
    def _spawn(argv: list[str], out: IO[bytes]) -> subprocess.Popen[bytes]:
        # Its own session: a Ctrl-C in the test run does not kill the peer before teardown;
        # and stopped however the run ends (tests.peers.lifetime).
        return lifetime.spawn(argv, stdout=out, stderr=subprocess.STDOUT)

    def printer_gone(self) -> None:
        """The printer stops answering, as when it is switched off or unplugged."""
        if self._printer is not None:
            # The whole process group: the printer and the hook printing its current document.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._printer.pid, signal.SIGKILL)
            self._printer.wait(10)
            lifetime.forget(self._printer)
            self._printer = None

    def printer_back(self) -> None:
        self.start_printer()

    def paper_out(self) -> None:
        """The tray is empty: the document being printed waits, the printer says media-empty."""
        (self.flags / "paper-out").touch()

    def paper_back(self) -> None:
        (self.flags / "paper-out").unlink(missing_ok=True)

    def hold_busy(self, on: bool) -> None:
        """Keep the document being printed in the printer (a slow print) until switched off."""
        if on:
            (self.flags / "busy").touch()
        else:
            (self.flags / "busy").unlink(missing_ok=True)

    def set_reasons(self, *reasons: str) -> None:
        """printer-state-reasons (`media-jam`, `toner-low`, ...) the printer reports while it
        holds a document (see hold_busy); none when called without any."""
        (self.flags / "reasons").write_text(" ".join(reasons))

    def reset(self) -> None:
        """Between tests: paper in, nothing held, the printer running, the spools emptied."""
        self.paper_back()
        self.set_reasons()
        self.hold_busy(False)
        if self._printer is None or self._printer.poll() is not None:
            self.start_printer()

    # ---- what the test inspects ---------------------------------------------------------------

    def documents(self, title: str = "") -> list[Path]:
        """Documents the printer received (whose job name contains `title`), oldest first.

        ippeveprinter names each kept document `<job>-<job name>.<ext>`; the `.prn` files next
        to them are the (empty) output of the per-document hook.
        """
        found = [
            p for p in self.printer_spool.rglob(f"*{title}*") if p.is_file() and p.suffix != ".prn"
        ]
        return sorted(found, key=lambda p: p.stat().st_mtime)

    def queued_job_files(self) -> list[Path]:
        """Job documents cupsd still holds in its RequestRoot (d<job>-<n> files)."""
        return sorted(self.request_root.glob("d*"))


def _which(program: str) -> str:
    found = shutil.which(program) or shutil.which(program, path="/usr/sbin:/usr/bin:/sbin:/bin")
    return found or ""


def _answers(unix_socket: Path) -> bool:
    if not unix_socket.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(str(unix_socket))
        except OSError:
            return False
    return True


@pytest.fixture(scope="session", name="cups_session")
def cups_session_fixture() -> Iterator[CupsPeer]:
    """The peer for the whole test session (starting cupsd and a printer takes a moment)."""
    base = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    peer = CupsPeer(base)
    try:
        peer.start()
        yield peer
    finally:
        peer.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(name="cups_peer")
def cups_peer_fixture(cups_session: CupsPeer) -> Iterator[CupsPeer]:
    """The session's CUPS peer, with paper in and the printer running for each test."""
    cups_session.reset()
    yield cups_session
    cups_session.reset()
