"""The shipped SVG icons, drawn in the colours of the theme in use.

The files in `kiosk/ui/icons/` are drawn in three colours: a disc, the pictogram on it and an
accent. Each is swapped for a colour of the palette when the icon is rendered, so an icon is as
legible as the text beside it in either theme: a dark-blue disc on a white tile normally, a yellow
one with a black pictogram on black in high contrast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.ui.theme import Palette

if TYPE_CHECKING:
    from PySide6.QtGui import QImage, QPixmap

ICONS = Path(__file__).resolve().parent.parent / "icons"

#: The colours the icon files are drawn in.
DISC = "#0b4a99"
PICTOGRAM = "#ffffff"
ACCENT = "#f0a800"


@dataclass(frozen=True)
class IconColours:
    disc: str
    pictogram: str
    accent: str


def on_surface(palette: Palette, *, enabled: bool = True) -> IconColours:
    """An icon on a tile or a page: the disc in the theme's strong colour."""
    if not enabled:
        return IconColours(palette.muted, palette.on_primary, palette.on_primary)
    return IconColours(disc=palette.primary, pictogram=palette.on_primary, accent=palette.accent)


def on_primary(palette: Palette) -> IconColours:
    """An icon on a primary button: the disc in the button's text colour, the pictogram cut
    out of it in the button's own colour."""
    return IconColours(disc=palette.on_primary, pictogram=palette.primary, accent=palette.primary)


def _recoloured(svg: str, colours: IconColours) -> str:
    swap = {DISC: colours.disc, PICTOGRAM: colours.pictogram, ACCENT: colours.accent}
    pattern = re.compile("|".join(re.escape(c) for c in swap), re.IGNORECASE)
    return pattern.sub(lambda m: swap[m.group(0).lower()], svg)


@lru_cache(maxsize=128)
def _image(name: str, size: int, colours: IconColours, ratio: float) -> QImage:
    # Qt's SVG library, and PySide's image classes, come with the first icon: the attract
    # screen shows none.
    from PySide6.QtCore import QByteArray, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    svg = _recoloured((ICONS / name).read_text(encoding="utf-8"), colours)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    side = max(1, round(size * ratio))
    image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    image.setDevicePixelRatio(ratio)
    return image


def icon_pixmap(name: str, size: int, colours: IconColours, ratio: float = 1.0) -> QPixmap:
    """The icon file `name` (in kiosk/ui/icons/) as a `size`-pixel square in `colours`."""
    from PySide6.QtGui import QPixmap

    return QPixmap.fromImage(_image(name, size, colours, ratio))
