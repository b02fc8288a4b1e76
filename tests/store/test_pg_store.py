"""The hub's store on PostgreSQL: the same schema as on SQLite, migrated once however many
instances start together, and the messages a person reads when the database is not as the
hub needs it (too new, out of reach, a URL that is not PostgreSQL's).

These run on every test run (a private server: tests/peers/postgres.py), not only in the hub
suite's pass on PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest

from hub.config import DATABASE_URL_VARIABLE
from hub.store import SCHEMA_VERSION, SchemaTooNewError, open_postgres, open_store
from tests.peers.postgres import PostgresServer

HUB = Path(sys.executable).parent / "kiosk-hub"
DEADLINE = 60.0

#: sqlite-utils' column types and what PgTable makes of each (sqlschema.postgres).
SAME_TYPE = {
    "TEXT": "text",
    "INTEGER": "bigint",
    "FLOAT": "double precision",
    "REAL": "double precision",
    "BLOB": "bytea",
}

Columns = dict[str, dict[str, str]]
#: A key's part that is an expression (coalesce(device_id, '')), not a column.
EXPRESSION = "(expression)"


def sqlite_columns(conn: sqlite3.Connection) -> Columns:
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        table: {row[1]: SAME_TYPE[row[2]] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        for table in tables
    }


def postgres_columns(url: str) -> Columns:
    found: Columns = {}
    with psycopg.connect(url) as conn:
        for table, column, kind in conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name != 'schema_version'"
        ):
            found.setdefault(table, {})[column] = kind
    return found


def sqlite_unique_keys(conn: sqlite3.Connection) -> set[tuple[str, tuple[str, ...]]]:
    keys = set()
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for index in conn.execute(f'PRAGMA index_list("{table}")'):
            if index[2]:  # unique (a primary key's index included)
                columns = conn.execute(f'PRAGMA index_info("{index[1]}")').fetchall()
                names = (column[2] or EXPRESSION for column in columns)
                keys.add((table, tuple(sorted(names))))
        pk = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")') if row[5]]
        if pk:
            keys.add((table, tuple(sorted(pk))))
    return keys


def postgres_unique_keys(url: str) -> set[tuple[str, tuple[str, ...]]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT t.relname, (SELECT array_agg(coalesce(a.attname::text, %s))"
            "  FROM unnest(i.indkey::int2[]) AS k(num)"
            "  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.num)"
            " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
            " JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()"
            " WHERE i.indisunique AND t.relname != 'schema_version'",
            [EXPRESSION],
        ).fetchall()
    return {(table, tuple(sorted(columns))) for table, columns in rows}


def test_the_migrations_build_the_same_tables_and_columns_on_both(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    lite = open_store(tmp_path / "hub.db")
    url = postgres_server.schema_url()
    pg = open_postgres(url)
    try:
        on_sqlite = sqlite_columns(lite.db.conn)
        on_postgres = postgres_columns(url)
        assert "submissions" in on_sqlite and "hub_counters" in on_sqlite
        assert sorted(on_postgres) == sorted(on_sqlite)
        for table, columns in on_sqlite.items():
            assert on_postgres[table] == columns, table
        # The keys the store relies on to refuse a second row (IntegrityErrors).
        assert postgres_unique_keys(url) == sqlite_unique_keys(lite.db.conn)
    finally:
        lite.close()
        pg.close()


OPEN_WHEN_TOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from hub.store import open_postgres
    go = Path(sys.argv[2])
    while not go.exists():
        time.sleep(0.01)
    store = open_postgres(sys.argv[1])
    row = store.db.execute("SELECT version FROM schema_version").fetchone()
    print(store.migrated_from, row[0])
    store.close()
    """
)


def test_two_processes_opening_a_new_database_together_migrate_it_once(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.schema_url()
    go = tmp_path / "go"
    openers = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_WHEN_TOLD, url, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    go.touch()
    outputs = [opener.communicate(timeout=DEADLINE) for opener in openers]
    for opener, (_out, err) in zip(openers, outputs, strict=True):
        assert opener.returncode == 0, err
    seen = sorted(tuple(int(word) for word in out.split()) for out, _err in outputs)
    # One found nothing and migrated; the other waited for it and found the work done.
    assert seen == [(0, SCHEMA_VERSION), (SCHEMA_VERSION, SCHEMA_VERSION)]
    with psycopg.connect(url) as conn:
        found = conn.execute("SELECT version FROM schema_version").fetchall()
        assert found == [(SCHEMA_VERSION,)]
        counters = conn.execute("SELECT name, value FROM hub_counters").fetchall()
    assert counters == [("credentials", 0)]  # migration 8's row, written once


def test_a_database_newer_than_the_software_is_refused_with_what_to_do(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.schema_url()
    open_postgres(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = %s", [SCHEMA_VERSION + 1])
    with pytest.raises(SchemaTooNewError) as refused:
        open_postgres(url)
    message = str(refused.value)
    assert f"schema version {SCHEMA_VERSION + 1}" in message
    assert f"knows only up to {SCHEMA_VERSION}" in message
    assert "install the newer kiosk-hub" in message
    # The command says the same on one line, and nothing was changed.
    config = tmp_path / "hub.toml"
    config.write_text(f'[hub]\ndata_dir = "{tmp_path / "data"}"\n')
    done = run_hub(config, "user", "list", url=url)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "knows only up to" in done.stderr
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone() == (
            SCHEMA_VERSION + 1,
        )


def run_hub(config: Path, *args: str, url: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != DATABASE_URL_VARIABLE}
    if url is not None:
        env[DATABASE_URL_VARIABLE] = url
    return subprocess.run(
        [str(HUB), "--config", str(config), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )


@pytest.mark.parametrize("command", [("serve",), ("user", "list")])
@pytest.mark.parametrize("given_in", ["hub.toml", "environment"])
def test_a_database_out_of_reach_is_one_line_naming_where_never_the_password(
    tmp_path: Path, command: tuple[str, ...], given_in: str
) -> None:
    # Nothing listens on port 1 of the loopback: the connection is refused at once.
    url = "postgresql://hubuser:Sekret-pw-42@127.0.0.1:1/kioskhub"
    config = tmp_path / "hub.toml"
    store = f'[store]\nurl = "{url}"\n' if given_in == "hub.toml" else ""
    config.write_text(f'[hub]\ndata_dir = "{tmp_path / "data"}"\n{store}')
    done = run_hub(config, *command, url=url if given_in == "environment" else None)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "cannot connect to PostgreSQL at 127.0.0.1:1/kioskhub" in done.stderr
    assert "Sekret-pw-42" not in done.stderr + done.stdout
    assert not (tmp_path / "data" / "hub.db").exists()  # no SQLite file made instead


def test_a_store_url_that_is_not_postgresql_is_refused_by_check_config(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        f'[hub]\ndata_dir = "{tmp_path / "data"}"\n[store]\nurl = "mysql://hub@db/kiosk"\n'
    )
    done = run_hub(config, "check-config", url=None)
    assert done.returncode == 2
    assert f"{config}: [store] url" in done.stderr
    assert "expected a postgresql:// URL" in done.stderr
    config.write_text(f'[hub]\ndata_dir = "{tmp_path / "data"}"\n[store]\nurl = ""\n')
    assert run_hub(config, "check-config", url=None).returncode == 0
