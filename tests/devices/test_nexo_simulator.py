"""The terminal simulator keeps nexo's rules, spoken to directly as another sale system would:
Login first, one service at a time while Abort, Login and TransactionStatus cross, clear refusals
of malformed requests, and a journal that outlives the process."""

from __future__ import annotations

import urllib.error
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.devices.payment.nexo.messages import (
    AbortRequest,
    Body,
    ErrorCondition,
    LoginRequest,
    LoginResponse,
    MessageCategory,
    MessageReference,
    NexoMessage,
    PaymentRequest,
    PaymentResponse,
    ReconciliationRequest,
    Response,
    ReversalRequest,
    TransactionIdentification,
    TransactionStatusRequest,
    TransactionStatusResponse,
    decode,
    encode,
)
from kiosk.devices.payment.nexo.simulator_state import Journal
from tests.peers.nexo import (  # noqa: F401 - the fixtures are used by name
    NexoSimulator,
    notify_port_fixture,
    sim_fixture,
)

from .conftest import wait_until

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def send(sim: NexoSimulator, body: Body, service_id: str, poi_id: str = "SIMPOI01") -> Body:
    message = NexoMessage.build(body, service_id=service_id, sale_id="kiosk", poi_id=poi_id)
    status, data = sim.post_nexo(encode(message))
    assert status == 200, data
    answer = decode(data)
    assert answer.header.service_id == service_id
    return answer.body


def response(body: Body) -> Response:
    assert isinstance(body, LoginResponse | PaymentResponse | TransactionStatusResponse)
    return body.response


def login(sim: NexoSimulator, poi_id: str = "SIMPOI01") -> Body:
    return send(sim, LoginRequest(NOW, "test", "test", "1"), "login1", poi_id)


def payment(ref: str, cents: int = 250) -> PaymentRequest:
    return PaymentRequest(TransactionIdentification(ref, NOW), cents)


def failure_of(body: Body) -> ErrorCondition | None:
    reply = getattr(body, "response", None)
    assert isinstance(reply, Response)
    assert not reply.ok
    return reply.error_condition


def test_a_request_before_login_is_refused_logged_out(sim: NexoSimulator) -> None:
    assert failure_of(send(sim, payment("sale-1"), "pay1")) is ErrorCondition.LOGGED_OUT
    assert failure_of(send(sim, ReconciliationRequest(), "rec1")) is ErrorCondition.LOGGED_OUT
    assert sim.journal() == []

    assert response(login(sim)).ok
    answer = send(sim, payment("sale-1"), "pay1")
    assert isinstance(answer, PaymentResponse) and answer.response.ok


def test_busy_before_login_answers_busy_until_a_login(sim: NexoSimulator) -> None:
    sim.control(mode="busy_before_login")
    assert failure_of(send(sim, payment("sale-1"), "pay1")) is ErrorCondition.BUSY
    status = TransactionStatusRequest(MessageReference(MessageCategory.PAYMENT, "pay1"))
    assert failure_of(send(sim, status, "st1")) is ErrorCondition.BUSY

    assert response(login(sim)).ok
    answer = send(sim, payment("sale-1"), "pay1")
    assert isinstance(answer, PaymentResponse) and answer.response.ok


def test_one_payment_at_a_time_while_login_status_and_abort_cross(sim: NexoSimulator) -> None:
    login(sim)
    sim.control(pace=30)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(send, sim, payment("sale-1"), "pay1")
        wait_until(lambda: sim.state()["payment_in_progress"], "the payment to start")

        assert failure_of(send(sim, payment("sale-2"), "pay2")) is ErrorCondition.BUSY
        assert failure_of(send(sim, ReconciliationRequest(), "rec1")) is ErrorCondition.BUSY
        reversal = ReversalRequest(TransactionIdentification("X", NOW))
        assert failure_of(send(sim, reversal, "rev1")) is ErrorCondition.BUSY
        status = TransactionStatusRequest(MessageReference(MessageCategory.PAYMENT, "pay1"))
        assert failure_of(send(sim, status, "st1")) is ErrorCondition.IN_PROGRESS
        assert response(login(sim)).ok

        abort = AbortRequest(MessageReference(MessageCategory.PAYMENT, "pay1", "kiosk"))
        message = NexoMessage.build(abort, service_id="ab1", sale_id="kiosk", poi_id="SIMPOI01")
        assert sim.post_nexo(encode(message)) == (204, b"")
        assert failure_of(first.result(timeout=30)) is ErrorCondition.ABORTED
    assert [r["sale_tx"] for r in sim.journal() if r["record"] == "payment"] == ["sale-1"]


def test_malformed_request_is_refused_with_the_reason(sim: NexoSimulator) -> None:
    status, text = sim.post_nexo(b"<SaleToPOIRequest><MessageHeader/></SaleToPOIRequest>")
    assert status == 400
    assert b"missing attribute MessageClass" in text


def test_a_request_for_another_terminal_is_not_allowed(sim: NexoSimulator) -> None:
    assert failure_of(login(sim, poi_id="OTHER01")) is ErrorCondition.NOT_ALLOWED


def test_control_refuses_an_unknown_mode(sim: NexoSimulator) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        sim.control(mode="explode")
    assert b"drop_after_approve" in refused.value.read()
    assert sim.state()["mode"] == "approve"


def test_the_mode_survives_a_restart(sim: NexoSimulator) -> None:
    sim.control(mode="decline", pace=0.01)
    sim.stop()
    sim.start(pace=0.01)
    assert sim.state()["mode"] == "decline"


def test_journal_closes_an_interrupted_payment_and_skips_a_torn_last_line(
    tmp_path: Path,
) -> None:
    journal = Journal.open(tmp_path)
    tx = journal.start_payment(
        service_id="pay1",
        sale_id="kiosk",
        sale_transaction=TransactionIdentification("sale-1", NOW),
        poi_transaction=TransactionIdentification("POI1", NOW),
        amount_cents=250,
        currency="EUR",
    )
    with (tmp_path / "transactions.jsonl").open("a") as out:
        out.write('{"record":"result","poi_tx":"PO')  # the power went mid-write

    reopened = Journal.open(tmp_path)

    assert [t.service_id for t in reopened.interrupted] == [tx.service_id]
    recorded = reopened.by_service_id("pay1", "kiosk")
    assert recorded is not None and recorded.response is not None
    assert recorded.response.error_condition is ErrorCondition.DEVICE_OUT
    assert Journal.open(tmp_path).interrupted == []  # closed once, for good
