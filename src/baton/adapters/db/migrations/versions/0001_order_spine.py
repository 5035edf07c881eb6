"""order spine: catalog, inventory, orders, fulfilment

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 23:22:31.565131
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('customers',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('email', name=op.f('uq_customers_email'))
    )
    op.create_table('idempotency_keys',
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('resource_id', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('inventory_ledger',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('location', sa.String(length=32), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('on_hand_after', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_ledger'))
    )
    with op.batch_alter_table('inventory_ledger', schema=None) as batch_op:
        batch_op.create_index('ix_inventory_ledger_location_sku', ['location', 'sku', 'created_at'], unique=False)

    op.create_table('locations',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('address', sa.JSON(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('ships', sa.Boolean(), nullable=False),
    sa.Column('pickup', sa.Boolean(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('daily_capacity', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_locations'))
    )
    op.create_table('order_number_seq',
    sa.Column('value', sa.Integer(), autoincrement=True, nullable=False),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_order_number_seq')),
    sqlite_autoincrement=True
    )
    op.create_table('outbox',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_order_id'), ['order_id'], unique=False)

    op.create_table('products',
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('stock_policy', sa.String(length=16), nullable=False),
    sa.Column('prices', sa.JSON(), nullable=False),
    sa.Column('weight_grams', sa.Integer(), nullable=True),
    sa.Column('tax_class', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sku', name=op.f('pk_products'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_category'), ['category'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('tracking_id', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('customer_email', sa.String(length=320), nullable=False),
    sa.Column('customer_name', sa.String(length=200), nullable=True),
    sa.Column('customer_phone', sa.String(length=40), nullable=True),
    sa.Column('shipping_address', sa.JSON(), nullable=True),
    sa.Column('billing_address', sa.JSON(), nullable=True),
    sa.Column('delivery_method', sa.String(length=16), nullable=False),
    sa.Column('pickup_location', sa.String(length=32), nullable=True),
    sa.Column('shipping', sa.BigInteger(), nullable=False),
    sa.Column('discounts', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('fulfillment_status', sa.String(length=24), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_orders_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_orders_number')),
    sa.UniqueConstraint('tracking_id', name=op.f('uq_orders_tracking_id'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_channel_placed_at', ['channel', 'placed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_customer_email'), ['customer_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_orders_placed_at_id', ['placed_at', 'id'], unique=False)
        batch_op.create_index('ix_orders_status_placed_at', ['status', 'placed_at'], unique=False)

    op.create_table('stock_levels',
    sa.Column('location', sa.String(length=32), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.Column('safety_stock', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['location'], ['locations.code'], name=op.f('fk_stock_levels_location_locations')),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], name=op.f('fk_stock_levels_sku_products')),
    sa.PrimaryKeyConstraint('location', 'sku', name=op.f('pk_stock_levels'))
    )
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.create_index('ix_stock_levels_sku_location', ['sku', 'location'], unique=False)

    op.create_table('fulfillment_orders',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('location', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['location'], ['locations.code'], name=op.f('fk_fulfillment_orders_location_locations')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_fulfillment_orders_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fulfillment_orders'))
    )
    with op.batch_alter_table('fulfillment_orders', schema=None) as batch_op:
        batch_op.create_index('ix_fulfillment_orders_location_status', ['location', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_fulfillment_orders_order_id'), ['order_id'], unique=False)

    op.create_table('order_changes',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('amount_delta', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_changes_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_changes'))
    )
    with op.batch_alter_table('order_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_changes_order_id'), ['order_id'], unique=False)

    op.create_table('order_lines',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('stock_policy', sa.String(length=16), nullable=False),
    sa.Column('discount', sa.BigInteger(), nullable=False),
    sa.Column('cancelled', sa.Integer(), nullable=False),
    sa.Column('allocated', sa.Integer(), nullable=False),
    sa.Column('shipped', sa.Integer(), nullable=False),
    sa.Column('delivered', sa.Integer(), nullable=False),
    sa.Column('return_requested', sa.Integer(), nullable=False),
    sa.Column('returned', sa.Integer(), nullable=False),
    sa.Column('written_off', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_lines_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_lines'))
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_lines_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_lines_sku'), ['sku'], unique=False)

    op.create_table('timeline',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_timeline_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline'))
    )
    with op.batch_alter_table('timeline', schema=None) as batch_op:
        batch_op.create_index('ix_timeline_order_id_at', ['order_id', 'at', 'id'], unique=False)

    op.create_table('fulfillment_lines',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('fulfillment_order_id', sa.String(length=40), nullable=False),
    sa.Column('order_line_id', sa.String(length=40), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('awaiting_stock', sa.Integer(), nullable=False),
    sa.Column('shipped', sa.Integer(), nullable=False),
    sa.Column('cancelled', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['fulfillment_order_id'], ['fulfillment_orders.id'], name=op.f('fk_fulfillment_lines_fulfillment_order_id_fulfillment_orders')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_fulfillment_lines_order_line_id_order_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fulfillment_lines'))
    )
    with op.batch_alter_table('fulfillment_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fulfillment_lines_fulfillment_order_id'), ['fulfillment_order_id'], unique=False)

    op.create_table('shipments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('fulfillment_order_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('location', sa.String(length=32), nullable=False),
    sa.Column('carrier', sa.String(length=64), nullable=False),
    sa.Column('service', sa.String(length=64), nullable=True),
    sa.Column('tracking_number', sa.String(length=120), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['fulfillment_order_id'], ['fulfillment_orders.id'], name=op.f('fk_shipments_fulfillment_order_id_fulfillment_orders')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_fulfillment_order_id'), ['fulfillment_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_tracking_number'), ['tracking_number'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_tracking_number'))
        batch_op.drop_index(batch_op.f('ix_shipments_order_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_fulfillment_order_id'))

    op.drop_table('shipments')
    with op.batch_alter_table('fulfillment_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fulfillment_lines_fulfillment_order_id'))

    op.drop_table('fulfillment_lines')
    with op.batch_alter_table('timeline', schema=None) as batch_op:
        batch_op.drop_index('ix_timeline_order_id_at')

    op.drop_table('timeline')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_lines_sku'))
        batch_op.drop_index(batch_op.f('ix_order_lines_order_id'))

    op.drop_table('order_lines')
    with op.batch_alter_table('order_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_changes_order_id'))

    op.drop_table('order_changes')
    with op.batch_alter_table('fulfillment_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fulfillment_orders_order_id'))
        batch_op.drop_index('ix_fulfillment_orders_location_status')

    op.drop_table('fulfillment_orders')
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_levels_sku_location')

    op.drop_table('stock_levels')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_status_placed_at')
        batch_op.drop_index('ix_orders_placed_at_id')
        batch_op.drop_index(batch_op.f('ix_orders_customer_id'))
        batch_op.drop_index(batch_op.f('ix_orders_customer_email'))
        batch_op.drop_index('ix_orders_channel_placed_at')

    op.drop_table('orders')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_category'))

    op.drop_table('products')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_order_id'))

    op.drop_table('outbox')
    op.drop_table('order_number_seq')
    op.drop_table('locations')
    with op.batch_alter_table('inventory_ledger', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_ledger_location_sku')

    op.drop_table('inventory_ledger')
    op.drop_table('idempotency_keys')
    op.drop_table('customers')

