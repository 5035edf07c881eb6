"""invoices and credit memos: documents and their gapless yearly numbers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

IMMUTABLE = "an issued invoice or credit memo never changes; issue a credit memo instead"


def upgrade() -> None:
    op.create_table('invoice_numbers',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'year', name=op.f('pk_invoice_numbers'))
    )
    op.create_table('invoices',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('entry_id', sa.String(length=40), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_invoices_entry_id_journal_entries')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_invoices_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_invoices_entry_id')),
    sa.UniqueConstraint('kind', 'number', name=op.f('uq_invoices_kind'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_kind_issued_at_id', ['kind', 'issued_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_order_id'), ['order_id'], unique=False)

    # Issued documents are immutable, in the database itself (as the audit log is, see 0003).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION invoices_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{IMMUTABLE}'; END $$""")
        op.execute("""CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices
            FOR EACH ROW EXECUTE FUNCTION invoices_immutable()""")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER invoices_no_{verb.lower()} BEFORE {verb} ON invoices
                BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER invoices_immutable ON invoices")
        op.execute("DROP FUNCTION invoices_immutable()")
    else:
        op.execute("DROP TRIGGER invoices_no_update")
        op.execute("DROP TRIGGER invoices_no_delete")
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoices_order_id'))
        batch_op.drop_index('ix_invoices_kind_issued_at_id')

    op.drop_table('invoices')
    op.drop_table('invoice_numbers')
