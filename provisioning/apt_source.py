"""The kiosk software from the fleet's signed apt repository (docs/updates.md): the source
/etc/apt/sources.list.d/kiosk.sources, which trusts only the fleet's key for it, the key in
/usr/share/keyrings, and the `kiosk` package installed with apt.

Under `--root` apt runs inside the root (chroot), as the venv step writes only below the root
there: the tree must then be a Debian system with apt (an empty folder fails this step).
"""

from __future__ import annotations

import base64
import binascii
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from provisioning.steps import Box, Outcome, StepResult

SOURCES = "/etc/apt/sources.list.d/kiosk.sources"
KEYRING = "/usr/share/keyrings/kiosk-archive-keyring.gpg"
PACKAGE = "kiosk"
SUITE = "stable"
COMPONENT = "main"
ARMOR_BEGIN = "-----BEGIN PGP PUBLIC KEY BLOCK-----"


def url_problem(url: str) -> str | None:
    """Why `url` cannot be the kiosk repository's address, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http:// or https:// address of the kiosk repository"
    if any(c.isspace() for c in url):
        return f"{url!r} has a space in it"
    return None


def read_key(path: Path) -> bytes:
    """The OpenPGP public key in `path` as apt's keyring wants it (binary); an ASCII-armored
    key (as `gpg --armor --export` writes it) is converted. ValueError says what is wrong."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from exc
    if data.lstrip().startswith(ARMOR_BEGIN.encode()):
        data = _dearmor(data.decode("ascii", "replace"), path)
    # An OpenPGP packet starts with its tag byte's top bit set; a public key is tag 6.
    if not data or not data[0] & 0x80 or _tag(data[0]) != 6:
        raise ValueError(
            f"{path} is not an OpenPGP public key: give the file publish.py --export-key wrote"
        )
    return data


def _tag(first: int) -> int:
    return first & 0x3F if first & 0x40 else (first >> 2) & 0x0F


def _dearmor(text: str, path: Path) -> bytes:
    lines = text.strip().splitlines()
    body: list[str] = []
    in_body = False
    for line in lines[1:]:
        if line.startswith("-----END"):
            break
        if not in_body:
            in_body = not line.strip()  # headers end at the first empty line
            continue
        if line.startswith("="):  # the armor's checksum
            break
        body.append(line.strip())
    try:
        return base64.b64decode("".join(body), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{path}: the armored key does not decode: {exc}") from exc


def sources(url: str) -> bytes:
    return (
        "# Written by kiosk-provision: the kiosk's own packages, signed by the fleet's key.\n"
        f"Types: deb\nURIs: {url}\nSuites: {SUITE}\nComponents: {COMPONENT}\n"
        f"Signed-By: {KEYRING}\n"
    ).encode()


def installed_version(box: Box) -> str | None:
    """The kiosk package's version by the box's dpkg database, or None."""
    admindir = box.path("/var/lib/dpkg")
    done = subprocess.run(
        ["dpkg-query", f"--admindir={admindir}", "-W", "-f=${Status}\t${Version}", PACKAGE],
        capture_output=True,
        text=True,
        check=False,
    )
    status, _, version = done.stdout.partition("\t")
    return version if done.returncode == 0 and status == "install ok installed" else None


def ensure_kiosk_package(box: Box, url: str, key: bytes) -> StepResult:
    """The source and the key written, then the kiosk package installed with apt (the
    Recommends are the packages step's: cage, CUPS, pcscd)."""
    box.write_file("kiosk repository key", KEYRING, key, mode=0o644)
    source = box.write_file("kiosk repository", SOURCES, sources(url), mode=0o644)
    name = "kiosk software"
    version = installed_version(box)
    if version is not None and source.outcome is Outcome.OK:
        return box.add(StepResult(name, Outcome.OK, f"kiosk {version} from {url}"))
    apt = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-q", "-y"]
    commands = [[*apt, "update"], [*apt, "install", "--no-install-recommends", PACKAGE]]
    if box.under_root:
        commands = [["chroot", str(box.root), *command] for command in commands]
    result = box.run(name, commands, done=f"installed from {url}", below_root=True)
    version = installed_version(box)
    if result.outcome is Outcome.CHANGED and version is not None:
        box.results.remove(result)
        return box.add(StepResult(name, Outcome.CHANGED, f"installed kiosk {version} from {url}"))
    return result
