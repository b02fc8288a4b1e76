"""A page taller than its room scrolls under a finger, in every scroll area the screens make,
and making those areas for session after session leaves nothing behind."""

from __future__ import annotations

import gc

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.widgets.scrolling import scrolling


def tall_page() -> QWidget:
    page = QWidget()
    column = QVBoxLayout(page)
    for n in range(60):
        column.addWidget(QLabel(f"Line {n}"))
    return page


def drag_up(qtbot: QtBot, area: QScrollArea) -> None:
    """A finger put on the page near the bottom and drawn up to near the top."""
    device = QTest.createTouchDevice()
    viewport = area.viewport()
    x = viewport.width() // 2
    QTest.touchEvent(viewport, device).press(0, QPoint(x, 260), viewport).commit()
    for y in range(245, 30, -15):
        qtbot.wait(16)
        QTest.touchEvent(viewport, device).move(0, QPoint(x, y), viewport).commit()
    QTest.touchEvent(viewport, device).release(0, QPoint(x, 30), viewport).commit()


def gesture_types() -> int:
    return sum(isinstance(o, Qt.GestureType) for o in gc.get_objects())


def test_a_finger_drawn_up_scrolls_each_page(qtbot: QtBot) -> None:
    for _ in range(3):  # not only the first area made
        area = scrolling(tall_page())
        qtbot.addWidget(area)
        area.resize(400, 300)
        area.show()
        qtbot.waitExposed(area)
        bar = area.verticalScrollBar()
        assert bar.maximum() > 0 and bar.value() == 0
        drag_up(qtbot, area)
        qtbot.waitUntil(lambda bar=bar: bar.value() > 0)


def test_scroll_areas_made_again_and_again_leave_nothing_behind(qtbot: QtBot) -> None:
    def make_and_drop() -> None:
        area = scrolling(tall_page())
        area.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    make_and_drop()
    gc.collect()
    before = gesture_types()
    for _ in range(30):
        make_and_drop()
    gc.collect()
    assert gesture_types() == before
