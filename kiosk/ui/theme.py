"""The look of every screen at once: a normal and a high-contrast theme, at any text size.

One application-wide style sheet, rebuilt when the citizen changes text size or contrast, so
no screen can be left behind. Sizes are in pixels for a 1920×1080 panel of 21–24": 48 px is about
9 mm, the smallest touch target we allow.

Focus is one ring, never a colour change alone, and never Qt's dotted rectangle besides (the
style sheet gives every widget `outline: none`, which keeps the style from drawing it). A
button's ring shows while the citizen uses keys (a keypad, a keyboard), as browsers do: after a
touch, the button that took the focus with it, or the first choice of a new page, must not look
chosen. A chosen button is filled; a focused one is ringed. A text field always shows its ring:
that is where the typing goes.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

MIN_TOUCH_PX = 64
#: How much the top bar's words grow at most with large text (the page's grow more).
BAR_SCALE = 1.25
#: ... and the attract screen's.
WELCOME_SCALE = 1.5


@dataclass(frozen=True)
class Palette:
    background: str
    surface: str
    text: str
    muted: str
    primary: str
    on_primary: str
    danger: str
    on_danger: str
    border: str
    focus: str
    checked: str
    on_checked: str
    banner: str
    on_banner: str
    warning: str
    on_warning: str
    warning_border: str
    #: A field's error: its frame and its words (with a sign, never colour alone).
    error: str
    #: The second colour of an icon's pictogram (the pen, the arrow).
    accent: str
    #: The focus ring's inner line, which keeps the ring visible on any fill.
    focus_inner: str


NORMAL = Palette(
    background="#f2f4f7",
    surface="#ffffff",
    text="#1a1a1a",
    muted="#4a4f57",
    primary="#0b4a99",
    on_primary="#ffffff",
    danger="#a4161a",
    on_danger="#ffffff",
    border="#8a929e",
    #: A ring at least 3:1 against the page and any button or field it goes round.
    focus="#b86e00",
    checked="#0b4a99",
    on_checked="#ffffff",
    banner="#1e6b36",
    on_banner="#ffffff",
    warning="#fff1c2",
    on_warning="#1a1a1a",
    warning_border="#8a6100",
    error="#a4161a",
    accent="#f0a800",
    focus_inner="#1a1a1a",
)

HIGH_CONTRAST = Palette(
    background="#000000",
    surface="#000000",
    text="#ffffff",
    muted="#ffffff",
    primary="#ffff00",
    on_primary="#000000",
    danger="#ffffff",
    on_danger="#000000",
    border="#ffffff",
    focus="#00ffff",
    checked="#ffff00",
    on_checked="#000000",
    banner="#ffff00",
    on_banner="#000000",
    warning="#000000",
    on_warning="#ffff00",
    warning_border="#ffff00",
    error="#ffff00",
    accent="#000000",
    focus_inner="#000000",
)


def palette(*, high_contrast: bool) -> Palette:
    return HIGH_CONTRAST if high_contrast else NORMAL


def stylesheet(*, high_contrast: bool, scale: float) -> str:
    p = palette(high_contrast=high_contrast)

    def px(size: float) -> str:
        return f"{round(size * scale)}px"

    def bar_px(size: float) -> str:
        # The top bar grows with large text only so far: it stays one row in every language.
        return f"{round(size * min(scale, BAR_SCALE))}px"

    def welcome_px(size: float) -> str:
        # The attract screen's three welcomes side by side, and the idle warning (which must
        # be seen whole at once), fit the screen at any text size.
        return f"{round(size * min(scale, WELCOME_SCALE))}px"

    border_w = 3 if high_contrast else 2
    # On-screen keys grow with large text only so far: the keyboard must leave room for the form.
    key_font = round(30 * min(scale, 1.6))
    return f"""
* {{ font-family: "DejaVu Sans", "Noto Sans", sans-serif; color: {p.text}; outline: none; }}
QWidget#KioskWindow, QWidget[role="screen"] {{ background: {p.background}; }}
QScrollArea#ContentScroll, QScrollArea#ContentScroll > QWidget > QWidget
    {{ background: transparent; }}
