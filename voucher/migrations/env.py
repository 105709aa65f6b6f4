"""Alembic environment: run with the connection voucher.db.Database hands in, or, from the
alembic command line, with DATABASE_URL."""

from alembic import context
from sqlalchemy import create_engine

from voucher.config import from_environment
from voucher.store import Base

target_metadata = Base.metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with create_engine(from_environment().database).connect() as conn:
        run(conn)
        conn.commit()
