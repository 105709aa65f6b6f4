"""operator invoices and their lines

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invoices',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('operator', sa.String(length=64), nullable=True),
    sa.Column('period_from', sa.Date(), nullable=True),
    sa.Column('period_to', sa.Date(), nullable=True),
    sa.Column('period_source', sa.String(length=16), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('encoding', sa.String(length=16), nullable=False),
    sa.Column('delimiter', sa.String(length=4), nullable=False),
    sa.Column('decimal', sa.String(length=8), nullable=True),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('totals', sa.JSON(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_uploaded_at'), ['uploaded_at'], unique=False)

    op.create_table('invoice_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=True),
    sa.Column('voucher_id', sa.String(length=13), nullable=True),
    sa.Column('travel_date', sa.Date(), nullable=True),
    sa.Column('amount_cents', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('redemption_id', sa.Integer(), nullable=True),
    sa.Column('reverses_invoice_id', sa.Integer(), nullable=True),
    sa.Column('reverses_line', sa.Integer(), nullable=True),
    sa.Column('payable_cents', sa.Integer(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ),
    sa.ForeignKeyConstraint(['redemption_id'], ['redemptions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reverses_invoice_id', 'reverses_line')
    )
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_lines_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_lines_redemption_id'), ['redemption_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_lines_voucher_id'), ['voucher_id'], unique=False)

    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer))
    op.bulk_insert(counters, [{"name": "invoices", "value": 0}])


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE name = 'invoices'")
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_lines_voucher_id'))
        batch_op.drop_index(batch_op.f('ix_invoice_lines_redemption_id'))
        batch_op.drop_index(batch_op.f('ix_invoice_lines_invoice_id'))

    op.drop_table('invoice_lines')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoices_uploaded_at'))

    op.drop_table('invoices')
