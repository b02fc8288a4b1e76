"""Several hub instances sharing one call switchboard through PostgreSQL.

With the store on PostgreSQL (`store.dialect == "postgresql"`), any number of `kiosk-hub serve`
instances share the calls: one hosts the switchboard (an advisory lock), the others relay what
happens on their sockets to it and deliver what it sends (LISTEN/NOTIFY and a few tables, no
protocol of our own). `router.py` is an instance's part, `host.py` the host's, `link.py` the
connections; docs/call-protocol.md, "Several hub instances", tells the whole story.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from hub.calls.desk import CallDesk
    from hub.config import HubConfig
    from hub.store import HubStore


def store_url(config: HubConfig, store: HubStore) -> str:
    """Where the store's PostgreSQL is: hub.toml's (or the environment's) URL, else the
    store's own connection's parameters."""
    if config.store_url:
        return config.store_url
    import psycopg

    info = store.db.conn.info
    return psycopg.conninfo.make_conninfo(info.dsn, password=info.password or None)


def join_cluster(app: web.Application, desk: CallDesk, config: HubConfig, store: HubStore) -> None:
    """Make `desk` one of the instances sharing the switchboard in `store`'s PostgreSQL."""
    from hub.cluster.router import ClusterRouter

    router = ClusterRouter(
        desk, store_url(config, store), f"{config.listen_host}:{config.listen_port}"
    )
    desk.router = router
    app.on_startup.append(router.start)
    app.on_cleanup.append(router.stop)
