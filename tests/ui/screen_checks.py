"""Three checks of a screen as it is drawn, for defects a citizen notices at a glance.

- glyphs: every character shown is drawn from a font that has it. Qt falls back from the
  style's font to any installed font that has a character; a character no installed font has is
  drawn as the font's "missing glyph" box (▯). The check lays each character out as Qt draws it
  (QTextLayout, with that fallback) and looks for glyph 0, the box.
- clipping: every label's and button's words fit the room its style leaves them (the contents
  rectangle, inside the border and padding, in the focused look too since focusing a button
  thickens its frame): on one line, or wrapped onto lines that fit across and down; and nothing
  of them lies outside the containers that show it (a scroll area's scrolling side excepted).
- contrast: from the rendered pixels, words against their background at least 4.5:1 (7:1 in high
  contrast); the background is the commonest colour where the words are, the words' colour the
  one farthest from it (WCAG 2 ratios). An icon's main colour (its commonest opaque one that is
  not the background) against the background around it, by the same measure. And every enabled
  button at least 44 × 44 px at 1080p, a fingertip.

`check_screen(window, high_contrast=...)` looks at what is shown now: the widgets of the topmost
layer (an overlay such as the idle warning hides the screen below it) that are visible.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QIcon, QImage, QPixmap, QTextDocument, QTextLayout
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QCheckBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTextEdit,
    QWidget,
)

MIN_TARGET_PX = 44
NORMAL_RATIO = 4.5
HIGH_CONTRAST_RATIO = 7.0
#: A picture larger than this is a photograph or a video, not an icon.
ICON_MAX_PX = 200
#: Up and down, words may lose this much of the gap under their last line without harm.
SLACK_PX = 2
#: Characters that are never drawn as a glyph of their own.
_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


@dataclass(frozen=True)
class Finding:
    #: "glyphs", "clipping", "contrast" or "touch".
    check: str
    #: Which widget: its class, where it lives (the screen's attribute), its accessible name.
    widget: str
    #: The words concerned (or the icon's description).
    text: str
    #: What is wrong, with the figure: "needs 412 px, has 380", "contrast 2.4:1 < 7:1".
    figure: str

    def __str__(self) -> str:
        return f"{self.check}: {self.widget} {short(self.text)!r}: {self.figure}"


def short(text: str, length: int = 48) -> str:
    flat = " ⏎ ".join(part.strip() for part in text.splitlines() if part.strip())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def check_screen(window: QWidget, *, high_contrast: bool) -> list[Finding]:
    """Every finding of the three checks on what `window` shows now."""
    top = top_layer(window)
    widgets = [top, *(w for w in top.findChildren(QWidget) if w.isVisible())]
    image = _pixels(window.grab().toImage())
    ratio = HIGH_CONTRAST_RATIO if high_contrast else NORMAL_RATIO
    found: list[Finding] = []
    for widget in widgets:
        if not widget.isVisible():
            continue
        text = shown_text(widget)
        if text and text.strip():
            found.extend(glyphs(widget, text))
            found.extend(clipping(widget, text, window))
            found.extend(text_contrast(widget, text, window, image, ratio))
        found.extend(icon_contrast(widget, window, image, ratio))
        found.extend(touch_target(widget))
    return found


def top_layer(window: QWidget) -> QWidget:
    """What a citizen sees: the last shown child covering the whole window (an overlay), else
    the window. Children are kept in stacking order, the last drawn over the others."""
    top = window
    for child in window.children():
        if (
            isinstance(child, QWidget)
            and not child.isWindow()
            and child.isVisible()
            and child.geometry().contains(window.rect())
        ):
            top = child
    return top


# ---- what is shown --------------------------------------------------------------------------


def shown_text(widget: QWidget) -> str | None:
    """The words `widget` draws itself, or None for a widget that draws none."""
    if isinstance(widget, QLabel):
        if not widget.pixmap().isNull():
            return None
        text = widget.text()
        rich = widget.textFormat() == Qt.TextFormat.RichText or (
            widget.textFormat() == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)
        )
        if rich:
            document = QTextDocument()
            document.setHtml(text)
            return document.toPlainText()
        return text
    if isinstance(widget, QAbstractButton):
        return widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    if isinstance(widget, QLineEdit):
        return widget.displayText() or widget.placeholderText()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText() or widget.placeholderText()
    if isinstance(widget, QTextEdit):
        return widget.toPlainText() or widget.placeholderText()
    return None


def describe(widget: QWidget) -> str:
    """The widget's class, the attribute of the screen object holding it and its accessible
    name: "BigButton FormView.next_button [Next]"."""
    where = ""
    parent = widget.parentWidget()
    hops = 0
    while parent is not None and hops < 6 and not where:
        where = _attribute_naming(parent, widget)
        parent = parent.parentWidget()
        hops += 1
    if not where:
        owner = widget.parentWidget()
        while owner is not None and not type(owner).__module__.startswith("kiosk"):
            owner = owner.parentWidget()
        where = f"in {type(owner).__name__}" if owner is not None else ""
    name = widget.objectName()
    accessible = widget.accessibleName()
    parts = [type(widget).__name__ + (f"#{name}" if name else "")]
    if where:
        parts.append(where)
    if accessible:
        parts.append(f"[{short(accessible, 40)}]")
    return " ".join(parts)


def _attribute_naming(owner: QWidget, widget: QWidget) -> str:
    for attribute, value in vars(owner).items():
        if value is widget:
            return f"{type(owner).__name__}.{attribute}"
        if isinstance(value, dict):
            for key, item in value.items():
                if item is widget:
                    return f"{type(owner).__name__}.{attribute}[{key!r}]"
                if isinstance(item, tuple) and any(part is widget for part in item):
                    return f"{type(owner).__name__}.{attribute}[{key!r}]"
    return ""


# ---- glyphs ---------------------------------------------------------------------------------

_glyph_cache: dict[tuple[str, str], bool] = {}


def has_glyph(font: QFont, character: str) -> bool:
    """Whether Qt draws `character` in `font` (or a fallback font) as a real glyph."""
    key = (font.key(), character)
    if key not in _glyph_cache:
        layout = QTextLayout(character, font)
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        runs = layout.glyphRuns()
        _glyph_cache[key] = bool(runs) and all(0 not in run.glyphIndexes() for run in runs)
    return _glyph_cache[key]


def glyphs(widget: QWidget, text: str) -> Iterator[Finding]:
    font = widget.font()
    missing = sorted(
        {
            ch
            for ch in text
            if unicodedata.category(ch) not in _INVISIBLE and not has_glyph(font, ch)
        }
    )
    if missing:
        names = ", ".join(f"{ch} U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in missing)
        yield Finding(
            "glyphs",
            describe(widget),
            text,
            f"no installed font has {names}: drawn as a box (font {font.family()!r})",
        )


# ---- clipping -------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _label_room(label: QLabel) -> QRect:
    room = label.contentsRect()
    margin = label.margin()
    return room.adjusted(margin, margin, -margin, -margin)


def _button_option(button: QAbstractButton, focused: bool) -> QStyleOptionButton:
    option = QStyleOptionButton()
    try:
        button.initStyleOption(option)  # type: ignore[attr-defined]
    except (AttributeError, TypeError):
        option.initFrom(button)
        option.text = button.text()
        option.icon = button.icon()
        option.iconSize = button.iconSize()
    if focused:
        option.state |= QStyle.StateFlag.State_HasFocus
    else:
        option.state &= ~QStyle.StateFlag.State_HasFocus
    return option


def _button_room(button: QAbstractButton, focused: bool) -> QRect:
    element = QStyle.SubElement.SE_PushButtonContents
    if isinstance(button, QCheckBox):
        element = QStyle.SubElement.SE_CheckBoxContents
    elif isinstance(button, QRadioButton):
        element = QStyle.SubElement.SE_RadioButtonContents
    option = _button_option(button, focused)
    return button.style().subElementRect(element, option, button)


def _icon_room(button: QAbstractButton) -> int:
    return button.iconSize().width() + 4 if not button.icon().isNull() else 0


def _wrapped_lines(button: QAbstractButton) -> list[str] | None:
    """The lines a button that wraps its words draws them on, or None for one that does not."""
    wraps = getattr(button, "wordWrap", None)
    lines = getattr(button, "lines", None)
    if callable(wraps) and wraps() and callable(lines):
        found = lines()
        return [str(line) for line in found]
    return None


def clipping(widget: QWidget, text: str, window: QWidget) -> Iterator[Finding]:
    if isinstance(widget, QLabel):
        yield from _label_clipping(widget, text)
    elif isinstance(widget, QAbstractButton):
        yield from _button_clipping(widget, text)
    else:
        return
    span = text_span(widget, text)
    if span is not None:
        # What the widget itself cuts off is told above; here, what its containers cut off.
        if isinstance(widget, QLabel):
            span = span.intersected(_label_room(widget))
        elif isinstance(widget, QAbstractButton):
            span = span.intersected(_button_room(widget, widget.hasFocus()))
        if not span.isEmpty():
            yield from _cut_by_containers(widget, text, span, window)


def _label_clipping(label: QLabel, text: str) -> Iterator[Finding]:
    room = _label_room(label)
    metrics = label.fontMetrics()
    flags = int(label.alignment())
    if label.wordWrap():
        bound = metrics.boundingRect(
            QRect(0, 0, max(room.width(), 1), 1 << 20), flags | Qt.TextFlag.TextWordWrap, text
        )
        if bound.width() > room.width():
            word = max(text.split(), key=metrics.horizontalAdvance)
            yield Finding(
                "clipping",
                describe(label),
                text,
                f"the word {word!r} needs {metrics.horizontalAdvance(word)} px, has {room.width()}",
            )
        if bound.height() > room.height() + SLACK_PX:
            yield Finding(
                "clipping",
                describe(label),
                text,
                f"wrapped to {room.width()} px it needs {bound.height()} px of height, "
                f"has {room.height()}",
            )
        return
    bound = metrics.boundingRect(QRect(0, 0, 1 << 20, 1 << 20), flags, text)
    if bound.width() > room.width():
        yield Finding(
            "clipping",
            describe(label),
            text,
            f"needs {bound.width()} px, has {room.width()} (and does not wrap)",
        )
    if bound.height() > room.height() + SLACK_PX:
        yield Finding(
            "clipping",
            describe(label),
            text,
            f"needs {bound.height()} px of height, has {room.height()}",
        )


def _button_clipping(button: QAbstractButton, text: str) -> Iterator[Finding]:
    """The words against the room the style leaves them, in the button's plain look and, for a
    button the citizen can move the focus to, in its focused look (a thicker frame leaves less
    room, and the painter cuts the words at the edge of that room)."""
    metrics = button.fontMetrics()
    icon = _icon_room(button)
    wrapped = _wrapped_lines(button)
    lines = wrapped if wrapped is not None else _lines(text)
    if wrapped is not None and " ".join(" ".join(lines).split()) != " ".join(text.split()):
        yield Finding("clipping", describe(button), text, f"drawn as {lines!r}: words are missing")
    widest = max(metrics.horizontalAdvance(line) for line in lines) + icon
    tall = metrics.lineSpacing() * (len(lines) - 1) + metrics.height()
    plain = _button_room(button, False)
    looks = [(plain, "")]
    if button.focusPolicy() & Qt.FocusPolicy.TabFocus:
        focused = _button_room(button, True)
        if focused != plain:
            looks.append((focused, " when focused"))
    for room, when in looks:
        if widest > room.width():
            line = max(lines, key=metrics.horizontalAdvance)
            yield Finding(
                "clipping", describe(button), line, f"needs {widest} px, has {room.width()}{when}"
            )
            return
        if tall > room.height() + SLACK_PX:
            yield Finding(
                "clipping",
                describe(button),
                text,
                f"{len(lines)} line(s) need {tall} px of height, has {room.height()}{when}",
            )
            return


def text_span(widget: QWidget, text: str) -> QRect | None:
    """Where in `widget` its words are drawn (widget coordinates)."""
    if isinstance(widget, QLabel):
        room = _label_room(widget)
        flags = int(widget.alignment())
        if widget.wordWrap():
            flags |= int(Qt.TextFlag.TextWordWrap)
        return (
            widget.fontMetrics()
            .boundingRect(room, flags, text)
            .intersected(QRect(QPoint(0, 0), widget.size()).adjusted(-(1 << 20), 0, 1 << 20, 0))
        )
    if isinstance(widget, QPushButton):
        room = _button_room(widget, widget.hasFocus())
        metrics = widget.fontMetrics()
        wrapped = _wrapped_lines(widget)
        lines = wrapped if wrapped is not None else _lines(text)
        width = max(metrics.horizontalAdvance(line) for line in lines) + _icon_room(widget)
        height = metrics.lineSpacing() * (len(lines) - 1) + metrics.height()
        centre = room.center()
        if widget.property("role") == "tile" or "text-align: left" in widget.styleSheet():
            left = room.left()
        else:
            left = centre.x() - width // 2
        return QRect(left, centre.y() - height // 2, width, height)
    if isinstance(widget, QAbstractButton):
        room = _button_room(widget, widget.hasFocus())
        return room
    return None


def _scrolls(viewport: QWidget) -> tuple[bool, bool]:
    """Whether what lies beyond `viewport` can be scrolled to: (across, down)."""
    area = viewport.parentWidget()
    if isinstance(area, QAbstractScrollArea) and area.viewport() is viewport:
        off = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        return (
            area.horizontalScrollBarPolicy() != off,
            area.verticalScrollBarPolicy() != off,
        )
    return (False, False)


def _cut_by_containers(
    widget: QWidget, text: str, span: QRect, window: QWidget
) -> Iterator[Finding]:
    """Words drawn where an ancestor does not show them: beyond its edge, with no scrolling to
    bring them into view. A scroll area shows what lies beyond its viewport when scrolled, so
    past one only the part of the words within its viewport is followed further up."""
    words = span.translated(widget.mapTo(window, QPoint(0, 0)))
    parent = widget.parentWidget()
    while parent is not None:
        top_left = parent.mapTo(window, QPoint(0, 0)) if parent is not window else QPoint(0, 0)
        shown = QRect(top_left, parent.size())
        across, down = _scrolls(parent)
        if across:
            words = QRect(shown.left(), words.top(), shown.width(), words.height()).intersected(
                words
            )
        if down:
            words = QRect(words.left(), shown.top(), words.width(), shown.height()).intersected(
                words
            )
        if words.isEmpty():
            return  # scrolled out of sight
        left_out = max(0, shown.left() - words.left()) + max(0, words.right() - shown.right())
        top_out = max(0, shown.top() - words.top()) + max(0, words.bottom() - shown.bottom())
        if left_out > 1:
            yield Finding(
                "clipping",
                describe(widget),
                text,
                f"{left_out} px of its {words.width()} px of words lie beyond the edge of "
                f"{describe(parent)}",
            )
            return
        if top_out > SLACK_PX:
            yield Finding(
                "clipping",
                describe(widget),
                text,
                f"{top_out} px of its {words.height()} px high words lie beyond the edge of "
                f"{describe(parent)}",
            )
            return
        if parent is window:
            return
        parent = parent.parentWidget()


# ---- contrast -------------------------------------------------------------------------------


def _pixels(image: QImage) -> np.ndarray:
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


def visible_rect(widget: QWidget, window: QWidget) -> QRect:
    """The part of `widget` its ancestors show, in window coordinates."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        rect = rect.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return rect.intersected(window.rect())


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
        return image, _button_room(widget, widget.hasFocus())
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
    argb = _pixels_with_alpha(picture)
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


def _pixels_with_alpha(image: QImage) -> np.ndarray:
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    width, height = argb.width(), argb.height()
    data = np.frombuffer(argb.constBits(), dtype=np.uint32, count=argb.bytesPerLine() // 4 * height)
    # A copy: the image's memory goes with `argb`.
    return data.reshape(height, argb.bytesPerLine() // 4)[:, :width].ravel().copy()


# ---- touch ----------------------------------------------------------------------------------


def touch_target(widget: QWidget) -> Iterator[Finding]:
    if not isinstance(widget, QAbstractButton) or not widget.isEnabled():
        return
    if widget.width() < MIN_TARGET_PX or widget.height() < MIN_TARGET_PX:
        yield Finding(
            "touch",
            describe(widget),
            shown_text(widget) or widget.accessibleName(),
            f"touch target {widget.width()}×{widget.height()} px < "
            f"{MIN_TARGET_PX}×{MIN_TARGET_PX} px",
        )
