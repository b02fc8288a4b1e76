"""Reading what a citizen sees from rendered pixels: colours, their counts and WCAG contrast."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage


def luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.red())
        + 0.7152 * channel(colour.green())
        + 0.0722 * channel(colour.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def colours(image: QImage, rect: QRect | None = None) -> Counter[str]:
    """How many pixels of each colour (as #rrggbb) there are in `rect` of `image`."""
    area = rect if rect is not None else image.rect()
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    found: Counter[str] = Counter()
    for y in range(area.top(), area.bottom() + 1):
        for x in range(area.left(), area.right() + 1):
            found[image.pixelColor(x, y).name()] += 1
    return found


def dominant(
    image: QImage, rect: QRect | None = None, *, besides: frozenset[str] = frozenset()
) -> str:
    """The commonest colour in `rect`, leaving out `besides`."""
    for colour, _ in colours(image, rect).most_common():
        if colour not in besides:
            return colour
    raise AssertionError("no other colour there")
