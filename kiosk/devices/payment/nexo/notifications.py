"""The terminal's messages to the kiosk: DisplayRequest (a prompt) and EventNotification."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from kiosk.devices.payment.nexo.bodies import Body
from kiosk.devices.payment.nexo.elements import (
    EventToNotify,
    MessageCategory,
    MessageClass,
    MessageType,
)
from kiosk.devices.payment.nexo.wire import Reader, format_time, parse_bool


@dataclass(frozen=True)
class DisplayRequest(Body):
    """Terminal to kiosk: show the customer a prompt. `message_id` names it ("insert_card")."""

    TAG = "DisplayRequest"
    MESSAGE_CLASS = MessageClass.DEVICE
    CATEGORY = MessageCategory.DISPLAY
    TYPE = MessageType.REQUEST

    message_id: str
    text: str
    device: str = "CustomerDisplay"
    info_qualify: str = "Display"

    def to_xml(self) -> ET.Element:
        element = ET.Element(self.TAG)
        output = ET.SubElement(
            element,
            "DisplayOutput",
            ResponseRequiredFlag="false",
            Device=self.device,
            InfoQualify=self.info_qualify,
        )
        content = ET.SubElement(output, "OutputContent", OutputFormat="MessageRef")
        ET.SubElement(content, "PredefinedContent", ReferenceID=self.message_id)
        ET.SubElement(content, "OutputText").text = self.text
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        output = r.child("DisplayOutput")
        content = output.child("OutputContent")
        predefined = content.child("PredefinedContent")
        return cls(
            message_id=predefined.ident("ReferenceID"),
            text=content.optional_text("OutputText") or "",
            device=output.attr("Device"),
            info_qualify=output.attr("InfoQualify"),
        )


@dataclass(frozen=True)
class EventNotification(Body):
    """Terminal to kiosk: something happened to the terminal (maintenance, restart, ...)."""

    TAG = "EventNotification"
    MESSAGE_CLASS = MessageClass.EVENT
    CATEGORY = MessageCategory.EVENT
    TYPE = MessageType.NOTIFICATION

    event: EventToNotify
    timestamp: datetime
    details: str | None = None
    maintenance_required: bool = False

    def to_xml(self) -> ET.Element:
        element = ET.Element(
            self.TAG,
            TimeStamp=format_time(self.timestamp),
            EventToNotify=self.event.value,
            MaintenanceRequiredFlag="true" if self.maintenance_required else "false",
        )
        if self.details is not None:
            ET.SubElement(element, "EventDetails").text = self.details
        return element

    @classmethod
    def from_xml(cls, r: Reader) -> Self:
        flag = r.optional_attr("MaintenanceRequiredFlag")
        return cls(
            event=r.enum("EventToNotify", EventToNotify),
            timestamp=r.time_attr("TimeStamp"),
            details=r.optional_text("EventDetails"),
            maintenance_required=parse_bool(flag, f"{r.path}@MaintenanceRequiredFlag")
            if flag
            else False,
        )


#: Conditions after which the terminal did not start the request: it is safe to send it again.
