"""Baseline for bench/startup.py: a bare PySide6 window, fullscreen, with one label.

Prints "painted" once its first paint is done and quits, as `kiosk --report-painted
--quit-after-paint` does.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget


class FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched is window:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, done)
        return False


def done() -> None:
    print("painted", flush=True)
    app.quit()


app = QApplication(sys.argv[:1])
window = QWidget()
QVBoxLayout(window).addWidget(QLabel("Tervetuloa"))
spy = FirstPaint()
window.installEventFilter(spy)
screen = app.primaryScreen()
if screen is not None:
    window.setGeometry(screen.geometry())
window.showFullScreen()
sys.exit(app.exec())
