"""Start-up imports nothing heavy before the attract screen is painted.

The kiosk starts as the service starts it (`kiosk`, no arguments) and as bench/startup.py times
it: offscreen, told to say when the attract screen is painted, which modules are loaded by then,
and to quit. Libraries that take tens of milliseconds to import (media, computer vision, numerics,
schema validation, cryptography, the store's database layer, device drivers) wait until a citizen
or the back end first needs them, so the cold start stays near a bare Qt window's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Top-level packages that must not be loaded before the first paint.
HEAVY = (
    "aiortc",
    "av",
    "cv2",
    "numpy",
    "jsonschema",
    "nacl",
    "sqlite_utils",
    "cups",
    "smartcard",
)


def start_until_painted(tmp: Path) -> tuple[set[str], str]:
    """The modules loaded when the attract screen is painted, and Python's -X importtime log."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={ROOT / 'tools/qt/kiosk-1080p.json'}",
        "KIOSK_LOG_LEVEL": "WARNING",
        "XDG_RUNTIME_DIR": str(tmp),
        "XDG_STATE_HOME": str(tmp / "state"),
        "KIOSK_REPORT_PAINTED": "1",
        "KIOSK_REPORT_MODULES": "1",
        "KIOSK_QUIT_AFTER_PAINT": "1",
    }
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kiosk"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    lines = result.stdout.splitlines()
    assert "painted" in lines, result.stdout
    loaded = next(line for line in lines if line.startswith("loaded "))
    return set(loaded.split()[1:]), result.stderr


def import_chain(importtime: str, module: str) -> list[str]:
    """Who first imported `module` (or one of its submodules), outermost first, from an
    -X importtime log.

    Each import is logged when it ends, indented by its depth, so a module's importer is the
    next line below it that is indented less."""
    entries: list[tuple[int, str]] = []
    for line in importtime.splitlines():
        if not line.startswith("import time:") or line.rstrip().endswith("| imported package"):
            continue
        name = line.rsplit("|", 1)[1]
        stripped = name.lstrip()
        entries.append(((len(name) - len(stripped)) // 2, stripped.strip()))

    def within(name: str) -> bool:
        return name == module or name.startswith(f"{module}.")

    for index, (depth, name) in enumerate(entries):
        if within(name):
            chain = [name]
            for outer_depth, outer in entries[index + 1 :]:
                if outer_depth < depth:
                    chain.append(outer)
                    depth = outer_depth
            chain.reverse()
            first = next(i for i, name in enumerate(chain) if within(name))
            return chain[: first + 1]
    return [module]


def test_import_chain_reads_an_importtime_log() -> None:
    log = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:        10 |         10 |       numpy.core",
            "import time:        10 |         20 |     numpy",
            "import time:        10 |         10 |     json",
            "import time:        10 |         40 |   kiosk.store",
            "import time:        10 |         50 | kiosk.remote",
        ]
    )
    assert import_chain(log, "numpy") == ["kiosk.remote", "kiosk.store", "numpy"]
    assert import_chain(log, "numpy.core") == ["kiosk.remote", "kiosk.store", "numpy", "numpy.core"]
    assert import_chain(log, "json") == ["kiosk.remote", "kiosk.store", "json"]
    assert import_chain(log, "cv2") == ["cv2"]


def test_nothing_heavy_is_imported_before_the_attract_screen_is_painted(tmp_path: Path) -> None:
    loaded, importtime = start_until_painted(tmp_path)
    assert "kiosk.ui.screens.attract" in loaded
    early = sorted(name for name in HEAVY if name in loaded)
    chains = "\n".join(" -> ".join(import_chain(importtime, name)) for name in early)
    assert not early, f"imported before the first paint:\n{chains}"


def test_the_advice_client_made_at_start_up_leaves_the_call_media_unloaded() -> None:
    """With a hub, the back end makes the video advice client right after the first paint, on
    the Qt thread: the call's media (aiortc, PyAV, OpenCV) are imported only when a call
    connects."""
    probe = (
        "import sys\n"
        "from kiosk.video.call import CallSound, VideoFormat\n"
        "from kiosk.video.hub_client import HubAdviceClient\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(result.stdout.split())
    assert "kiosk.video.hub_client" in loaded
    assert not {"aiortc", "av", "cv2", "numpy"} & loaded
