"""money ledger: journal entries and their postings

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 02:53:15.540569
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journal_entries',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('source_id', sa.String(length=40), nullable=True),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_journal_entries_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entries')),
    sa.UniqueConstraint('source_id', 'kind', name=op.f('uq_journal_entries_source_id'))
    )
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entries_occurred_at_id', ['occurred_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entries_order_id'), ['order_id'], unique=False)

    op.create_table('journal_postings',
    sa.Column('entry_id', sa.String(length=40), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=32), nullable=False),
    sa.Column('debit', sa.BigInteger(), nullable=False),
    sa.Column('credit', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0)', name=op.f('ck_journal_postings_one_side')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_journal_postings_entry_id_journal_entries')),
    sa.PrimaryKeyConstraint('entry_id', 'line', name=op.f('pk_journal_postings'))
    )


def downgrade() -> None:
    op.drop_table('journal_postings')
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_entries_order_id'))
        batch_op.drop_index('ix_journal_entries_occurred_at_id')

    op.drop_table('journal_entries')
