"""The nexo bodies that settle payments afterwards: Reversal and Reconciliation, with their XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Self

from kiosk.devices.payment.nexo.bodies import Body, ResponseBody, currency_attr, response_of
from kiosk.devices.payment.nexo.elements import (
    MessageCategory,
    MessageType,
    ReconciliationType,
    Response,
    ReversalReason,
    TransactionIdentification,
)
from kiosk.devices.payment.nexo.wire import Reader, cents_to_amount, set_attributes


@dataclass(frozen=True)
class ReversalRequest(Body):
    TAG = "ReversalRequest"
    CATEGORY = MessageCategory.REVERSAL
    TYPE = MessageType.REQUEST

    original: TransactionIdentification
    reason: ReversalReason = ReversalReason.MALFUNCTION

    def to_xml(self) -> ET.Element:
        element = ET.Element(self.TAG, ReversalReason=self.reason.value)
        original = ET.SubElement(element, "OriginalPOITransaction")
        original.append(self.original.to_xml("POITransactionID"))
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        original = r.child("OriginalPOITransaction").child("POITransactionID")
        return cls(
            TransactionIdentification.from_xml(original), r.enum("ReversalReason", ReversalReason)
        )


@dataclass(frozen=True)
class ReversalResponse(ResponseBody):
    TAG = "ReversalResponse"
    CATEGORY = MessageCategory.REVERSAL

    response: Response
    poi_transaction: TransactionIdentification | None = None
    reversed_cents: int | None = None

    def to_xml(self) -> ET.Element:
        element = ET.Element(self.TAG)
        if self.reversed_cents is not None:
            element.set("ReversedAmount", cents_to_amount(self.reversed_cents))
        element.append(self.response.to_xml())
        if self.poi_transaction is not None:
            poi = ET.SubElement(element, "POIData")
            poi.append(self.poi_transaction.to_xml("POITransactionID"))
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        poi = r.optional_child("POIData")
        return cls(
            response=response_of(r),
            poi_transaction=TransactionIdentification.from_xml(poi.child("POITransactionID"))
            if poi
            else None,
            reversed_cents=r.optional_amount("ReversedAmount"),
        )


@dataclass(frozen=True)
class ReconciliationRequest(Body):
    TAG = "ReconciliationRequest"
    CATEGORY = MessageCategory.RECONCILIATION
    TYPE = MessageType.REQUEST

    reconciliation_type: ReconciliationType = ReconciliationType.SALE

    def to_xml(self) -> ET.Element:
        return ET.Element(self.TAG, ReconciliationType=self.reconciliation_type.value)

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        return cls(r.enum("ReconciliationType", ReconciliationType))


@dataclass(frozen=True)
class TransactionTotals:
    """Count and amount of one kind of card transaction in one currency."""

    currency: str
    count: int
    amount_cents: int
    transaction_type: str = "Debit"

    def to_xml(self) -> ET.Element:
        element = ET.Element(
            "TransactionTotals", PaymentInstrumentType="Card", PaymentCurrency=self.currency
        )
        ET.SubElement(
            element,
            "PaymentTotals",
            TransactionType=self.transaction_type,
            TransactionCount=str(self.count),
            TransactionAmount=cents_to_amount(self.amount_cents),
        )
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> list[TransactionTotals]:
        currency = currency_attr(r, "PaymentCurrency")
        return [
            cls(
                currency=currency,
                count=totals.count("TransactionCount"),
                amount_cents=totals.amount("TransactionAmount"),
                transaction_type=totals.attr("TransactionType"),
            )
            for totals in r.children("PaymentTotals")
        ]


@dataclass(frozen=True)
class ReconciliationResponse(ResponseBody):
    TAG = "ReconciliationResponse"
    CATEGORY = MessageCategory.RECONCILIATION

    response: Response
    reconciliation_type: ReconciliationType = ReconciliationType.SALE
    reconciliation_id: str | None = None
    totals: tuple[TransactionTotals, ...] = ()

    def to_xml(self) -> ET.Element:
        element = set_attributes(
            ET.Element(self.TAG),
            ReconciliationType=self.reconciliation_type.value,
            POIReconciliationID=self.reconciliation_id,
        )
        element.append(self.response.to_xml())
        element.extend(t.to_xml() for t in self.totals)
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        totals = [
            t
            for group in r.children("TransactionTotals")
            for t in TransactionTotals.from_xml(group)
        ]
        return cls(
            response=response_of(r),
            reconciliation_type=r.enum("ReconciliationType", ReconciliationType),
            reconciliation_id=r.optional_ident("POIReconciliationID"),
            totals=tuple(totals),
        )
