"""A library's kiosk and its hub as they run: `kiosk-hub serve` as a process of its own (with a
sender address and an hourly e-mail limit, a video-advice line open all week, an advisor and a
support person), the kiosk enrolled on it, and the kiosk's config for the app and kiosk-agent."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from kiosk.config import Config, load_config
from kiosk.devices.catalog import DeviceClass, backend_names
from kiosk.services import SERVICES
from tests.conftest import HUB_KEY, HUB_PUBLIC_KEY
from tests.peers.hub import BIN, Hub
from tests.peers.smtp import free_port

KIOSK_ID = "itakeskus-1"
SENDER = "kioski@kirjasto.example.fi"
PER_HOUR = 7
LINE = "virka-info"
SUPPORT, ADVISOR, PASSWORD = "sari", "anna", "a long enough password 123"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Site:
    """The hub, and the kiosk enrolled on it: `config_file` is the kiosk.toml of both the app
    and kiosk-agent; `config` is it loaded."""

    hub: Hub
    token: str
    config_file: Path
    config: Config

    def agent_once(self, config_file: Path | None = None) -> subprocess.CompletedProcess[str]:
        """`kiosk-agent --once` as the technician runs it; its log is in `stderr`."""
        return subprocess.run(
            [str(BIN / "kiosk-agent"), "--config", str(config_file or self.config_file), "--once"],
            capture_output=True,
            text=True,
            timeout=120,
        )

    def with_token(self, token: str, folder: Path) -> tuple[Path, Config]:
        """The same kiosk with another token: its own kiosk.toml (data in `folder`) and config."""
        text = self.config_file.read_text().replace(self.token, token)
        text = text.replace(str(self.config.data_dir), str(folder / "data"))
        text = text.replace(str(self.config.session_folder), str(folder / "sessions"))
        path = folder / "kiosk.toml"
        path.write_text(text)
        return path, load(path)


def load(path: Path) -> Config:
    return load_config(
        path,
        backends={c.value: backend_names(c) for c in DeviceClass},
        services=SERVICES.keys(),
    )


def log_lines(stderr: str) -> list[dict[str, object]]:
    """kiosk-agent's JSON log lines."""
    found = []
    for line in stderr.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            found.append(record)
    return found


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    key_file = tmp_path / "sealing.key"
    key_file.write_text(base64.b64encode(bytes(HUB_KEY)).decode() + "\n")
    key_file.chmod(0o600)
    port = free_port()
    hours = "\n".join(f'{day} = "00:00-24:00"' for day in DAYS)
    hub_toml = tmp_path / "hub.toml"
    hub_toml.write_text(
        f'[hub]\nlisten_port = {port}\ndata_dir = "{tmp_path / "hub"}"\ncookie_secure = false\n'
        f'[sealing]\nprivate_key_file = "{key_file}"\n'
        f'[email]\nsender = "{SENDER}"\nmessages_per_kiosk_per_hour = {PER_HOUR}\n'
        f'[lines.{LINE}]\nadvisors = ["{ADVISOR}"]\n[lines.{LINE}.hours]\n{hours}\n'
    )
    hub = Hub(hub_toml, port)
    token = hub.cli("kiosk", "add", KIOSK_ID, "--name", "Itäkeskus 1", "--location", "Itäkeskus")
    token = token.strip().splitlines()[-1]
    hub.cli("user", "add", SUPPORT, "--role", "support", stdin=PASSWORD + "\n")
    hub.cli("user", "add", ADVISOR, "--role", "advisor", stdin=PASSWORD + "\n")
    kiosk_toml = tmp_path / "kiosk.toml"
    kiosk_toml.write_text(
        f'[kiosk]\nid = "{KIOSK_ID}"\nhub_url = "{hub.url}"\nhub_token = "{token}"\n'
        f'hub_public_key = "{HUB_PUBLIC_KEY}"\ndata_dir = "{tmp_path / "data"}"\n'
        f'[session]\nfolder = "{tmp_path / "sessions"}"\n'
        "[ui]\nfullscreen = false\n"
        "[agent]\nretry_initial_seconds = 1\nretry_max_seconds = 10\n"
        'restart_command = ["true"]\n'
    )
    hub.start()
    yield Site(hub, token, kiosk_toml, load(kiosk_toml))
    hub.stop()


@pytest.fixture
def wrong_token(site: Site, tmp_path: Path) -> tuple[Path, Config]:
    """This kiosk's config with a token the hub never issued."""
    folder = tmp_path / "wrong"
    folder.mkdir()
    return site.with_token("not-the-token-the-hub-gave", folder)


def with_hub(config: Config, site: Site) -> Config:
    """`config` pointed at the site's hub as its kiosk."""
    kiosk = replace(config.kiosk, id=KIOSK_ID, hub_url=site.hub.url, hub_token=site.token)
    return replace(config, kiosk=kiosk)
