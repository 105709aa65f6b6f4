"""Copies of the whole database, consistent while the service keeps serving, and restoring them.

SQLite: the online backup API copies one snapshot of every page (writers carry on meanwhile) into
a new file that is renamed into place once complete; a restore copies the backup into the
configured file the same way, in one write transaction. PostgreSQL: `pg_dump --format=custom`
(one snapshot of the database, or of the schema the URL's search_path names) and `pg_restore
--single-transaction`. A restore never overwrites a database holding data unless forced.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine, inspect, select, table, text
from sqlalchemy.engine import URL, make_url

from .db import BUSY_TIMEOUT_SECONDS, create_private_file

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PG_BIN_DIRS = "/usr/lib/postgresql/*/bin"  # Debian keeps versioned tools off PATH
# Tables whose rows a freshly migrated database has too: they do not count as data to protect.
_SCAFFOLDING = {"alembic_version", "counters"}


class BackupError(Exception):
    """A backup or restore refused or failed; the message says what to do."""


def backup(database_url: str, out: Path) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(Path(url.database or ""), out)
    elif url.get_backend_name() == "postgresql":
        schema = _schema(url)
        _replace_privately(out, lambda _path, fd: _run(
            "pg_dump", url, "--format=custom", *([f"--schema={schema}"] if schema else []), stdout=fd))
    else:
        raise BackupError(f"cannot back up a {url.get_backend_name()} database: SQLite and PostgreSQL only")


def restore(database_url: str, source: Path, force: bool = False) -> None:
    url = make_url(database_url)
    with open(source, "rb") as file:
        magic = file.read(16)
    kind = {"sqlite": SQLITE_MAGIC, "postgresql": PG_DUMP_MAGIC}.get(url.get_backend_name())
    if kind is None or not magic.startswith(kind):
        what = "an SQLite backup" if magic.startswith(SQLITE_MAGIC) else (
            "a PostgreSQL dump" if magic.startswith(PG_DUMP_MAGIC) else "no backup this command wrote")
        raise BackupError(f"{source} is {what}; DATABASE_URL is a {url.get_backend_name()} database")
    if url.get_backend_name() == "sqlite":
        assert url.database is not None  # an SQLite URL names its file (checked by config)
        create_private_file(Path(url.database))
    if not force and _holds_data(url):
        raise BackupError("the database already holds data: restore into an empty database, or give --force to replace it")
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        _sqlite_restore(source, Path(url.database))
    else:
        _check_schema(url, source)
        _run("pg_restore", url, "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", str(source))


def _sqlite_backup(database: Path, out: Path) -> None:
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    if out.resolve() == database.resolve():
        raise BackupError("the backup would overwrite the database itself: choose another file")

    def copy(path: Path, _fd: int) -> None:
        with closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_SECONDS)) as src, closing(sqlite3.connect(path)) as dst:
            src.backup(dst)  # one step: one read snapshot, no writer blocked
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file

    try:
        _replace_privately(out, copy)
    except sqlite3.Error as exc:
        raise BackupError(f"backup failed, nothing was written: {exc}") from None


def _sqlite_restore(source: Path, database: Path) -> None:
    try:
        with closing(sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)) as src:
            if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is damaged (PRAGMA quick_check failed); nothing was restored")
            with closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_SECONDS)) as dst:
                src.backup(dst)  # one write transaction on the database: all of it or nothing
    except sqlite3.Error as exc:
        raise BackupError(f"restore failed, the database is unchanged: {exc}") from None


def _holds_data(url: URL) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names()) - _SCAFFOLDING
            return any(conn.execute(select(text("1")).select_from(table(name)).limit(1)).first() for name in names)
    finally:
        engine.dispose()


def _schema(url: URL) -> str | None:
    """The schema the URL's search_path names first (options=-csearch_path=...), if any."""
    found = re.search(r"search_path\s*=\s*([^\s,]+)", str(url.query.get("options", "")))
    return found.group(1).strip('"') if found else None


def _check_schema(url: URL, source: Path) -> None:
    """pg_restore puts tables back in the schema they were dumped from: it must be the URL's."""
    listing = _run("pg_restore", None, "--list", str(source))
    dumped = {line.split()[4] for line in listing.splitlines() if re.match(r"^\d+; \d+ \d+ TABLE ", line)}
    wanted = _schema(url) or "public"
    if dumped and wanted not in dumped:
        raise BackupError(f"the backup holds schema {', '.join(sorted(dumped))}; DATABASE_URL uses {wanted} "
                          f"(set options=-csearch_path={min(dumped)} in the URL to restore it)")


def _run(tool: str, url: URL | None, *args: str, stdout: int | None = None) -> str:
    """Run a PostgreSQL client tool; the password goes by environment, never on a command line."""
    env = dict(os.environ)
    connection = []
    if url is not None:
        if url.password:
            env["PGPASSWORD"] = str(url.password)
        connection = ["--dbname", url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)]
    result = subprocess.run([_tool(tool), *connection, *args], env=env, text=True,
                            stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{tool} failed: {lines[-1] if lines else f'exit status {result.returncode}'}")
    return result.stdout or ""


def _tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"{PG_BIN_DIRS}/{name}"), key=_version, reverse=True)), None)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools of the server's version "
                          f"(Debian: apt-get install postgresql-client) or put {name} on PATH")
    return found


def _version(path: str) -> int:
    number = Path(path).parts[-3]
    return int(number) if number.isdigit() else 0


def _replace_privately(out: Path, write) -> None:
    """Write `out` (mode 0600: it holds personal data) through a temporary file beside it, renamed
    into place only when complete, so a failed backup never leaves a half file or clobbers one."""
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            write(temporary, fd)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
