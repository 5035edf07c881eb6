"""order lines: search by SKU from a covering (sku, order_id) index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:58:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_order_lines_sku")
        batch_op.create_index("ix_order_lines_sku_order_id", ["sku", "order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_order_lines_sku_order_id")
        batch_op.create_index("ix_order_lines_sku", ["sku"], unique=False)
