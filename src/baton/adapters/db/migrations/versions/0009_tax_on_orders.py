"""tax on orders: per line and on shipping

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipping_tax', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('prices_include', sa.String(length=16), server_default='tax_exclusive',
                                      nullable=False))
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_class', sa.String(length=32), server_default='standard', nullable=False))
        batch_op.add_column(sa.Column('tax_rate', sa.String(length=16), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('tax', sa.BigInteger(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('tax')
        batch_op.drop_column('tax_rate')
        batch_op.drop_column('tax_class')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('prices_include')
        batch_op.drop_column('shipping_tax')
