"""Read the holder's name from a Finnish ID card (FINEID), over any APDU transport.

The card's PKCS#15 application holds the holder's authentication certificate in EF 4331; its
subject names the holder (givenName and surname, and a CN "SURNAME GIVEN SERIAL"). This module
selects the application, reads the file with READ BINARY and parses it. It needs no PIN and
knows nothing of readers or Qt: it is given a `transmit(apdu) -> response` callable.

Personal data stays out of logs and exception messages: neither the name nor the certificate is
ever logged or put in an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

#: Application id of the PKCS#15 application on the Finnish ID card.
PKCS15_AID = bytes.fromhex("A000000063504B43532D3135")
#: File id of the authentication certificate in the PKCS#15 application.
AUTH_CERTIFICATE_FID = bytes.fromhex("4331")
#: Bytes asked for per READ BINARY (short Le; every card can do this much).
CHUNK = 0xDF
#: A certificate larger than this is not one (a runaway read).
MAX_CERTIFICATE = 16 * 1024

Transmit = Callable[[bytes], bytes]

_SW_OK = 0x9000


class FineidError(Exception):
    """Reading the card failed; `sw` is the status word the card answered, if any."""

    def __init__(self, message: str, sw: int | None = None) -> None:
        super().__init__(message if sw is None else f"{message} (SW {sw:04X})")
        self.sw = sw


class NotFineidError(FineidError):
    """The card has no FINEID PKCS#15 application."""


class FileNotFoundOnCardError(FineidError):
    """The card has the application but not the certificate file."""


class CertificateError(FineidError):
    """The certificate file does not hold a certificate we can read."""


@dataclass(frozen=True)
class CardHolder:
    """The holder as the certificate names them. `repr` hides the name from stray logging."""

    given_name: str = field(repr=False)
    surname: str = field(repr=False)
    common_name: str = field(repr=False)

    @property
    def name(self) -> str:
        """ "Given Surname" for display, or the CN when the subject has no separate parts."""
        parts = [p for p in (self.given_name, self.surname) if p]
        return " ".join(parts) if parts else self.common_name


def read_card_holder(transmit: Transmit) -> CardHolder:
    """Select the PKCS#15 application, read the authentication certificate, name its holder."""
    return holder_from_certificate(read_auth_certificate(transmit))


def read_auth_certificate(transmit: Transmit) -> bytes:
    """The DER authentication certificate of a FINEID card."""
    _, sw = _command(transmit, bytes([0x00, 0xA4, 0x04, 0x0C, len(PKCS15_AID)]) + PKCS15_AID)
    if sw != _SW_OK:
        raise NotFineidError("the card has no FINEID PKCS#15 application", sw)
    # SELECT by file id from the current DF, no response data.
    _, sw = _command(
        transmit, bytes([0x00, 0xA4, 0x02, 0x0C, len(AUTH_CERTIFICATE_FID)]) + AUTH_CERTIFICATE_FID
    )
    if sw in (0x6A82, 0x6A83):
        raise FileNotFoundOnCardError("the card has no authentication certificate", sw)
    if sw != _SW_OK:
        raise FineidError("selecting the authentication certificate failed", sw)
    return _read_binary(transmit)


def _read_binary(transmit: Transmit) -> bytes:
    data = bytearray()
    total: int | None = None
    while total is None or len(data) < total:
        offset = len(data)
        if offset > 0x7FFF:
            raise CertificateError("the certificate file is too long for READ BINARY")
        want = CHUNK if total is None else min(CHUNK, total - offset)
        body, sw = _command(transmit, bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, want]))
        if sw == 0x6B00 or (sw == 0x6282 and not body):  # offset past the end
            break
        if sw not in (_SW_OK, 0x6282):
            raise FineidError("reading the authentication certificate failed", sw)
        if not body:
            break
        data += body
        if total is None:
            total = _der_length(bytes(data))
            if total is not None and total > MAX_CERTIFICATE:
                raise CertificateError("the certificate file is too long")
        if sw == 0x6282:  # end of file
            break
    if total is None or len(data) < total:
        raise CertificateError("the certificate file ended early")
    return bytes(data[:total])


def _der_length(head: bytes) -> int | None:
    """Total length of the DER element at the start of `head`, or None if it is too short."""
    if len(head) < 2:
        return None
    if head[0] != 0x30:
        raise CertificateError("the certificate file does not start with a DER SEQUENCE")
    first = head[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 3:
        raise CertificateError("the certificate file has a bad DER length")
    if len(head) < 2 + count:
        return None
    return 2 + count + int.from_bytes(head[2 : 2 + count], "big")


def _command(transmit: Transmit, apdu: bytes) -> tuple[bytes, int]:
    """Send one APDU; follows 61xx (GET RESPONSE) and 6Cxx (wrong Le) as T=0 cards need."""
    response = transmit(apdu)
    for _ in range(16):
        if len(response) < 2:
            raise FineidError("the card gave no status word")
        body, sw1, sw2 = response[:-2], response[-2], response[-1]
        if sw1 == 0x6C:
            response = transmit(apdu[:4] + bytes([sw2]))
            continue
        if sw1 == 0x61:
            more = transmit(bytes([0x00, 0xC0, 0x00, 0x00, sw2]))
            if len(more) >= 2:
                response = body + more
                if more[-2] == 0x61:
                    continue
            return _split(response)
        return bytes(body), (sw1 << 8) | sw2
    raise FineidError("the card kept asking for GET RESPONSE")


def _split(response: bytes) -> tuple[bytes, int]:
    if len(response) < 2:
        raise FineidError("the card gave no status word")
    return bytes(response[:-2]), (response[-2] << 8) | response[-1]


def holder_from_certificate(der: bytes) -> CardHolder:
    """The holder named in a DER certificate's subject."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        raise CertificateError("the certificate file does not parse as X.509") from None

    def first(oid: x509.ObjectIdentifier) -> str:
        for attribute in cert.subject.get_attributes_for_oid(oid):
            value = attribute.value
            return value if isinstance(value, str) else value.decode("utf-8", "replace")
        return ""

    holder = CardHolder(
        given_name=first(NameOID.GIVEN_NAME),
        surname=first(NameOID.SURNAME),
        common_name=first(NameOID.COMMON_NAME),
    )
    if not holder.name:
        raise CertificateError("the certificate names no holder")
    return holder
