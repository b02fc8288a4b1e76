"""The service bodies of nexo Retailer for a payment: Login, Payment, Abort, TransactionStatus.

Each body knows its element name and the MessageClass, MessageCategory and MessageType its
header must carry. A card number exists here only masked ("541333******1234"): a MaskedPAN that
shows more than the first six and last four digits is refused, so a full PAN never gets further.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Self

from kiosk.devices.payment.nexo.elements import (
    ErrorCondition,
    GlobalStatus,
    MessageCategory,
    MessageClass,
    MessageHeader,
    MessageReference,
    MessageType,
    Response,
    TransactionIdentification,
)
from kiosk.devices.payment.nexo.wire import (
    NexoProtocolError,
    Reader,
    cents_to_amount,
    format_time,
    set_attributes,
)

#: ASCII digits only (\d would take other scripts' digits onto the receipt).
_MASKED_PAN = re.compile(r"[0-9]{0,6}\*{2,}[0-9]{4}")
_CURRENCY = re.compile(r"[A-Z]{3}")


def check_masked_pan(value: str, where: str = "MaskedPAN") -> str:
    if not _MASKED_PAN.fullmatch(value):
        raise NexoProtocolError(f"{where} is not a masked card number (first six, last four)")
    return value


def currency_attr(r: Reader, name: str) -> str:
    value = r.attr(name)
    if not _CURRENCY.fullmatch(value):
        raise NexoProtocolError(f"{r.path}: {name} {value!r} is not an ISO 4217 code")
    return value


def response_of(r: Reader) -> Response:
    return Response.from_xml(r.child("Response"))


class Body(ABC):
    TAG: ClassVar[str]
    MESSAGE_CLASS: ClassVar[MessageClass] = MessageClass.SERVICE
    CATEGORY: ClassVar[MessageCategory]
    TYPE: ClassVar[MessageType]

    @abstractmethod
    def to_xml(self) -> ET.Element: ...

    @classmethod
    @abstractmethod
    def from_xml(cls, r: Reader) -> Self: ...


class ResponseBody(Body):
    TYPE = MessageType.RESPONSE
    response: Response


@dataclass(frozen=True)
class LoginRequest(Body):
    TAG = "LoginRequest"
    CATEGORY = MessageCategory.LOGIN
    TYPE = MessageType.REQUEST

    date_time: datetime
    manufacturer_id: str
    application_name: str
    software_version: str
    certification_code: str = "none"
    terminal_environment: str = "Unattended"
    operator_language: str = "fi"

    def to_xml(self) -> ET.Element:
        element = set_attributes(ET.Element(self.TAG), OperatorLanguage=self.operator_language)
        ET.SubElement(element, "DateTime").text = format_time(self.date_time)
        element.append(
            set_attributes(
                ET.Element("SaleSoftware"),
                ManufacturerID=self.manufacturer_id,
                ApplicationName=self.application_name,
                SoftwareVersion=self.software_version,
                CertificationCode=self.certification_code,
            )
        )
        element.append(
            set_attributes(
                ET.Element("SaleTerminalData"), TerminalEnvironment=self.terminal_environment
            )
        )
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        software = r.child("SaleSoftware")
        terminal = r.optional_child("SaleTerminalData")
        return cls(
            date_time=r.time_text("DateTime"),
            manufacturer_id=software.attr("ManufacturerID"),
            application_name=software.attr("ApplicationName"),
            software_version=software.attr("SoftwareVersion"),
            certification_code=software.optional_attr("CertificationCode") or "none",
            terminal_environment=(terminal and terminal.optional_attr("TerminalEnvironment"))
            or "Attended",
            operator_language=r.optional_attr("OperatorLanguage") or "en",
        )


@dataclass(frozen=True)
class LoginResponse(ResponseBody):
    TAG = "LoginResponse"
    CATEGORY = MessageCategory.LOGIN

    response: Response
    date_time: datetime | None = None
    global_status: GlobalStatus | None = None

    def to_xml(self) -> ET.Element:
        element = ET.Element(self.TAG)
        element.append(self.response.to_xml())
        if self.date_time is not None or self.global_status is not None:
            system = ET.SubElement(element, "POISystemData")
            if self.date_time is not None:
                ET.SubElement(system, "DateTime").text = format_time(self.date_time)
            if self.global_status is not None:
                ET.SubElement(system, "POIStatus", GlobalStatus=self.global_status.value)
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        system = r.optional_child("POISystemData")
        status = system.optional_child("POIStatus") if system else None
        return cls(
            response=response_of(r),
            date_time=system.time_text("DateTime")
            if system and system.optional_text("DateTime")
            else None,
            global_status=status.optional_enum("GlobalStatus", GlobalStatus) if status else None,
        )


@dataclass(frozen=True)
class PaymentRequest(Body):
    TAG = "PaymentRequest"
    CATEGORY = MessageCategory.PAYMENT
    TYPE = MessageType.REQUEST

    sale_transaction: TransactionIdentification
    requested_cents: int
    currency: str = "EUR"

    def to_xml(self) -> ET.Element:
        element = ET.Element(self.TAG)
        sale = ET.SubElement(element, "SaleData")
        sale.append(self.sale_transaction.to_xml("SaleTransactionID"))
        transaction = ET.SubElement(element, "PaymentTransaction")
        ET.SubElement(
            transaction,
            "AmountsReq",
            Currency=self.currency,
            RequestedAmount=cents_to_amount(self.requested_cents),
        )
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        amounts = r.child("PaymentTransaction").child("AmountsReq")
        return cls(
            sale_transaction=TransactionIdentification.from_xml(
                r.child("SaleData").child("SaleTransactionID")
            ),
            requested_cents=amounts.amount("RequestedAmount"),
            currency=currency_attr(amounts, "Currency"),
        )


@dataclass(frozen=True)
class PaymentResponse(ResponseBody):
    TAG = "PaymentResponse"
    CATEGORY = MessageCategory.PAYMENT

    response: Response
    sale_transaction: TransactionIdentification
    poi_transaction: TransactionIdentification | None = None
    authorized_cents: int | None = None
    currency: str = "EUR"
    masked_pan: str | None = None
    payment_brand: str | None = None

    def __post_init__(self) -> None:
        if self.masked_pan is not None:
            check_masked_pan(self.masked_pan)

    @property
    def card_last4(self) -> str | None:
        return self.masked_pan[-4:] if self.masked_pan else None

    def to_xml(self) -> ET.Element:
        element = ET.Element(self.TAG)
        element.append(self.response.to_xml())
        ET.SubElement(element, "SaleData").append(self.sale_transaction.to_xml("SaleTransactionID"))
        if self.poi_transaction is not None:
            poi = ET.SubElement(element, "POIData")
            poi.append(self.poi_transaction.to_xml("POITransactionID"))
        if self.authorized_cents is not None or self.masked_pan is not None:
            result = ET.SubElement(element, "PaymentResult", PaymentType="Normal")
            if self.masked_pan is not None:
                instrument = ET.SubElement(
                    result, "PaymentInstrumentData", PaymentInstrumentType="Card"
                )
                card = ET.SubElement(instrument, "CardData", EntryMode="ICC")
                set_attributes(card, PaymentBrand=self.payment_brand, MaskedPAN=self.masked_pan)
            if self.authorized_cents is not None:
                ET.SubElement(
                    result,
                    "AmountsResp",
                    Currency=self.currency,
                    AuthorizedAmount=cents_to_amount(self.authorized_cents),
                )
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        poi = r.optional_child("POIData")
        result = r.optional_child("PaymentResult")
        amounts = result.optional_child("AmountsResp") if result else None
        card = None
        if result and (instrument := result.optional_child("PaymentInstrumentData")):
            card = instrument.optional_child("CardData")
        masked = card.optional_attr("MaskedPAN") if card else None
        return cls(
            response=response_of(r),
            sale_transaction=TransactionIdentification.from_xml(
                r.child("SaleData").child("SaleTransactionID")
            ),
            poi_transaction=TransactionIdentification.from_xml(poi.child("POITransactionID"))
            if poi
            else None,
            authorized_cents=amounts.optional_amount("AuthorizedAmount") if amounts else None,
            currency=currency_attr(amounts, "Currency") if amounts else "EUR",
            masked_pan=check_masked_pan(masked, f"{card.path}@MaskedPAN")
            if card and masked
            else None,
            payment_brand=card.optional_attr("PaymentBrand") if card else None,
        )


@dataclass(frozen=True)
class AbortRequest(Body):
    """Stop the request `reference` names. nexo defines no AbortResponse: the aborted request
    itself answers (Failure, Aborted)."""

    TAG = "AbortRequest"
    CATEGORY = MessageCategory.ABORT
    TYPE = MessageType.REQUEST

    reference: MessageReference
    reason: str = "MerchantAbort"

    def to_xml(self) -> ET.Element:
        element = ET.Element(self.TAG)
        element.append(self.reference.to_xml())
        ET.SubElement(element, "AbortReason").text = self.reason
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        return cls(MessageReference.from_xml(r.child("MessageReference")), r.text("AbortReason"))


@dataclass(frozen=True)
class TransactionStatusRequest(Body):
    """The terminal's record of the request `reference` names; of the last one without it."""

    TAG = "TransactionStatusRequest"
    CATEGORY = MessageCategory.TRANSACTION_STATUS
    TYPE = MessageType.REQUEST

    reference: MessageReference | None = None

    def to_xml(self) -> ET.Element:
        element = ET.Element(self.TAG)
        if self.reference is not None:
            element.append(self.reference.to_xml())
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        reference = r.optional_child("MessageReference")
        return cls(MessageReference.from_xml(reference) if reference else None)


