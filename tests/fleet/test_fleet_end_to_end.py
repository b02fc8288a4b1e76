"""Fleet health end to end: the kiosk app's back end (its devices and store, no screen),
`kiosk-agent` and `kiosk-hub` as the processes they run as.

1. The printer runs out of paper: an alert with attention `clear` naming the library staff to
   call opens on the hub; paper put back, it clears itself.
2. The hub is down for a while: what the kiosk logged meanwhile reaches it afterwards, every
   record once.
3. The app is stopped: the heartbeats say so (systemd's answer comes from a stand-in
   `systemctl` that reports the unit as inactive), and the hub opens an `app` alert.
"""

from __future__ import annotations

import base64
import logging
import os
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from nacl.public import PrivateKey

from kiosk.app import Kiosk
from kiosk.config import Config, load_config
from kiosk.devices.catalog import DeviceClass, backend_names
from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.services import SERVICES
from kiosk.store import open_store
from tests.peers.hub import BIN, Hub, wait_until
from tests.peers.smtp import free_port

CONTACT = "Itäkeskus library info desk, 09 310 00001"


@dataclass
class Box:
    """One kiosk: its config file, the agent's environment and the app's back end."""

    config_file: Path
    env: dict[str, str]
    config: Config

    def agent_once(self) -> int:
        return subprocess.run(
            [str(BIN / "kiosk-agent"), "--config", str(self.config_file), "--once"],
            env=self.env,
            stderr=subprocess.DEVNULL,
            timeout=120,
        ).returncode

    def event_ids(self) -> set[int]:
        store = open_store(self.config.data_dir / "kiosk.db")
        try:
            with store.lock:
                return {int(row["id"]) for row in store.db["events"].rows}
        finally:
            store.close()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    key_file = tmp_path / "sealing.key"
    key_file.write_text(base64.b64encode(bytes(PrivateKey.generate())).decode() + "\n")
    key_file.chmod(0o600)
    port = free_port()
    config = tmp_path / "hub.toml"
    config.write_text(
        f'[hub]\nlisten_port = {port}\ndata_dir = "{tmp_path / "hub"}"\ncookie_secure = false\n'
        f'[sealing]\nprivate_key_file = "{key_file}"\n'
        "[fleet]\noffline_minutes = 1\n"
    )
    found = Hub(config, port)
    yield found
    found.stop()


@pytest.fixture
def box(tmp_path: Path, hub: Hub) -> Box:
    enrolled = hub.cli(
        "kiosk",
        "add",
        "itakeskus-1",
        "--name",
        "Itäkeskus 1",
        "--location",
        "Itäkeskus",
        "--contact",
        CONTACT,
    )
    token = enrolled.strip().splitlines()[-1]
    # systemd as the agent asks it: the app's unit, active or stopped as the test says.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    systemctl = bin_dir / "systemctl"
    systemctl.write_text(
        "#!/bin/sh\n"
        f'state=$(cat "{tmp_path / "unit-state"}")\n'
        'echo "LoadState=loaded"\necho "ActiveState=$state"\necho "SubState=dead"\n'
        'echo "ActiveEnterTimestamp="\n'
    )
    systemctl.chmod(systemctl.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "unit-state").write_text("active\n")
    config_file = tmp_path / "kiosk.toml"
    config_file.write_text(
        f'[kiosk]\nid = "itakeskus-1"\nhub_url = "{hub.url}"\nhub_token = "{token}"\n'
        f'data_dir = "{tmp_path / "kiosk"}"\n'
        f'[session]\nfolder = "{tmp_path / "sessions"}"\n'
        "[agent]\nretry_initial_seconds = 1\nretry_max_seconds = 10\n"
        "[devices.printer]\npaper_sheets = 20\n"
    )
    config = load_config(
        config_file,
        backends={c.value: backend_names(c) for c in DeviceClass},
        services=SERVICES.keys(),
    )
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return Box(config_file, env, config)


@pytest.fixture
def app(box: Box) -> Iterator[Kiosk]:
    kiosk = Kiosk(box.config)
    kiosk.start_backend()
    yield kiosk
    kiosk.shutdown()


def printer(app: Kiosk) -> SimulatedPrinter:
    found = app.device(DeviceClass.PRINTER)
    assert isinstance(found, SimulatedPrinter)
    return found


def alerts(hub: Hub, source: str) -> list[dict[str, object]]:
    return hub.rows("SELECT * FROM alerts WHERE source = ? ORDER BY id", (source,))


def stored_on_kiosk(box: Box, code: str) -> bool:
    store = open_store(box.config.data_dir / "kiosk.db")
    try:
        with store.lock:
            return bool(list(store.db["events"].rows_where("code = ?", [code])))
    finally:
        store.close()


def test_paper_out_raises_a_clear_alert_naming_the_staff_and_paper_clears_it(
    hub: Hub, box: Box, app: Kiosk
) -> None:
    hub.start()
    printer(app).refill(0)
    wait_until(lambda: stored_on_kiosk(box, "media-empty"), "the app stores the printer's state")
    assert box.agent_once() == 0
    [alert] = alerts(hub, "device")
    assert (alert["device_id"], alert["code"], alert["attention"]) == (
        "printer",
        "media-empty",
        "clear",
    )
    assert alert["cleared_at"] is None
    [kiosk] = hub.rows("SELECT contact FROM kiosks WHERE kiosk_id = 'itakeskus-1'")
    assert kiosk["contact"] == CONTACT

    printer(app).refill()

    def cleared() -> bool:
        box.agent_once()
        return alerts(hub, "device")[0]["cleared_at"] is not None

    wait_until(cleared, "paper back in clears the alert")


def test_what_the_kiosk_logs_while_the_hub_is_down_arrives_later_each_record_once(
    hub: Hub, box: Box, app: Kiosk
) -> None:
    log = logging.getLogger("kiosk.fleet-test")
    log.setLevel(logging.INFO)  # as the app's logging set-up has it
    hub.start()
    assert box.agent_once() == 0
    hub.stop()
    for number in range(30):
        log.info("a routine record %d", number)
    printer(app).refill(0)  # and a fault, while nobody hears
    wait_until(lambda: stored_on_kiosk(box, "media-empty"), "the app stores the fault")
    assert box.agent_once() == 1  # kept: the hub is away
    hub.start()
    assert box.agent_once() == 0
    on_hub = hub.rows("SELECT event_id FROM kiosk_events WHERE kiosk_id = 'itakeskus-1'")
    ids = [int(row["event_id"]) for row in on_hub]
    assert len(ids) == len(set(ids))
    assert box.event_ids() <= set(ids)
    messages = {
        row["message"]
        for row in hub.rows("SELECT message FROM kiosk_events WHERE kiosk_id = 'itakeskus-1'")
    }
    assert {f"a routine record {n}" for n in range(30)} <= messages
    assert alerts(hub, "device")[0]["code"] == "media-empty"


def test_a_stopped_app_is_reported_down_and_alerted(tmp_path: Path, hub: Hub, box: Box) -> None:
    hub.start()
    (tmp_path / "unit-state").write_text("inactive\n")
    assert box.agent_once() == 0
    [status] = hub.rows("SELECT app_state FROM kiosk_status WHERE kiosk_id = 'itakeskus-1'")
    assert status["app_state"] == "down"
    [alert] = alerts(hub, "app")
    assert alert["cleared_at"] is None
