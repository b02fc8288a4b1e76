"""The `kiosk` command as systemd and a technician meet it: bad config, SIGTERM, hash-pin."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from kiosk.config import verify_pin

ROOT = Path(__file__).resolve().parent.parent


def kiosk(*args: str, config_text: str | None = None, tmp: Path) -> list[str]:
    argv = [sys.executable, "-m", "kiosk"]
    if config_text is not None:
        path = tmp / "kiosk.toml"
        path.write_text(config_text)
        argv += ["--config", str(path)]
    return [*argv, *args]


def base_config(tmp: Path) -> str:
    return f'[kiosk]\ndata_dir = "{tmp / "data"}"\n[session]\nfolder = "{tmp / "s"}"\n'


def test_wrong_value_stops_start_up_with_one_line_and_status_2(tmp_path: Path) -> None:
    text = base_config(tmp_path) + "idle_seconds = 5\n"
    result = subprocess.run(
        kiosk(config_text=text, tmp=tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "session.idle_seconds" in lines[0] and "10" in lines[0] and "3600" in lines[0]
    assert result.stdout == ""


def test_unknown_backend_names_the_choices(tmp_path: Path) -> None:
    text = base_config(tmp_path) + '[devices.printer]\nbackend = "cupz"\n'
    result = subprocess.run(
        kiosk("check-config", config_text=text, tmp=tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "devices.printer.backend" in result.stderr
    assert "simulated" in result.stderr and "none" in result.stderr


def test_check_config_accepts_a_good_file(tmp_path: Path) -> None:
    result = subprocess.run(
        kiosk("check-config", config_text=base_config(tmp_path), tmp=tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_sigterm_stops_the_running_kiosk_cleanly(tmp_path: Path) -> None:
    """systemd stops the app with SIGTERM: it must exit, with status 0, and wipe its session."""
    with subprocess.Popen(
        kiosk(config_text=base_config(tmp_path), tmp=tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_REPORT_PAINTED": "1"},
    ) as proc:
        try:
            assert proc.stdout is not None and proc.stderr is not None
            line = proc.stdout.readline()
            assert line.startswith("painted"), line
            proc.send_signal(signal.SIGTERM)
            _, log = proc.communicate(timeout=30)
            assert proc.returncode == 0, log
        finally:
            if proc.poll() is None:
                proc.kill()
    assert '"msg": "kiosk started"' in log


def test_hash_pin_makes_a_hash_the_config_accepts(tmp_path: Path) -> None:
    result = subprocess.run(
        kiosk("hash-pin", tmp=tmp_path),
        input="482915\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    pin_hash = result.stdout.strip()
    assert verify_pin("482915", pin_hash) and not verify_pin("482916", pin_hash)
    text = base_config(tmp_path) + f'[technician]\npin_hash = "{pin_hash}"\n'
    check = subprocess.run(
        kiosk("check-config", config_text=text, tmp=tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr


def test_the_demo_config_is_valid_and_has_fees(tmp_path: Path) -> None:
    demo = ROOT / "demo" / "kiosk.toml"
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(demo), "check-config"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "[fees." in demo.read_text() and "[prices]" in demo.read_text()
