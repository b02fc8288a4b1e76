"""What the advisor would see of a shared screen: the window as it is, with a form's identity
code (and every field a form marks sensitive, and password fields) painted over, on the page
and on the form's summary alike. The call itself is tests/ui/test_call_help.py's."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from eforms.definition import Field
from kiosk.ui.screen_share import MASK, masked_picture, to_array
from kiosk.ui.sensitive import sensitive_rects
from kiosk.ui.window import KioskWindow
from tests.ui.test_forms import open_form, open_forms, text_field, touch

CANARY = "131052-308T"
RGB = QImage.Format.Format_RGB888


def region(picture: np.ndarray, window: KioskWindow, widget: QWidget) -> np.ndarray:
    """The part of `picture` where `widget` shows (it may be scrolled partly out of view)."""
    shown = widget.visibleRegion().boundingRect()
    assert not shown.isEmpty(), "the widget shows"
    rect = QRect(widget.mapTo(window, shown.topLeft()), shown.size())
    return picture[rect.top() : rect.bottom(), rect.left() : rect.right()]


def test_an_identity_code_is_painted_over_in_what_the_advisor_would_see(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_forms(qtbot, window, "fi")
    form = open_form(qtbot, screen, "library-card")
    code = text_field(form, "identity_code").editor
    name = text_field(form, "last_name").editor
    touch(qtbot, name)
    qtbot.keyClicks(name, "Virtanen")
    touch(qtbot, code)
    qtbot.keyClicks(code, CANARY)
    qtbot.wait(50)

    plain = to_array(window.grab().toImage().convertToFormat(RGB))
    shared = to_array(masked_picture(window, RGB))
    assert shared.shape == plain.shape == (1080, 1920, 3)
    # On the kiosk's own screen the code shows: its field has the dark pixels of its text...
    assert region(plain, window, code).min() < 100
    # ...in what is shared the field is one flat grey, nothing of the text left.
    covered = region(shared, window, code)
    assert (covered == [MASK.red(), MASK.green(), MASK.blue()]).all()
    # The name beside it is not sensitive: shared as it shows.
    assert (region(shared, window, name) == region(plain, window, name)).all()
    assert region(shared, window, name).min() < 100


def test_the_summary_hides_the_identity_code_too(qtbot: QtBot, window: KioskWindow) -> None:
    screen = open_forms(qtbot, window, "fi")
    form = open_form(qtbot, screen, "library-card")
    code = text_field(form, "identity_code").editor
    touch(qtbot, code)
    qtbot.keyClicks(code, CANARY)
    form.go_to(len(form.pages))
    assert form.on_summary
    qtbot.wait(50)
    value = form.summary.values["identity_code"]
    assert value.text() == CANARY and value.isVisible()
    shared = to_array(masked_picture(window, RGB))
    assert (region(shared, window, value) == [MASK.red(), MASK.green(), MASK.blue()]).all()
    assert any(
        r.contains(value.mapTo(window, value.rect().center())) for r in sensitive_rects(window)
    )


def test_a_password_field_is_sensitive_and_a_hidden_field_is_not_covered(
    qtbot: QtBot, window: KioskWindow
) -> None:
    field = QLineEdit(window)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setGeometry(100, 100, 300, 60)
    field.show()
    [rect] = sensitive_rects(window)
    assert rect.contains(field.geometry())
    field.hide()
    assert sensitive_rects(window) == []


def test_the_form_definition_says_which_fields_are_sensitive() -> None:
    def field(schema: dict[str, object]) -> Field:
        return Field("f", 0, schema, False, "f")

    assert field({"type": "string", "format": "fi-hetu"}).sensitive
    assert field({"type": "string", "format": "iban"}).sensitive
    assert field({"type": "string", "x-sensitive": True}).sensitive
    assert not field({"type": "string", "format": "email"}).sensitive
    assert not field({"type": "string", "x-sensitive": "yes"}).sensitive


def test_what_is_sent_is_qts_own_layout_of_the_same_picture(
    qtbot: QtBot, window: KioskWindow
) -> None:
    # The window goes to the call as Qt keeps it (no conversion on the Qt thread): blue,
    # green, red and a byte unused, the same colours as the RGB picture.
    picture = masked_picture(window)
    native = to_array(picture)
    rgb = to_array(picture.convertToFormat(RGB))
    assert native.shape == (1080, 1920, 4)
    assert (native[:, :, 2::-1] == rgb).all()


def test_the_picture_for_the_advisor_is_drawn_at_its_own_width_with_the_covers_scaled(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_forms(qtbot, window, "fi")
    form = open_form(qtbot, screen, "library-card")
    code = text_field(form, "identity_code").editor
    touch(qtbot, code)
    qtbot.keyClicks(code, CANARY)
    qtbot.wait(50)
    small = to_array(masked_picture(window, RGB, width=1280))
    assert small.shape == (720, 1280, 3)
    shown = code.visibleRegion().boundingRect()
    rect = QRect(code.mapTo(window, shown.topLeft()), shown.size())
    inner = [round(v * 2 / 3) for v in (rect.left() + 3, rect.top() + 3)]
    outer = [round(v * 2 / 3) for v in (rect.right() - 3, rect.bottom() - 3)]
    covered = small[inner[1] : outer[1], inner[0] : outer[0]]
    assert covered.size and (covered == [MASK.red(), MASK.green(), MASK.blue()]).all()
