"""Schema 8: what several hub instances share through the database (docs/deployment.md).

One hub instance kept some state in its memory; with several behind a load balancer
(PostgreSQL), they share it here instead:
- `hub_counters`: counts every instance and command bumps, read by all (`credentials`: a
  session or a kiosk token ended somewhere, so each instance looks at its open sockets again);
- `submissions.claimed_by` and `claimed_until`: the instance delivering a submission holds it
  until then, so each is delivered once whichever instance received it;
- `hub_instances`: the instances running, each seen every few seconds;
- `rate_hits`: the hits of the sliding windows that limit what one address may ask (the login
  throttle, the home page's), counted across instances;
- `hub_secrets`: `rate_keys`, the key of rate_hits' keyed hashes (hub.store.rate_hits);
- `alerts_open_once`: a unique index, one open alert per kiosk, source, device and code;
- `switchboard_ops`: what happened on an instance's call sockets (a party joined, a message, a
  socket closed), one JSON operation a row in the order written, for the instance hosting the
  switchboard to run (hub.cluster, docs/call-protocol.md "Several hub instances"); `ran_seq`
  is the order the host ran it in (NULL: not run yet); rows the saved snapshot covers are
  deleted;
- `switchboard_mail`: a message for a party on another instance too long for a notification's
  payload (an SDP offer can be), fetched and deleted by that instance;
- `switchboard_state`: what the host publishes: `snapshot` (the switchboard and where each
  party is connected, covering the operations up to `seq`) and `lines` (every line's status,
  which `/api/lines` answers from on every instance).
"""

from __future__ import annotations

import secrets

from sqlite_utils import Database


def _cluster_v8(db: Database) -> None:
    db.table("hub_counters").create(
        {"name": str, "value": int}, pk="name", not_null=["value"], strict=True
    )
    db.execute("INSERT INTO hub_counters (name, value) VALUES ('credentials', 0)")
    submissions = db.table("submissions")
    submissions.add_column("claimed_by", str)
    submissions.add_column("claimed_until", str)
    db.table("hub_instances").create(
        {"id": str, "address": str, "started_at": str, "seen_at": str},
        pk="id",
        not_null=["started_at", "seen_at"],
        strict=True,
    )
    db.table("rate_hits").create(
        {"scope": str, "key": str, "at": float},
        not_null=["scope", "key", "at"],
        strict=True,
    )
    db.table("rate_hits").create_index(["scope", "key", "at"])
    # The key of rate_hits' keyed hashes (hub.store.rate_hits): no address is stored as such.
    db.table("hub_secrets").create({"name": str, "value": str}, pk="name", not_null=["value"])
    db.execute("INSERT INTO hub_secrets VALUES ('rate_keys', ?)", [secrets.token_hex(32)])
    # One open alert per kiosk, source, device and code, whichever instance opens it.
    db.execute(_ONE_OPEN_ALERT_CLEANUP)
    db.execute(_ONE_OPEN_ALERT)
    db.table("switchboard_ops").create(
        {"id": int, "instance": str, "op": str, "ran_seq": int, "at": str},
        pk="id",
        not_null=["instance", "op", "at"],
        strict=True,
    )
    db.table("switchboard_ops").create_index(["ran_seq"])
    db.table("switchboard_mail").create(
        {"id": int, "instance": str, "body": str, "at": str},
        pk="id",
        not_null=["instance", "body", "at"],
        strict=True,
    )
    db.table("switchboard_state").create(
        {"name": str, "value": str, "seq": int, "at": str},
        pk="name",
        not_null=["value", "seq", "at"],
        strict=True,
    )


#: Open alerts that repeat another's key (none are made since schema 8) are closed first.
_ONE_OPEN_ALERT_CLEANUP = (
    "UPDATE alerts SET cleared_at = opened_at WHERE cleared_at IS NULL AND id NOT IN"
    " (SELECT min(id) FROM alerts WHERE cleared_at IS NULL"
    " GROUP BY kiosk_id, source, coalesce(device_id, ''), coalesce(code, ''))"
)
_ONE_OPEN_ALERT = (
    "CREATE UNIQUE INDEX alerts_open_once ON alerts"
    " (kiosk_id, source, coalesce(device_id, ''), coalesce(code, '')) WHERE cleared_at IS NULL"
)