@dataclass(frozen=True)
class TransactionStatusResponse(ResponseBody):
    """On Success, `repeated_payment` is the PaymentResponse the terminal gave (or would have
    given) to the original request, with that request's header in `repeated_header`."""

    TAG = "TransactionStatusResponse"
    CATEGORY = MessageCategory.TRANSACTION_STATUS

    response: Response
    reference: MessageReference | None = None
    repeated_header: MessageHeader | None = None
    repeated_payment: PaymentResponse | None = None

    def __post_init__(self) -> None:
        if (self.repeated_header is None) != (self.repeated_payment is None):
            raise NexoProtocolError("RepeatedMessageResponse needs both its header and its body")

    def to_xml(self) -> ET.Element:
        element = ET.Element(self.TAG)
        element.append(self.response.to_xml())
        if self.reference is not None:
            element.append(self.reference.to_xml())
        if self.repeated_header is not None and self.repeated_payment is not None:
            repeated = ET.SubElement(element, "RepeatedMessageResponse")
            repeated.append(self.repeated_header.to_xml())
            body = ET.SubElement(repeated, "RepeatedResponseMessageBody")
            body.append(self.repeated_payment.to_xml())
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        reference = r.optional_child("MessageReference")
        repeated = r.optional_child("RepeatedMessageResponse")
        header = payment = None
        if repeated is not None:
            header = MessageHeader.from_xml(repeated.child("MessageHeader"))
            body = repeated.child("RepeatedResponseMessageBody")
            payment = PaymentResponse.from_xml(body.child("PaymentResponse"))
        return cls(
            response=response_of(r),
            reference=MessageReference.from_xml(reference) if reference else None,
            repeated_header=header,
            repeated_payment=payment,
        )


NOT_STARTED = frozenset({ErrorCondition.BUSY, ErrorCondition.LOGGED_OUT})
