"""The outbox seals what it keeps: only the hub's private key opens it, the database file never
holds a readable copy, and the submission's usage record is written in the same transaction."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from nacl.public import PrivateKey

from kiosk.outbox import Outbox, SealingError, open_sealed, parse_public_key, seal
from kiosk.store import Store, open_store

CANARY = "Kanarialintu-7f3a91"


@pytest.fixture
def hub_key() -> PrivateKey:
    return PrivateKey.generate()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "data" / "kiosk.db")
    yield store
    store.close()


def test_only_the_hub_opens_what_is_sealed(hub_key: PrivateKey) -> None:
    sealed = seal({"answers": {"name": CANARY}}, bytes(hub_key.public_key))
    assert CANARY.encode() not in sealed
    assert open_sealed(sealed, bytes(hub_key))["answers"]["name"] == CANARY
    from nacl.exceptions import CryptoError

    with pytest.raises(CryptoError):
        open_sealed(sealed, bytes(PrivateKey.generate()))


def test_a_submission_is_kept_sealed_with_its_usage_record(
    hub_key: PrivateKey, store: Store, tmp_path: Path
) -> None:
    outbox = Outbox(store, bytes(hub_key.public_key))
    submission = outbox.put(
        "form",
        {"form_id": "library-card", "answers": {"last_name": CANARY}},
        session_id="s1",
        service="forms",
        outcome="submitted:library-card",
    )
    [item] = outbox.pending()
    assert item.id == submission and item.kind == "form" and item.attempts == 0
    opened = open_sealed(item.sealed, bytes(hub_key))
    assert opened["submission_id"] == submission
    assert opened["answers"]["last_name"] == CANARY
    with store.lock:
        usage = list(store.db["usage"].rows)
    assert [(u["session_id"], u["service"], u["value"]) for u in usage] == [
        ("s1", "forms", "submitted:library-card")
    ]
    # Nothing readable anywhere in the kiosk's data folder (the database, its WAL, backups).
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path


def test_delivered_items_leave_the_queue_and_their_sealed_bytes(
    hub_key: PrivateKey, store: Store
) -> None:
    outbox = Outbox(store, bytes(hub_key.public_key))
    first = outbox.put("email", {"to": "x@a.fi"}, session_id="s", service="email", outcome="ok")
    second = outbox.put("form", {"form_id": "f"}, session_id="s", service="forms", outcome="sent")
    outbox.failed(first, "hub unreachable")
    assert [i.id for i in outbox.pending()] == [first, second]
    assert outbox.pending()[0].attempts == 1
    assert outbox.pending()[0].last_error == "hub unreachable"
    outbox.delivered(first)
    assert [i.id for i in outbox.pending()] == [second]
    with store.lock:
        row = store.db["outbox"].get(first)
    assert row["sealed"] == b"" and row["delivered_at"]


def test_the_hub_key_from_config_is_checked() -> None:
    key = bytes(PrivateKey.generate().public_key)
    assert parse_public_key(base64.b64encode(key).decode()) == key
    for bad in ("", "not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(SealingError, match="32-byte public key in base64"):
            parse_public_key(bad)


def test_an_unknown_kind_is_refused(hub_key: PrivateKey, store: Store) -> None:
    with pytest.raises(ValueError, match="form, email"):
        Outbox(store, bytes(hub_key.public_key)).put(
            "fax", {}, session_id="s", service="x", outcome="y"
        )
