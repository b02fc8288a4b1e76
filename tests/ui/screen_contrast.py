"""The contrast check, from the rendered pixels: words against their background, and an
icon's main colour against what is around it (WCAG 2 contrast ratios)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from tests.ui.screen_widgets import Finding, button_room, describe, text_span, visible_rect

#: A picture larger than this is a photograph or a video, not an icon.
ICON_MAX_PX = 200


def pixels(image: QImage) -> np.ndarray:
    """The image as rows of 0xRRGGBB."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = rgb.width(), rgb.height()
    data = np.frombuffer(rgb.constBits(), dtype=np.uint32, count=rgb.bytesPerLine() // 4 * height)
    # `&` makes a new array: the image's memory goes with `rgb`.
    return data.reshape(height, rgb.bytesPerLine() // 4)[:, :width] & 0xFFFFFF


def _luminance(colours: np.ndarray) -> np.ndarray:
    channels = np.stack(
        [(colours >> 16) & 0xFF, (colours >> 8) & 0xFF, colours & 0xFF], axis=-1
    ).astype(np.float64)
    c = channels / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    result: np.ndarray = linear @ np.array([0.2126, 0.7152, 0.0722])
    return result


def ratio(a: int, b: int) -> float:
    """WCAG 2 contrast ratio of two 0xRRGGBB colours."""
    la, lb = _luminance(np.array([a, b], dtype=np.uint32))
    high, low = max(la, lb), min(la, lb)
    return float((high + 0.05) / (low + 0.05))


def _region(image: np.ndarray, rect: QRect) -> np.ndarray:
    return image[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1].ravel()


def text_contrast(
    widget: QWidget, text: str, window: QWidget, image: np.ndarray, needed: float
) -> Iterator[Finding]:
    if isinstance(widget, QLabel | QAbstractButton):
        span = text_span(widget, text)
    else:
        span = widget.contentsRect()
    if span is None:
        return
    area = span.translated(widget.mapTo(window, QPoint(0, 0))).intersected(
        visible_rect(widget, window)
    )
    # Words partly scrolled out of sight are judged where a whole line of them shows.
    if area.width() < 4 or area.height() < min(span.height(), widget.fontMetrics().height()):
        return
    pixels = _region(image, area)
    colours, counts = np.unique(pixels, return_counts=True)
    background = int(colours[np.argmax(counts)])
    ratios = _ratios(colours, background)
    ink = int(colours[np.argmax(ratios)])
    best = float(ratios.max())
    if best < needed:
        yield Finding(
            "contrast",
            describe(widget),
            text,
            f"contrast {best:.1f}:1 < {needed:g}:1 (#{ink:06x} on #{background:06x})",
        )


def _ratios(colours: np.ndarray, background: int) -> np.ndarray:
    light = _luminance(colours)
    back = float(_luminance(np.array([background], dtype=np.uint32))[0])
    found: np.ndarray = (np.maximum(light, back) + 0.05) / (np.minimum(light, back) + 0.05)
    return found


def _icon(widget: QWidget) -> tuple[QImage, QRect] | None:
    """An icon `widget` shows, as an image, and the rectangle (widget coordinates) it sits in,
    from whose surroundings its background is read."""
    if isinstance(widget, QLabel):
        pixmap: QPixmap = widget.pixmap()
        if pixmap.isNull():
            return None
        size = pixmap.deviceIndependentSize()
        if size.width() > ICON_MAX_PX or size.height() > ICON_MAX_PX:
            return None
        return pixmap.toImage(), QRect(QPoint(0, 0), widget.size())
    if isinstance(widget, QAbstractButton) and not widget.icon().isNull():
        mode = QIcon.Mode.Normal if widget.isEnabled() else QIcon.Mode.Disabled
        state = QIcon.State.On if widget.isChecked() else QIcon.State.Off
        image = widget.icon().pixmap(widget.iconSize(), mode, state).toImage()
        return image, button_room(widget, widget.hasFocus())
    return None


def icon_contrast(
    widget: QWidget, window: QWidget, image: np.ndarray, needed: float
) -> Iterator[Finding]:
    found = _icon(widget)
    if found is None:
        return
    picture, room = found
    shown = visible_rect(widget, window)
    where = room.translated(widget.mapTo(window, QPoint(0, 0)))
    if isinstance(widget, QLabel):
        # The background around the icon: a frame a few pixels wide just outside the label.
        outer = where.adjusted(-4, -4, 4, 4).intersected(window.rect())
        frame = np.concatenate(
            [
                _region(image, QRect(outer.left(), outer.top(), outer.width(), 4)),
                _region(image, QRect(outer.left(), outer.bottom() - 3, outer.width(), 4)),
                _region(image, QRect(outer.left(), outer.top(), 4, outer.height())),
                _region(image, QRect(outer.right() - 3, outer.top(), 4, outer.height())),
            ]
        )
    else:
        area = where.intersected(shown)
        if area.isEmpty():
            return
        frame = _region(image, area)
    if frame.size == 0 or shown.isEmpty():
        return
    colours, counts = np.unique(frame, return_counts=True)
    background = int(colours[np.argmax(counts)])
    argb = pixels_with_alpha(picture)
    opaque = argb[(argb >> 24) >= 250] & 0xFFFFFF
    if opaque.size == 0:
        return
    colours, counts = np.unique(opaque, return_counts=True)
    ratios = _ratios(colours, background)
    distinct = ratios >= 1.2  # the icon's own colours, not its background's
    if not distinct.any():
        main, best = int(colours[np.argmax(counts)]), float(ratios.max())
    else:
        pick = np.argmax(np.where(distinct, counts, -1))
        main, best = int(colours[pick]), float(ratios[pick])
    if best < needed:
        yield Finding(
            "contrast",
            describe(widget),
            "(icon)",
            f"icon contrast {best:.1f}:1 < {needed:g}:1 (#{main:06x} on #{background:06x})",
        )


def pixels_with_alpha(image: QImage) -> np.ndarray:
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    width, height = argb.width(), argb.height()
    data = np.frombuffer(argb.constBits(), dtype=np.uint32, count=argb.bytesPerLine() // 4 * height)
    # A copy: the image's memory goes with `argb`.
    return data.reshape(height, argb.bytesPerLine() // 4)[:, :width].ravel().copy()
