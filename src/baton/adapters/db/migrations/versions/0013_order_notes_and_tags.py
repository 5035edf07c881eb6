"""order notes and tags, customer records

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('order_notes',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('author', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_notes_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_notes'))
    )
    with op.batch_alter_table('order_notes', schema=None) as batch_op:
        batch_op.create_index('ix_order_notes_order_id_created_at', ['order_id', 'created_at', 'id'], unique=False)

    op.create_table('order_tags',
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('tagged_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_tags_order_id_orders')),
    sa.PrimaryKeyConstraint('order_id', 'tag', name=op.f('pk_order_tags'))
    )
    with op.batch_alter_table('order_tags', schema=None) as batch_op:
        batch_op.create_index('ix_order_tags_tag_order_id', ['tag', 'order_id'], unique=False)

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=35), server_default='en', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('language')

    with op.batch_alter_table('order_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_order_tags_tag_order_id')
    op.drop_table('order_tags')

    with op.batch_alter_table('order_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_order_notes_order_id_created_at')
    op.drop_table('order_notes')
