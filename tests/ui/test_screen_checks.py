"""Every screen the screenshot tool renders, in Finnish, Swedish and English, in the normal,
large-text and high-contrast modes, passes the screen checks (tests/ui/screen_checks.py):
no missing-glyph boxes, no words cut off, enough contrast and big enough buttons, a name a
listener understands on every control, and every control in the keypad's reach."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tests.ui.screen_checks import Finding, check_screen
from tools.screenshots import LANGUAGES, MODES, Rig, states

CHECKS = ("glyphs", "clipping", "contrast", "touch", "spoken", "keys")
#: States that must be among those checked, in every language and mode.
MUST_SHOW = {
    "attract",
    "home",
    "help",
    "idle-warning",
    "session-ended",
    "technician-pin",
    "technician",
    "card-reminder",
    "home-devices-unavailable",
    "forms-catalogue",
    "forms-page-keyboard-error",
    "forms-choices",
    "forms-summary",
    "forms-confirmation",
    "forms-attachment-scanned",
    "email-attachments",
    "email-address-keyboard-error",
    "email-summary",
    "email-sent",
    "scan-review",
    "print-choose",
    "print-paper-out",
    "print-done",
    "copy-choose",
    "copy-done",
    "fee-choose",
    "fee-paying",
    "fee-receipt",
    "advice-lines",
    "advice-preview",
    "advice-call",
    "advice-rating",
    "advice-closed",
    "advice-unavailable",
}

#: (language, mode) → each state's name and its findings; one run serves all the checks.
_runs: dict[tuple[str, str], list[tuple[str, list[Finding]]]] = {}
#: (language, mode) → why its run could not walk through the flows (told to each check).
_broken: dict[tuple[str, str], BaseException] = {}


def run(language: str, mode: str, folder: Path) -> list[tuple[str, list[Finding]]]:
    key = (language, mode)
    if key in _broken:
        raise _broken[key]
    if key not in _runs:
        rig = Rig(folder)
        seen: list[tuple[str, list[Finding]]] = []
        try:
            for name, window in states(rig, language, mode):
                seen.append((name, check_screen(window, high_contrast=mode == "high-contrast")))
        except Exception as exc:
            _broken[key] = exc
            raise
        finally:
            rig.close()
        _runs[key] = seen
    return _runs[key]


def report(seen: list[tuple[str, list[Finding]]], check: str) -> Iterator[str]:
    """Each finding once, on the first screen it is on, with the other screens it is on."""
    first: dict[str, list[str]] = {}
    for screen, findings in seen:
        for finding in findings:
            if finding.check == check:
                first.setdefault(str(finding), []).append(screen)
    for text, screens in first.items():
        also = f" (and {len(screens) - 1} more screens)" if len(screens) > 1 else ""
        yield f"{screens[0]}{also}: {text}"


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_screen(
    qapp: QApplication,
    tmp_path_factory: pytest.TempPathFactory,
    language: str,
    mode: str,
    check: str,
) -> None:
    seen = run(language, mode, tmp_path_factory.mktemp(f"shots-{language}-{mode}"))
    shown = {name.removeprefix(f"{mode}-{language}-") for name, _ in seen}
    assert shown >= MUST_SHOW, f"never shown: {sorted(MUST_SHOW - shown)}"
    problems = list(report(seen, check))
    assert not problems, f"{len(problems)} {check} problems:\n" + "\n".join(problems)
