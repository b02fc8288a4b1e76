"""The look of every screen at once: a normal and a high-contrast theme, at any text size.

One application-wide style sheet, rebuilt when the citizen changes text size or contrast, so
no screen can be left behind. Sizes are in pixels for a 1920×1080 panel of 21–24": 48 px is about
9 mm, the smallest touch target we allow. Focus is always drawn as a thick outline, never as a
colour change alone.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_TOUCH_PX = 64


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
    focus="#f0a800",
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

    border_w = 3 if high_contrast else 2
    # On-screen keys grow with large text only so far: the keyboard must leave room for the form.
    key_font = round(30 * min(scale, 1.6))
    return f"""
* {{ font-family: "DejaVu Sans", "Noto Sans", sans-serif; color: {p.text}; }}
QWidget#KioskWindow, QWidget[role="screen"] {{ background: {p.background}; }}
QScrollArea#ContentScroll, QScrollArea#ContentScroll > QWidget > QWidget
    {{ background: transparent; }}
QLabel {{ font-size: {px(24)}; background: transparent; }}
QLabel[role="h1"] {{ font-size: {px(56)}; font-weight: bold; }}
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
QFrame[role="footer"] {{ background: {p.surface}; border-top: {border_w}px solid {p.border}; }}
QWidget[role="overlay"] {{ background: rgba(0, 0, 0, 200); }}
QPushButton {{
    font-size: {px(26)}; min-height: {MIN_TOUCH_PX}px; min-width: {MIN_TOUCH_PX}px;
    padding: {px(8)} {px(22)}; border-radius: 10px;
    background: {p.surface}; color: {p.text}; border: {border_w}px solid {p.border};
}}
QPushButton[role="primary"] {{ background: {p.primary}; color: {p.on_primary};
    border-color: {p.primary}; font-weight: bold; }}
QPushButton[role="danger"] {{ background: {p.danger}; color: {p.on_danger};
    border-color: {p.danger}; font-weight: bold; }}
QPushButton[role="tile"] {{ font-size: {px(30)}; font-weight: bold; text-align: left;
    padding: {px(20)}; min-height: {px(150)}; border-radius: 16px; background: {p.surface}; }}
QPushButton[role="language"] {{ font-size: {px(34)}; min-height: {px(96)}; min-width: {px(260)};
    font-weight: bold; background: {p.primary}; color: {p.on_primary}; border-color: {p.primary}; }}
QPushButton[role="key"] {{ font-size: {px(36)}; min-height: 88px; min-width: 140px; }}
QPushButton:checked {{ background: {p.checked}; color: {p.on_checked}; border-color: {p.text};
    text-decoration: underline; }}
QPushButton:disabled {{ color: {p.muted}; border-style: dashed; }}
QPushButton:focus {{ border: {max(5, border_w + 3)}px solid {p.focus}; }}
QPushButton:pressed {{ padding-top: {px(11)}; }}
QPushButton[role="osk"] {{ font-size: {key_font}px; min-height: 72px; min-width: 72px;
    padding: 4px 8px; border-radius: 8px; }}
QFrame[role="keyboard-popup"] {{ background: {p.surface}; border: {border_w + 1}px solid {p.text};
    border-radius: 12px; }}
QFrame[role="keyboard"] {{ background: {p.surface}; border-top: {border_w}px solid {p.border}; }}
QLineEdit, QPlainTextEdit {{ font-size: {px(28)}; background: {p.surface}; color: {p.text};
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
