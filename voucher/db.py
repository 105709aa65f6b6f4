"""Engine and sessions for one database URL, and schema upgrades through Alembic.

A database that is down or slow must cost a client a quick 503, never a hung worker: PostgreSQL
connections give up after CONNECT_TIMEOUT, statements after STATEMENT_TIMEOUT, pooled
connections the server has closed are replaced before use (so the pool recovers by itself after
a restart), and SQLite writers wait BUSY_TIMEOUT for the lock (voucher/api/errors.py turns each
into a 503). Errors never carry the statement's parameters (hide_parameters): they end up in
logs, and parameters are names and journeys.
"""

from __future__ import annotations

import json
import os
import select
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, Insert, Table, create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 5
STATEMENT_TIMEOUT_MS = 60_000
BUSY_TIMEOUT_SECONDS = 30.0
COPY_FROM = 20  # rows from which insert_rows uses COPY on PostgreSQL
# session.connection(execution_options=READ_ONLY) as a transaction's first step: it only reads,
# so on SQLite it takes a snapshot instead of the write lock, and writers carry on meanwhile.
READ_ONLY = {"voucher_read_only": True}


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (creating it on an empty database)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL statement_timeout = 0")  # an index on a big table
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")


def insert_rows(session: Session, table: Table, rows: Iterable[Mapping[str, Any]],
                same: Mapping[str, Any] | None = None) -> int:
    """Rows into one table in the session's transaction, taken as they come (a generator of a
    million rows is never held); `same`: columns with one value for every row. Returns how many
    rows were inserted.

    PostgreSQL gets COPY_FROM rows or more by one COPY, which costs a third of an executemany
    per row in Python and half in the server, and the server stores rows while the next are
    made; SQLite gets them by the driver's executemany, without SQLAlchemy's work per row. Fewer
    rows, other databases, and rows that leave out a column SQLAlchemy would fill in (a default)
    get SQLAlchemy's executemany. A duplicate key raises IntegrityError either way."""
    rows = iter(rows)
    first = list(islice(rows, COPY_FROM))
    same = dict(same or {})
    connection = session.connection()
    dialect = connection.dialect.name
    names = list(first[0]) if first else []
    if len(first) < COPY_FROM or dialect not in ("sqlite", "postgresql") or not all(
            column.key in names or column.key in same or (column.default is None and column.onupdate is None)
            for column in table.columns):
        listed = [{**row, **same} for row in chain(first, rows)]
        if listed:
            connection.execute(_insert(table), listed)
        return len(listed)
    columns = [table.c[name] for name in (*names, *same)]  # KeyError for a column the table lacks
    into = f"{table.name} ({', '.join(column.name for column in columns)})"
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None  # a connection in use is never detached
    cursor = dbapi_connection.cursor()
    try:
        if dialect == "sqlite":  # each value converted by its column's type, as SQLAlchemy would
            values = _Values(chain(first, rows), names, same,
                             [column.type.bind_processor(connection.dialect) for column in columns])
            cast(sqlite3.Cursor, cursor).executemany(f"INSERT INTO {into} VALUES ({', '.join('?' * len(columns))})", values)
        else:
            values = _Values(chain(first, rows), names, same,
                             [_json_text if isinstance(column.type, JSON) else None for column in columns])
            with cursor.copy(f"COPY {into} FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
    except _integrity_errors() as exc:  # looked up only when something was raised
        raise IntegrityError(f"INSERT INTO {into}", None, exc) from None
    finally:
        cursor.close()
    return values.count


class _Values:
    """Each row's values in the order of `names`, then `same`'s, each through its converter
    (None: as it is), made as they are taken; `count`: how many were taken."""

    def __init__(self, rows: Iterator[Mapping[str, Any]], names: list[str], same: Mapping[str, Any],
                 convert: Sequence[Callable[[Any], Any] | None]):
        self.rows, self.count = rows, 0
        self.pick = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
        self.tail = [value if to is None else to(value) for value, to in zip(same.values(), convert[len(names):], strict=True)]
        self.at = [(i, to) for i, to in enumerate(convert[:len(names)]) if to is not None]

    def __iter__(self) -> Iterator[list[Any]]:
        pick, tail, at = self.pick, self.tail, self.at
        for row in self.rows:
            values = [*pick(row), *tail]
            for i, to in at:
                values[i] = to(values[i])
            self.count += 1
            yield values


def _json_text(value: Any) -> str | None:
    """A JSON column's value as COPY's text format takes it."""
    return None if value is None else json.dumps(value)


def _integrity_errors() -> tuple[type[Exception], ...]:
    import psycopg  # here, not at the top: a SQLite process never needs it

    return sqlite3.IntegrityError, psycopg.IntegrityError


@cache
def _insert(table: Table) -> Insert:
    """One INSERT statement per table, made once: SQLAlchemy keeps its cache key on the object,
    instead of working it out from a new statement on every request."""
    return table.insert()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            create_private_file(Path(parsed.database))
        # check_same_thread off (SQLAlchemy's default for files, said here for any database): a
        # session's connection is at times used by a helper thread, never by two threads at once.
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                               hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(
            _with_statement_timeout(parsed), connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
            hide_parameters=True,
        )
        event.listen(engine, "checkout", _drop_if_closed_by_server)
        return engine
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


def create_private_file(path: Path) -> None:
    """The database holds names and journeys: readable by the service user only, in a folder
    only it can enter. SQLite gives its -wal and -shm files the mode of the database file, so
    creating that 0600 before SQLite opens it covers them too. An existing file keeps its mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _with_statement_timeout(url: URL) -> URL:
    """Add statement_timeout to the server options the URL may already carry (search_path)."""
    options = url.query.get("options", "")
    if "statement_timeout" in options:
        return url
    return url.update_query_dict({"options": f"{options} -c statement_timeout={STATEMENT_TIMEOUT_MS}".strip()})


def _drop_if_closed_by_server(dbapi_connection, _record, _proxy) -> None:
    """Checking out a pooled connection: one the server has closed (a restart, an idle timeout)
    has its socket readable (at its end) while it waits in the pool, where a healthy one has
    nothing to read. Looking costs no round trip, where pool_pre_ping's query cost one per
    request. The pool replaces a connection refused here."""
    if dbapi_connection.closed or select.select([dbapi_connection.pgconn.socket], [], [], 0)[0]:
        raise DisconnectionError("the server closed this pooled connection")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a power cut may lose the
    # last commits but never corrupts the file; an application crash loses nothing.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    """Take the write lock at BEGIN, so two writers queue instead of failing on upgrade."""
    read_only = connection.get_execution_options().get("voucher_read_only")
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
