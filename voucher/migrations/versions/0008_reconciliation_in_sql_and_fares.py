"""reconciliation in SQL (indexes for its range filters and joins) and the fare table

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 10:00:00
"""

from alembic import op
import sqlalchemy as sa

FINDINGS = sa.text("(CAST(flags AS TEXT) != '[]' OR outcome IN ('invalid', 'unknown'))")


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'fares',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office', sa.String(length=16), nullable=False),
        sa.Column('zone', sa.String(length=16), nullable=True),
        sa.Column('origin', sa.String(length=40), nullable=True),
        sa.Column('destination', sa.String(length=40), nullable=True),
        sa.Column('fare_class', sa.Integer(), nullable=False),
        sa.Column('price_cents', sa.Integer(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.CheckConstraint('(zone IS NOT NULL AND origin IS NULL AND destination IS NULL)'
                           ' OR (zone IS NULL AND origin IS NOT NULL AND destination IS NOT NULL)',
                           name='ck_fares_zone_or_route'),
        sa.CheckConstraint('price_cents >= 0', name='ck_fares_price'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.drop_index('ix_redemptions_voucher_id')
        batch_op.create_index('ix_redemptions_voucher_outcome', ['voucher_id', 'outcome', 'redeemed_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_redemptions_redeemed_at', ['redeemed_at'], unique=False)
        batch_op.create_index('ix_redemptions_findings', ['redeemed_at'], unique=False,
                              postgresql_where=FINDINGS, sqlite_where=FINDINGS)
    with op.batch_alter_table('revocations', schema=None) as batch_op:
        batch_op.create_index('ix_revocations_revoked_at', ['revoked_at'], unique=False)
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_index('ix_vouchers_created_at')
        batch_op.drop_index('ix_vouchers_valid_until')
        batch_op.create_index('ix_vouchers_created_at', ['created_at', 'cost_center'], unique=False)
        batch_op.create_index('ix_vouchers_valid_until', ['valid_until', 'cost_center', 'id', 'valid_from'], unique=False)
        batch_op.create_index('ix_vouchers_billing', [
            'id', 'valid_from', 'valid_until', 'cost_center', 'fare_class', 'max_fare_cents', 'travellers', 'office',
            'zone', 'origin', 'destination'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql' and (bind.dialect.server_version_info or ()) >= (14,):
        # The planner cannot see inside the JSON and would guess that nearly every redemption has a
        # flag, then read them all instead of the few in ix_redemptions_findings.
        op.execute('CREATE STATISTICS redemptions_flags_text ON (CAST(flags AS TEXT)) FROM redemptions')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP STATISTICS IF EXISTS redemptions_flags_text')
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_index('ix_vouchers_billing')
        batch_op.drop_index('ix_vouchers_valid_until')
        batch_op.drop_index('ix_vouchers_created_at')
        batch_op.create_index('ix_vouchers_valid_until', ['valid_until'], unique=False)
        batch_op.create_index('ix_vouchers_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('revocations', schema=None) as batch_op:
        batch_op.drop_index('ix_revocations_revoked_at')
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.drop_index('ix_redemptions_findings')
        batch_op.drop_index('ix_redemptions_redeemed_at')
        batch_op.drop_index('ix_redemptions_voucher_outcome')
        batch_op.create_index('ix_redemptions_voucher_id', ['voucher_id'], unique=False)
    op.drop_table('fares')