QLabel {{ font-size: {px(24)}; background: transparent; }}
QLabel[role="h1"] {{ font-size: {px(56)}; font-weight: bold; }}
QWidget#AttractScreen QLabel[role="h1"] {{ font-size: {welcome_px(56)}; }}
QWidget#AttractScreen QLabel[role="lead"] {{ font-size: {welcome_px(30)}; }}
QWidget#AttractScreen QLabel[role="muted"] {{ font-size: {welcome_px(22)}; }}
QWidget#AttractScreen QLabel[role="banner"] {{ font-size: {welcome_px(30)}; }}
QWidget#AttractScreen QPushButton[role="language"] {{ font-size: {welcome_px(34)};
    min-height: {welcome_px(96)}; }}
QWidget[role="overlay"] QLabel[role="h1"] {{ font-size: {welcome_px(56)}; }}
QWidget[role="overlay"] QLabel[role="countdown"] {{ font-size: {welcome_px(44)}; }}
QWidget[role="overlay"] QLabel[role="lead"] {{ font-size: {welcome_px(30)}; }}
QWidget[role="overlay"] QPushButton {{ font-size: {welcome_px(26)}; }}
QLabel[role="h2"] {{ font-size: {px(34)}; font-weight: bold; }}
QLabel[role="lead"] {{ font-size: {px(30)}; }}
QLabel[role="muted"] {{ font-size: {px(22)}; color: {p.muted}; }}
QLabel[role="countdown"] {{ font-size: {px(44)}; font-weight: bold; }}
QLabel[role="banner"] {{ font-size: {px(30)}; background: {p.banner}; color: {p.on_banner};
    padding: {px(18)}; border-radius: 8px; }}
QLabel[role="status-bad"] {{ font-weight: bold; }}
QLabel[role="warning"] {{ font-size: {px(30)}; background: {p.warning}; color: {p.on_warning};
    border: 4px solid {p.warning_border}; border-radius: 10px; padding: {px(20)}; }}
QFrame[role="card"] {{ background: {p.surface}; border: {border_w}px solid {p.border};
    border-radius: 12px; }}
QFrame[role="bar"] {{ background: {p.surface}; border-bottom: {border_w}px solid {p.border}; }}
QFrame[role="bar"] QPushButton {{ font-size: {bar_px(26)}; padding: {bar_px(8)} {bar_px(16)}; }}
QFrame[role="bar"] QLabel[role="h2"] {{ font-size: {bar_px(30)}; }}
QFrame[role="footer"] {{ background: {p.surface}; border-top: {border_w}px solid {p.border}; }}
QWidget[role="overlay"] {{ background: rgba(0, 0, 0, 200); }}
QPushButton {{
    font-size: {px(26)}; min-height: {MIN_TOUCH_PX}px; min-width: {MIN_TOUCH_PX}px;
    padding: {px(8)} {px(22)}; border-radius: 10px;
    background: {p.surface}; color: {p.text}; border: {border_w}px solid {p.border};
    selection-background-color: {p.focus}; selection-color: {p.focus_inner};
}}
QPushButton[role="primary"] {{ background: {p.primary}; color: {p.on_primary};
    border-color: {p.primary}; font-weight: bold; }}
QPushButton[role="danger"] {{ background: {p.danger}; color: {p.on_danger};
    border-color: {p.danger}; font-weight: bold; }}
QPushButton[role="tile"] QLabel[role="h2"] {{ font-size: {welcome_px(34)}; }}
QPushButton[role="tile"] {{ font-size: {px(30)}; font-weight: bold; text-align: left;
    padding: {px(20)}; min-height: {px(150)}; border-radius: 16px; background: {p.surface}; }}
QPushButton[role="language"] {{ font-size: {px(34)}; min-height: {px(96)}; min-width: {bar_px(260)};
    font-weight: bold; background: {p.primary}; color: {p.on_primary}; border-color: {p.primary}; }}
QPushButton[role="key"] {{ font-size: {px(36)}; min-height: 88px; min-width: 140px; }}
QPushButton:checked {{ background: {p.checked}; color: {p.on_checked}; border-color: {p.text};
    text-decoration: underline; }}
QPushButton:disabled {{ color: {p.muted}; border-style: dashed; }}
QPushButton:pressed {{ padding-top: {px(11)}; }}
QPushButton[role="osk"] {{ font-size: {key_font}px; min-height: 72px; min-width: 72px;
    padding: 4px 8px; border-radius: 8px; }}
