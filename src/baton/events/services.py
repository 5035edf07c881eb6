"""Use cases of webhook subscriptions: subscribe, list, remove, read the delivery log, redeliver."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from baton.adapters.db.uow import UnitOfWork
from baton.events import signing
from baton.events.destinations import check_subscribed
from baton.events.webhooks import (
    DeliveryStatus,
    Subscription,
    SubscriptionStatus,
    checked_types,
    checked_url,
)
from baton.shared.clock import utcnow
from baton.shared.errors import Conflict, InvalidInput, NotFound
from baton.shared.ids import new_id


def subscribe(uow: UnitOfWork, url: str, event_types: list[str], description: str = "") -> tuple[Subscription, str]:
    """A new subscription and its signing secret (shown this once). It receives events from now on. Its URL must
    reach a public address (SSRF), unless the settings allow private ones."""
    subscription = Subscription(new_id("whk"), checked_url(url), checked_types(event_types), description.strip(),
                                SubscriptionStatus.ACTIVE, utcnow())
    check_subscribed(subscription.url, uow.settings.webhooks_allow_private)
    secret = signing.new_secret()
    with uow:
        uow.webhooks.add(subscription, secret)
        uow.audit.record("webhook.create", "webhook", subscription.id, None, _view(subscription))
        uow.commit()
    return subscription, secret


def subscriptions(uow: UnitOfWork) -> list[Subscription]:
    with uow:
        return uow.webhooks.listed()


def remove(uow: UnitOfWork, subscription_id: str) -> Subscription:
    """Stops every delivery to it, pending ones too; its delivery log stays readable in the database."""
    with uow:
        subscription = _get(uow, subscription_id, lock=True)
        uow.webhooks.remove(subscription_id)
        uow.audit.record("webhook.remove", "webhook", subscription_id, _view(subscription),
                         _view(replace(subscription, status=SubscriptionStatus.REMOVED)))
        uow.commit()
    return subscription


def enable(uow: UnitOfWork, subscription_id: str) -> Subscription:
    """A disabled subscription receives events again (those that occur from now on) and its pending deliveries
    are retried at once. Enabling an active one changes nothing."""
    with uow:
        subscription = _get(uow, subscription_id, lock=True)
        if subscription.status is SubscriptionStatus.ACTIVE:
            return subscription
        check_subscribed(subscription.url, uow.settings.webhooks_allow_private)
        uow.webhooks.enable(subscription_id, utcnow())
        enabled = replace(subscription, status=SubscriptionStatus.ACTIVE, failing_since=None, disabled_at=None)
        uow.audit.record("webhook.enable", "webhook", subscription_id, _view(subscription), _view(enabled))
        uow.commit()
    return enabled


def deliveries(uow: UnitOfWork, subscription_id: str, status: str | None, limit: int,
               cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    if status is not None and status not in set(DeliveryStatus):
        raise InvalidInput("status", f"must be one of {', '.join(DeliveryStatus)}.")
    with uow:
        _get(uow, subscription_id)
        return uow.webhooks.deliveries(subscription_id, status, limit, cursor)


def redeliver(uow: UnitOfWork, subscription_id: str, delivery_id: str) -> dict[str, Any]:
    """Send the delivery again as soon as a worker runs, whatever became of it, with a fresh retry window."""
    with uow:
        subscription = _get(uow, subscription_id)
        if subscription.status is not SubscriptionStatus.ACTIVE:
            raise Conflict(f"Webhook {subscription_id} is {subscription.status}: nothing is sent to it.",
                           code="webhook_not_active")
        before = uow.webhooks.delivery(subscription_id, delivery_id, lock=True)
        if before is None:
            raise NotFound(f"No delivery {delivery_id} of webhook {subscription_id}.", code="delivery_not_found")
        now = utcnow()
        uow.webhooks.redeliver(delivery_id, now)
        uow.audit.record("webhook.redeliver", "webhook_delivery", delivery_id, {"status": before["status"]},
                         {"status": str(DeliveryStatus.PENDING)})
        uow.commit()
    return {**before, "status": str(DeliveryStatus.PENDING), "next_attempt_at": now, "window_start": now,
            "delivered_at": None}


def _get(uow: UnitOfWork, subscription_id: str, *, lock: bool = False) -> Subscription:
    subscription = uow.webhooks.get(subscription_id, lock=lock)
    if subscription is None:
        raise NotFound(f"No webhook {subscription_id}.", code="webhook_not_found")
    return subscription


def _view(s: Subscription) -> dict[str, Any]:
    return {"url": s.url, "event_types": list(s.event_types), "description": s.description, "status": str(s.status)}
