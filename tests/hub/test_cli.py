"""The real `kiosk-hub` command: accounts and kiosks from the shell, and serving until SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from hub.accounts import kiosk_for_token
from hub.config import load_config
from hub.store import open_configured


def hub_command(config: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", "--config", str(config), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_user_add_list_and_disable(write_config: Callable[[str], Path]) -> None:
    path = write_config("")
    added = hub_command(path, "user", "add", "Anna", "--role", "advisor", stdin="long enough pw\n")
    assert added.returncode == 0, added.stderr
    assert "added anna (advisor)" in added.stdout
    assert "long enough pw" not in added.stdout + added.stderr

    again = hub_command(path, "user", "add", "anna", "--role", "admin", stdin="long enough pw\n")
    assert (again.returncode, again.stderr.strip()) == (
        2,
        "kiosk-hub: there is already a user anna",
    )

    listed = hub_command(path, "user", "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[:3] == ["anna", "advisor", "active"]

    disabled = hub_command(path, "user", "disable", "anna")
    assert disabled.returncode == 0
    assert hub_command(path, "user", "list").stdout.splitlines()[1].split()[2] == "disabled"
    missing = hub_command(path, "user", "disable", "nobody")
    assert (missing.returncode, missing.stderr.strip()) == (2, "kiosk-hub: there is no user nobody")

    store = open_configured(load_config(path))
    try:
        user = store.user("anna")
        assert user is not None and user.password_hash.startswith("$argon2id$")
    finally:
        store.close()


def test_a_short_password_is_refused_clearly(write_config: Callable[[str], Path]) -> None:
    path = write_config("")
    done = hub_command(path, "user", "add", "anna", "--role", "admin", stdin="short\n")
    assert done.returncode == 2
    assert done.stderr.strip() == ("kiosk-hub: the password must be at least 12 characters long")
    assert hub_command(path, "user", "list").stdout.splitlines()[1:] == []


def test_a_bad_role_or_username_is_refused(write_config: Callable[[str], Path]) -> None:
    path = write_config("")
    bad_role = hub_command(path, "user", "add", "anna", "--role", "boss", stdin="x" * 20)
    assert bad_role.returncode == 2
    assert "advisor" in bad_role.stderr
    bad_name = hub_command(path, "user", "add", "anna smith", "--role", "admin", stdin="x" * 20)
    assert bad_name.returncode == 2
    assert "username must be" in bad_name.stderr


def test_kiosk_add_prints_the_token_once_and_keeps_only_its_hash(
    write_config: Callable[[str], Path],
) -> None:
    path = write_config("")
    done = hub_command(path, "kiosk", "add", "itakeskus-1", "--name", "Itäkeskus 1",
                       "--location", "Itäkeskus library")  # fmt: skip
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert len(token) >= 40
    store = open_configured(load_config(path))
    try:
        record = store.kiosk("itakeskus-1")
        assert record is not None and token not in record.token_hash
        assert kiosk_for_token(store, "itakeskus-1", token) == record
        assert kiosk_for_token(store, "itakeskus-1", token + "x") is None
    finally:
        store.close()
    listed = hub_command(path, "kiosk", "list")
    assert "itakeskus-1" in listed.stdout
    assert "never" in listed.stdout
    assert token not in listed.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_serve_answers_healthz_and_stops_cleanly_on_sigterm(
    write_config: Callable[[str], Path],
) -> None:
    port = _free_port()
    path = write_config(f"listen_port = {port}")
    process = subprocess.Popen(
        [sys.executable, "-m", "hub", "--config", str(path), "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        answer = None
        for _ in range(200):
            try:
                answer = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.05)
        assert answer == (200, b'{"status": "ok"}'), process.stderr and ""
        assert _get(f"http://127.0.0.1:{port}/api/me")[0] == 401
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    logged = [json.loads(line) for line in err.splitlines()]
    listening = next(line for line in logged if line["msg"] == "kiosk-hub listening")
    assert (listening["host"], listening["port"], listening["level"]) == ("127.0.0.1", port, "INFO")
    assert any(line["msg"] == "kiosk-hub stopping" for line in logged)
