"""exchanges and claims

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22 05:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exchanges',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('return_id', sa.String(length=40), nullable=False),
    sa.Column('original_order_id', sa.String(length=40), nullable=False),
    sa.Column('replacement_order_id', sa.String(length=40), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reserve', sa.String(length=16), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('returned_value', sa.BigInteger(), nullable=False),
    sa.Column('price_difference', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['original_order_id'], ['orders.id'], name=op.f('fk_exchanges_original_order_id_orders')),
    sa.ForeignKeyConstraint(['replacement_order_id'], ['orders.id'],
                            name=op.f('fk_exchanges_replacement_order_id_orders')),
    sa.ForeignKeyConstraint(['return_id'], ['returns.id'], name=op.f('fk_exchanges_return_id_returns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchanges')),
    sa.UniqueConstraint('return_id', name=op.f('uq_exchanges_return_id'))
    )
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchanges_original_order_id'), ['original_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchanges_replacement_order_id'), ['replacement_order_id'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('resolution', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('replacement_order_id', sa.String(length=40), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_claims_order_id_orders')),
    sa.ForeignKeyConstraint(['replacement_order_id'], ['orders.id'],
                            name=op.f('fk_claims_replacement_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('number', name=op.f('uq_claims_number'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_replacement_order_id'), ['replacement_order_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_replacement_order_id'))
        batch_op.drop_index(batch_op.f('ix_claims_order_id'))
    op.drop_table('claims')
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchanges_replacement_order_id'))
        batch_op.drop_index(batch_op.f('ix_exchanges_original_order_id'))
    op.drop_table('exchanges')
