"""The hub's store on a small disk that fills: the hub as its process, hub.db on a tmpfs of a few
megabytes, a kiosk's outbox shipped by kiosk-agent.

A write that finds the disk full is answered 503 with a clear message and logged once; reads go
on; nothing half-written is kept; the kiosk keeps its item and it arrives once there is room.
These start a hub process: run them under `flock /tmp/kiosk-peers.lock`.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.outbox import Outbox
from kiosk.store import open_store
from tests.conftest import HUB_KEY, HUB_PUBLIC_KEY
from tests.peers.disk import SmallDisk, small_disk
from tests.peers.hub import BIN, Hub, configured_hub, wait_until
from tests.peers.smtp import free_port

KIOSK_ID = "library-1"
FULL = "the hub cannot store anything now: its storage is full; try again later"


@dataclass
class Setup:
    hub: Hub
    disk: SmallDisk
    token: str
    agent: Path
    kiosk_data: Path

    def submit(self, reference: str) -> str:
        """A form in the kiosk's outbox, as the Forms screen puts it there; about 1 MB sealed,
        more than the hub's database and its WAL have room for once the disk is full."""
        store = open_store(self.kiosk_data / "kiosk.db")
        try:
            pdf = b"%PDF-1.4 " + base64.b64encode(os.urandom(700_000)) + b"\n%%EOF\n"
            payload = {
                "form": "kansalaisneuvonta-contact",
                "version": 1,
                "reference": reference,
                "language": "fi",
                "answers": {
                    "name": "Testi Testinen",
                    "subject": "housing",
                    "language": "fi",
                    "contact_by": "phone",
                    "phone": "040 123 4567",
                    "question": "Miten haen asumistukea?",
                },
                "submitted_at": "2026-11-28T10:00:00Z",
                "pdf": base64.b64encode(pdf).decode(),
                "attachments": [],
                "kiosk_id": KIOSK_ID,
            }
            return Outbox(store, base64.b64decode(HUB_PUBLIC_KEY)).put(
                "form", payload, session_id="s-" + reference, service="forms", outcome="sent"
            )
        finally:
            store.close()

    def outbox(self) -> list[dict[str, Any]]:
        store = open_store(self.kiosk_data / "kiosk.db")
        try:
            with store.lock:
                return list(store.db["outbox"].rows)
        finally:
            store.close()

    def agent_once(self) -> int:
        return subprocess.run(
            [str(BIN / "kiosk-agent"), "--config", str(self.agent), "--once"],
            stderr=subprocess.DEVNULL,
            timeout=120,
        ).returncode

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """A kiosk's request to the hub: status, headers, body."""
        sent = {"Authorization": f"Bearer {self.token}", "X-Kiosk-Id": KIOSK_ID, **(headers or {})}
        req = urllib.request.Request(self.hub.url + path, body, sent, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as refused:
            return refused.code, dict(refused.headers), refused.read()


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    with small_disk(tmp_path / "hub", 6) as disk:
        hub = configured_hub(tmp_path, bytes(HUB_KEY), free_port())
        added = hub.cli("kiosk", "add", KIOSK_ID, "--name", "Library 1", "--location", "Itäkeskus")
        token = added.strip().splitlines()[-1]
        kiosk_data = tmp_path / "kiosk"
        kiosk_data.mkdir()
        agent = tmp_path / "kiosk.toml"
        agent.write_text(
            f'[kiosk]\nid = "{KIOSK_ID}"\nhub_url = "{hub.url}"\nhub_token = "{token}"\n'
            f'hub_public_key = "{HUB_PUBLIC_KEY}"\ndata_dir = "{kiosk_data}"\n'
            "[agent]\nretry_initial_seconds = 1\nretry_max_seconds = 10\n"
        )
        hub.start()
        try:
            yield Setup(hub, disk, token, agent, kiosk_data)
        finally:
            hub.stop()


@pytest.mark.sqlite_only("hub.db on a small tmpfs that fills; PostgreSQL's disk is the server's")
def test_a_full_store_refuses_writes_with_503_keeps_reads_and_takes_them_once_there_is_room(
    setup: Setup,
) -> None:
    hub = setup.hub
    submission = setup.submit("KANA1234")
    setup.disk.fill()

    # The kiosk's agent is told 503: it keeps the row, as for any passing failure.
    assert setup.agent_once() == 1
    [row] = setup.outbox()
    assert row["delivered_at"] is None and row["rejected_at"] is None
    assert row["attempts"] == 1 and "503" in (row["last_error"] or "")
    # What the hub says, in words: the store is full, try later.
    sealed = row["sealed"]
    status, headers, body = setup.request(
        "POST",
        "/api/kiosk/submissions",
        sealed,
        {
            "Content-Type": "application/octet-stream",
            "X-Submission-Id": submission,
            "X-Submission-Kind": "form",
        },
    )
    assert status == 503
    assert json.loads(body) == {"error": FULL, "code": "storage-full"}
    assert int(headers["Retry-After"]) > 0

    # Reads go on.
    assert setup.request("GET", "/healthz")[0] == 200
    status, _, forms = setup.request("GET", "/api/kiosk/forms")
    assert status == 200 and json.loads(forms)

    # Nothing half-written; the failure was logged once, not for each refused write.
    assert hub.submissions() == []
    assert hub.rows("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    assert hub.log.read_text().count("the store cannot be written") == 1

    # Room again: the kiosk's retry (once its back-off has passed) is stored and its row
    # marked delivered.
    setup.disk.free()
    wait_until(lambda: setup.agent_once() == 0, "the agent has delivered everything")
    assert [s["id"] for s in hub.submissions()] == [submission]
    [row] = setup.outbox()
    assert row["delivered_at"] is not None and row["sealed"] == b""
    assert "the store can be written again" in hub.log.read_text()
    assert hub.rows("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
