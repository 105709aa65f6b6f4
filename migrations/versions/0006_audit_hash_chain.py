"""audit hash chain: every event numbered and hashed with its predecessor's hash; events logged
before this revision are chained here, in the order they were written

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 09:00:00
"""

from alembic import op
import sqlalchemy as sa

from voucher.services.audit import COUNTER, GENESIS, event_hash
from voucher.store import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CHUNK = 1000


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    count = _chain_existing(op.get_bind())
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_audit_events_seq'), ['seq'], unique=True)
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer))
    op.bulk_insert(counters, [{"name": COUNTER, "value": count}])


def _chain_existing(connection) -> int:
    events = sa.table(
        "audit_events", sa.column("id", sa.Integer), sa.column("at", UTCDateTime), sa.column("actor", sa.String),
        sa.column("action", sa.String), sa.column("voucher_id", sa.String), sa.column("detail", sa.JSON),
        sa.column("seq", sa.Integer), sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
    )
    chain = sa.update(events).where(events.c.id == sa.bindparam("b_id")).values(
        seq=sa.bindparam("b_seq"), prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash"))
    seq, prev, last_id = 0, GENESIS, 0
    while True:
        rows = connection.execute(
            sa.select(events.c.id, events.c.at, events.c.actor, events.c.action, events.c.voucher_id, events.c.detail)
            .where(events.c.id > last_id).order_by(events.c.id).limit(CHUNK)
        ).all()
        if not rows:
            return seq
        updates = []
        for row in rows:
            seq += 1
            digest = event_hash(prev, seq, row.at, row.actor, row.action, row.voucher_id, row.detail)
            updates.append({"b_id": row.id, "b_seq": seq, "b_prev": prev, "b_hash": digest})
            prev, last_id = digest, row.id
        connection.execute(chain, updates)


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE name = 'audit'")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_seq'))
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
