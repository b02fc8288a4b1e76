"""Migration 9: updates for the fleet (docs/updates.md "Rollout (hub)").

- `kiosks.library`: the library a kiosk belongs to (set by an admin; NULL: none), one of the
  targets a version is rolled out to;
- `update_groups`: the members of named (pilot) groups, one row a kiosk in a group; a group
  exists while it has members;
- `update_rollouts`: the version an admin wants for a target (`all`, `library:<l>`,
  `group:<g>`), who set it and when;
- `update_reports`: each kiosk's last reported update (the heartbeat's `update` object): what
  is installed, what it replaced, the version the kiosk saw as wanted, the state and its
  detail, the kiosk's time of it, and when the hub received it.
"""

from __future__ import annotations

from sqlite_utils import Database


def _updates_v9(db: Database) -> None:
    db.table("kiosks").add_column("library", str)
    db.table("update_groups").create(
        {"name": str, "kiosk_id": str},
        pk=("name", "kiosk_id"),
        not_null=["name", "kiosk_id"],
        foreign_keys=[("kiosk_id", "kiosks", "kiosk_id")],
        strict=True,
    )
    db.table("update_groups").create_index(["kiosk_id"])
    db.table("update_rollouts").create(
        {"target": str, "version": str, "set_by": str, "set_at": str},
        pk="target",
        not_null=["version", "set_by", "set_at"],
        strict=True,
    )
    db.table("update_reports").create(
        {
            "kiosk_id": str,
            "installed": str,
            "previous": str,
            "wanted": str,
            "state": str,
            "detail": str,
            "at": str,
            "received_at": str,
        },
        pk="kiosk_id",
        not_null=["state", "received_at"],
        foreign_keys=[("kiosk_id", "kiosks", "kiosk_id")],
        strict=True,
    )
