"""The screen checks themselves see what they are for: a character no font has, words cut off,
too little contrast in words and icons, a button too small to touch, a control with no name a
listener understands, and one the keypad cannot reach or that keeps its keys; and they pass
what is fine. (The checks over every screen are tests/ui/test_screen_checks.py.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.ui.screen_checks import Finding, check_screen
from tests.ui.screen_speech import start_speech, understood


@pytest.fixture(autouse=True)
def plain_style(qapp: QApplication) -> Iterator[None]:
    """No kiosk style sheet left by another test: these screens are styled by themselves."""
    kept = qapp.styleSheet()
    qapp.setStyleSheet("")
    yield
    qapp.setStyleSheet(kept)


def screen(qtbot: QtBot, *widgets: QWidget, style: str = "") -> QWidget:
    window = QWidget()
    window.setObjectName("Screen")
    window.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
    window.setStyleSheet(
        'QWidget#Screen { background: #ffffff; } * { font-family: "DejaVu Sans"; '
        "font-size: 24px; color: #1a1a1a; }" + style
    )
    layout = QVBoxLayout(window)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    return window


def found(window: QWidget, check: str, *, high_contrast: bool = False) -> list[Finding]:
    return [f for f in check_screen(window, high_contrast=high_contrast) if f.check == check]


def test_a_character_no_installed_font_has_is_found(qtbot: QtBot) -> None:
    call = QPushButton("📞 Call")
    call.setMinimumSize(200, 64)
    window = screen(qtbot, call, QLabel("Åsa, Väinö, Šárka, Žaneta, Zoë, José: ½ € ✓ ⚠ ›"))
    (finding,) = found(window, "glyphs")
    assert "U+1F4DE" in finding.figure and "📞 Call" in finding.text


def test_a_button_narrower_than_its_words_is_found(qtbot: QtBot) -> None:
    cut = QPushButton("Paperi loppu")
    cut.setFixedSize(120, 64)
    fits = QPushButton("Paperi loppu")
    fits.setMinimumHeight(64)
    window = screen(qtbot, cut, fits)
    findings = found(window, "clipping")
    assert len(findings) == 1, [str(f) for f in findings]
    finding = findings[0]
    assert finding.text == "Paperi loppu"
    needs, has = (int(word) for word in finding.figure.split() if word.isdigit())
    assert needs > has and has < 120


def test_a_wrapped_label_shorter_than_its_lines_is_found(qtbot: QtBot) -> None:
    text = "Your session has ended and your data has been erased. Thank you! " * 3
    short = QLabel(text)
    short.setWordWrap(True)
    short.setFixedSize(400, 40)
    tall = QLabel(text)
    tall.setWordWrap(True)
    tall.setFixedWidth(400)
    window = screen(qtbot, short, tall)
    findings = found(window, "clipping")
    assert len(findings) == 1, [str(f) for f in findings]
    assert "of height, has 40" in findings[0].figure


def test_dark_blue_on_black_is_too_little_contrast(qtbot: QtBot) -> None:
    dim = QLabel("Video advice")
    dim.setStyleSheet("color: #0b4a99;")
    bright = QLabel("Video advice")
    bright.setStyleSheet("color: #ffff00;")
    window = screen(qtbot, dim, bright, style="QWidget#Screen { background: #000000; }")
    (finding,) = found(window, "contrast", high_contrast=True)
    assert finding.widget.startswith("QLabel") and "color" not in finding.figure
    assert "contrast 2.4:1 < 7:1" in finding.figure or "contrast 2.5:1 < 7:1" in finding.figure


@pytest.mark.parametrize(("disc", "seen"), [("#0b4a99", True), ("#ffff00", False)])
def test_an_icon_in_a_dark_colour_on_black_is_found(qtbot: QtBot, disc: str, seen: bool) -> None:
    picture = QPixmap(QSize(96, 96))
    picture.fill(Qt.GlobalColor.transparent)
    painter = QPainter(picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(disc))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(4, 4, 88, 88)
    painter.setBrush(QColor("#ffffff"))
    painter.drawRect(30, 30, 36, 36)
    painter.end()
    icon = QLabel()
    icon.setPixmap(picture)
    icon.setFixedSize(96, 96)
    window = screen(qtbot, icon, style="QWidget#Screen { background: #000000; }")
    findings = found(window, "contrast", high_contrast=True)
    assert bool(findings) is seen
    if seen:
        assert "icon contrast 2." in findings[0].figure


def test_a_button_or_field_smaller_than_a_fingertip_is_found(qtbot: QtBot) -> None:
    small = QPushButton("+")
    small.setFixedSize(40, 40)
    large = QPushButton("−")
    large.setFixedSize(64, 64)
    thin = QLineEdit()
    thin.setFixedHeight(30)
    window = screen(qtbot, small, large, thin)
    findings = sorted(found(window, "touch"), key=lambda f: f.widget)
    assert [f.widget.split()[0] for f in findings] == ["QLineEdit", "QPushButton"]
    assert findings[0].figure.endswith("×30 px < 44×44 px")
    assert "40×40 px < 44×44 px" in findings[1].figure


@pytest.mark.parametrize(
    ("name", "key", "heard"),
    [
        ("Print", False, True),
        ("Ok", False, True),
        ("OK, check the PIN", False, True),
        ("Tulosta A4-paperille", False, True),
        ("", False, False),
        ("▾", False, False),
        ("⌫", False, False),
        ("123", False, False),
        ("FI", False, False),
        ("A4", False, False),
        ("x", False, False),
        ("q", True, True),
        ("Å", True, True),
        ("7", True, True),
        (";", True, False),
    ],
)
def test_a_name_is_understood_when_it_has_a_word(name: str, key: bool, heard: bool) -> None:
    assert (understood(name, key=key) == "") is heard


def test_a_button_with_no_name_or_only_signs_is_found(qtbot: QtBot) -> None:
    nameless = QPushButton()
    nameless.setFixedSize(64, 64)
    sign = QPushButton("▾")
    sign.setFixedSize(64, 64)
    named = QPushButton("▾")
    named.setAccessibleName("Hide the keyboard")
    named.setFixedSize(64, 64)
    field = QLineEdit()
    field.setPlaceholderText("Your name")
    labelled = QLineEdit()
    label = QLabel("Your name")
    label.setBuddy(labelled)
    window = screen(qtbot, nameless, sign, named, field, label, labelled)
    findings = found(window, "spoken")
    assert sorted(f.figure for f in findings) == [
        "a name of signs only",
        "a text field with no label nor name of its own",
        "no spoken name",
    ], [str(f) for f in findings]
    assert "'▾, button'" in str(next(f for f in findings if "signs" in f.figure))


def test_a_button_the_keys_cannot_reach_is_found(qtbot: QtBot) -> None:
    first = QPushButton("Print")
    untouchable = QPushButton("Copy")
    untouchable.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    last = QPushButton("Scan")
    for button in (first, untouchable, last):
        button.setMinimumSize(200, 64)
    window = screen(qtbot, first, untouchable, last)
    (finding,) = found(window, "keys")
    assert finding.widget.startswith("QPushButton") and finding.text.startswith("Copy")
    assert "no focus (Qt.NoFocus)" in finding.figure


def test_a_control_that_swallows_the_keypads_arrow_is_found(qtbot: QtBot) -> None:
    class Swallow(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            return event.type() == QEvent.Type.KeyPress

    buttons = [QPushButton(name) for name in ("Print", "Copy", "Scan")]
    for button in buttons:
        button.setMinimumSize(200, 64)
    window = screen(qtbot, *buttons)
    assert not found(window, "keys")  # the keypad goes round the three
    start_speech(window)
    swallow = Swallow(window)
    buttons[1].installEventFilter(swallow)  # after the keypad's: it has the key first
    (finding,) = found(window, "keys")
    assert finding.text == "Copy, button" and "leaves the focus where it is" in finding.figure
    assert window.focusWidget() is buttons[0] or not window.focusWidget(), "focus put back"
