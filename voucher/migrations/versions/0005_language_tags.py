"""letter language as a BCP 47 tag of up to 35 characters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 23:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=8), type_=sa.String(length=35),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=35), type_=sa.String(length=8),
                              existing_nullable=False)
