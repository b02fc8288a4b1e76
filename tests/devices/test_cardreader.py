"""The simulated card reader: a citizen inserts and removes a card, the reader may vanish, and
the FINEID card answers as a real one, down to the holder's certificate."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.devices.cardreader.fineid import PKCS15_AID as FINEID_PKCS15_AID
from kiosk.devices.cardreader.fineid import NotFineidError
from kiosk.devices.cardreader.fineid_card import demo_certificate
from kiosk.devices.cardreader.simulated import NoCardError, SimulatedCardReader
from kiosk.devices.status import Attention, CardInserted, CardRemoved, DeviceState

from .conftest import wait_until

SELECT_PKCS15 = bytes([0x00, 0xA4, 0x04, 0x0C, len(FINEID_PKCS15_AID)]) + FINEID_PKCS15_AID


def test_select_pkcs15_answers_on_fineid_only(start: Callable, record: Callable) -> None:
    reader = SimulatedCardReader("r", card="fineid")
    rec = record(reader)
    start(reader)
    reader.insert()
    rec.wait_for(CardInserted)

    assert reader.transmit(SELECT_PKCS15).result(10) == bytes.fromhex("9000")
    with_le = SELECT_PKCS15[:3] + b"\x00" + SELECT_PKCS15[4:] + b"\x00"
    assert reader.transmit(with_le).result(10) == bytes.fromhex("9000")
    other_aid = SELECT_PKCS15[:-1] + b"\x00"
    assert reader.transmit(other_aid).result(10) == bytes.fromhex("6A82")

    other = start(SimulatedCardReader("r2", card="unknown"))
    other_rec = record(other)
    other.insert()
    other_rec.wait_for(CardInserted)
    assert other.transmit(SELECT_PKCS15).result(10) == bytes.fromhex("6A82")


def test_unplugged_reader_loses_its_card_and_finds_it_again(
    start: Callable, record: Callable
) -> None:
    reader = SimulatedCardReader("r")
    rec = record(reader)
    start(reader)
    reader.insert()
    rec.wait_for(CardInserted)

    reader.set_fault("reader_unplugged", True)
    rec.wait_for(CardRemoved)
    rec.wait_state(DeviceState.NO_DEVICE)

    health = reader.health()
    assert health.attention is Attention.MAINTENANCE
    assert health.last_error == "reader-not-found"
    assert reader.card() is None
    with pytest.raises(NoCardError):
        reader.transmit(SELECT_PKCS15).result(10)

    reader.set_fault("reader_unplugged", False)
    rec.wait_state(DeviceState.ONLINE)
    # The card stayed in the reader, so plugging it back reports it again.
    wait_until(lambda: len(rec.of(CardInserted)) == 2, "the card seen again")
    assert reader.card() is not None


def test_self_test(start: Callable, record: Callable) -> None:
    reader = SimulatedCardReader("r")
    rec = record(reader)
    start(reader)

    result = reader.self_test().result(10)
    assert result.passed
    assert result.steps == ("reader: ok", "card: none")

    reader.insert()
    rec.wait_for(CardInserted)
    result = reader.self_test().result(10)
    certificate = f"certificate: ok ({len(demo_certificate())} bytes)"
    assert result.steps == ("reader: ok", "card: fineid", certificate)

    reader.set_fault("reader_unplugged", True)
    result = reader.self_test().result(10)
    assert not result.passed
    assert result.steps == ("reader: not found",)


def test_the_demo_card_names_its_fictional_holder(start: Callable, record: Callable) -> None:
    reader = SimulatedCardReader("r", card="fineid")
    rec = record(reader)
    start(reader)
    reader.insert()
    rec.wait_for(CardInserted)

    holder = reader.read_holder().result(10)
    assert (holder.given_name, holder.surname) == ("Maija", "Meikäläinen")
    assert holder.name == "Maija Meikäläinen"
    assert "Maija" not in repr(holder)


def test_an_unknown_card_has_no_holder_and_no_card_none(start: Callable, record: Callable) -> None:
    reader = SimulatedCardReader("r", card="unknown")
    rec = record(reader)
    start(reader)
    with pytest.raises(NoCardError):
        reader.read_holder().result(10)
    reader.insert()
    rec.wait_for(CardInserted)
    with pytest.raises(NotFineidError):
        reader.read_holder().result(10)


def test_unknown_fault_is_refused() -> None:
    reader = SimulatedCardReader("r")
    assert {s.name for s in reader.fault_switches()} == {"card_inserted", "reader_unplugged"}
    with pytest.raises(KeyError):
        reader.set_fault("melted", True)
    with pytest.raises(ValueError):
        SimulatedCardReader("r", card="passport")
