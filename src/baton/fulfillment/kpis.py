"""The dashboard's fulfilment figures: lead time (order placed → its first parcel left), late shipments, and the
queue of each location (fulfilment orders waiting per status, and how many of them are late).

Aggregated in SQL; a location-scoped reader (a warehouse associate) passes their locations and sees only those.
"Late" means later than LATE_AFTER after the order was placed: a parcel that left after that, or a fulfilment
order still waiting past it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, extract, func, select

from baton.adapters.db import tables as t
from baton.fulfillment.model import FulfillmentOrderStatus
from baton.orders.kpis import Period

LATE_AFTER = timedelta(hours=48)
LEAD_BUCKETS = ((24, "under 1 day"), (48, "1–2 days"), (72, "2–3 days"), (120, "3–5 days"))  # upper bound, hours
OVER = "over 5 days"
WAITING = (FulfillmentOrderStatus.OPEN, FulfillmentOrderStatus.ACCEPTED, FulfillmentOrderStatus.PACKED)
S, ORD, F = t.shipments.c, t.orders.c, t.fulfillment_orders.c


@dataclass(frozen=True)
class LeadTime:
    orders: int  # orders whose first parcel left in the period
    average_hours: float | None
    buckets: list[tuple[str, int]]  # (label, orders), fastest first
    late: int  # of them, first parcel left more than LATE_AFTER after placing


@dataclass(frozen=True)
class Queue:
    location: str
    waiting: dict[str, int]  # status → fulfilment orders
    late: int  # waiting for more than LATE_AFTER since the order was placed
    shipped: int  # parcels that left in the period


def hours_between(conn: Connection, later: Any, earlier: Any) -> Any:
    if conn.dialect.name == "postgresql":
        return extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def lead_time(conn: Connection, p: Period, locations: frozenset[str] = frozenset()) -> LeadTime:
    """Orders whose first parcel (from `locations`, when given) left in the period: how long each took."""
    first_shipped = func.min(S.shipped_at)
    first = (select(S.order_id, first_shipped.label("shipped_at")).where(S.shipped_at < p.end)
             .group_by(S.order_id).having(first_shipped >= p.start))
    if locations:
        first = first.where(S.location.in_(locations))
    firsts = first.subquery()
    hours = hours_between(conn, firsts.c.shipped_at, ORD.placed_at).label("hours")
    per_order = select(hours).select_from(firsts.join(t.orders, ORD.id == firsts.c.order_id)).subquery()
    h = per_order.c.hours
    bucket = case(*[(h < bound, n) for n, (bound, _label) in enumerate(LEAD_BUCKETS)], else_=len(LEAD_BUCKETS))
    late_hours = LATE_AFTER.total_seconds() / 3600
    rows = conn.execute(select(bucket.label("bucket"), func.count().label("orders"), func.sum(h).label("hours"),
                               func.sum(case((h > late_hours, 1), else_=0)).label("late"))
                        .group_by(bucket)).all()
    counts = {int(r.bucket): int(r.orders) for r in rows}
    orders = sum(counts.values())
    total_hours = sum(float(r.hours or 0) for r in rows)
    labels = [label for _bound, label in LEAD_BUCKETS] + [OVER]
    return LeadTime(orders, total_hours / orders if orders else None,
                    [(label, counts.get(n, 0)) for n, label in enumerate(labels)],
                    sum(int(r.late or 0) for r in rows))


def queues(conn: Connection, p: Period, now: datetime, locations: frozenset[str] = frozenset()) -> list[Queue]:
    """Every location with work waiting or parcels shipped in the period (only `locations` when given)."""
    late = case((ORD.placed_at < now - LATE_AFTER, 1), else_=0)
    waiting = (select(F.location, F.status, func.count().label("n"), func.sum(late).label("late"))
               .select_from(t.fulfillment_orders.join(t.orders, ORD.id == F.order_id))
               .where(F.status.in_([str(s) for s in WAITING])).group_by(F.location, F.status))
    shipped = (select(S.location, func.count().label("n")).where(S.shipped_at >= p.start, S.shipped_at < p.end)
               .group_by(S.location))
    if locations:
        waiting = waiting.where(F.location.in_(locations))
        shipped = shipped.where(S.location.in_(locations))
    found: dict[str, dict[str, Any]] = {}
    for r in conn.execute(waiting):
        queue = found.setdefault(r.location, {"waiting": {}, "late": 0, "shipped": 0})
        queue["waiting"][r.status] = int(r.n)
        queue["late"] += int(r.late or 0)
    for r in conn.execute(shipped):
        found.setdefault(r.location, {"waiting": {}, "late": 0, "shipped": 0})["shipped"] = int(r.n)
    for code in locations:  # a scoped reader sees their locations even when nothing happens there
        found.setdefault(code, {"waiting": {}, "late": 0, "shipped": 0})
    return [Queue(code, {str(s): q["waiting"].get(str(s), 0) for s in WAITING}, q["late"], q["shipped"])
            for code, q in sorted(found.items())]
