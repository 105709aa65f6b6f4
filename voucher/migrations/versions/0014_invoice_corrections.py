"""invoice corrections: the operator's invoice number, and which stored invoice a correction replaces

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 16:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('corrects_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('superseded_by', sa.Integer(), nullable=True))
        batch_op.create_index('ix_invoices_number', ['number'])


def downgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_number')
        batch_op.drop_column('superseded_by')
        batch_op.drop_column('corrects_id')
        batch_op.drop_column('number')
