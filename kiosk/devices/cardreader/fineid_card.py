"""The file system of a FINEID card as its APDUs see it: the simulated card's, and the test card's.

Answers the commands `kiosk.devices.cardreader.fineid` sends: SELECT of the PKCS#15 application
by name, SELECT of the authentication certificate EF 4331 by file id, and READ BINARY of it in
chunks (with 6282 "end of file" when fewer bytes are left than asked for), as a real card does.

The demo card's certificate (`demo-card.der`) is self-signed, valid 2026–2035, and names a
fictional holder, Maija Meikäläinen, with the subject `make_test_certificate()` in
tests/peers/pcsc.py gives the test card.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kiosk.devices.cardreader.fineid import AUTH_CERTIFICATE_FID, PKCS15_AID

DEMO_CERTIFICATE = Path(__file__).resolve().parent / "demo-card.der"

SW_OK = bytes.fromhex("9000")
SW_NOT_FOUND = bytes.fromhex("6A82")
SW_WRONG_LENGTH = bytes.fromhex("6700")
SW_WRONG_P1P2 = bytes.fromhex("6B00")
SW_NO_CURRENT_EF = bytes.fromhex("6986")
SW_END_OF_FILE = bytes.fromhex("6282")


@cache
def demo_certificate() -> bytes:
    """The DER certificate on the simulated FINEID card."""
    return DEMO_CERTIFICATE.read_bytes()


class FineidCardFiles:
    """The APDU answers of a FINEID card holding an authentication certificate."""

    def __init__(self, certificate: bytes) -> None:
        self.certificate = certificate
        self._app_selected = False
        self._file: bytes | None = None

    def reset(self) -> None:
        """Power-on state: nothing selected."""
        self._app_selected = False
        self._file = None

    def answer(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        ins, p1, p2 = apdu[1], apdu[2], apdu[3]
        data = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
        if ins == 0xA4 and p1 == 0x04:  # SELECT by DF name
            if data == PKCS15_AID:
                self._app_selected, self._file = True, None
                return SW_OK
            return SW_NOT_FOUND
        if ins == 0xA4 and p1 in (0x00, 0x02, 0x08, 0x09):  # SELECT by file id / path
            if self._app_selected and data[-2:] == AUTH_CERTIFICATE_FID:
                self._file = self.certificate
                return SW_OK
            return SW_NOT_FOUND
        if ins == 0xB0:  # READ BINARY from the current EF
            if self._file is None:
                return SW_NO_CURRENT_EF
            offset = (p1 << 8) | p2
            if offset > len(self._file):
                return SW_WRONG_P1P2
            le = (apdu[4] if len(apdu) == 5 else 0) or 256
            chunk = self._file[offset : offset + le]
            if len(chunk) < le:
                return chunk + SW_END_OF_FILE
            return chunk + SW_OK
        return SW_NOT_FOUND
