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
  button and field to type into at least 44 × 44 px at 1080p, a fingertip.

`check_screen(window, high_contrast=...)` looks at what is shown now: the widgets of the topmost
layer (an overlay such as the idle warning hides the screen below it) that are visible. The
glyph and touch checks are here; clipping is screen_clipping's, contrast screen_contrast's, and
what a widget shows and where is screen_widgets'. Two more, "spoken" (every control's name is
one a listener understands) and "keys" (every control is in the keypad's reach, and the keypad
goes round them all), are screen_speech's; they see the window with its speech started.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from PySide6.QtGui import QFont, QTextLayout
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit, QWidget

from kiosk.ui.speech.order import what_is_shown
from tests.ui.screen_clipping import clipping
from tests.ui.screen_contrast import icon_contrast, pixels, text_contrast
from tests.ui.screen_speech import check_speech, start_speech
from tests.ui.screen_widgets import Finding, describe, shown_text

__all__ = ["Finding", "check_screen"]

MIN_TARGET_PX = 44
NORMAL_RATIO = 4.5
HIGH_CONTRAST_RATIO = 7.0
#: Characters that are never drawn as a glyph of their own.
_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def check_screen(window: QWidget, *, high_contrast: bool) -> list[Finding]:
    """Every finding of the checks on what `window` shows now."""
    start_speech(window)
    top = top_layer(window)
    widgets = [top, *(w for w in top.findChildren(QWidget) if w.isVisible())]
    image = pixels(window.grab().toImage())
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
    found.extend(check_speech(window))  # last: it moves the focus (and puts it back)
    return found


def top_layer(window: QWidget) -> QWidget:
    """What a citizen sees: the last shown child covering the whole window (an overlay), else
    the window; the keypad's reach is the same (kiosk.ui.speech.order)."""
    return what_is_shown(window)


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


# ---- touch ----------------------------------------------------------------------------------


def touch_target(widget: QWidget) -> Iterator[Finding]:
    """An enabled button, or a field to type into, is at least a fingertip across and down."""
    touched = isinstance(widget, QAbstractButton) or (
        isinstance(widget, QLineEdit | QPlainTextEdit) and not widget.isReadOnly()
    )
    if not touched or not widget.isEnabled():
        return
    if widget.width() < MIN_TARGET_PX or widget.height() < MIN_TARGET_PX:
        yield Finding(
            "touch",
            describe(widget),
            shown_text(widget) or widget.accessibleName(),
            f"touch target {widget.width()}×{widget.height()} px < "
            f"{MIN_TARGET_PX}×{MIN_TARGET_PX} px",
        )
