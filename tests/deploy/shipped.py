"""What `deploy/` and `systemd/kiosk-hub@.service` ship, made runnable in a test's folder.

Each shipped file is read as it is and changed only where a test machine must differ from a
server: ports, certificate paths, the folders under /etc and /var/lib, and the database URL.
Every replaced piece must be found, so a config that changes shape fails here instead of being
tested half-changed.
"""

from __future__ import annotations

import base64
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.peers.hub import Hub

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
TEMPLATE_UNIT = ROOT / "systemd" / "kiosk-hub@.service"
#: The instances' ports in the shipped hub-N.toml and haproxy.cfg.
SHIPPED_PORTS = {1: 8081, 2: 8082}
STATE = "/var/lib/kiosk-hub"
HAPROXY = Path("/usr/sbin/haproxy")
HAPROXY_PACKAGE = "haproxy (apt-get install haproxy; ./dev test does)"


def replaced(text: str, changes: dict[str, str], what: str) -> str:
    for old, new in changes.items():
        if old not in text:
            raise AssertionError(f"{what} no longer has {old!r}: update the test with it")
        text = text.replace(old, new)
    return text


def hub_toml(instance: int, port: int, state: Path) -> str:
    """Instance `instance`'s hub-N.toml as docs/deployment.md makes it from deploy/hub.toml,
    listening on `port`, its data folder `state`."""
    return replaced(
        (DEPLOY / "hub.toml").read_text(),
        {f"listen_port = {SHIPPED_PORTS[1]}": f"listen_port = {port}", STATE: str(state)},
        "deploy/hub.toml",
    )


def database_url_line(url: str) -> str:
    """deploy/kiosk-hub.env with the test database's URL for the example one."""
    text = (DEPLOY / "kiosk-hub.env").read_text()
    [line] = [line for line in text.splitlines() if line.startswith("KIOSK_HUB_DATABASE_URL=")]
    return text.replace(line, f"KIOSK_HUB_DATABASE_URL={url}")


def environment_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments and blanks skipped)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            found[key.strip()] = value.strip()
    return found


def write_sealing_key(state: Path, private_key: bytes) -> None:
    state.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = state / "sealing.key"
    key.write_text(base64.b64encode(private_key).decode() + "\n")
    key.chmod(0o600)


@dataclass
class Instance:
    """One `kiosk-hub serve` of the deployment, run as tests/peers/hub.py runs a hub."""

    number: int
    hub: Hub

    @property
    def port(self) -> int:
        return self.hub.port


def instance(folder: Path, number: int, port: int, state: Path) -> Instance:
    """hub-N.toml in `folder`/N (the hub's log beside it); the sealing key must be in `state`."""
    home = folder / str(number)
    home.mkdir(parents=True, exist_ok=True)
    config = home / f"hub-{number}.toml"
    config.write_text(hub_toml(number, port, state))
    return Instance(number, Hub(config, port))


def haproxy_config(https_port: int, http_port: int, hub_ports: dict[int, int], pem: Path) -> str:
    """deploy/haproxy.cfg on the test's ports and certificate."""
    changes = {
        "bind :443 ": f"bind 127.0.0.1:{https_port} ",
        "bind :80\n": f"bind 127.0.0.1:{http_port}\n",
        "/etc/haproxy/certs/hub.pem": str(pem),
    }
    for number, shipped in SHIPPED_PORTS.items():
        changes[f"127.0.0.1:{shipped} "] = f"127.0.0.1:{hub_ports[number]} "
    return replaced((DEPLOY / "haproxy.cfg").read_text(), changes, "deploy/haproxy.cfg")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key: (the PEM HAProxy reads, chain then key; the
    certificate alone, for the client to trust)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=hub.test",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:hub.test"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    pem = folder / "hub.pem"
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    pem.chmod(0o600)
    return pem, cert


def unit_settings(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def unit_command(path: Path, instance_name: str) -> list[str]:
    """The unit's ExecStart for an instance (systemd's %i)."""
    [exec_start] = unit_settings(path)["ExecStart"]
    return shlex.split(exec_start.replace("%i", instance_name))
