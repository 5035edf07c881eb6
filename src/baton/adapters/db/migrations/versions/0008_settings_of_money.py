"""settings of money: tax rates, channel tax modes, exchange rates

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tax_rates',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=3), nullable=False),
    sa.Column('tax_class', sa.String(length=32), nullable=False),
    sa.Column('rate', sa.String(length=24), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tax_rates')),
    sa.UniqueConstraint('country', 'region', 'tax_class', 'valid_from', name=op.f('uq_tax_rates_country'))
    )
    op.create_table('channel_tax_modes',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('prices_include', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', name=op.f('pk_channel_tax_modes'))
    )
    op.create_table('exchange_rates',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('base_currency', sa.String(length=3), nullable=False),
    sa.Column('rate', sa.String(length=24), nullable=False),
    sa.Column('valid_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates')),
    sa.UniqueConstraint('currency', 'base_currency', 'valid_on', name=op.f('uq_exchange_rates_currency'))
    )


def downgrade() -> None:
    op.drop_table('exchange_rates')
    op.drop_table('channel_tax_modes')
    op.drop_table('tax_rates')
