"""`kiosk-hub keys`: a private key written once and privately, its public half printed; and a
hub that will not serve without a usable key."""

from __future__ import annotations

import base64
import stat
from collections.abc import Callable
from pathlib import Path

from nacl.public import PrivateKey

from tests.hub.test_cli import hub_command


def test_generate_writes_a_private_key_once_and_public_prints_its_public_half(
    write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    key_file = tmp_path / "keys" / "hub-sealing.key"
    path = write_config(f'[sealing]\nprivate_key_file = "{key_file}"\n')
    made = hub_command(path, "keys", "generate")
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    private = PrivateKey(base64.b64decode(key_file.read_text()))
    public = base64.b64encode(bytes(private.public_key)).decode()
    assert made.stdout.strip() == public
    assert key_file.read_text().strip() not in made.stdout + made.stderr

    again = hub_command(path, "keys", "generate")
    assert again.returncode == 2
    assert "already exists" in again.stderr
    assert PrivateKey(base64.b64decode(key_file.read_text())) == private  # untouched

    shown = hub_command(path, "keys", "public")
    assert (shown.returncode, shown.stdout.strip()) == (0, public)


def test_serve_and_keys_public_refuse_a_missing_open_or_broken_key(
    write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    key_file = tmp_path / "hub-sealing.key"
    path = write_config(f'[sealing]\nprivate_key_file = "{key_file}"\n')
    for command in (("serve",), ("keys", "public")):
        done = hub_command(path, *command)
        assert done.returncode == 2
        assert done.stderr.strip() == (
            f"kiosk-hub: sealing.private_key_file: {key_file} does not exist; make it with "
            "`kiosk-hub keys generate`"
        )
    key_file.write_text(base64.b64encode(bytes(PrivateKey.generate())).decode())
    key_file.chmod(0o640)
    done = hub_command(path, "serve")
    assert done.returncode == 2
    assert "may be read by group or others" in done.stderr
    assert f"chmod 600 {key_file}" in done.stderr
    key_file.chmod(0o600)
    key_file.write_text("c2hvcnQ=")
    done = hub_command(path, "serve")
    assert done.returncode == 2
    assert "is not a 32-byte X25519 private key in base64" in done.stderr
