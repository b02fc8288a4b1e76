"""The same schemas and stores on PostgreSQL: a database object that speaks for sqlite-utils'.

The hub's store is written against the part of sqlite-utils' `Database` it uses: `execute`,
`executemany` (sqlite3's, which the store reaches through sqlite-utils' connection) and `query`
with `?` placeholders, `atomic()`, and a table's `create`, `create_index`, `add_column`,
`insert`, `upsert` and `rows_where`. `PgDatabase` offers exactly that part over one psycopg 3
connection, so the migrations and the store's methods run unchanged on both databases:

- Types: `str` is `TEXT COLLATE "C"` (ordered byte by byte, as SQLite orders text), `int`
  `BIGINT`, `float` `DOUBLE PRECISION`, `bytes` `BYTEA`; a single `int` primary key is an
  identity column (SQLite's rowid alias: an insert without it gets the next number).
- SQL: `?` becomes psycopg's `%s` (and a literal `%` is doubled), `INSERT OR IGNORE` becomes
  `ON CONFLICT DO NOTHING`, `instr()` `strpos()`; a `PRAGMA` does nothing. Everything else the
  store writes is SQL both databases read alike (it is tested on both).
- Values: parameters are bound on the client (`ClientCursor`), as SQLite binds them, so a
  parameter's type never has to be inferred by the server; `bool` is stored as 0 or 1. A
  `numeric` result (PostgreSQL's `sum` and `avg`) comes back as an `int` when it is whole and
  has no decimals, else as a `float`, as SQLite's do.
- The schema's version lives in the table `schema_version`; migrating takes a transaction-level
  advisory lock, so of several hub instances starting together one migrates and the others
  wait and find the work done. PostgreSQL's DDL is transactional: a failing step leaves the
  version the database had. There is no file to copy first: back up with `pg_dump`
  (docs/deployment.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import psycopg
from psycopg import sql as pgsql
from psycopg.adapt import Loader
from psycopg.rows import dict_row

#: Of several hub processes, one migrates at a time (pg_advisory_xact_lock's key).
MIGRATION_LOCK = 0x6B696F736B  # "kiosk"

_TYPES: dict[type, str] = {
    str: 'TEXT COLLATE "C"',
    int: "BIGINT",
    float: "DOUBLE PRECISION",
    bytes: "BYTEA",
}


class _NumberLoader(Loader):
    """`numeric` as SQLite gives it: a whole `sum` an int, anything with decimals a float."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode("ascii")
        if "." in text or "e" in text.lower() or "n" in text.lower():
            return float(text)
        return int(text)


def connect(url: str) -> psycopg.Connection[Any]:
    """A connection for `PgDatabase`: autocommit (each statement its own transaction outside
    `atomic()`), parameters bound on the client."""
    conn: psycopg.Connection[Any] = psycopg.connect(
        url, autocommit=True, cursor_factory=psycopg.ClientCursor
    )
    conn.adapters.register_loader("numeric", _NumberLoader)
    return conn


