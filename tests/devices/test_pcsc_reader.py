"""The PC/SC card reader against a real pcscd with vpcd's virtual reader and a virtual FINEID
card, and FINEID reading (kiosk.devices.cardreader.fineid) against a fake card.

Needs Debian's pcscd and vsmartcard-vpcd, pyscard, and root (see tests/peers/pcsc.py).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from kiosk.devices.cardreader.base import FINEID_ATR, CardInfo, CardReaderError
from kiosk.devices.cardreader.fineid import (
    CertificateError,
    FileNotFoundOnCardError,
    FineidError,
    NotFineidError,
    read_card_holder,
)
from kiosk.devices.cardreader.pcsc import PcscCardReader
from kiosk.devices.status import (
    Attention,
    CardInserted,
    CardRemoved,
    DeviceError,
    DeviceState,
    StatusChanged,
)
from tests.peers.pcsc import (
    COMMON_NAME,
    VIRTUAL_READER,
    FineidCardFiles,
    PcscPeer,
    VirtualCard,
    make_test_certificate,
    pcsc_peer,  # noqa: F401
    virtual_card,  # noqa: F401
)

from .conftest import Recorder, wait_until

#: Generous: pcscd and vpcd poll, and a loaded CI machine is slow.
SLOW = 20.0


def wait_for_event(rec: Recorder, kind: type, count: int = 1, **match: object) -> None:
    wait_until(lambda: len(rec.of(kind, **match)) >= count, f"{count} x {kind.__name__}", SLOW)


def wait_state(reader: PcscCardReader, state: DeviceState) -> None:
    wait_until(lambda: reader.health().state is state, f"state {state.value}", SLOW)


def fresh_reader(start: Callable, record: Callable, reader: str = VIRTUAL_READER) -> tuple:
    device = PcscCardReader("r", reader=reader)
    rec = record(device)
    start(device)
    return device, rec


# ---- against pcscd ---------------------------------------------------------------------------


def test_reader_present_is_online_without_a_card(
    virtual_card: VirtualCard,  # noqa: F811
    start: Callable,
    record: Callable,
) -> None:
    reader, _ = fresh_reader(start, record)
    wait_state(reader, DeviceState.ONLINE)

    assert reader.health().detail["media"] == "not_present"
    assert reader.health().attention is Attention.NONE
    assert reader.card() is None


def test_insert_read_holder_and_remove(
    virtual_card: VirtualCard,  # noqa: F811
    start: Callable,
    record: Callable,
) -> None:
    reader, rec = fresh_reader(start, record)
    wait_state(reader, DeviceState.ONLINE)

    virtual_card.insert()
    wait_for_event(rec, CardInserted)

    inserted = rec.of(CardInserted)[0]
    assert inserted.atr == FINEID_ATR
    assert inserted.card_type == "fineid"
    assert reader.card() == CardInfo(FINEID_ATR, "fineid")
    wait_until(lambda: reader.health().detail["media"] == "present", "media present", SLOW)

    holder = reader.read_holder().result(SLOW)
    assert holder.name == "Maija Meikäläinen"
    assert holder.common_name == COMMON_NAME
    assert "Maija" not in repr(holder)
    # The same, one APDU at a time through transmit().
    again = read_card_holder(lambda apdu: reader.transmit(apdu).result(SLOW))
    assert again == holder

    virtual_card.remove()
    wait_for_event(rec, CardRemoved)

    assert reader.card() is None
    wait_until(lambda: reader.health().detail["media"] == "not_present", "media gone", SLOW)
    assert [type(e) for e in rec.events if isinstance(e, CardInserted | CardRemoved)] == [
        CardInserted,
        CardRemoved,
    ]
    with pytest.raises(CardReaderError):
        reader.transmit(bytes.fromhex("00B0000010")).result(SLOW)


def test_self_test_reports_pcscd_reader_and_card(
    virtual_card: VirtualCard,  # noqa: F811
    start: Callable,
    record: Callable,
) -> None:
    reader, rec = fresh_reader(start, record)
    wait_state(reader, DeviceState.ONLINE)

    empty = reader.self_test().result(SLOW)
    assert empty.passed
    assert empty.steps == ("pcscd: ok", "reader: ok", "card: none")

    virtual_card.insert()
    wait_for_event(rec, CardInserted)
    with_card = reader.self_test().result(SLOW)
    assert with_card.passed
    assert with_card.steps == (
        "pcscd: ok",
        "reader: ok",
        "card: fineid",
        f"certificate: ok ({len(virtual_card.files.certificate)} bytes)",
    )


def test_pcscd_going_away_and_coming_back(
    pcsc_peer: PcscPeer,  # noqa: F811
    virtual_card: VirtualCard,  # noqa: F811
    start: Callable,
    record: Callable,
) -> None:
    reader, rec = fresh_reader(start, record)
    wait_state(reader, DeviceState.ONLINE)
    virtual_card.insert()
    wait_for_event(rec, CardInserted)

    pcsc_peer.kill()
    virtual_card.remove()  # its vpcd is gone with pcscd
    wait_state(reader, DeviceState.OFFLINE)

    health = reader.health()
    assert health.attention is Attention.MAINTENANCE
    assert health.last_error == "pcscd-unavailable"
    assert health.detail["media"] == "not_present"
    wait_for_event(rec, CardRemoved)
    assert reader.card() is None
    assert rec.of(DeviceError, code="pcscd-unavailable")
    failed = reader.self_test().result(SLOW)
    assert not failed.passed
    assert failed.steps == ("pcscd: unavailable",)

    pcsc_peer.start()
    wait_state(reader, DeviceState.ONLINE)
    virtual_card.insert()
    wait_for_event(rec, CardInserted, count=2)

    holder = read_card_holder(lambda apdu: reader.transmit(apdu).result(SLOW))
    assert holder.name == "Maija Meikäläinen"
    states = [e.health.state for e in rec.of(StatusChanged)]
    assert DeviceState.OFFLINE in states
    assert states[-1] is DeviceState.ONLINE


def test_pcscd_down_at_start_is_offline_until_it_comes(
    pcsc_peer: PcscPeer,  # noqa: F811
    start: Callable,
    record: Callable,
) -> None:
    pcsc_peer.kill()
    try:
        reader, _ = fresh_reader(start, record)
        wait_state(reader, DeviceState.OFFLINE)
        assert reader.health().last_error == "pcscd-unavailable"
    finally:
        pcsc_peer.start()
    wait_state(reader, DeviceState.ONLINE)


def test_import_loads_no_pyscard() -> None:
    code = (
        "import sys, kiosk.devices.cardreader.pcsc, kiosk.devices.cardreader.fineid; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('smartcard', 'cryptography')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---- FINEID reading, against a fake card -----------------------------------------------------


class FakeCard:
    def __init__(self, files: FineidCardFiles | None = None, answers: dict | None = None) -> None:
        self.files = files or FineidCardFiles(make_test_certificate())
        self.answers = answers or {}
        self.sent: list[bytes] = []

    def __call__(self, apdu: bytes) -> bytes:
        self.sent.append(apdu)
        for prefix, answer in self.answers.items():
            if apdu.startswith(prefix):
                return answer
        return self.files.answer(apdu)


def test_fineid_reads_the_holder_in_chunks() -> None:
    card = FakeCard()

    holder = read_card_holder(card)

    assert holder.name == "Maija Meikäläinen"
    assert holder.given_name == "Maija"
    assert holder.surname == "Meikäläinen"
    reads = [a for a in card.sent if a[1] == 0xB0]
    assert len(reads) >= 2  # the certificate is longer than one chunk


def test_fineid_name_from_cn_when_no_given_name() -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "MEIKÄLÄINEN MAIJA")])
    import datetime

    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )

    holder = read_card_holder(FakeCard(FineidCardFiles(cert.public_bytes(Encoding.DER))))

    assert holder.name == "MEIKÄLÄINEN MAIJA"


def test_not_a_fineid_card() -> None:
    card = FakeCard(answers={bytes.fromhex("00A404"): bytes.fromhex("6A82")})

    with pytest.raises(NotFineidError) as err:
        read_card_holder(card)

    assert err.value.sw == 0x6A82


def test_certificate_file_missing() -> None:
    card = FakeCard(answers={bytes.fromhex("00A402"): bytes.fromhex("6A82")})

    with pytest.raises(FileNotFoundOnCardError) as err:
        read_card_holder(card)

    assert err.value.sw == 0x6A82
    assert "6A82" in str(err.value)


def test_read_binary_refused() -> None:
    card = FakeCard(answers={bytes.fromhex("00B0"): bytes.fromhex("6982")})

    with pytest.raises(FineidError) as err:
        read_card_holder(card)

    assert err.value.sw == 0x6982


def test_garbage_in_the_certificate_file() -> None:
    files = FineidCardFiles(b"\x30\x03abc")

    with pytest.raises(CertificateError):
        read_card_holder(FakeCard(files))


def test_certificate_file_cut_short() -> None:
    files = FineidCardFiles(make_test_certificate()[:100])

    with pytest.raises(CertificateError):
        read_card_holder(FakeCard(files))


def test_get_response_is_followed() -> None:
    files = FineidCardFiles(make_test_certificate())
    pending: list[bytes] = []

    def t0_card(apdu: bytes) -> bytes:
        if apdu[1] == 0xC0:
            data, pending[:] = pending[0], []
            return data
        answer = files.answer(apdu)
        if apdu[1] == 0xB0 and len(answer) > 2:
            pending[:] = [answer]
            return bytes([0x61, len(answer) - 2])
        return answer

    assert read_card_holder(t0_card).name == "Maija Meikäläinen"


def test_no_status_word() -> None:
    with pytest.raises(FineidError):
        read_card_holder(lambda apdu: b"\x90")
