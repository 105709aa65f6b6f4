"""verifier devices have a purpose (journey or reception) carried by their redemptions; devices'
last revocation list fetch is recorded

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 16:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=16), server_default=sa.text("'journey'"),
                                      nullable=False))
        batch_op.add_column(sa.Column('revocations_fetched_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=16), server_default=sa.text("'journey'"),
                                      nullable=False))
        batch_op.drop_index('ix_redemptions_voucher_outcome')
        batch_op.create_index('ix_redemptions_voucher_outcome', ['voucher_id', 'outcome', 'purpose', 'redeemed_at', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.drop_index('ix_redemptions_voucher_outcome')
        batch_op.create_index('ix_redemptions_voucher_outcome', ['voucher_id', 'outcome', 'redeemed_at', 'id'],
                              unique=False)
        batch_op.drop_column('purpose')
    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.drop_column('revocations_fetched_at')
        batch_op.drop_column('purpose')
