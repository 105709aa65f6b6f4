"""people's accounts and sign-in sessions; vouchers searchable by folded holder name

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa

from voucher.names import fold

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=48), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'staff_sessions',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)

    # Nullable: making it NOT NULL would rebuild the vouchers table on SQLite, which the foreign
    # keys of revocations forbid; the model fills it on every insert.
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_key', sa.String(length=120), nullable=True))
    vouchers = sa.table('vouchers', sa.column('id', sa.String), sa.column('holder_name', sa.String),
                        sa.column('holder_key', sa.String))
    connection = op.get_bind()
    for voucher_id, name in connection.execute(sa.select(vouchers.c.id, vouchers.c.holder_name)).all():
        connection.execute(vouchers.update().where(vouchers.c.id == voucher_id).values(holder_key=fold(name)[:120]))


def downgrade() -> None:
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_column('holder_key')
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))
    op.drop_table('staff_sessions')
    op.drop_table('users')
