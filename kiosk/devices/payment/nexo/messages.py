"""nexo Retailer (Sale-to-POI) messages as typed dataclasses, and their XML on the wire.

This module is the protocol's one import: the bodies (bodies.py, settlement.py,
notifications.py), the shared parts and enumerations (elements.py) and the value rules (wire.py)
are re-exported from here.

The layout follows the nexo Retailer XML the Nordic vendors publish: a `<SaleToPOIRequest>` or
`<SaleToPOIResponse>` holding a `<MessageHeader>` and one body; simple values are attributes,
structures are elements. Only what a kiosk needs is modelled; unknown elements and attributes
are ignored when reading, as nexo asks of a receiver. `encode` builds with xml.etree, `decode`
parses with defusedxml (the peer is a device on the network) and raises NexoProtocolError
naming what is wrong.

Bodies that are not nexo's own words: a DisplayOutput carries both the text and the id of the
prompt in `<PredefinedContent ReferenceID="insert_card"/>`, so that the kiosk can show the
prompt in the citizen's language.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import ClassVar

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from kiosk.devices.payment.nexo.bodies import NOT_STARTED as NOT_STARTED
from kiosk.devices.payment.nexo.bodies import AbortRequest as AbortRequest
from kiosk.devices.payment.nexo.bodies import Body as Body
from kiosk.devices.payment.nexo.bodies import LoginRequest as LoginRequest
from kiosk.devices.payment.nexo.bodies import LoginResponse as LoginResponse
from kiosk.devices.payment.nexo.bodies import PaymentRequest as PaymentRequest
from kiosk.devices.payment.nexo.bodies import PaymentResponse as PaymentResponse
from kiosk.devices.payment.nexo.bodies import ResponseBody as ResponseBody
from kiosk.devices.payment.nexo.bodies import TransactionStatusRequest as TransactionStatusRequest
from kiosk.devices.payment.nexo.bodies import (
    TransactionStatusResponse as TransactionStatusResponse,
)
from kiosk.devices.payment.nexo.elements import ErrorCondition as ErrorCondition
from kiosk.devices.payment.nexo.elements import EventToNotify as EventToNotify
from kiosk.devices.payment.nexo.elements import GlobalStatus as GlobalStatus
from kiosk.devices.payment.nexo.elements import MessageCategory as MessageCategory
from kiosk.devices.payment.nexo.elements import MessageClass as MessageClass
from kiosk.devices.payment.nexo.elements import MessageHeader as MessageHeader
from kiosk.devices.payment.nexo.elements import MessageReference as MessageReference
from kiosk.devices.payment.nexo.elements import MessageType as MessageType
from kiosk.devices.payment.nexo.elements import ReconciliationType as ReconciliationType
from kiosk.devices.payment.nexo.elements import Response as Response
from kiosk.devices.payment.nexo.elements import Result as Result
from kiosk.devices.payment.nexo.elements import ReversalReason as ReversalReason
from kiosk.devices.payment.nexo.elements import (
    TransactionIdentification as TransactionIdentification,
)
from kiosk.devices.payment.nexo.notifications import DisplayRequest as DisplayRequest
from kiosk.devices.payment.nexo.notifications import EventNotification as EventNotification
from kiosk.devices.payment.nexo.settlement import ReconciliationRequest as ReconciliationRequest
from kiosk.devices.payment.nexo.settlement import ReconciliationResponse as ReconciliationResponse
from kiosk.devices.payment.nexo.settlement import ReversalRequest as ReversalRequest
from kiosk.devices.payment.nexo.settlement import ReversalResponse as ReversalResponse
from kiosk.devices.payment.nexo.settlement import TransactionTotals as TransactionTotals
from kiosk.devices.payment.nexo.wire import NexoProtocolError as NexoProtocolError
from kiosk.devices.payment.nexo.wire import Reader
from kiosk.devices.payment.nexo.wire import amount_to_cents as amount_to_cents
from kiosk.devices.payment.nexo.wire import cents_to_amount as cents_to_amount

#: Every body the kiosk and the terminal exchange, by its element name.
BODIES: dict[str, type[Body]] = {
    cls.TAG: cls
    for cls in (
        LoginRequest,
        LoginResponse,
        PaymentRequest,
        PaymentResponse,
        AbortRequest,
        TransactionStatusRequest,
        TransactionStatusResponse,
        ReversalRequest,
        ReversalResponse,
        ReconciliationRequest,
        ReconciliationResponse,
        DisplayRequest,
        EventNotification,
    )
}

#: A message larger than this is not a nexo message a kiosk exchanges.
MAX_MESSAGE_BYTES = 256 * 1024


@dataclass(frozen=True)
class NexoMessage:
    """One message: its header and its body, which must agree on class, category and type."""

    header: MessageHeader
    body: Body

    ENVELOPES: ClassVar[dict[MessageType, str]] = {
        MessageType.REQUEST: "SaleToPOIRequest",
        MessageType.NOTIFICATION: "SaleToPOIRequest",
        MessageType.RESPONSE: "SaleToPOIResponse",
    }

    def __post_init__(self) -> None:
        body = type(self.body)
        expected = (body.MESSAGE_CLASS, body.CATEGORY, body.TYPE)
        found = (self.header.message_class, self.header.category, self.header.type)
        if expected != found:
            raise NexoProtocolError(
                f"MessageHeader says {'/'.join(found)} but the body is <{body.TAG}> "
                f"({'/'.join(expected)})"
            )

    @classmethod
    def build(
        cls, body: Body, *, service_id: str, sale_id: str, poi_id: str, device_id: str | None = None
    ) -> NexoMessage:
        """A message whose header is filled in from what the body is."""
        header = MessageHeader(
            message_class=body.MESSAGE_CLASS,
            category=body.CATEGORY,
            type=body.TYPE,
            service_id=service_id,
            sale_id=sale_id,
            poi_id=poi_id,
            device_id=device_id,
        )
        return cls(header, body)

    @property
    def envelope(self) -> str:
        return self.ENVELOPES[self.header.type]


def encode(message: NexoMessage) -> bytes:
    root = ET.Element(message.envelope)
    root.append(message.header.to_xml())
    root.append(message.body.to_xml())
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def decode(data: bytes) -> NexoMessage:
    if not data.strip():
        raise NexoProtocolError("empty message")
    if len(data) > MAX_MESSAGE_BYTES:
        raise NexoProtocolError(f"message of {len(data)} bytes is larger than any nexo message")
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise NexoProtocolError(f"message refused: {type(exc).__name__}") from None
    except ET.ParseError as exc:
        raise NexoProtocolError(f"not well-formed XML: {exc}") from None
    if root.tag not in ("SaleToPOIRequest", "SaleToPOIResponse"):
        raise NexoProtocolError(
            f"root element <{root.tag}> is not <SaleToPOIRequest> or <SaleToPOIResponse>"
        )
    reader = Reader(root, root.tag)
    header = MessageHeader.from_xml(reader.child("MessageHeader"))
    bodies = [e for e in root if e.tag != "MessageHeader"]
    if len(bodies) != 1:
        names = ", ".join(f"<{e.tag}>" for e in bodies) or "none"
        raise NexoProtocolError(f"{root.tag}: expected one message body, found {names}")
    element = bodies[0]
    body_class = BODIES.get(element.tag)
    if body_class is None:
        raise NexoProtocolError(f"{root.tag}: unsupported message body <{element.tag}>")
    body = body_class.from_xml(Reader(element, f"{root.tag}/{element.tag}"))
    message = NexoMessage(header, body)
    if message.envelope != root.tag:
        raise NexoProtocolError(f"a {header.type.value} cannot travel in <{root.tag}>")
    return message
