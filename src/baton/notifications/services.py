"""Use cases around messages and preferences: an order's messages, resending one, a customer's preferences
(read and changed by an agent or by the shopper themselves)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from baton.adapters.db.uow import UnitOfWork
from baton.notifications.message import Channel, MessageStatus
from baton.notifications.preferences import Preferences
from baton.shared.actor import Actor
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, NotFound
from baton.shared.ids import new_id

NO_SMTP = "not sent yet: no SMTP server is configured (BATON_SMTP_HOST)"


def order_id_of(uow: UnitOfWork, reference: str) -> str:
    """An order's id from its id or number (the CLI and console take either)."""
    with uow:
        found = uow.notifications.order_id(reference.strip())
    if found is None:
        raise NotFound(f"No order {reference}.", code="order_not_found")
    return found


def order_messages(uow: UnitOfWork, order_id: str) -> list[dict[str, Any]]:
    """The order's messages, oldest first."""
    with uow:
        _check_order(uow, order_id)
        rows = uow.notifications.of_order(order_id)
    return [present(row, uow.settings.smtp_host is not None) for row in rows]


def resend(uow: UnitOfWork, order_id: str, message_id: str) -> dict[str, Any]:
    """The same message (as it was written) queued again, if the customer still wants that channel."""
    with uow:
        _check_order(uow, order_id)
        original = uow.notifications.message(order_id, message_id)
        if original is None:
            raise NotFound(f"No message {message_id} on this order.", code="message_not_found")
        customer_id = uow.notifications.order_facts([order_id])[order_id].customer_id
        prefs = uow.notifications.preferences([customer_id])[customer_id]
        if original["status"] == MessageStatus.QUEUED:
            raise Conflict("This message is still queued: the worker sends it at its next pass.",
                           code="message_queued")
        channel = Channel(original["channel"])
        if channel is Channel.EMAIL and not prefs.email:
            raise Conflict("The customer opted out of email updates; change their preferences first.",
                           code="customer_opted_out")
        if channel is Channel.SMS and not prefs.sms:
            raise Conflict("The customer has not agreed to SMS; record their consent first.", code="no_sms_consent")
        now = utcnow()
        copy_id = new_id("msg")
        copy = {**original, "id": copy_id, "key": f"resend:{copy_id}", "status": str(MessageStatus.QUEUED),
                "attempts": 0, "next_attempt_at": now, "created_at": now, "sent_at": None, "last_error": None,
                "resend_of": message_id}
        uow.notifications.add([copy])
        uow.audit.record("notification.resend", "order", order_id, None, {"message_id": copy_id,
                                                                         "resend_of": message_id})
        uow.commit()
    return present(copy, uow.settings.smtp_host is not None)


def preferences(uow: UnitOfWork, customer_id: str) -> Preferences:
    with uow:
        _check_customer(uow, customer_id)
        return uow.notifications.preferences([customer_id])[customer_id]


def set_preferences(uow: UnitOfWork, actor: Actor, customer_id: str, email: bool, sms: bool) -> Preferences:
    """Email on or off; SMS consent given (recorded with who and when) or withdrawn."""
    with uow:
        _check_customer(uow, customer_id)
        before = uow.notifications.preferences([customer_id])[customer_id]
        after = before.changed(email, sms, actor.label, utcnow())
        if (after.email, after.sms) == (before.email, before.sms):
            after = replace(before)  # nothing changes, not even when consent was given
        else:
            uow.notifications.save_preferences(after)
        # every request that acts is audited, a repeated one too
        uow.audit.record("customer.notification_preferences", "customer", customer_id, before.audit_view(),
                         after.audit_view())
        uow.commit()
    return after


def present(row: dict[str, Any], smtp: bool) -> dict[str, Any]:
    note = None
    if row["status"] == MessageStatus.QUEUED and row["attempts"]:
        note = f"tried {row['attempts']} time(s), will try again: {row['last_error']}"
    elif row["status"] == MessageStatus.QUEUED and row["channel"] == Channel.EMAIL and not smtp:
        note = NO_SMTP
    return {k: row[k] for k in ("id", "order_id", "event_id", "moment", "channel", "language", "recipient",
                                "subject", "body", "status", "attempts", "next_attempt_at", "created_at", "sent_at",
                                "last_error", "resend_of")} | {"note": note}


def _check_order(uow: UnitOfWork, order_id: str) -> None:
    if not uow.notifications.order_facts([order_id]):
        raise NotFound(f"No order with id {order_id}.", code="order_not_found")


def _check_customer(uow: UnitOfWork, customer_id: str) -> None:
    customer = uow.notifications.customer(customer_id)
    if customer is None or customer["erased_at"] is not None:
        raise NotFound(f"No customer {customer_id}.", code="customer_not_found")
