"""A record the hub will never take does not hold back the ones after it: kiosk-agent sends a
refused batch again row by row, sets the refused row aside and says which, against the hub's
process."""

from __future__ import annotations

from kiosk.store import open_store
from tests.hubcalls.conftest import KIOSK_ID, Site, log_lines


def test_one_event_the_hub_refuses_is_set_aside_and_the_others_arrive(site: Site) -> None:
    store = open_store(site.config.db_path)
    try:
        store.add_event("warning", "device", device_id="printer", code="before")
        # A device code with a line break in it: the hub refuses it at intake, for good.
        refused = store.add_event("warning", "device", device_id="printer", code="paper\nout")
        store.add_event("warning", "device", device_id="printer", code="after")
    finally:
        store.close()

    run = site.agent_once()

    assert run.returncode == 0, run.stderr
    codes = {
        row["code"]
        for row in site.hub.rows("SELECT code FROM kiosk_events WHERE kiosk_id = ?", (KIOSK_ID,))
    }
    assert {"before", "after"} <= codes
    assert not any("\n" in (code or "") for code in codes)
    said = [r for r in log_lines(run.stderr) if r.get("event") == "events_refused"]
    assert [r["record_id"] for r in said] == [refused]
    assert "set aside" in str(said[0]["msg"]) and "events[0].code" in str(said[0]["msg"])
    # Nothing waits any more: a second pass sends nothing and says nothing of it.
    again = site.agent_once()
    assert again.returncode == 0, again.stderr
    assert not [r for r in log_lines(again.stderr) if r.get("event") == "events_refused"]
