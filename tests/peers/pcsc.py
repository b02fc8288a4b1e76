"""A real pcscd with vsmartcard's vpcd driver, and a virtual FINEID card that talks to vpcd.

Needs the Debian packages `pcscd` and `vsmartcard-vpcd` (vpcd's reader.conf.d entry makes pcscd
load it, giving the readers "Virtual PCD 00 00" and "Virtual PCD 00 01"), and root to run
`pcscd -f`. The card speaks vpcd's socket protocol itself: TCP to 127.0.0.1:35963, each message
a 2-byte big-endian length then the body; a 1-byte body is a control (0 off, 1 on, 2 reset,
4 get ATR), anything longer a command APDU. Connecting is inserting the card, closing removing it.

Usage in a test module: `from tests.peers.pcsc import pcsc_peer, virtual_card  # noqa: F401`.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.devices.cardreader.base import FINEID_ATR
from kiosk.devices.cardreader.fineid_card import FineidCardFiles as FineidCardFiles
from tests.peers import lifetime

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963
#: The reader the card on VPCD_PORT sits in.
VIRTUAL_READER = "Virtual PCD 00 00"
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
PCSCD_PID_FILE = Path("/run/pcscd/pcscd.pid")
#: Where the tests' pcscd writes its log (appended to, one section per start).
LOG_FILE = Path(tempfile.gettempdir()) / "kiosk-tests-pcscd.log"


GIVEN_NAME = "Maija"
SURNAME = "Meikäläinen"
COMMON_NAME = "MEIKÄLÄINEN MAIJA 999999999"

_CTRL_OFF, _CTRL_ON, _CTRL_RESET, _CTRL_ATR = 0, 1, 2, 4

#: Generous: a loaded CI machine is slow, and a passing test never waits this long.
PEER_DEADLINE = 20.0


def make_test_certificate() -> bytes:
    """A self-signed DER certificate with a FINEID-like subject for the test citizen."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FI"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "999999999"),
            x509.NameAttribute(NameOID.GIVEN_NAME, GIVEN_NAME),
            x509.NameAttribute(NameOID.SURNAME, SURNAME),
            x509.NameAttribute(NameOID.COMMON_NAME, COMMON_NAME),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


class VirtualCard:
    """A FINEID card in vpcd's reader 0: `insert()` connects to vpcd, `remove()` hangs up.

    One thread per insertion answers vpcd; `remove()` joins it, so nothing outlives a test.
    """

    def __init__(self, atr: bytes = FINEID_ATR, certificate: bytes | None = None) -> None:
        self.atr = atr
        self.files = FineidCardFiles(certificate or make_test_certificate())
        self.apdus: list[bytes] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def inserted(self) -> bool:
        return self._sock is not None

    def insert(self, timeout: float = PEER_DEADLINE) -> None:
        if self._sock is not None:
            return
        end = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((VPCD_HOST, VPCD_PORT), timeout=2.0)
                break
            except OSError as exc:
                if time.monotonic() > end:
                    pytest.fail(f"vpcd does not listen on {VPCD_HOST}:{VPCD_PORT}: {exc}")
                time.sleep(0.1)
        sock.settimeout(None)
        self.files.reset()
        self._sock = sock
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name="virtual-card", daemon=True
        )
        self._thread.start()

    def remove(self) -> None:
        sock, self._sock = self._sock, None
        thread, self._thread = self._thread, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if thread is not None:
            thread.join(5.0)

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                head = _recv_exact(sock, 2)
                if head is None:
                    return
                (size,) = struct.unpack("!H", head)
                body = _recv_exact(sock, size) if size else b""
                if body is None:
                    return
                if size == 1:
                    if body[0] == _CTRL_ATR:
                        _send(sock, self.atr)
                    elif body[0] in (_CTRL_OFF, _CTRL_ON, _CTRL_RESET):
                        self.files.reset()
                    continue
                self.apdus.append(body)
                _send(sock, self.files.answer(body))
        except OSError:
            return  # removed (socket closed under us) or vpcd went away with pcscd


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        part = sock.recv(size - len(data))
        if not part:
            return None
        data += part
    return data


def _send(sock: socket.socket, body: bytes) -> None:
    sock.sendall(struct.pack("!H", len(body)) + body)


# ---- pcscd -----------------------------------------------------------------------------------


class PcscPeer:
    """A pcscd run in the foreground by the tests, which they may kill and start again."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start pcscd and wait for vpcd's reader. Once in a while (right after a kill) vpcd
        comes up without its readers; such a pcscd is killed and started again."""
        if self.process is not None:
            return
        end = time.monotonic() + PEER_DEADLINE
        while True:
            _remove_stale_files()
            with LOG_FILE.open("ab") as log:
                log.write(b"---- pcscd -f started by the tests\n")
                self.process = lifetime.spawn(
                    ["pcscd", "-f"], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
                )
            if time.monotonic() + 5.0 >= end:
                self.wait_for_reader(timeout=max(end - time.monotonic(), 1.0))
                return
            if self.wait_for_reader(timeout=5.0, fail=False):
                return
            self.kill()

    def kill(self) -> None:
        """Kill our pcscd outright (SIGKILL: as if it crashed) and reap it."""
        process, self.process = self.process, None
        if process is None:
            return
        process.kill()
        process.wait(10)
        lifetime.forget(process)
        # A killed pcscd leaves its socket and pid file behind; a new one cleans them up.

    def stop(self) -> None:
        """Stop our pcscd the polite way (SIGTERM), so it removes its socket and pid file."""
        process, self.process = self.process, None
        if process is None:
            return
        lifetime.stop(process)

    def restart(self) -> None:
        self.kill()
        self.start()

    def wait_for_reader(
        self, name: str = VIRTUAL_READER, timeout: float = PEER_DEADLINE, *, fail: bool = True
    ) -> bool:
        end = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < end:
            if self.process is not None and self.process.poll() is not None:
                pytest.fail(f"pcscd -f exited with status {self.process.returncode}")
            try:
                readers = list_readers()
                if any(name in r for r in readers):
                    return True
                last = readers
            except Exception as exc:  # pcscd still starting
                last = exc
            time.sleep(0.1)
        if not fail:
            return False
        pytest.fail(
            f"reader {name!r} did not appear in pcscd (last seen: {last!r}); "
            f"pcscd log {LOG_FILE}:\n{_log_tail()}"
        )


