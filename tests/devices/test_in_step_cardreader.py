"""The simulated and the PC/SC card reader behave alike: the same card events with the same
ATR and card type, the same APDU answers from a FINEID and an unknown card, the same states for
a reader gone or missing, and the same self-test verdicts. Each test runs once per backend,
through a rig (tests/devices/rigs.py).

Needs Debian's pcscd and vsmartcard-vpcd, pyscard, and root (see tests/peers/pcsc.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kiosk.devices.base import Device
from kiosk.devices.cardreader.base import FINEID_ATR, CardInfo, CardReader, CardReaderError
from kiosk.devices.cardreader.fineid import PKCS15_AID
from kiosk.devices.status import (
    Attention,
    CardInserted,
    CardRemoved,
    DeviceError,
    DeviceEvent,
    DeviceState,
    StatusChanged,
)
from tests.peers.pcsc import pcsc_peer  # noqa: F401 - the fixture is used by name

from .conftest import Recorder, wait_until
from .rigs import Start
from .rigs.cardreader import CardReaderRig, PcscCardReaderRig, SimulatedCardReaderRig

#: Generous: pcscd and vpcd poll, and a loaded 2-core machine is slow.
DEADLINE = 20.0

SELECT_PKCS15 = bytes([0x00, 0xA4, 0x04, 0x0C, len(PKCS15_AID)]) + PKCS15_AID
SW_OK, SW_NOT_FOUND = bytes.fromhex("9000"), bytes.fromhex("6A82")

MakeRig = Callable[..., CardReaderRig]


def wait_events(rec: Recorder, kind: type[DeviceEvent], count: int = 1) -> None:
    wait_until(lambda: len(rec.of(kind)) >= count, f"{count} x {kind.__name__}", DEADLINE)


def wait_health(device: Device, state: DeviceState, media: str | None = None) -> None:
    def reached() -> bool:
        health = device.health()
        return health.state == state and (media is None or health.detail.get("media") == media)

    wait_until(reached, f"state {state.value}, media {media}", DEADLINE)


def card_events(rec: Recorder) -> list[type[DeviceEvent]]:
    return [type(e) for e in rec.events if isinstance(e, CardInserted | CardRemoved)]


@pytest.fixture(params=["simulated", "pcsc"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_rig(backend: str, request: pytest.FixtureRequest, start: Start) -> Iterator[MakeRig]:
    """Rigs not started yet: make_rig(card="fineid" | "unknown", present=True)."""
    peer = request.getfixturevalue("pcsc_peer") if backend == "pcsc" else None
    rigs: list[CardReaderRig] = []

    def make(card: str = "fineid", *, present: bool = True) -> CardReaderRig:
        if peer is None:
            rigs.append(SimulatedCardReaderRig(start, card, present=present))
        else:
            rigs.append(PcscCardReaderRig(start, peer, card, present=present))
        return rigs[-1]

    yield make
    for rig in rigs:
        rig.close()


def started(rig: CardReaderRig) -> CardReader:
    reader = rig.start()
    wait_health(reader, DeviceState.ONLINE)
    return reader


def with_card(
    make_rig: MakeRig, record: Callable[[Device], Recorder], kind: str = "fineid"
) -> tuple[CardReaderRig, CardReader, Recorder]:
    """A started reader of the `kind` rig, its events recorded, with the card put in."""
    rig = make_rig(kind)
    reader = started(rig)
    rec = record(reader)
    rig.insert()
    wait_events(rec, CardInserted)
    return rig, reader, rec


def test_insert_and_remove_a_fineid_card(
    make_rig: MakeRig, record: Callable[[Device], Recorder]
) -> None:
    rig = make_rig("fineid")
    reader = started(rig)
    rec = record(reader)
    health = reader.health()
    assert (health.attention, health.detail["media"]) == (Attention.NONE, "not_present")
    assert reader.card() is None

    rig.insert()
    wait_events(rec, CardInserted)
    inserted = rec.of(CardInserted)[0]
    assert (inserted.atr, inserted.card_type) == (FINEID_ATR, "fineid")
    assert reader.card() == CardInfo(FINEID_ATR, "fineid")
    wait_health(reader, DeviceState.ONLINE, media="present")

    rig.remove()
    wait_events(rec, CardRemoved)
    assert reader.card() is None
    wait_health(reader, DeviceState.ONLINE, media="not_present")
    assert card_events(rec) == [CardInserted, CardRemoved]
    with pytest.raises(CardReaderError):
        reader.transmit(SELECT_PKCS15).result(DEADLINE)


def test_an_unknown_card_is_reported_as_unknown(
    make_rig: MakeRig, record: Callable[[Device], Recorder]
) -> None:
    rig, reader, rec = with_card(make_rig, record, "unknown")
    inserted = rec.of(CardInserted)[0]
    assert inserted.card_type == "unknown"
    assert inserted.atr == rig.atr != FINEID_ATR
    assert reader.card() == CardInfo(rig.atr, "unknown")


def test_a_card_in_the_reader_before_start_is_reported_at_start(
    make_rig: MakeRig, record: Callable[[Device], Recorder]
) -> None:
    rig = make_rig("fineid")
    rec = record(rig.device)
    rig.insert()
    assert not rec.events  # no device thread yet: nothing reported

    rig.start()
    wait_events(rec, CardInserted)
    assert rec.of(CardInserted)[0].card_type == "fineid"
    assert rig.device.card() == CardInfo(FINEID_ATR, "fineid")
    wait_health(rig.device, DeviceState.ONLINE, media="present")


def test_a_fineid_card_answers_select_of_its_pkcs15_application(
    make_rig: MakeRig, record: Callable[[Device], Recorder]
) -> None:
    _, reader, _ = with_card(make_rig, record, "fineid")

    assert reader.transmit(SELECT_PKCS15).result(DEADLINE) == SW_OK
    with_le = SELECT_PKCS15[:3] + b"\x00" + SELECT_PKCS15[4:] + b"\x00"
    assert reader.transmit(with_le).result(DEADLINE) == SW_OK
    other_aid = SELECT_PKCS15[:-1] + b"\x00"
    assert reader.transmit(other_aid).result(DEADLINE) == SW_NOT_FOUND


def test_an_unknown_card_has_no_pkcs15_application(
    make_rig: MakeRig, record: Callable[[Device], Recorder]
) -> None:
    _, reader, _ = with_card(make_rig, record, "unknown")

    assert reader.transmit(SELECT_PKCS15).result(DEADLINE) == SW_NOT_FOUND


def test_transmit_without_a_card_raises(make_rig: MakeRig) -> None:
    reader = started(make_rig())
    with pytest.raises(CardReaderError):
        reader.transmit(SELECT_PKCS15).result(DEADLINE)


def test_a_command_shorter_than_four_bytes_raises(
    make_rig: MakeRig, record: Callable[[Device], Recorder]
) -> None:
    _, reader, _ = with_card(make_rig, record, "fineid")

    with pytest.raises(CardReaderError):
        reader.transmit(b"\x00\xa4\x04").result(DEADLINE)


def test_a_reader_gone_takes_the_card_with_it_and_comes_back_with_it(
    make_rig: MakeRig, record: Callable[[Device], Recorder]
) -> None:
    rig, reader, rec = with_card(make_rig, record, "fineid")

    rig.unplug()
    gone_state, gone_error = rig.gone
    wait_health(reader, gone_state)
    health = reader.health()
    assert (health.attention, health.last_error) == (Attention.MAINTENANCE, gone_error)
    assert health.detail["media"] == "not_present"
    assert rec.of(DeviceError, code=gone_error, attention=Attention.MAINTENANCE)
    assert card_events(rec) == [CardInserted, CardRemoved]
    # The card is reported gone before the reader is.
    statuses = [e for e in rec.events if isinstance(e, CardRemoved | StatusChanged)]
    removed_at = next(i for i, e in enumerate(statuses) if isinstance(e, CardRemoved))
    gone_at = next(
        i
        for i, e in enumerate(statuses)
        if isinstance(e, StatusChanged) and e.health.state == gone_state
    )
    assert removed_at < gone_at
    assert reader.card() is None
    with pytest.raises(CardReaderError):
        reader.transmit(SELECT_PKCS15).result(DEADLINE)
    assert not reader.self_test().result(DEADLINE).passed

    rig.plug()
    wait_health(reader, DeviceState.ONLINE, media="present")
    wait_events(rec, CardInserted, count=2)
    assert card_events(rec) == [CardInserted, CardRemoved, CardInserted]
    assert reader.health().attention == Attention.NONE
    assert reader.transmit(SELECT_PKCS15).result(DEADLINE) == SW_OK


def test_a_reader_not_there_is_no_device(make_rig: MakeRig) -> None:
    rig = make_rig(present=False)
    reader = rig.start()

    wait_health(reader, DeviceState.NO_DEVICE, media="not_present")
    assert reader.health().attention == Attention.MAINTENANCE
    assert reader.card() is None
    with pytest.raises(CardReaderError):
        reader.transmit(SELECT_PKCS15).result(DEADLINE)
    result = reader.self_test().result(DEADLINE)
    assert not result.passed
    assert "reader: not found" in result.steps


def test_a_reader_not_there_reports_reader_not_found(make_rig: MakeRig) -> None:
    reader = make_rig(present=False).start()
    wait_health(reader, DeviceState.NO_DEVICE)
    assert reader.health().last_error == "reader-not-found"


@pytest.mark.parametrize("card", ["fineid", "unknown"])
def test_self_test_checks_the_reader_and_the_card(
    make_rig: MakeRig, record: Callable[[Device], Recorder], card: str
) -> None:
    rig = make_rig(card)
    reader = started(rig)
    rec = record(reader)

    empty = reader.self_test().result(DEADLINE)
    assert empty.passed
    assert empty.steps[-2:] == ("reader: ok", "card: none")

    rig.insert()
    wait_events(rec, CardInserted)
    with_card = reader.self_test().result(DEADLINE)
    assert with_card.passed
    # A FINEID card gets a further check of its own, which both backends share.
    at = with_card.steps.index("reader: ok")
    assert with_card.steps[at + 1] == f"card: {card}"
