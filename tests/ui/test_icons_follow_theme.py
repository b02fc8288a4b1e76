"""Icons are drawn with glyphs and colours the kiosk has: the video-advice button shows its SVG
icon (no missing-glyph box), and every icon follows the theme, legible in high contrast too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.i18n import Catalogue
from kiosk.services import SERVICES
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.state import UiState
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.ui.conftest import open_window
from tests.ui.pixels import colours, contrast, dominant


@pytest.fixture
def window(
    qtbot: QtBot, make_config: Callable[..., Config], clock: FakeClock
) -> Iterator[KioskWindow]:
    """The kiosk with a hub to call: the video-advice button is in the footer."""
    base = make_config()
    config = replace(base, kiosk=replace(base.kiosk, hub_token="kiosk-token"))
    yield from open_window(qtbot, config, clock)


def missing_glyphs(button: QAbstractButton) -> list[str]:
    metrics = QFontMetrics(button.font())
    return [ch for ch in button.text() if not ch.isspace() and not metrics.inFontUcs4(ord(ch))]


@pytest.mark.parametrize("high_contrast", [False, True])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_video_advice_button_draws_every_character_and_a_visible_icon(
    qtbot: QtBot, window: KioskWindow, language: str, high_contrast: bool
) -> None:
    qtbot.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
    window.ui.set_high_contrast(high_contrast)
    frame = window.frame
    assert frame is not None and frame.advice_button is not None
    button = frame.advice_button
    assert button.isVisible()
    # Every button of the bar and the footer, the advice button among them.
    for each in frame.findChildren(QAbstractButton):
        if each.isVisible() and not frame.stack.isAncestorOf(each):
            assert not missing_glyphs(each), (
                f"{each.text()!r} has no glyph for {missing_glyphs(each)}"
            )
    assert not button.icon().isNull(), "the button shows its icon"

    # The icon, drawn on the button's own colour, stands out from it.
    fill = QColor(dominant(button.grab().toImage()))
    side = button.iconSize().width()
    drawn = QImage(side, side, QImage.Format.Format_RGB32)
    drawn.fill(fill)
    painter = QPainter(drawn)
    painter.drawPixmap(0, 0, button.icon().pixmap(button.iconSize()))
    painter.end()
    strongest = max(
        contrast(fill, QColor(c))
        for c, n in colours(drawn).items()
        if n > side  # a real part of the icon, not a few blended pixels
    )
    assert strongest >= (7 if high_contrast else 4.5), f"icon on {fill.name()}: {strongest:.1f}:1"


def icon_contrasts(home: HomeScreen, service: str) -> tuple[float, float]:
    """The icon's disc against the tile, and its pictogram against the disc, from pixels."""
    tile = home.tiles[service]
    image = tile.grab().toImage()
    icon = next(i for i in tile.findChildren(QLabel) if not i.pixmap().isNull()).geometry()
    background = image.pixelColor(icon.left() - 6, icon.center().y())
    inner = icon.adjusted(8, 8, -8, -8)  # inside the disc, clear of its anti-aliased edge
    found = colours(image, inner).most_common(2)
    disc, pictogram = (QColor(c) for c, _ in found)
    return contrast(disc, background), contrast(pictogram, disc)


@pytest.mark.parametrize(("high_contrast", "least"), [(False, 4.5), (True, 7.0)])
def test_tile_icons_follow_the_theme(qtbot: QtBot, high_contrast: bool, least: float) -> None:
    ui = UiState(Catalogue(), language="fi", large_text_scale=1.5, high_contrast=high_contrast)
    ui.apply_style()
    home = HomeScreen(ui, list(SERVICES.values()))
    qtbot.addWidget(home)
    home.resize(1920, 900)
    home.show()
    qtbot.waitExposed(home)
    for service in SERVICES:
        disc, pictogram = icon_contrasts(home, service)
        assert disc >= least, f"{service}: icon {disc:.1f}:1 against the tile"
        assert pictogram >= least, f"{service}: pictogram {pictogram:.1f}:1 against its disc"


