"""The dashboard's order figures for a period: orders and revenue per UTC day and channel, average order value,
top categories and products, cancellation and return rates.

Everything is aggregated in SQL on indexed columns (`orders.placed_at`, `order_lines.order_id`), grouped by day,
channel and currency, so a 90-day page reads a few hundred rows whatever the number of orders. Revenue is the
total of the orders placed that were not cancelled (a total already nets partial cancellations and edits), per
currency, converted to the base currency with the rate valid on each day, once per day, channel and currency
(see `baton.tax.exchange`). A currency without a rate on a day is left out and named, never guessed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Date, case, cast, func, select

from baton.adapters.db import tables as t
from baton.orders.status import OrderStatus
from baton.shared.errors import InvalidInput
from baton.tax.exchange import MissingExchangeRate, RateHistory

PERIODS = {"today": 1, "7d": 7, "30d": 30, "90d": 90}  # the dashboard's period selector: name → UTC days
TOP = 5  # categories and products shown
ORD, LINE = t.orders.c, t.order_lines.c
_CANCELLED = str(OrderStatus.CANCELLED)


@dataclass(frozen=True)
class Period:
    """UTC days `first` to `last`, both included."""

    name: str
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, UTC)

    @property
    def end(self) -> datetime:  # exclusive
        return datetime.combine(self.last + timedelta(days=1), time.min, UTC)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def period(name: str, today: date) -> Period:
    if name not in PERIODS:
        raise InvalidInput("period", f"must be one of {', '.join(PERIODS)}.")
    return Period(name, today - timedelta(days=PERIODS[name] - 1), today)


@dataclass(frozen=True)
class SalesRow:
    day: date
    channel: str
    currency: str
    orders: int  # placed, cancelled or not
    cancelled: int
    revenue: int  # minor units of `currency`, orders not cancelled


@dataclass
class Revenue:
    """Revenue converted to the base currency (minor units)."""

    base_currency: str
    by_day: dict[date, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    total: int = 0
    kept_orders: int = 0  # orders not cancelled whose revenue is counted
    missing: list[str] = field(default_factory=list)  # "USD on 2026-11-01": left out, no rate

    @property
    def average_order(self) -> int | None:
        return round(self.total / self.kept_orders) if self.kept_orders else None


def utc_day(conn: Connection, column: Any) -> Any:
    """The UTC calendar day of a timestamp column, in SQL: SQLite keeps UTC text, PostgreSQL an aware timestamp."""
    if conn.dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def sales(conn: Connection, p: Period) -> list[SalesRow]:
    """Orders placed in the period per UTC day, channel and currency."""
    day = utc_day(conn, ORD.placed_at)
    cancelled = case((ORD.status == _CANCELLED, 1), else_=0)
    kept = case((ORD.status == _CANCELLED, 0), else_=ORD.total)
    stmt = (select(day.label("day"), ORD.channel, ORD.currency, func.count().label("orders"),
                   func.sum(cancelled).label("cancelled"), func.sum(kept).label("revenue"))
            .where(ORD.placed_at >= p.start, ORD.placed_at < p.end)
            .group_by(day, ORD.channel, ORD.currency).order_by(day, ORD.channel, ORD.currency))
    return [SalesRow(as_date(r.day), r.channel, r.currency, int(r.orders), int(r.cancelled or 0),
                     int(r.revenue or 0)) for r in conn.execute(stmt)]


def orders_by_day(rows: list[SalesRow], p: Period) -> dict[str, list[int]]:
    """Per channel, the orders of every day of the period (0 on a day without any)."""
    index = {d: n for n, d in enumerate(p.days)}
    found: dict[str, list[int]] = defaultdict(lambda: [0] * len(index))
    for row in rows:
        found[row.channel][index[row.day]] += row.orders
    return dict(sorted(found.items()))


def revenue(rows: list[SalesRow], history: RateHistory) -> Revenue:
    """The rows' revenue in the base currency; rows of a day without a rate are left out and named."""
    result = Revenue(history.base_currency)
    missing: set[str] = set()
    for row in rows:
        try:
            amount = history.convert(row.revenue, row.currency, row.day)
        except MissingExchangeRate:
            missing.add(f"{row.currency} on {row.day}")
            continue
        result.by_day[row.day] = result.by_day.get(row.day, 0) + amount
        result.by_channel[row.channel] = result.by_channel.get(row.channel, 0) + amount
        result.total += amount
        result.kept_orders += row.orders - row.cancelled
    result.missing = sorted(missing)
    return result


def top_categories(conn: Connection, p: Period, limit: int = TOP) -> list[tuple[str, int]]:
    """Categories by units sold (ordered minus cancelled) in orders placed in the period."""
    units = func.sum(LINE.quantity - LINE.cancelled)
    stmt = (select(t.products.c.category, units.label("units"))
            .select_from(t.order_lines.join(t.orders, LINE.order_id == ORD.id)
                         .join(t.products, t.products.c.sku == LINE.sku))
            .where(ORD.placed_at >= p.start, ORD.placed_at < p.end)
            .group_by(t.products.c.category).having(units > 0).order_by(units.desc(), t.products.c.category)
            .limit(limit))
    return [(r.category, int(r.units)) for r in conn.execute(stmt)]


def top_products(conn: Connection, p: Period, limit: int = TOP) -> list[tuple[str, str, int]]:
    """(SKU, name, units sold) of the best-selling products of the period."""
    units = func.sum(LINE.quantity - LINE.cancelled)
    stmt = (select(LINE.sku, func.max(LINE.name).label("name"), units.label("units"))
            .select_from(t.order_lines.join(t.orders, LINE.order_id == ORD.id))
            .where(ORD.placed_at >= p.start, ORD.placed_at < p.end)
            .group_by(LINE.sku).having(units > 0).order_by(units.desc(), LINE.sku).limit(limit))
    return [(r.sku, r.name, int(r.units)) for r in conn.execute(stmt)]


@dataclass(frozen=True)
class Rates:
    orders: int
    cancelled: int
    units_shipped: int
    units_returned: int

    @property
    def cancellation(self) -> float | None:
        return self.cancelled / self.orders if self.orders else None

    @property
    def returns(self) -> float | None:
        """Units returned per unit shipped."""
        return self.units_returned / self.units_shipped if self.units_shipped else None


def rates(conn: Connection, rows: list[SalesRow], p: Period) -> Rates:
    """Cancellation rate (orders) and return rate (units) of the orders placed in the period."""
    shipped, returned = conn.execute(
        select(func.coalesce(func.sum(LINE.shipped), 0), func.coalesce(func.sum(LINE.returned), 0))
        .select_from(t.order_lines.join(t.orders, LINE.order_id == ORD.id))
        .where(ORD.placed_at >= p.start, ORD.placed_at < p.end)).one()
    return Rates(sum(r.orders for r in rows), sum(r.cancelled for r in rows), int(shipped), int(returned))
