"""Events out with Core: per-order sequences, webhook subscriptions, fan-out and the claiming of due deliveries.

Claiming uses `FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of workers share the work and a delivery is
in flight in one worker at most; SQLite ignores the clause (one worker there)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Executable, and_, bindparam, exists, insert, or_, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.hot import Prepared
from baton.adapters.db.sql import CoreRepository, upsert_insert
from baton.events.catalogue import Published
from baton.events.webhooks import DeliveryStatus, Subscription, SubscriptionStatus
from baton.shared import cursor as cursors
from baton.shared.ids import new_id

_S, _D, _A, _O = t.webhook_subscriptions.c, t.webhook_deliveries.c, t.webhook_attempts.c, t.outbox.c


def _next_sequence(dialect: str) -> Executable:
    seq = t.order_event_sequences
    stmt = upsert_insert(dialect)(seq).values(order_id=bindparam("order_id"), last_sequence=bindparam("count"))
    stmt = stmt.on_conflict_do_update(index_elements=[seq.c.order_id],
                                      set_={"last_sequence": seq.c.last_sequence + bindparam("count")})
    return stmt.returning(seq.c.last_sequence)


_NEXT_SEQUENCE = Prepared(_next_sequence)


def next_sequences(conn: Connection, order_ids: list[str | None]) -> list[int | None]:
    """The sequence number of each event (given by its order id, in the order written); None for no order.
    One upsert per order: its row lock holds concurrent writers of the same order until this one commits."""
    counts: Counter[str] = Counter(order_id for order_id in order_ids if order_id is not None)
    last: dict[str, int] = {}
    for order_id, count in counts.items():
        last[order_id] = int(_NEXT_SEQUENCE.scalar(conn, {"order_id": order_id, "count": count})) - count
    result: list[int | None] = []
    for of_order in order_ids:
        if of_order is None:
            result.append(None)
        else:
            last[of_order] += 1
            result.append(last[of_order])
    return result


@dataclass(frozen=True)
class Job:
    """A claimed delivery with everything needed to send it."""

    delivery_id: str
    subscription_id: str
    url: str
    secret: str
    attempts: int
    window_start: datetime
    failing_since: datetime | None
    event: dict[str, Any]  # the outbox row


def _subscription(row: Any) -> Subscription:
    return Subscription(row.id, row.url, tuple(row.event_types), row.description, SubscriptionStatus(row.status),
                        row.created_at, row.failing_since, row.disabled_at)


class Webhooks(CoreRepository):
    # -- subscriptions -------------------------------------------------------------------------------------
    def add(self, subscription: Subscription, secret: str) -> None:
        self.db.execute(insert(t.webhook_subscriptions).values(
            id=subscription.id, url=subscription.url, event_types=list(subscription.event_types),
            description=subscription.description, secret=secret, status=str(subscription.status),
            failing_since=None, created_at=subscription.created_at, disabled_at=None))

    def get(self, subscription_id: str, *, lock: bool = False) -> Subscription | None:
        stmt = select(t.webhook_subscriptions).where(_S.id == subscription_id, _S.status != "removed")
        row = self.db.execute(stmt.with_for_update() if lock else stmt).first()
        return _subscription(row) if row else None

    def listed(self) -> list[Subscription]:
        stmt = select(t.webhook_subscriptions).where(_S.status != "removed").order_by(_S.created_at, _S.id)
        return [_subscription(row) for row in self.db.execute(stmt)]

    def remove(self, subscription_id: str) -> None:
        self.db.execute(update(t.webhook_subscriptions).where(_S.id == subscription_id).values(
            status=str(SubscriptionStatus.REMOVED)))

    def disable(self, subscription_id: str, at: datetime) -> bool:
        """True when this call disabled it (it was active)."""
        return bool(self.db.execute(update(t.webhook_subscriptions).where(
            _S.id == subscription_id, _S.status == str(SubscriptionStatus.ACTIVE),
        ).values(status=str(SubscriptionStatus.DISABLED), disabled_at=at)).rowcount)

    def enable(self, subscription_id: str, now: datetime) -> None:
        """Active again with a clean record; its pending deliveries are due now, with a fresh retry window."""
        self.db.execute(update(t.webhook_subscriptions).where(_S.id == subscription_id).values(
            status=str(SubscriptionStatus.ACTIVE), failing_since=None, disabled_at=None))
        self.db.execute(update(t.webhook_deliveries).where(
            _D.subscription_id == subscription_id, _D.status == str(DeliveryStatus.PENDING),
        ).values(next_attempt_at=now, window_start=now))

    def admin_addresses(self) -> list[str]:
        """Whom to tell when a subscription is disabled: every active admin."""
        u = t.users.c
        return list(self.db.scalars(select(u.email).where(u.role == "admin", u.active.is_(True)).order_by(u.email)))

    def failing(self, subscription_id: str, since: datetime | None) -> None:
        self.db.execute(update(t.webhook_subscriptions).where(_S.id == subscription_id).values(failing_since=since))

    # -- fan-out -------------------------------------------------------------------------------------------
    def fan_out(self, now: datetime, limit: int) -> list[Published]:
        """Up to `limit` unpublished outbox events become deliveries for the active subscriptions that want them
        (those that existed when the event occurred), then are marked published. Returns the events taken, for
        the other consumers to queue in the same transaction."""
        stmt = (select(_O.id, _O.type, _O.version, _O.order_id, _O.sequence, _O.occurred_at, _O.payload)
                .where(_O.published_at.is_(None))
                .order_by(_O.occurred_at, _O.id).limit(limit).with_for_update(skip_locked=True))
        events = [Published(e.id, e.type, e.version, e.order_id, e.sequence, e.occurred_at, e.payload)
                  for e in self.db.execute(stmt)]
        if not events:
            return []
        subscriptions = [_subscription(row) for row in self.db.execute(
            select(t.webhook_subscriptions).where(_S.status == str(SubscriptionStatus.ACTIVE)))]
        rows = [{"id": new_id("whd"), "subscription_id": s.id, "event_id": e.id, "event_type": e.type,
                 "order_id": e.order_id, "sequence": e.sequence, "status": str(DeliveryStatus.PENDING),
                 "attempts": 0, "next_attempt_at": now, "window_start": now, "created_at": now}
                for e in events for s in subscriptions if s.wants(e.type) and s.created_at <= e.occurred_at]
        if rows:
            self.db.execute(insert(t.webhook_deliveries), rows)
        self.db.execute(update(t.outbox).where(_O.id.in_([e.id for e in events])).values(published_at=now))
        return events

    # -- delivering ----------------------------------------------------------------------------------------
    def claim_due(self, now: datetime, *, lock: bool) -> Job | None:
        """The next due delivery whose earlier events of the same order (for this subscription) are settled: a
        delivery waits while an earlier one is pending or not yet fanned out, so a receiver gets each order's
        events in sequence. With `lock` the row stays locked (SKIP LOCKED: other workers pass it by)."""
        earlier = t.webhook_deliveries.alias("earlier")
        unpublished = t.outbox.alias("unpublished")
        stmt = (
            select(_D.id, _D.subscription_id, _D.attempts, _D.window_start, _S.url, _S.secret, _S.failing_since,
                   _O.id.label("event_id"), _O.type, _O.version, _O.order_id, _O.sequence, _O.occurred_at,
                   _O.payload)
            .join(t.webhook_subscriptions, _S.id == _D.subscription_id).join(t.outbox, _O.id == _D.event_id)
            .where(_D.status == str(DeliveryStatus.PENDING), _D.next_attempt_at <= now,
                   _S.status == str(SubscriptionStatus.ACTIVE),
                   ~exists().where(earlier.c.subscription_id == _D.subscription_id,
                                   earlier.c.order_id == _D.order_id, earlier.c.sequence < _D.sequence,
                                   earlier.c.status == str(DeliveryStatus.PENDING)),
                   ~exists().where(unpublished.c.order_id == _D.order_id, unpublished.c.sequence < _D.sequence,
                                   unpublished.c.published_at.is_(None)))
            .order_by(_D.next_attempt_at, _D.id).limit(1)
        )
        if lock:
            stmt = stmt.with_for_update(skip_locked=True, of=t.webhook_deliveries)
        row = self.db.execute(stmt).first()
        if row is None:
            return None
        event = {"id": row.event_id, "type": row.type, "version": row.version, "order_id": row.order_id,
                 "sequence": row.sequence, "occurred_at": row.occurred_at, "payload": row.payload}
        return Job(row.id, row.subscription_id, row.url, row.secret, row.attempts, row.window_start,
                   row.failing_since, event)

    def record_attempt(self, job: Job, at: datetime, status_code: int | None, latency_ms: int,
                       excerpt: str | None, error: str | None, outcome: DeliveryStatus,
                       next_attempt_at: datetime) -> bool:
        """Log the attempt and move the delivery on; False when it changed meanwhile (a redelivery), in which
        case only the log is written."""
        attempt = job.attempts + 1
        self.db.execute(insert(t.webhook_attempts).values(
            id=new_id("wha"), delivery_id=job.delivery_id, attempt=attempt, at=at, status_code=status_code,
            latency_ms=latency_ms, response_excerpt=excerpt, error=error))
        delivered = outcome is DeliveryStatus.DELIVERED
        moved = self.db.execute(update(t.webhook_deliveries).where(
            _D.id == job.delivery_id, _D.attempts == job.attempts, _D.status == str(DeliveryStatus.PENDING),
        ).values(attempts=attempt, status=str(outcome), next_attempt_at=next_attempt_at,
                 delivered_at=at if delivered else None, last_status_code=status_code, last_error=error))
        return bool(moved.rowcount)

    # -- the delivery log ----------------------------------------------------------------------------------
    def deliveries(self, subscription_id: str, status: str | None, limit: int,
                   cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first, each with its attempts."""
        stmt = select(t.webhook_deliveries).where(_D.subscription_id == subscription_id)
        if status is not None:
            stmt = stmt.where(_D.status == status)
        if cursor:
            at, last_id = cursors.decode_keyset(cursor)
            stmt = stmt.where(or_(_D.created_at < at, and_(_D.created_at == at, _D.id < last_id)))
        rows = [dict(r._mapping) for r in self.db.execute(
            stmt.order_by(_D.created_at.desc(), _D.id.desc()).limit(limit + 1))]
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = cursors.encode_keyset(rows[-1]["created_at"], rows[-1]["id"])
        attempts: dict[str, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
        if rows:
            for a in self.db.execute(select(t.webhook_attempts).where(_A.delivery_id.in_(list(attempts)))
                                     .order_by(_A.delivery_id, _A.attempt)):
                attempts[a.delivery_id].append(dict(a._mapping))
        return [{**row, "attempt_log": attempts[row["id"]]} for row in rows], next_cursor

    def delivery(self, subscription_id: str, delivery_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        stmt = select(t.webhook_deliveries).where(_D.id == delivery_id, _D.subscription_id == subscription_id)
        row = self.db.execute(stmt.with_for_update() if lock else stmt).first()
        return dict(row._mapping) if row else None

    def redeliver(self, delivery_id: str, now: datetime) -> None:
        """Due at once, with a fresh retry window."""
        self.db.execute(update(t.webhook_deliveries).where(_D.id == delivery_id).values(
            status=str(DeliveryStatus.PENDING), next_attempt_at=now, window_start=now, delivered_at=None))
