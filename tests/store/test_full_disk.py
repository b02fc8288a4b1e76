"""The kiosk's data on a small disk that fills while a citizen sends a form.

The data folder is a tmpfs of a few megabytes, so a full disk is the kernel's own ENOSPC. The
citizen is told in words they can act on, nothing half-written is left (the outbox row and its
usage record go together or not at all, and SQLite's integrity check passes), and once there is
room again the same form goes and everything queued reaches the hub (the hub's process, through
kiosk-agent). Also: a kiosk whose disk is already full when it starts.

These start a hub process: run them under `flock /tmp/kiosk-peers.lock`.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.config import Config
from kiosk.outbox import open_sealed
from kiosk.store import StoreFull, open_store
from kiosk.ui.main import EXIT_NO_STORE
from kiosk.ui.screens.email import NOT_SENT_FULL as EMAIL_NOT_SENT_FULL
from kiosk.ui.window import KioskWindow
from tests.conftest import HUB_KEY, HUB_PUBLIC_KEY, FakeClock
from tests.peers.disk import SmallDisk, small_disk
from tests.peers.hub import BIN, Hub, configured_hub
from tests.peers.smtp import free_port
from tests.ui.conftest import off_ui, open_window
from tests.ui.test_email import open_email, text
from tests.ui.test_forms import feedback_on_its_summary, open_forms

KIOSK_ID = "demo-kiosk"  # the id the tests' kiosk.toml leaves at its default
LEFT = Qt.MouseButton.LeftButton
NOT_SENT_FULL = "⚠ The form was not sent: the kiosk has no room to store it just now."


@pytest.fixture
def data_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    """The kiosk's data folder (the tests' config puts it at tmp_path/data) on a 4 MB disk."""
    with small_disk(tmp_path / "data", 4) as disk:
        yield disk


@pytest.fixture
def window(
    qtbot: QtBot, config: Config, clock: FakeClock, data_disk: SmallDisk
) -> Iterator[KioskWindow]:
    yield from open_window(qtbot, config, clock)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[Hub, Path]]:
    """The hub's process, holding the tests' sealing key, and a kiosk-agent config for it."""
    folder = tmp_path / "hub-side"
    folder.mkdir()
    hub = configured_hub(folder, bytes(HUB_KEY), free_port())
    added = hub.cli("kiosk", "add", KIOSK_ID, "--name", "Library", "--location", "Itäkeskus")
    token = added.strip().splitlines()[-1]
    agent = tmp_path / "agent.toml"
    agent.write_text(
        f'[kiosk]\nid = "{KIOSK_ID}"\nhub_url = "{hub.url}"\nhub_token = "{token}"\n'
        f'hub_public_key = "{HUB_PUBLIC_KEY}"\ndata_dir = "{tmp_path / "data"}"\n'
        "[agent]\nretry_initial_seconds = 1\nretry_max_seconds = 10\n"
    )
    hub.start()
    try:
        yield hub, agent
    finally:
        hub.stop()


def agent_once(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kiosk-agent"), "--config", str(config), "--once"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def consistent(window: KioskWindow) -> list[dict[str, object]]:
    """The outbox rows, after checking the store is whole and every row has its usage record
    (and the other way round) and every waiting row opens with the hub's key."""
    writer = window.kiosk.writer
    assert writer is not None

    def read() -> tuple[list[tuple[str]], list[dict[str, object]], int]:
        db = writer.store.db
        with writer.store.lock:
            check = db.execute("PRAGMA integrity_check").fetchall()
            rows = list(db["outbox"].rows_where(order_by="created_at"))
            sent = db.execute(
                "SELECT count(*) FROM usage WHERE kind = 'outcome'"
                " AND (value LIKE 'submitted:%' OR value = 'sent')"
            ).fetchone()[0]
        return check, rows, sent

    check, rows, sent = off_ui(read)
    assert check == [("ok",)]
    assert sent == len(rows)
    for row in rows:
        if row["delivered_at"] is None:
            sealed = row["sealed"]
            assert isinstance(sealed, bytes)
            assert open_sealed(sealed, bytes(HUB_KEY))["submission_id"] == row["id"]
    return rows


def test_a_form_sent_as_the_disk_fills_is_not_kept_and_goes_once_there_is_room(
    qtbot: QtBot, window: KioskWindow, data_disk: SmallDisk, hub: tuple[Hub, Path]
) -> None:
    the_hub, agent = hub
    writer = window.kiosk.writer
    assert writer is not None
    screen = open_forms(qtbot, window, "en")
    session = window.kiosk.session.current
    assert session is not None

    # A first form goes into the outbox while there is room; the agent has not shipped it yet.
    form = feedback_on_its_summary(qtbot, screen)
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.confirmation is not None)
    assert screen.confirmation is not None
    qtbot.mouseClick(screen.confirmation.another_button, LEFT)
    [first] = consistent(window)

    # The second fills the disk as it is sealed: the writer is held while the disk fills.
    form = feedback_on_its_summary(qtbot, screen)
    busy = threading.Event()
    writer.submit(lambda _store: busy.wait(30))
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.sending
    data_disk.fill()
    busy.set()
    qtbot.waitUntil(lambda: not form.sending)

    # The citizen is told what happened and what to do; nothing of theirs is kept.
    assert screen.confirmation is None and screen.form is form and form.on_summary
    assert form.notice.isVisible() and form.notice.text().startswith(NOT_SENT_FULL)
    assert "try again in a while, or ask library staff" in form.notice.text()
    assert form.next_button.isEnabled()
    assert [r["id"] for r in consistent(window)] == [first["id"]]
    assert [s.reference for s in session.visit.sent_forms] == [
        open_sealed(first["sealed"], bytes(HUB_KEY))["reference"]  # type: ignore[arg-type]
    ]
    # Only the sent form's PDF is in the session's folder, not one for the form that failed.
    assert sorted(p.name for p in session.folder.glob("form-*.pdf")) == [
        f"form-{session.visit.sent_forms[0].reference}.pdf"
    ]

    # The agent ships what was queued while the disk is still full: the hub holds it, though
    # the kiosk may not be able to write down that it was delivered. The agent says so and
    # ends its pass normally, with status 1: the row still waits, for the next pass.
    full = agent_once(agent)
    assert "Traceback" not in full.stderr
    assert full.returncode == 1, full.stderr
    assert "the kiosk's disk is full" in full.stderr
    assert [s["id"] for s in the_hub.submissions()] == [first["id"]]
    consistent(window)

    # Room again: the same answers go, and everything reaches the hub once.
    data_disk.free()
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.confirmation is not None)
    rows = consistent(window)
    assert len(rows) == 2 and len(session.visit.sent_forms) == 2
    done = agent_once(agent)
    assert done.returncode == 0, done.stderr
    assert sorted(s["id"] for s in the_hub.submissions()) == sorted(r["id"] for r in rows)
    rows = consistent(window)
    assert all(r["delivered_at"] is not None and r["sealed"] == b"" for r in rows)


