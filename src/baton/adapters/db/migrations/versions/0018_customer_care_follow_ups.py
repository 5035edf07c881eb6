"""customer care follow-ups

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-22 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # store credit spent by a payment (and given back to it): the entry names the payment
    with op.batch_alter_table('store_credit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_id', sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_store_credit_payment_id_payments'), 'payments', ['payment_id'],
                                    ['id'])
    # gift cards the shop keeps itself, spent as a book-only payment method
    op.create_table('gift_cards',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('last4', sa.String(length=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('issued_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_cards')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_gift_cards_code_hash'))
    )
    op.create_table('gift_card_entries',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('gift_card_id', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('payment_id', sa.String(length=40), nullable=True),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['gift_card_id'], ['gift_cards.id'],
                            name=op.f('fk_gift_card_entries_gift_card_id_gift_cards')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_gift_card_entries_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_card_entries'))
    )
    with op.batch_alter_table('gift_card_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_card_entries_gift_card_id'), ['gift_card_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('gift_card_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gift_card_entries_gift_card_id'))
    op.drop_table('gift_card_entries')
    op.drop_table('gift_cards')
    with op.batch_alter_table('store_credit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_store_credit_payment_id_payments'), type_='foreignkey')
        batch_op.drop_column('payment_id')