def translate(sql: str, with_params: bool) -> str:
    """SQLite's spelling of what the store writes, in PostgreSQL's."""
    out: list[str] = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if not quoted and char == "?":
            out.append("%s")
        elif with_params and char == "%":
            out.append("%%")
        else:
            out.append(char)
    text = "".join(out)
    text = re.sub(r"\binstr\(", "strpos(", text, flags=re.IGNORECASE)
    if re.match(r"\s*INSERT\s+OR\s+IGNORE\s+INTO\b", text, flags=re.IGNORECASE):
        text = re.sub(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO", "INSERT INTO", text, flags=re.I)
        returning = re.search(r"\sRETURNING\s", text, flags=re.IGNORECASE)
        if returning:
            at = returning.start()
            text = f"{text[:at]} ON CONFLICT DO NOTHING{text[at:]}"
        else:
            text = f"{text} ON CONFLICT DO NOTHING"
    return text


def _params(params: Sequence[Any] | Mapping[str, Any] | None) -> Sequence[Any] | None:
    if params is None:
        return None
    if isinstance(params, Mapping):
        raise TypeError("named parameters are not used by the store")
    return [int(value) if isinstance(value, bool) else value for value in params]


class PgDatabase:
    """sqlite-utils' `Database`, as far as the store uses it, over a psycopg connection."""

    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> psycopg.Cursor[Any]:
        """Run one statement; the cursor has `rowcount`, `fetchone()`, `fetchall()`."""
        if re.match(r"\s*PRAGMA\b", sql, flags=re.IGNORECASE):
            return self.conn.cursor()
        params = _params(parameters)
        cursor = self.conn.cursor()
        cursor.execute(translate(sql, bool(params)), params or None)
        return cursor

    def executemany(
        self, sql: str, seq_of_parameters: Iterable[Sequence[Any]]
    ) -> psycopg.Cursor[Any]:
        """One statement for each parameter row (sqlite3's `executemany`, which sqlite-utils
        lacks); the cursor's `rowcount` is the sum of the rows each changed."""
        rows = [_params(params) or [] for params in seq_of_parameters]
        cursor = self.conn.cursor()
        if rows:
            cursor.executemany(translate(sql, True), rows)
        return cursor

    def query(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """The rows of a SELECT as dictionaries."""
        values = _params(params)
        cursor = self.conn.cursor(row_factory=dict_row)
        cursor.execute(translate(sql, bool(values)), values or None)
        if cursor.description is None:
            return iter(())
        return iter(cursor.fetchall())

    def atomic(self) -> AbstractContextManager[Any]:
        """One transaction (a savepoint when nested); rolled back if the block raises."""
        return self.conn.transaction()

    def table(self, name: str) -> PgTable:
        return PgTable(self, name)


class PgTable:
    """sqlite-utils' `Table`, as far as the store and its migrations use it."""

    def __init__(self, db: PgDatabase, name: str) -> None:
        self.db = db
        self.name = name

    # --- the schema ------------------------------------------------------------------------

    def create(
        self,
        columns: Mapping[str, type],
        *,
        pk: str | Sequence[str] | None = None,
        not_null: Iterable[str] = (),
        defaults: Mapping[str, Any] | None = None,
        foreign_keys: Iterable[tuple[str, str, str]] = (),
        strict: bool = False,
    ) -> PgTable:
        del strict  # PostgreSQL's columns are always of their type
        required = set(not_null)
        default_of = dict(defaults or {})
        references = {column: (table, other) for column, table, other in foreign_keys}
        keys = [pk] if isinstance(pk, str) else list(pk or [])
        parts: list[pgsql.Composable] = []
        for column, kind in columns.items():
            if keys == [column] and kind is int:
                spec = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
                parts.append(pgsql.SQL("{} " + spec).format(pgsql.Identifier(column)))
                continue
            piece: pgsql.Composable = pgsql.SQL("{} {}").format(
                pgsql.Identifier(column), pgsql.SQL(_TYPES[kind])
            )
            if keys == [column]:
                piece = pgsql.SQL("{} PRIMARY KEY").format(piece)
            if column in required:
                piece = pgsql.SQL("{} NOT NULL").format(piece)
            if column in default_of:
                piece = pgsql.SQL("{} DEFAULT {}").format(piece, pgsql.Literal(default_of[column]))
            if column in references:
                table, other = references[column]
                piece = pgsql.SQL("{} REFERENCES {} ({})").format(
                    piece, pgsql.Identifier(table), pgsql.Identifier(other)
                )
            parts.append(piece)
        if len(keys) > 1:
            parts.append(
                pgsql.SQL("PRIMARY KEY ({})").format(
                    pgsql.SQL(", ").join(pgsql.Identifier(key) for key in keys)
                )
            )
        statement = pgsql.SQL("CREATE TABLE {} ({})").format(
            pgsql.Identifier(self.name), pgsql.SQL(", ").join(parts)
        )
        self.db.conn.execute(statement)
        return self

    def create_index(
        self, columns: Sequence[str], *, unique: bool = False, index_name: str | None = None
    ) -> PgTable:
        name = index_name or f"idx_{self.name}_{'_'.join(columns)}"
        statement = pgsql.SQL("CREATE {}INDEX {} ON {} ({})").format(
            pgsql.SQL("UNIQUE " if unique else ""),
            pgsql.Identifier(name),
            pgsql.Identifier(self.name),
            pgsql.SQL(", ").join(pgsql.Identifier(column) for column in columns),
        )
        self.db.conn.execute(statement)
        return self

    def add_column(self, name: str, kind: type = str, *, not_null_default: Any = None) -> PgTable:
        piece = pgsql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
            pgsql.Identifier(self.name), pgsql.Identifier(name), pgsql.SQL(_TYPES[kind])
        )
        if not_null_default is not None:
            piece = pgsql.SQL("{} NOT NULL DEFAULT {}").format(
                piece, pgsql.Literal(not_null_default)
            )
        self.db.conn.execute(piece)
        return self

    # --- rows ------------------------------------------------------------------------------

    def insert(self, row: Mapping[str, Any]) -> PgTable:
        self._write(row, conflict=None)
        return self

    def upsert(self, row: Mapping[str, Any], *, pk: str | Sequence[str]) -> PgTable:
        self._write(row, conflict=[pk] if isinstance(pk, str) else list(pk))
        return self

    def _write(self, row: Mapping[str, Any], conflict: list[str] | None) -> None:
        columns = list(row)
        statement: pgsql.Composed = pgsql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            pgsql.Identifier(self.name),
            pgsql.SQL(", ").join(pgsql.Identifier(column) for column in columns),
            pgsql.SQL(", ").join(pgsql.Placeholder() for _ in columns),
        )
        if conflict is not None:
            others = [column for column in columns if column not in conflict]
            update: pgsql.Composable
            if others:
                update = pgsql.SQL("DO UPDATE SET {}").format(
                    pgsql.SQL(", ").join(
                        pgsql.SQL("{0} = excluded.{0}").format(pgsql.Identifier(column))
                        for column in others
                    )
                )
            else:
                update = pgsql.SQL("DO NOTHING")
            statement = pgsql.SQL("{} ON CONFLICT ({}) {}").format(
                statement,
                pgsql.SQL(", ").join(pgsql.Identifier(column) for column in conflict),
                update,
            )
        self.db.conn.execute(statement, _params([row[column] for column in columns]))

    def rows_where(
        self,
        where: str | None = None,
        where_args: Sequence[Any] | None = None,
        *,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        text = f'SELECT * FROM "{self.name}"'
        if where:
            text += f" WHERE {where}"
        if order_by:
            text += f" ORDER BY {order_by}"
        if limit is not None:
            text += f" LIMIT {int(limit):d}"
        return self.db.query(text, where_args or [])


def schema_version(db: PgDatabase) -> int:
    db.conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
    row = db.conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def set_schema_version(db: PgDatabase, version: int) -> None:
    db.conn.execute("DELETE FROM schema_version")
    db.conn.execute("INSERT INTO schema_version (version) VALUES (%s)", [version])