def test_tile_icons_change_with_the_theme_while_shown(qtbot: QtBot) -> None:
    ui = UiState(Catalogue(), language="en", large_text_scale=1.5, high_contrast=False)
    ui.apply_style()
    home = HomeScreen(ui, list(SERVICES.values()))
    qtbot.addWidget(home)
    home.resize(1920, 900)
    home.show()
    ui.set_high_contrast(True)
    disc, _ = icon_contrasts(home, "scan")
    assert disc >= 7
    ui.set_high_contrast(False)
    disc, _ = icon_contrasts(home, "scan")
    assert disc >= 4.5


@pytest.mark.parametrize(("high_contrast", "least"), [(False, 4.5), (True, 7.0)])
def test_a_fields_hint_text_is_readable(qtbot: QtBot, high_contrast: bool, least: float) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QLineEdit

    ui = UiState(Catalogue(), language="en", large_text_scale=1.5, high_contrast=high_contrast)
    ui.apply_style()
    field = QLineEdit()
    field.setPlaceholderText("Type a word of the form's name")
    qtbot.addWidget(field)
    field.show()
    field.ensurePolished()
    hint = field.palette().color(QPalette.ColorRole.PlaceholderText)
    ground = QColor(dominant(field.grab().toImage()))
    # As drawn: a see-through hint colour is blended with the field's own.
    a = hint.alphaF()
    drawn = QColor.fromRgbF(
        *(
            h * a + g * (1 - a)
            for h, g in zip(hint.getRgbF()[:3], ground.getRgbF()[:3], strict=True)
        )
    )
    assert contrast(drawn, ground) >= least, f"{drawn.name()} on {ground.name()}"


@pytest.mark.parametrize("high_contrast", [False, True])
def test_a_tile_out_of_use_shows_it_in_its_icon_too(qtbot: QtBot, high_contrast: bool) -> None:
    from kiosk.devices.catalog import DeviceClass

    ui = UiState(Catalogue(), language="fi", large_text_scale=1.5, high_contrast=high_contrast)
    ui.apply_style()
    home = HomeScreen(ui, list(SERVICES.values()))
    qtbot.addWidget(home)
    home.resize(1920, 900)
    home.show()
    qtbot.waitExposed(home)

    def disc(service: str) -> str:
        tile = home.tiles[service]
        image = tile.grab().toImage()
        icon = next(i for i in tile.findChildren(QLabel) if not i.pixmap().isNull()).geometry()
        return colours(image, icon.adjusted(8, 8, -8, -8)).most_common(1)[0][0]

    in_use = disc("print")
    home.set_unusable_devices({DeviceClass.PRINTER})
    assert not home.tiles["print"].isEnabled()
    assert disc("print") != in_use, "the icon of a tile out of use is greyed like its words"
    disc_now, _ = icon_contrasts(home, "print")
    assert disc_now >= 4.5, "and still seen"
    home.set_unusable_devices(set())
    assert disc("print") == in_use


@pytest.mark.parametrize(("high_contrast", "least"), [(False, 4.5), (True, 7.0)])
def test_the_take_your_card_icon_follows_the_theme(
    qtbot: QtBot, high_contrast: bool, least: float
) -> None:
    from kiosk.ui.screens.card_reminder import CardReminder

    ui = UiState(Catalogue(), language="fi", large_text_scale=1.5, high_contrast=False)
    ui.apply_style()
    reminder = CardReminder(ui)
    qtbot.addWidget(reminder)
    reminder.resize(1920, 1080)
    reminder.show_for("fi", 30)
    reminder.show()
    qtbot.waitExposed(reminder)
    # Switched while shown, as a citizen's choice of contrast outlives the session's end.
    ui.set_high_contrast(high_contrast)
    screen = reminder.grab().toImage()
    page = QColor(dominant(screen))
    icon = reminder.icon.grab().toImage()
    drawn = [QColor(c) for c, n in colours(icon).most_common() if n > 200]
    disc = max(drawn, key=lambda c: contrast(c, page))
    assert contrast(disc, page) >= least, f"card icon {contrast(disc, page):.1f}:1 on the page"
    if high_contrast:
        # Nothing of it is left in the normal theme's dark blue, 2.4:1 against black.
        blue = QColor("#0b4a99")
        dark = sum(n for c, n in colours(icon).items() if contrast(QColor(c), blue) < 1.2)
        assert dark == 0, f"{dark} pixels of the card icon are dark blue on black"
    reminder.finish()
