"""No screen opens a window of its own: on the kiosk's display the kiosk's window is the only
one, and another would flash up over it and take the focus (and with it the on-screen
keyboard) from it. Every state the screenshot tool renders is walked through once."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from tools.screenshots import Rig, states


def test_every_flow_stays_in_the_kiosk_window(qapp: QApplication, tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    found: list[str] = []
    try:
        rig.take_other_windows()
        for name, _ in states(rig, "fi", "normal"):
            found.extend(f"on the way to {name}: {w}" for w in rig.take_other_windows())
    finally:
        rig.close()
    assert not found, "windows besides the kiosk's shown:\n" + "\n".join(found)
