"""The parts several nexo messages share: the header, the Response, transaction and message
references, and the enumerations, each with its XML form."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode

from kiosk.devices.payment.nexo.wire import Reader, format_time, set_attributes

PROTOCOL_VERSION = "3.1"


class MessageClass(StrEnum):
    SERVICE = "Service"
    DEVICE = "Device"
    EVENT = "Event"


class MessageCategory(StrEnum):
    LOGIN = "Login"
    PAYMENT = "Payment"
    ABORT = "Abort"
    TRANSACTION_STATUS = "TransactionStatus"
    REVERSAL = "Reversal"
    RECONCILIATION = "Reconciliation"
    DISPLAY = "Display"
    EVENT = "Event"


class MessageType(StrEnum):
    REQUEST = "Request"
    RESPONSE = "Response"
    NOTIFICATION = "Notification"


class Result(StrEnum):
    SUCCESS = "Success"
    FAILURE = "Failure"
    PARTIAL = "Partial"


class ErrorCondition(StrEnum):
    ABORTED = "Aborted"
    BUSY = "Busy"
    CANCEL = "Cancel"
    DEVICE_OUT = "DeviceOut"
    INSERTED_CARD = "InsertedCard"
    IN_PROGRESS = "InProgress"
    LOGGED_OUT = "LoggedOut"
    MESSAGE_FORMAT = "MessageFormat"
    NOT_ALLOWED = "NotAllowed"
    NOT_FOUND = "NotFound"
    PAYMENT_RESTRICTION = "PaymentRestriction"
    REFUSAL = "Refusal"
    UNAVAILABLE_DEVICE = "UnavailableDevice"
    UNAVAILABLE_SERVICE = "UnavailableService"
    UNREACHABLE_HOST = "UnreachableHost"
    WRONG_PIN = "WrongPIN"


class ReversalReason(StrEnum):
    CUSTOMER_CANCEL = "CustCancel"
    MERCHANT_CANCEL = "MerchantCancel"
    MALFUNCTION = "Malfunction"
    UNABLE_TO_COMPLETE = "Unable2Compl"


class EventToNotify(StrEnum):
    BEGIN_MAINTENANCE = "BeginMaintenance"
    END_MAINTENANCE = "EndMaintenance"
    SHUTDOWN = "Shutdown"
    INITIALISED = "Initialised"
    OUT_OF_ORDER = "OutOfOrder"
    REJECT = "Reject"


class ReconciliationType(StrEnum):
    SALE = "SaleReconciliation"
    ACQUIRER = "AcquirerReconciliation"
    ACQUIRER_SYNCHRONISATION = "AcquirerSynchronisation"
    PREVIOUS = "PreviousReconciliation"


class GlobalStatus(StrEnum):
    OK = "OK"
    BUSY = "Busy"
    MAINTENANCE = "Maintenance"
    UNREACHABLE = "Unreachable"


@dataclass(frozen=True)
class MessageHeader:
    message_class: MessageClass
    category: MessageCategory
    type: MessageType
    service_id: str
    sale_id: str
    poi_id: str
    device_id: str | None = None
    protocol_version: str = PROTOCOL_VERSION

    def to_xml(self) -> ET.Element:
        return set_attributes(
            ET.Element("MessageHeader"),
            ProtocolVersion=self.protocol_version,
            MessageClass=self.message_class.value,
            MessageCategory=self.category.value,
            MessageType=self.type.value,
            ServiceID=self.service_id,
            DeviceID=self.device_id,
            SaleID=self.sale_id,
            POIID=self.poi_id,
        )

    @classmethod
    def from_xml(cls, r: Reader) -> MessageHeader:
        return cls(
            message_class=r.enum("MessageClass", MessageClass),
            category=r.enum("MessageCategory", MessageCategory),
            type=r.enum("MessageType", MessageType),
            service_id=r.ident("ServiceID"),
            sale_id=r.ident("SaleID"),
            poi_id=r.ident("POIID"),
            device_id=r.optional_ident("DeviceID"),
            protocol_version=r.optional_attr("ProtocolVersion") or PROTOCOL_VERSION,
        )


@dataclass(frozen=True)
class Response:
    """The outcome every response carries. `additional` is the vendor's free text, which the
    simulator writes as URL-encoded key=value pairs (see `details`)."""

    result: Result
    error_condition: ErrorCondition | None = None
    additional: str | None = None

    @classmethod
    def success(cls, **details: str) -> Response:
        return cls(Result.SUCCESS, None, urlencode(details) if details else None)

    @classmethod
    def failure(cls, condition: ErrorCondition, message: str | None = None) -> Response:
        return cls(Result.FAILURE, condition, urlencode({"message": message}) if message else None)

    @property
    def ok(self) -> bool:
        return self.result is not Result.FAILURE

    def details(self) -> dict[str, str]:
        """AdditionalResponse read as key=value pairs; text that is not is left out."""
        return dict(parse_qsl(self.additional or ""))

    def to_xml(self) -> ET.Element:
        element = set_attributes(
            ET.Element("Response"),
            Result=self.result.value,
            ErrorCondition=self.error_condition.value if self.error_condition else None,
        )
        if self.additional is not None:
            ET.SubElement(element, "AdditionalResponse").text = self.additional
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Response:
        return cls(
            result=r.enum("Result", Result),
            error_condition=r.optional_enum("ErrorCondition", ErrorCondition),
            additional=r.optional_text("AdditionalResponse"),
        )


@dataclass(frozen=True)
class TransactionIdentification:
    """SaleTransactionID or POITransactionID: an id and when the transaction started."""

    transaction_id: str
    timestamp: datetime

    def to_xml(self, tag: str) -> ET.Element:
        return set_attributes(
            ET.Element(tag),
            TransactionID=self.transaction_id,
            TimeStamp=format_time(self.timestamp),
        )

    @classmethod
    def from_xml(cls, r: Reader) -> TransactionIdentification:
        return cls(r.ident("TransactionID"), r.time_attr("TimeStamp"))


@dataclass(frozen=True)
class MessageReference:
    """Which earlier message a request is about (by its category and ServiceID)."""

    category: MessageCategory
    service_id: str
    sale_id: str | None = None
    poi_id: str | None = None

    def to_xml(self) -> ET.Element:
        return set_attributes(
            ET.Element("MessageReference"),
            MessageCategory=self.category.value,
            ServiceID=self.service_id,
            SaleID=self.sale_id,
            POIID=self.poi_id,
        )

    @classmethod
    def from_xml(cls, r: Reader) -> MessageReference:
        return cls(
            category=r.enum("MessageCategory", MessageCategory),
            service_id=r.ident("ServiceID"),
            sale_id=r.optional_ident("SaleID"),
            poi_id=r.optional_ident("POIID"),
        )
