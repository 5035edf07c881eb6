"""Webhook subscriptions and the life of a delivery: retries with back-off, dead letters, disabling.

Plain Python: the repository stores these, the worker and the services decide with them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from baton.events.catalogue import ALL, EVENT_TYPES
from baton.shared.errors import InvalidInput

FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)  # back-off doubles up to this
RETRY_WINDOW = timedelta(hours=24)  # a delivery failing this long is dead-lettered
DISABLE_AFTER = timedelta(days=3)  # a subscription failing this long is disabled
EXCERPT = 500  # characters of a receiver's answer kept with each attempt


class SubscriptionStatus(enum.StrEnum):
    ACTIVE = "active"  # receives events
    DISABLED = "disabled"  # failed for DISABLE_AFTER; receives nothing until an admin enables it again
    REMOVED = "removed"  # deleted by an admin; kept for its delivery log


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    DELIVERED = "delivered"  # the receiver answered 2xx
    DEAD = "dead"  # failed for RETRY_WINDOW: dead-lettered, sent again only by a manual redelivery


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    event_types: tuple[str, ...]
    description: str
    status: SubscriptionStatus
    created_at: datetime
    failing_since: datetime | None = None
    disabled_at: datetime | None = None

    def wants(self, event_type: str) -> bool:
        return ALL in self.event_types or event_type in self.event_types


def checked_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unclosed [IPv6] bracket
        raise InvalidInput("url", "is not a valid URL, e.g. https://example.com/hooks.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("url", "must be an absolute http:// or https:// URL, e.g. https://example.com/hooks.")
    if parts.username or parts.password:
        raise InvalidInput("url", "must not carry credentials; every payload is signed instead.")
    try:
        parts.port  # noqa: B018 - parsing it is the check
    except ValueError:
        raise InvalidInput("url", "has an invalid port; use a number from 1 to 65535.") from None
    return url.strip()


def checked_types(event_types: list[str]) -> tuple[str, ...]:
    if not event_types:
        raise InvalidInput("event_types", 'name at least one event type, or "*" for all.')
    unknown = sorted({name for name in event_types if name != ALL and name not in EVENT_TYPES})
    if unknown:
        raise InvalidInput("event_types", f"unknown event type(s) {', '.join(unknown)}; docs/events.md lists them.")
    return (ALL,) if ALL in event_types else tuple(dict.fromkeys(event_types))


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min … doubling up to an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY)


@dataclass(frozen=True)
class AfterFailure:
    status: DeliveryStatus
    next_attempt_at: datetime


def after_failure(attempts: int, window_start: datetime, now: datetime) -> AfterFailure:
    """Retry later, or dead-letter once the delivery has failed for the whole retry window."""
    if now - window_start >= RETRY_WINDOW:
        return AfterFailure(DeliveryStatus.DEAD, now)
    return AfterFailure(DeliveryStatus.PENDING, now + backoff(attempts))


def should_disable(failing_since: datetime | None, now: datetime) -> bool:
    return failing_since is not None and now - failing_since >= DISABLE_AFTER


def disabled_notice(subscription_id: str, url: str, failing_since: datetime, public_url: str) -> tuple[str, str]:
    """The admins' mail (subject, body) when a subscription was disabled."""
    subject = f"Baton disabled webhook {subscription_id}: every delivery failed since {failing_since:%Y-%m-%d}"
    body = (f"The webhook {subscription_id} ({url}) failed every delivery since {failing_since:%Y-%m-%d %H:%M} UTC, "
            f"so Baton disabled it: nothing is sent to it now, and events that occur while it is disabled are not "
            f"queued for it.\n\n"
            f"What the receiver answered: {public_url}/api/v1/webhooks/{subscription_id}/deliveries\n"
            f"Once the receiver works again, enable it: `baton webhooks enable {subscription_id}` or "
            f"POST {public_url}/api/v1/webhooks/{subscription_id}/enable. Its pending deliveries are then sent again; "
            f"dead-lettered ones can be redelivered one by one.\n")
    return subject, body
