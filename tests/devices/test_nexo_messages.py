"""The nexo Retailer codec: every message survives encode and decode unchanged, the XML has the
shape vendors document, amounts are exact decimals, and a bad message is refused with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kiosk.devices.payment.nexo.messages import (
    AbortRequest,
    Body,
    DisplayRequest,
    ErrorCondition,
    EventNotification,
    EventToNotify,
    GlobalStatus,
    LoginRequest,
    LoginResponse,
    MessageCategory,
    MessageClass,
    MessageHeader,
    MessageReference,
    MessageType,
    NexoMessage,
    NexoProtocolError,
    PaymentRequest,
    PaymentResponse,
    ReconciliationRequest,
    ReconciliationResponse,
    Response,
    Result,
    ReversalReason,
    ReversalRequest,
    ReversalResponse,
    TransactionIdentification,
    TransactionStatusRequest,
    TransactionStatusResponse,
    TransactionTotals,
    amount_to_cents,
    cents_to_amount,
    decode,
    encode,
)

NOW = datetime(2025, 3, 1, 9, 30, 15, 123000, tzinfo=UTC)
HELSINKI = datetime(2025, 3, 1, 11, 30, tzinfo=timezone(timedelta(hours=2)))
SALE = TransactionIdentification("sale-1", NOW)
POI = TransactionIdentification("4F2A9C01B7", HELSINKI)
APPROVED = PaymentResponse(
    Response.success(), SALE, POI, 240, "EUR", "541333******1234", "MasterCard"
)

BODIES: list[Body] = [
    LoginRequest(NOW, "kiosk", "e-kiosk", "0.1.0"),
    LoginResponse(Response.success(), NOW, GlobalStatus.OK),
    LoginResponse(Response.failure(ErrorCondition.DEVICE_OUT, "in maintenance")),
    PaymentRequest(SALE, 240),
    APPROVED,
    PaymentResponse(Response.failure(ErrorCondition.REFUSAL, "declined"), SALE, POI),
    AbortRequest(MessageReference(MessageCategory.PAYMENT, "A1B2C3D4E5", "kiosk", "SIMPOI01")),
    TransactionStatusRequest(MessageReference(MessageCategory.PAYMENT, "A1B2C3D4E5")),
    TransactionStatusRequest(),
    TransactionStatusResponse(
        Response.success(reversed="true"),
        MessageReference(MessageCategory.PAYMENT, "A1B2C3D4E5"),
        MessageHeader(
            MessageClass.SERVICE,
            MessageCategory.PAYMENT,
            MessageType.RESPONSE,
            "A1B2C3D4E5",
            "kiosk",
            "SIMPOI01",
        ),
        APPROVED,
    ),
    TransactionStatusResponse(Response.failure(ErrorCondition.IN_PROGRESS)),
    ReversalRequest(POI, ReversalReason.MALFUNCTION),
    ReversalResponse(Response.success(), TransactionIdentification("R1", NOW), 240),
    ReconciliationRequest(),
    ReconciliationResponse(
        Response.success(), reconciliation_id="7", totals=(TransactionTotals("EUR", 2, 440),)
    ),
    DisplayRequest("insert_card", "Insert or tap card"),
    EventNotification(EventToNotify.BEGIN_MAINTENANCE, NOW, "maintenance", True),
    EventNotification(EventToNotify.INITIALISED, NOW),
]


def message(body: Body, service_id: str = "A1B2C3D4E5") -> NexoMessage:
    device = "D1" if isinstance(body, DisplayRequest) else None
    return NexoMessage.build(
        body, service_id=service_id, sale_id="kiosk", poi_id="SIMPOI01", device_id=device
    )


@pytest.mark.parametrize("body", BODIES, ids=lambda b: type(b).__name__)
def test_round_trip(body: Body) -> None:
    original = message(body)
    assert decode(encode(original)) == original


def test_payment_request_on_the_wire() -> None:
    xml = encode(message(PaymentRequest(SALE, 240))).decode()
    assert xml.count("<SaleToPOIRequest>") == 1
    for part in (
        'ProtocolVersion="3.1"',
        'MessageClass="Service"',
        'MessageCategory="Payment"',
        'MessageType="Request"',
        'ServiceID="A1B2C3D4E5"',
        'SaleID="kiosk"',
        'POIID="SIMPOI01"',
        '<SaleTransactionID TransactionID="sale-1" TimeStamp="2025-03-01T09:30:15.123000+00:00"',
        '<AmountsReq Currency="EUR" RequestedAmount="2.40"',
    ):
        assert part in xml


def test_a_vendor_message_with_extra_parts_is_read() -> None:
    xml = b"""<?xml version="1.0"?>
    <SaleToPOIResponse>
      <MessageHeader ProtocolVersion="3.0" MessageClass="Service" MessageCategory="Payment"
        MessageType="Response" ServiceID="629" SaleID="POS1" POIID="V400m-1" Vendor="x"/>
      <PaymentResponse>
        <Response Result="Success"><AdditionalResponse>tid=1&amp;x=y</AdditionalResponse></Response>
        <SaleData><SaleTransactionID TransactionID="27908" TimeStamp="2025-03-01T09:30:15Z"/>
        </SaleData>
        <POIData><POITransactionID TransactionID="8815" TimeStamp="2025-03-01T09:30:20Z"/>
          <POIReconciliationID>1000</POIReconciliationID></POIData>
        <PaymentResult PaymentType="Normal">
          <PaymentInstrumentData PaymentInstrumentType="Card">
            <CardData EntryMode="Contactless" PaymentBrand="VISA" MaskedPAN="476173******0010"/>
          </PaymentInstrumentData>
          <AmountsResp Currency="EUR" AuthorizedAmount="12.5"/>
        </PaymentResult>
        <PaymentReceipt DocumentQualifier="CashierReceipt"/>
      </PaymentResponse>
    </SaleToPOIResponse>"""
    decoded = decode(xml)
    body = decoded.body
    assert isinstance(body, PaymentResponse)
    assert decoded.header.poi_id == "V400m-1"
    assert body.response.result is Result.SUCCESS
    assert body.response.details() == {"tid": "1", "x": "y"}
    assert (body.authorized_cents, body.card_last4) == (1250, "0010")
    assert body.poi_transaction is not None
    assert body.poi_transaction.timestamp == datetime(2025, 3, 1, 9, 30, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cents", "text"), [(0, "0.00"), (5, "0.05"), (240, "2.40"), (123456, "1234.56")]
)
def test_amounts_are_exact(cents: int, text: str) -> None:
    assert cents_to_amount(cents) == text
    assert amount_to_cents(text, "x") == cents


@pytest.mark.parametrize("text", ["2.405", "-1.00", "1e3", "2,40", "", " 2.40", "NaN", ".5"])
def test_malformed_amounts_are_refused(text: str) -> None:
    with pytest.raises(NexoProtocolError, match="is not an amount"):
        amount_to_cents(text, "AmountsReq@RequestedAmount")


@pytest.mark.parametrize("cents", [-1, 2.4, True])
def test_only_whole_cents_are_written(cents: object) -> None:
    with pytest.raises(NexoProtocolError):
        cents_to_amount(cents)  # type: ignore[arg-type]


def test_a_full_card_number_is_refused() -> None:
    with pytest.raises(NexoProtocolError, match="masked"):
        PaymentResponse(Response.success(), SALE, POI, 240, masked_pan="5413330012341234")
    xml = encode(message(APPROVED)).replace(b"541333******1234", b"5413330089011234")
    with pytest.raises(NexoProtocolError, match="CardData@MaskedPAN"):
        decode(xml)


def replace_in(body: Body, old: bytes, new: bytes) -> bytes:
    data = encode(message(body))
    assert old in data
    return data.replace(old, new)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty message"),
        (b"<SaleToPOIRequest><MessageHeader", "not well-formed XML"),
        (b"<Payment/>", "root element <Payment>"),
        (
            replace_in(PaymentRequest(SALE, 240), b' MessageClass="Service"', b""),
            "SaleToPOIRequest/MessageHeader: missing attribute MessageClass",
        ),
        (
            replace_in(PaymentRequest(SALE, 240), b'"Payment"', b'"Shopping"'),
            "MessageCategory='Shopping' is not one of",
        ),
        (
            replace_in(
                PaymentRequest(SALE, 240), b'RequestedAmount="2.40"', b'RequestedAmount="2.4.0"'
            ),
            "AmountsReq@RequestedAmount: '2.4.0' is not an amount",
        ),
        (
            replace_in(PaymentRequest(SALE, 240), b"<SaleData>", b"<SaleDataX>").replace(
                b"</SaleData>", b"</SaleDataX>"
            ),
            "PaymentRequest: missing element <SaleData>",
        ),
        (
            replace_in(PaymentRequest(SALE, 240), b"+00:00", b""),
            "has no UTC offset",
        ),
        (
            replace_in(
                PaymentRequest(SALE, 240), b'MessageCategory="Payment"', b'MessageCategory="Login"'
            ),
            "MessageHeader says Service/Login/Request but the body is <PaymentRequest>",
        ),
        (
            replace_in(
                LoginResponse(Response.success()), b"SaleToPOIResponse", b"SaleToPOIRequest"
            ),
            "a Response cannot travel in <SaleToPOIRequest>",
        ),
        (
            replace_in(
                ReconciliationRequest(), b"<ReconciliationRequest ", b"<CardAcquisitionRequest "
            ).replace(b"</ReconciliationRequest>", b"</CardAcquisitionRequest>"),
            "unsupported message body <CardAcquisitionRequest>",
        ),
        (
            replace_in(
                ReconciliationRequest(), b"</SaleToPOIRequest>", b"<Extra/></SaleToPOIRequest>"
            ),
            "expected one message body, found <ReconciliationRequest>, <Extra>",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><SaleToPOIRequest/>',
            "message refused: DTDForbidden",
        ),
        (b"<SaleToPOIRequest>" + b" " * 300_000 + b"</SaleToPOIRequest>", "larger than"),
    ],
)
def test_bad_messages_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(NexoProtocolError) as refused:
        decode(data)
    assert reason in str(refused.value)


def test_header_and_body_must_agree_when_built() -> None:
    header = MessageHeader(
        MessageClass.SERVICE, MessageCategory.LOGIN, MessageType.REQUEST, "S1", "kiosk", "P1"
    )
    with pytest.raises(NexoProtocolError, match="body is <PaymentRequest>"):
        NexoMessage(header, PaymentRequest(SALE, 240))


def test_response_details_and_failures() -> None:
    failure = Response.failure(ErrorCondition.BUSY, "a payment is in progress")
    assert not failure.ok
    assert failure.details() == {"message": "a payment is in progress"}
    assert Response(Result.PARTIAL).ok
    assert Response(Result.SUCCESS, additional="free text").details() == {}
