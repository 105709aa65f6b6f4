"""Engine and sessions for one database URL, and schema upgrades through Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, Table, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
COPY_FROM = 20


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
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Rows into one table in the session's transaction. PostgreSQL gets COPY_FROM rows or more by
    COPY, which costs a third of an executemany per row in Python and half in the server, but one
    round trip more; fewer rows, and other databases, get an executemany. A duplicate key raises
    IntegrityError either way."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(rows) < COPY_FROM:
        connection.execute(table.insert(), rows)
        return
    import psycopg
    from psycopg.types.json import Json

    names = list(rows[0])
    json = {column.key for column in table.columns if isinstance(column.type, JSON)}
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([Json(row[n]) if n in json and row[n] is not None else row[n] for n in names])
    except psycopg.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from None
    finally:
        cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a power cut may lose the
    # last commits but never corrupts the file; an application crash loses nothing.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    """Take the write lock at BEGIN, so two writers queue instead of failing on upgrade."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")
