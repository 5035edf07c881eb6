"""event stream and reorder points

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-22 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reorder_point', sa.Integer(), nullable=True))

    # events published before this revision are not replayed onto the stream: it starts from now
    op.create_table('stream_queue',
    sa.Column('event_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['outbox.id'], name=op.f('fk_stream_queue_event_id_outbox')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_stream_queue'))
    )
    with op.batch_alter_table('stream_queue', schema=None) as batch_op:
        batch_op.create_index('ix_stream_queue_queued_at', ['queued_at', 'event_id'], unique=False)
        batch_op.create_index('ix_stream_queue_order_id_sequence', ['order_id', 'sequence'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stream_queue', schema=None) as batch_op:
        batch_op.drop_index('ix_stream_queue_order_id_sequence')
        batch_op.drop_index('ix_stream_queue_queued_at')
    op.drop_table('stream_queue')
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.drop_column('reorder_point')
