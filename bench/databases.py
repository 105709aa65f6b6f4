"""The benchmarks' databases: a schema of their own in the machine's PostgreSQL (the server is
shared, so each benchmark process takes a name of its own and drops it afterwards), or a SQLite
file in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("SQLite", "PostgreSQL")


def pg(statement: str) -> None:
    """One statement on the server, outside any schema of ours."""
    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def postgres_url(schema: str) -> str:
    """The URL of that schema, made new and empty."""
    pg(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    return f"{PG}?options=-csearch_path%3D{schema}"


@contextmanager
def postgres_schema(schema: str = f"voucher_bench_{os.getpid()}") -> Iterator[str]:
    """postgres_url(schema), and the schema dropped afterwards."""
    try:
        yield postgres_url(schema)
    finally:
        pg(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@contextmanager
def database_url(backend: str, folder: Path) -> Iterator[str]:
    """An empty database of that backend ("SQLite" or "PostgreSQL"); a SQLite file goes in `folder`."""
    if backend == "PostgreSQL":
        with postgres_schema() as url:
            yield url
    else:
        yield f"sqlite:///{folder}/bench.db"
