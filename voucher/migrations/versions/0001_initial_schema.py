"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 12:00:31.096669
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('voucher_id', sa.String(length=13), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_voucher_id'), ['voucher_id'], unique=False)

    op.create_table('counters',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('redemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('voucher_id', sa.String(length=13), nullable=True),
    sa.Column('code', sa.Text(), nullable=True),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=120), nullable=True),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id')
    )
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redemptions_voucher_id'), ['voucher_id'], unique=False)

    op.create_table('vouchers',
    sa.Column('id', sa.String(length=13), nullable=False),
    sa.Column('kid', sa.String(length=8), nullable=False),
    sa.Column('code', sa.Text(), nullable=False),
    sa.Column('holder_name', sa.String(length=40), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('zone', sa.String(length=16), nullable=True),
    sa.Column('origin', sa.String(length=40), nullable=True),
    sa.Column('destination', sa.String(length=40), nullable=True),
    sa.Column('fare_class', sa.Integer(), nullable=False),
    sa.Column('travellers', sa.Integer(), nullable=False),
    sa.Column('return_trip', sa.Boolean(), nullable=False),
    sa.Column('office', sa.String(length=16), nullable=False),
    sa.Column('cost_center', sa.String(length=32), nullable=False),
    sa.Column('max_fare_cents', sa.Integer(), nullable=True),
    sa.Column('customer_ref', sa.String(length=64), nullable=True),
    sa.Column('appointment_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appointment_place', sa.Text(), nullable=True),
    sa.Column('external_ref', sa.String(length=64), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('replaces', sa.String(length=13), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['replaces'], ['vouchers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_ref'),
    sa.UniqueConstraint('replaces')
    )
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vouchers_cost_center'), ['cost_center'], unique=False)
        batch_op.create_index(batch_op.f('ix_vouchers_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_vouchers_valid_until'), ['valid_until'], unique=False)

    op.create_table('revocations',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('voucher_id', sa.String(length=13), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['voucher_id'], ['vouchers.id'], ),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('voucher_id')
    )


    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer))
    op.bulk_insert(counters, [{"name": "revocations", "value": 0}])


def downgrade() -> None:
    op.drop_table('revocations')
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vouchers_valid_until'))
        batch_op.drop_index(batch_op.f('ix_vouchers_created_at'))
        batch_op.drop_index(batch_op.f('ix_vouchers_cost_center'))

    op.drop_table('vouchers')
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redemptions_voucher_id'))

    op.drop_table('redemptions')
    op.drop_table('counters')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_voucher_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    op.drop_table('api_clients')
