"""Baseline for bench/startup.py: a bare PySide6 window, fullscreen, with one label.

Prints "painted" once its first paint is done and quits, as the kiosk does with
KIOSK_REPORT_PAINTED=1 and KIOSK_QUIT_AFTER_PAINT=1; both notice the paint the same way, in
paintEvent.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget


class Window(QWidget):
    painted = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            QTimer.singleShot(0, done)


def done() -> None:
    print("painted", flush=True)
    app.exit(0)


app = QApplication(sys.argv[:1])
window = Window()
QVBoxLayout(window).addWidget(QLabel("Tervetuloa"))
screen = app.primaryScreen()
if screen is not None:
    window.setGeometry(screen.geometry())
window.showFullScreen()
sys.exit(app.exec())