def _log_tail(lines: int = 30) -> str:
    try:
        return "\n".join(LOG_FILE.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def list_readers() -> list[str]:
    from smartcard.scard import (
        SCARD_E_NO_READERS_AVAILABLE,
        SCARD_S_SUCCESS,
        SCARD_SCOPE_USER,
        SCardEstablishContext,
        SCardListReaders,
        SCardReleaseContext,
    )

    hresult, context = SCardEstablishContext(SCARD_SCOPE_USER)
    if hresult != SCARD_S_SUCCESS:
        raise RuntimeError(f"SCardEstablishContext: {hresult:#x}")
    try:
        hresult, readers = SCardListReaders(context, [])
        if hresult == SCARD_E_NO_READERS_AVAILABLE:
            return []
        if hresult != SCARD_S_SUCCESS:
            raise RuntimeError(f"SCardListReaders: {hresult:#x}")
        return list(readers)
    finally:
        SCardReleaseContext(context)


def card_atr(reader: str) -> bytes | None:
    """The ATR of the card pcscd sees in `reader`, or None (no card, no reader, no pcscd)."""
    from smartcard.scard import (
        SCARD_S_SUCCESS,
        SCARD_SCOPE_USER,
        SCARD_STATE_PRESENT,
        SCARD_STATE_UNAWARE,
        SCardEstablishContext,
        SCardGetStatusChange,
        SCardReleaseContext,
    )

    hresult, context = SCardEstablishContext(SCARD_SCOPE_USER)
    if hresult != SCARD_S_SUCCESS:
        return None
    try:
        hresult, states = SCardGetStatusChange(context, 0, [(reader, SCARD_STATE_UNAWARE)])
        if hresult != SCARD_S_SUCCESS or not states[0][1] & SCARD_STATE_PRESENT:
            return None
        return bytes(states[0][2])
    finally:
        SCardReleaseContext(context)


def wait_for_empty_reader(reader: str = VIRTUAL_READER, timeout: float = PEER_DEADLINE) -> None:
    """Wait until pcscd sees no card in `reader`: vpcd notices a removed card only when it
    next polls, so a card a previous test removed may still look present for a moment."""
    end = time.monotonic() + timeout
    while card_atr(reader) is not None:
        if time.monotonic() > end:
            pytest.fail(f"a card stays in {reader!r} after it was removed")
        time.sleep(0.05)


def _running_pcscd() -> int | None:
    """The pid of the pcscd named in its pid file, if that process is a pcscd."""
    try:
        pid = int(PCSCD_PID_FILE.read_text().strip())
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except (OSError, ValueError):
        return None
    return pid if comm == "pcscd" else None


def _remove_stale_files() -> None:
    """A killed pcscd leaves its pid file and socket behind. A new pcscd cleans them up itself
    unless the old pid now belongs to another process (pids wrap): then it refuses to start."""
    if _running_pcscd() is None:
        for stale in (PCSCD_PID_FILE, PCSCD_PID_FILE.with_name("pcscd.comm")):
            stale.unlink(missing_ok=True)


def stop_foreign_pcscd() -> None:
    """Stop a pcscd started outside the tests (found by its pid file), so ours can own vpcd."""
    pid = _running_pcscd()
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    end = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < end:
        time.sleep(0.05)


def _require_packages() -> None:
    if shutil.which("pcscd") is None:
        pytest.fail("pcscd is not installed: apt-get install pcscd")
    if not VPCD_DRIVER.exists():
        pytest.fail(f"vpcd driver {VPCD_DRIVER} missing: apt-get install vsmartcard-vpcd")
    try:
        import smartcard.scard  # noqa: F401
    except ImportError:
        pytest.fail(
            "pyscard missing (needs libpcsclite-dev and swig to build): pip install pyscard"
        )
    if os.geteuid() != 0:
        pytest.fail("pcscd -f needs root in these tests")


@pytest.fixture(scope="module")
def pcsc_peer() -> Iterator[PcscPeer]:
    """A pcscd of our own, with vpcd's virtual readers present; stopped after the module."""
    _require_packages()
    stop_foreign_pcscd()
    peer = PcscPeer()
    peer.start()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def virtual_card(pcsc_peer: PcscPeer) -> Iterator[VirtualCard]:
    """A FINEID card, not yet inserted; removed after the test. pcscd runs (restarted if a
    test killed it)."""
    pcsc_peer.start()
    wait_for_empty_reader()
    card = VirtualCard()
    try:
        yield card
    finally:
        card.remove()
