"""returns: return authorisations, their lines and claims

Return authorisations (RMA) and their lines, the return policy per channel, store credit entries per customer,
and whether a product may be returned at all (`products.returnable`, true for every existing product).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returnable', sa.Boolean(), server_default=sa.true(), nullable=False))

    op.create_table('return_policies',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('restocking_fee_percent', sa.Integer(), nullable=False),
    sa.Column('return_shipping_fee', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', name=op.f('pk_return_policies'))
    )
    op.create_table('returns',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('refund_to', sa.String(length=24), nullable=False),
    sa.Column('tracking_number', sa.String(length=120), nullable=True),
    sa.Column('location', sa.String(length=32), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('refund_amount', sa.BigInteger(), nullable=False),
    sa.Column('deductions', sa.BigInteger(), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['location'], ['locations.code'], name=op.f('fk_returns_location_locations')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_returns_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_returns')),
    sa.UniqueConstraint('number', name=op.f('uq_returns_number'))
    )
    with op.batch_alter_table('returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_returns_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_returns_status_created_at', ['status', 'created_at'], unique=False)

    op.create_table('return_lines',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('return_id', sa.String(length=40), nullable=False),
    sa.Column('order_line_id', sa.String(length=40), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('resellable', sa.Integer(), nullable=False),
    sa.Column('damaged', sa.Integer(), nullable=False),
    sa.Column('refunded', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'],
                            name=op.f('fk_return_lines_order_line_id_order_lines')),
    sa.ForeignKeyConstraint(['return_id'], ['returns.id'], name=op.f('fk_return_lines_return_id_returns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_lines'))
    )
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_lines_return_id'), ['return_id'], unique=False)

    op.create_table('store_credit',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=True),
    sa.Column('return_id', sa.String(length=40), nullable=True),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_store_credit_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_store_credit_order_id_orders')),
    sa.ForeignKeyConstraint(['return_id'], ['returns.id'], name=op.f('fk_store_credit_return_id_returns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_credit'))
    )
    with op.batch_alter_table('store_credit', schema=None) as batch_op:
        batch_op.create_index('ix_store_credit_customer_id_currency', ['customer_id', 'currency'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('store_credit', schema=None) as batch_op:
        batch_op.drop_index('ix_store_credit_customer_id_currency')
    op.drop_table('store_credit')
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_lines_return_id'))
    op.drop_table('return_lines')
    with op.batch_alter_table('returns', schema=None) as batch_op:
        batch_op.drop_index('ix_returns_status_created_at')
        batch_op.drop_index(batch_op.f('ix_returns_order_id'))
    op.drop_table('returns')
    op.drop_table('return_policies')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('returnable')