def test_a_kiosk_restarted_on_a_full_disk_starts_and_says_so_when_a_form_is_sent(
    qtbot: QtBot, config: Config, clock: FakeClock, data_disk: SmallDisk
) -> None:
    # kiosk-agent has the store open (as it does while the kiosk restarts); the disk is full.
    agent = open_store(config.db_path)
    data_disk.fill()
    started = open_window(qtbot, config, clock)
    window = next(started)
    try:
        screen = open_forms(qtbot, window, "en")
        form = feedback_on_its_summary(qtbot, screen)
        qtbot.mouseClick(form.next_button, LEFT)
        qtbot.waitUntil(lambda: not form.sending)
        assert form.notice.text().startswith(NOT_SENT_FULL)
        assert consistent(window) == []
        data_disk.free()
        qtbot.mouseClick(form.next_button, LEFT)
        qtbot.waitUntil(lambda: screen.confirmation is not None)
        assert len(consistent(window)) == 1
    finally:
        next(started, None)
        agent.close()


@pytest.mark.parametrize("before", ["new", "closed"])
def test_a_store_that_cannot_open_on_a_full_disk_names_the_folder_to_free(
    config: Config, data_disk: SmallDisk, before: str
) -> None:
    """A new store, or one closed cleanly (its WAL files removed), cannot be opened on a full
    disk: the start-up fails saying which folder is full (systemd restarts it meanwhile)."""
    if before == "closed":
        open_store(config.db_path).close()
    data_disk.fill()
    with pytest.raises(StoreFull, match=f"disk is full \\({config.db_path.parent}\\)"):
        Kiosk(config).start_backend()
    data_disk.free()
    open_store(config.db_path).close()  # with room, it opens as usual


def test_the_app_as_it_ships_ends_with_status_3_when_its_store_cannot_open(
    tmp_path: Path, data_disk: SmallDisk
) -> None:
    """The kiosk process itself on a full disk: not a window that fails at every tap, but an
    exit that names the full folder, for systemd to start it again."""
    folder = data_disk.mountpoint
    kiosk_toml = tmp_path / "kiosk.toml"
    kiosk_toml.write_text(
        f'[kiosk]\ndata_dir = "{folder}"\n[session]\nfolder = "{tmp_path / "sessions"}"\n'
        "[ui]\nfullscreen = false\n"
    )
    data_disk.fill()
    done = subprocess.run(
        [str(BIN / "kiosk"), "--config", str(kiosk_toml)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == EXIT_NO_STORE, done.stderr
    assert f"the kiosk cannot start: the kiosk's disk is full ({folder})" in done.stderr


def test_an_e_mail_sent_as_the_disk_fills_is_not_kept_and_goes_once_there_is_room(
    qtbot: QtBot, window: KioskWindow, data_disk: SmallDisk
) -> None:
    writer = window.kiosk.writer
    assert writer is not None
    screen = open_email(qtbot, window, "en")
    form = screen.form
    qtbot.mouseClick(form.fields["documents"].buttons["scan-1"], LEFT)  # type: ignore[attr-defined]
    qtbot.mouseClick(form.next_button, LEFT)
    for name, value in (("to", "friend@example.fi"), ("to_again", "friend@example.fi")):
        qtbot.keyClicks(text(screen, name).editor, value)
    qtbot.keyClicks(text(screen, "message").editor, "Here is the page.")
    qtbot.mouseClick(form.next_button, LEFT)
    assert form.on_summary

    busy = threading.Event()
    writer.submit(lambda _store: busy.wait(30))
    qtbot.mouseClick(form.next_button, LEFT)
    data_disk.fill()
    busy.set()
    qtbot.waitUntil(lambda: form.notice.isVisible())

    assert screen.area.widget() is screen.view and form.on_summary
    assert form.notice.text() == "⚠ " + EMAIL_NOT_SENT_FULL
    assert consistent(window) == []

    data_disk.free()
    qtbot.mouseClick(form.next_button, LEFT)
    qtbot.waitUntil(lambda: screen.area.widget() is screen.done)
    [row] = consistent(window)
    assert open_sealed(row["sealed"], bytes(HUB_KEY))["to"] == ["friend@example.fi"]  # type: ignore[arg-type]
