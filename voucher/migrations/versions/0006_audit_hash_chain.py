"""audit hash chain: every event numbered and hashed with its predecessor's hash; events logged
before this revision are chained here, in the order they were written

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 09:00:00
"""

from alembic import op
import sqlalchemy as sa

from voucher.services.audit import COUNTER, GENESIS, link_unchained

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    count = link_unchained(op.get_bind(), 0, GENESIS)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_audit_events_seq'), ['seq'], unique=True)
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer))
    op.bulk_insert(counters, [{"name": COUNTER, "value": count}])


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE name = 'audit'")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_seq'))
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
