"""audit events are chained inside the transaction that writes them again (0009 chained them
right after its commit): events a crash left unlinked are linked after the head, seq and hashes
required again, the unchained index and the head hash beside the counter dropped

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 07:20:00
"""

from alembic import op
import sqlalchemy as sa

from voucher.services.audit import link_left_unchained

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UNCHAINED = sa.text("seq IS NULL")


def upgrade() -> None:
    link_left_unchained(op.get_bind())
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_unchained')
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.drop_column('hash')


def downgrade() -> None:
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    op.execute("UPDATE counters SET hash = (SELECT hash FROM audit_events WHERE audit_events.seq = counters.value) "
               "WHERE name = 'audit'")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index('ix_audit_events_unchained', ['id'], unique=False,
                              postgresql_where=UNCHAINED, sqlite_where=UNCHAINED)