QFrame[role="keyboard-popup"] {{ background: {p.surface}; border: {border_w + 1}px solid {p.text};
    border-radius: 12px; }}
QFrame[role="keyboard"] {{ background: {p.surface}; border-top: {border_w}px solid {p.border}; }}
QLineEdit, QPlainTextEdit {{ font-size: {px(28)}; background: {p.surface}; color: {p.text};
    placeholder-text-color: {p.muted};
    border: {border_w}px solid {p.border}; border-radius: 8px; padding: {px(8)} {px(12)}; }}
QLineEdit {{ min-height: {MIN_TOUCH_PX}px; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {{ border: 5px solid {p.error}; }}
QLineEdit:focus, QPlainTextEdit:focus {{ border: {max(5, border_w + 3)}px solid {p.focus}; }}
QLabel[role="field"] {{ font-size: {px(28)}; font-weight: bold; }}
QLabel[role="error"] {{ font-size: {px(26)}; font-weight: bold; color: {p.error}; }}
QLabel[role="reference"] {{ font-size: {px(56)}; font-weight: bold; letter-spacing: 4px;
    background: {p.surface}; border: {border_w}px solid {p.border}; border-radius: 12px;
    padding: {px(16)} {px(32)}; }}
QScrollArea {{ border: none; background: transparent; }}
QScrollArea > QWidget > QWidget {{ background: transparent; }}
QScrollBar:vertical {{ width: 28px; background: {p.background}; }}
QScrollBar::handle:vertical {{ background: {p.border}; min-height: 64px; border-radius: 8px; }}
"""


# ---- focus ------------------------------------------------------------------------------------

#: The ring: a band in the focus colour and a thin line inside it, so it shows on any fill.
RING_PX = 5
RING_INNER_PX = 2


class _KeysInUse(QObject):
    """Whether the citizen is using keys rather than touch: the last input decides."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.active = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.KeyPress and event.spontaneous():
            self._set(True)
        elif kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self._set(False)
        return False

    def _set(self, active: bool) -> None:
        if active != self.active:
            self.active = active
            focused = QApplication.focusWidget()
            if focused is not None:
                focused.update()


_keys: _KeysInUse | None = None


def install_focus(app: QApplication) -> QObject:
    """One focus indicator for the whole application: a ring on the focused button while keys
    are in use (the style sheet keeps Qt's own focus rectangle away). Idempotent. Returns the
    filter that tells keys from touch, for the window's input watch (kiosk.ui.input_watch) to
    hand its events to.

    Not a proxy of the platform style that skips the rectangle: Python would then be called for
    every primitive Qt draws, and subclassing QProxyStyle makes PySide build its whole QStyle
    class (hundreds of enum members) before the first paint."""
    global _keys
    if _keys is None or _keys.parent() is not app:
        _keys = _KeysInUse(app)
    return _keys


def keys_in_use() -> None:
    """A key was used, though a filter before the theme's took it (the keypad's): the ring
    shows."""
    if _keys is not None:
        _keys._set(True)


def focus_visible() -> bool:
    """Whether a focused button shows its ring now."""
    return _keys is not None and _keys.active


def paint_focus_ring(widget: QWidget, radius: float) -> None:
    """The ring around `widget`, in the colours the theme gives buttons."""
    # Drawn only once keys are in use: PySide builds these classes then, not before the first
    # paint.
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QPainter, QPalette, QPen

    palette = widget.palette()
    outer = palette.color(QPalette.ColorRole.Highlight)
    inner = palette.color(QPalette.ColorRole.HighlightedText)
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    band = QRectF(widget.rect()).adjusted(RING_PX / 2, RING_PX / 2, -RING_PX / 2, -RING_PX / 2)
    painter.setPen(QPen(QColor(outer), RING_PX))
    painter.drawRoundedRect(band, radius, radius)
    line = band.adjusted(
        (RING_PX + RING_INNER_PX) / 2,
        (RING_PX + RING_INNER_PX) / 2,
        -(RING_PX + RING_INNER_PX) / 2,
        -(RING_PX + RING_INNER_PX) / 2,
    )
    painter.setPen(QPen(QColor(inner), RING_INNER_PX))
    painter.drawRoundedRect(line, max(0.0, radius - RING_PX), max(0.0, radius - RING_PX))
    painter.end()
