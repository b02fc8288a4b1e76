"""The technician's test page: one A4 page that shows at a glance whether the printer prints
whole pages (a frame at the margins), even grey (a ramp) and sharp text, and names the kiosk and
the state of its devices, in the technician's language. No personal data is on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from kiosk import __version__
from kiosk.devices.base import Device
from kiosk.i18n import N_
from kiosk.ui.screens.technician_words import DEVICE_NAMES, Translate, state_words

TITLE = N_("Test page")
KIOSK_LINE = N_("Kiosk {id}, software version {version}")
PRINTED_AT = N_("Printed {when}")
CHECK = N_(
    "The frame must be whole on every side, the ten grey squares must go evenly from white to "
    "black, and this text must be sharp."
)
DPI = 300


def write_test_page(path: Path, t: Translate, kiosk_id: str, devices: Sequence[Device]) -> Path:
    """Write the test page as a one-page A4 PDF at `path`; returns `path`."""
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(DPI)
    writer.setTitle(t(TITLE))
    mm = DPI / 25.4
    width = 180 * mm
    lines = [
        t(KIOSK_LINE).format(id=kiosk_id, version=__version__),
        t(PRINTED_AT).format(when=datetime.now().strftime("%Y-%m-%d %H:%M")),
        "",
    ]
    for device in devices:
        health = device.health()
        name = t(DEVICE_NAMES.get(device.device_class.value, device.device_class.value))
        lines.append(f"{name}: {state_words(t, health.state.value, health.attention.value)}")
    painter = QPainter(writer)
    try:
        painter.setPen(QPen(QColor("black"), 0.5 * mm))
        painter.drawRect(QRectF(0, 0, width, 267 * mm))  # the printable area's edge
        painter.setFont(QFont("DejaVu Sans", 22, QFont.Weight.Bold))
        painter.drawText(QRectF(8 * mm, 8 * mm, width - 16 * mm, 14 * mm), t(TITLE))
        painter.setFont(QFont("DejaVu Sans", 11))
        y = 28 * mm
        for line in lines:
            painter.drawText(QRectF(8 * mm, y, width - 16 * mm, 7 * mm), line)
            y += 7 * mm
        box = QRectF(8 * mm, y + 4 * mm, width - 16 * mm, 20 * mm)
        painter.drawText(box, Qt.TextFlag.TextWordWrap, t(CHECK))
        side = (width - 16 * mm) / 10
        for step in range(10):
            grey = round(255 * (9 - step) / 9)
            square = QRectF(8 * mm + step * side, y + 30 * mm, side, side)
            painter.fillRect(square, QColor(grey, grey, grey))
        painter.drawRect(QRectF(8 * mm, y + 30 * mm, 10 * side, side))
    finally:
        painter.end()
    return path
