"""The hub's sealing key and the other secrets delivery needs, read and checked at start-up.

The private key is a 32-byte X25519 key, base64 in a file only its owner may read. A file that
is missing, not a key, or readable by group or others stops `kiosk-hub serve` with one line.
"""

from __future__ import annotations

import base64
import binascii
import os
import ssl
import stat
from dataclasses import dataclass
from pathlib import Path

from nacl.public import PrivateKey

from hub.config import HubConfig


class SetupError(Exception):
    """Delivery cannot start as configured; str() is one line naming the key and the fix."""


@dataclass(frozen=True)
class Secrets:
    """What delivery reads from files at start: the sealing key and the relay's password."""

    sealing_key: PrivateKey
    smtp_password: str | None = None


def public_key_text(key: PrivateKey) -> str:
    """The public half, base64: what kiosks are configured with (kiosk.hub_public_key)."""
    return base64.b64encode(bytes(key.public_key)).decode("ascii")


def load_private_key(path: Path) -> PrivateKey:
    """The private key in `path`; SetupError if it is missing, not a key or not private."""
    name = "sealing.private_key_file"
    try:
        info = path.stat()
        text = path.read_text("ascii").strip()
    except FileNotFoundError:
        raise SetupError(
            f"{name}: {path} does not exist; make it with `kiosk-hub keys generate`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not base64 text"
        raise SetupError(f"{name}: cannot read {path}: {reason}") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SetupError(
            f"{name}: {path} may be read by group or others (mode {stat.filemode(info.st_mode)});"
            f" run chmod 600 {path}"
        )
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise SetupError(f"{name}: {path} is not a 32-byte X25519 private key in base64")
    return PrivateKey(raw)


def generate_key_file(path: Path) -> PrivateKey:
    """Write a new private key to `path` (mode 0600); SetupError if the file exists."""
    key = PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SetupError(
            f"{path} already exists; a new key would make what kiosks sealed to the old one "
            "unreadable. Remove it yourself first if that is what you want."
        ) from None
    except OSError as exc:
        raise SetupError(f"cannot write {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(base64.b64encode(bytes(key)).decode("ascii") + "\n")
    return key


def load_secrets(config: HubConfig) -> Secrets:
    """Everything delivery reads from files, checked: the key, the relay password, the CA
    files and the catalogue folder. SetupError names the first problem."""
    key = load_private_key(config.sealing_key_path)
    password = None
    if config.smtp.password_file is not None:
        try:
            lines = config.smtp.password_file.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise SetupError(
                f"smtp.password_file: cannot read {config.smtp.password_file}: {reason}"
            ) from None
        password = lines[0] if lines else ""
    for name, ca_file in (
        ("smtp.ca_file", config.smtp.ca_file),
        ("delivery.ca_file", config.delivery.ca_file),
    ):
        if ca_file is not None:
            try:
                ssl.create_default_context().load_verify_locations(cafile=ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise SetupError(
                    f"{name}: {ca_file} is not a readable PEM certificate file ({exc})"
                ) from None
    if not config.catalogue_dir.is_dir():
        raise SetupError(f"forms.catalogue_dir: {config.catalogue_dir} is not a folder")
    return Secrets(key, password)
