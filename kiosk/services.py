"""The registry of citizen services: each has a tile (icon, title in fi/sv/en) and a screen.

Explicit and keyed by the id used in config (`services.enabled`). The screen is named by a
"module:Class" path and imported only when the home screen is built, so this module, and the
config validator that reads the ids, stay free of Qt. A tile is shown only for a service that is
registered here and enabled in config: never a tile leading to a "coming soon" page.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.devices.catalog import DeviceClass
from kiosk.i18n import N_


# Specs are looked up by id, never compared: no generated __eq__ and __hash__ to build before the
# first paint.
@dataclass(frozen=True, eq=False)
class ServiceSpec:
    id: str
    #: English source text; translated through the catalogue.
    title: str
    subtitle: str
    #: File name in kiosk/ui/icons/.
    icon: str
    #: "module:Class" of the QWidget screen; the class takes a ServiceContext.
    screen: str
    #: Devices that must be usable for the service to be offered.
    needs: tuple[DeviceClass, ...] = ()


SERVICES: dict[str, ServiceSpec] = {
    spec.id: spec
    for spec in (
        ServiceSpec(
            id="forms",
            title=N_("Forms"),
            subtitle=N_("Fill in and send an application or a request"),
            icon="forms.svg",
            screen="kiosk.ui.screens.forms:FormsScreen",
        ),
        ServiceSpec(
            id="eservices",
            title=N_("E-services"),
            subtitle=N_("Use the authorities' online services: Kela, Tax, Migri and more"),
            icon="eservices.svg",
            screen="kiosk.ui.screens.eservices.screen:EServicesScreen",
        ),
        ServiceSpec(
            id="email",
            title=N_("E-mail"),
            subtitle=N_("Send your scans and forms, or a message, by e-mail"),
            icon="email.svg",
            screen="kiosk.ui.screens.email:EmailScreen",
        ),
        ServiceSpec(
            id="scan",
            title=N_("Scan"),
            subtitle=N_("Photograph documents into a PDF with the document camera"),
            icon="scan.svg",
            screen="kiosk.ui.screens.scan:ScanScreen",
            needs=(DeviceClass.CAMERA,),
        ),
        ServiceSpec(
            id="print",
            title=N_("Print"),
            subtitle=N_("Print what you have scanned"),
            icon="print.svg",
            screen="kiosk.ui.screens.print:PrintScreen",
            needs=(DeviceClass.PRINTER,),
        ),
        ServiceSpec(
            id="copy",
            title=N_("Copy"),
            subtitle=N_("Photocopy pages with the document camera and the printer"),
            icon="copy.svg",
            screen="kiosk.ui.screens.scan:CopyScreen",
            needs=(DeviceClass.CAMERA, DeviceClass.PRINTER),
        ),
        ServiceSpec(
            id="fee",
            title=N_("Pay a fee"),
            subtitle=N_("Pay a library fee with a payment card"),
            icon="fee.svg",
            screen="kiosk.ui.screens.fee:FeeScreen",
            needs=(DeviceClass.PAYMENT,),
        ),
        ServiceSpec(
            id="advice",
            title=N_("Video advice"),
            subtitle=N_("Talk to an advisor of a public service on video"),
            icon="advice.svg",
            screen="kiosk.ui.screens.video.compose:advice_screen",
            needs=(DeviceClass.CAMERA,),
        ),
        ServiceSpec(
            id="help",
            title=N_("Help and privacy"),
            subtitle=N_("How to use this kiosk and how your data is handled"),
            icon="help.svg",
            screen="kiosk.ui.screens.help:HelpScreen",
        ),
    )
}
