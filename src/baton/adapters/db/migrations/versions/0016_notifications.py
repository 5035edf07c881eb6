"""notifications: templates, preferences, messages, the SMS sandbox, and sending the mail outbox

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-22 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_templates',
    sa.Column('moment', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sms', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('moment', 'language', name=op.f('pk_notification_templates'))
    )
    op.create_table('notification_preferences',
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.Column('sms_consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sms_consent_by', sa.String(length=120), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                            name=op.f('fk_notification_preferences_customer_id_customers')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_notification_preferences'))
    )
    op.create_table('notification_messages',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('event_id', sa.String(length=40), nullable=True),
    sa.Column('moment', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('resend_of', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_notification_messages_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_messages')),
    sa.UniqueConstraint('key', name=op.f('uq_notification_messages_key'))
    )
    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.create_index('ix_notification_messages_status_next_attempt_at', ['status', 'next_attempt_at'],
                              unique=False)
        batch_op.create_index('ix_notification_messages_order_id_created_at', ['order_id', 'created_at'],
                              unique=False)
    op.create_table('sms_sandbox',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('message_id', sa.String(length=40), nullable=False),
    sa.Column('to_number', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_sandbox'))
    )
    with op.batch_alter_table('sms_sandbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_sandbox_message_id'), ['message_id'], unique=False)

    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='queued', nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.create_index('ix_mail_outbox_status_created_at', ['status', 'created_at'], unique=False)
    # mail written before Baton sent mail holds expired links and codes: never send it now
    op.execute("UPDATE mail_outbox SET status = 'dropped'")


def downgrade() -> None:
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_status_created_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('status')
    with op.batch_alter_table('sms_sandbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_sandbox_message_id'))
    op.drop_table('sms_sandbox')
    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_messages_order_id_created_at')
        batch_op.drop_index('ix_notification_messages_status_next_attempt_at')
    op.drop_table('notification_messages')
    op.drop_table('notification_preferences')
    op.drop_table('notification_templates')
