"""Every screen a citizen, an advisor's caller and a technician see, in every language and mode.

    ./dev screenshots [OUT_DIR]             PNGs at 1920×1080 (default out/screenshots)
    KIOSK_SHOTS=forms,email ./dev screenshots     only those scenarios (see SCENARIOS)
    KIOSK_SHOTS_LANGUAGES=fi ./dev screenshots    only those languages (fi, sv, en)
    KIOSK_SHOTS_MODES=normal ./dev screenshots    only those modes (normal, large-text,
                                                  high-contrast)

The scenarios drive a real kiosk (simulated devices, the demo's prices and fees) through each
flow and yield the name of every state they stop at; `states()` runs them in order. Saving a PNG
is one use of a state; the screen checks in the tests (tests/ui/test_screen_checks.py) are the
other. Video advice talks to the tests' scripted stand-in for the hub (tests/ui/advice_double.py),
so that every step of a call can be shown on demand, and the e-mail service is told the hub's
limits the same way.

Scenarios (tools/screen_scenarios.py): the attract screen, home, Help, the idle warning, the
session-ended message; the technician PIN pad (and a wrong PIN) and the technician screen, also
scrolled to its last device; an ID card read and the reminder to take it; home while the
printer, camera and card terminal are out of use; Forms (catalogue, a page with the keyboard up
and an error, a held key's other letters, choices, a consent's text, summary, confirmation, a scan
made from an attachment field and the field with it attached); E-mail (the attachments, the
address with the keyboard up and an error, check, sent, the hourly limit reached, the hub out of
reach); Scan and Print (aiming, approving a page, the finished scan, the choice, the pages larger,
paying, paper out, done, the receipt); Copy (aiming, the copies, done); Pay a fee (the list, the
confirm step and its error, paying, declined, the receipt); Video advice (the lines, the camera
check, the queue, the call, muted, the rating, a closed line, an unreachable hub).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk.ui.window import KioskWindow  # noqa: E402
from tools.screen_rig import Rig  # noqa: E402
from tools.screen_scenarios import SCENARIOS  # noqa: E402

LANGUAGES = ("fi", "sv", "en")
MODES = ("normal", "large-text", "high-contrast")
QT_SCREEN = ROOT / "tools" / "qt" / "kiosk-1080p.json"

__all__ = ["LANGUAGES", "MODES", "SCENARIOS", "Rig", "states"]


def states(
    rig: Rig, language: str, mode: str, only: list[str] | None = None
) -> Iterator[tuple[str, KioskWindow]]:
    """Each state of each scenario (or of those named in `only`) in `language` and `mode`, as
    "mode-language-state" and the window showing it, settled."""
    for name, scenario in SCENARIOS.items():
        if only and name not in only:
            continue
        for state in scenario(rig, language, mode):
            rig.settle()
            yield f"{mode}-{language}-{state}", rig.window


def _chosen(variable: str, every: tuple[str, ...]) -> list[str]:
    value = os.environ.get(variable, "")
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    unknown = set(chosen) - set(every)
    if unknown:
        raise SystemExit(f"{variable}: no such {', '.join(sorted(unknown))}; one of {every}")
    return chosen or list(every)


def main() -> int:
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={QT_SCREEN}"
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    only = _chosen("KIOSK_SHOTS", tuple(SCENARIOS))
    languages = _chosen("KIOSK_SHOTS_LANGUAGES", LANGUAGES)
    modes = _chosen("KIOSK_SHOTS_MODES", MODES)
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="kiosk-shots-") as tmp:
        rig = Rig(Path(tmp))
        try:
            for mode in modes:
                for language in languages:
                    for name, window in states(rig, language, mode, only):
                        path = out / f"{name}.png"
                        window.grab().save(str(path))
                        print(path, flush=True)
        finally:
            rig.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
