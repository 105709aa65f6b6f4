"""audit events are chained right after their transaction commits: seq and hashes empty until
then, an index to find the unchained ones, and the chain's head hash kept beside its number.
Undone by 0010 (events are chained inside their own transaction again); kept because databases
were upgraded to it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 03:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UNCHAINED = sa.text("seq IS NULL")


def upgrade() -> None:
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


def downgrade() -> None:
    from voucher.services.audit import link_left_unchained

    link_left_unchained(op.get_bind())  # every event chained before the columns close
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_unchained')
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.drop_column('hash')
