"""The console's dashboard at /console/ (the signed-in home page): the shop's figures for today or the last
7/30/90 days, drawn as server-rendered SVG charts (svg_charts.py), each with a table for screen readers.

What each role sees (every signed-in role sees the page; its sections follow `baton.identity.permissions`):
- orders.read (admin, agent, finance, analyst): orders per day and channel, top categories and products,
  cancellation and return rates, fulfilment lead time and late shipments;
- ledger.read (admin, finance): revenue in the base currency per day and channel, and the average order value.
  Revenue is finance data, as the money ledger is: agents and analysts see order counts, not money;
- fulfillment.read: the queue of each location (a location-scoped user: their locations only, with the lead time
  of their own parcels), and inventory.read the low-stock levels (again of their locations only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from baton.bootstrap import Container
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.web import svg_charts as charts
from baton.entrypoints.web.console import CONSOLE, ConsoleRoute, SignedInDep, page
from baton.fulfillment import kpis as fulfilment_kpis
from baton.identity.console import SignedIn
from baton.identity.permissions import LOCATION_SCOPED, Action, allows
from baton.inventory import kpis as stock_kpis
from baton.orders import kpis
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput
from baton.shared.money import format_money, reader_locale
from baton.tax.exchange import RateHistory

router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute, include_in_schema=False)
PERIOD_NAMES = {"today": "Today", "7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days"}


@router.get("/", openapi_extra=CONSOLE)
def dashboard(request: Request, container: ContainerDep, signed: SignedInDep, period: str = "7d") -> Response:
    locale = reader_locale(request.headers.get("accept-language"))
    context: dict[str, Any] = {"signed": signed, "csrf_token": signed.csrf_token, "periods": PERIOD_NAMES,
                               "errors": {}}
    try:
        chosen = kpis.period(period, utcnow().date())
    except InvalidInput as bad:
        context.update(errors={bad.field: bad.reason}, period="")
        return page(request, "home.html", context, status=422)
    context.update(figures(container, signed, chosen, locale), period=chosen.name)
    return page(request, "home.html", context)


def figures(container: Container, signed: SignedIn, p: kpis.Period, locale: str) -> dict[str, Any]:
    """The dashboard's sections the signed-in role may see, ready for the template."""
    role = signed.actor.role
    scoped = signed.actor.locations if role in LOCATION_SCOPED else frozenset()
    found: dict[str, Any] = {"labels": [_day_label(d, p) for d in p.days]}
    with container.reads.connect() as conn:
        if allows(role, Action.ORDERS_READ):
            rows = kpis.sales(conn, p)
            found["orders"] = _orders(conn, rows, p, found["labels"])
            if allows(role, Action.LEDGER_READ):
                found["revenue"] = _revenue(container, rows, p, found["labels"], locale)
        if allows(role, Action.ORDERS_READ) or allows(role, Action.FULFILLMENT_READ):
            found["lead"] = _lead_time(fulfilment_kpis.lead_time(conn, p, scoped))
        if allows(role, Action.FULFILLMENT_READ):
            found["queues"] = fulfilment_kpis.queues(conn, p, utcnow(), scoped)
        if allows(role, Action.INVENTORY_READ):
            found["low_stock"], found["low_stock_count"] = stock_kpis.low_stock(conn, scoped)
    found["scoped"] = sorted(scoped)
    return found


def _orders(conn: Any, rows: list[kpis.SalesRow], p: kpis.Period, labels: list[str]) -> dict[str, Any]:
    by_channel = kpis.orders_by_day(rows, p)
    rates = kpis.rates(conn, rows, p)
    total = sum(r.orders for r in rows)
    return {
        "count": total, "cancellation": _percent(rates.cancellation), "returns": _percent(rates.returns),
        "cancelled": rates.cancelled, "units_shipped": rates.units_shipped, "units_returned": rates.units_returned,
        "chart": charts.bar_chart("orders-chart", "Orders per day and channel", labels,
                                  [charts.Series(channel, days) for channel, days in by_channel.items()],
                                  summary=f"{total} orders placed, by day, stacked by channel."),
        "categories": charts.hbar_chart("categories-chart", "Top categories (units sold)",
                                        kpis.top_categories(conn, p), summary="Categories by units sold."),
        "products": charts.hbar_chart("products-chart", "Top products (units sold)",
                                      [(f"{name} ({sku})", units) for sku, name, units in kpis.top_products(conn, p)],
                                      summary="Products by units sold."),
    }


def _revenue(container: Container, rows: list[kpis.SalesRow], p: kpis.Period, labels: list[str],
             locale: str) -> dict[str, Any]:
    base = container.settings.base_currency
    with container.reader() as uow:
        history = RateHistory(base, uow.exchange_rates.history(base, {r.currency for r in rows}, p.last))
    revenue = kpis.revenue(rows, history)

    def money(value: float) -> str:
        return format_money(round(value), base, locale)

    average = revenue.average_order
    return {
        "base": base, "total": money(revenue.total), "average": money(average) if average is not None else "–",
        "missing": revenue.missing,
        "chart": charts.line_chart("revenue-chart", f"Revenue per day ({base})", labels,
                                   [revenue.by_day.get(d, 0) for d in p.days], money,
                                   summary=f"Revenue of orders not cancelled, {money(revenue.total)} in all."),
        "channels": charts.hbar_chart("channels-chart", f"Revenue by channel ({base})",
                                      sorted(revenue.by_channel.items(), key=lambda item: -item[1]), money,
                                      summary="Revenue per sales channel."),
    }


def _lead_time(lead: fulfilment_kpis.LeadTime) -> dict[str, Any]:
    average = f"{lead.average_hours / 24:.1f} days" if lead.average_hours is not None else "–"
    return {"orders": lead.orders, "average": average, "late": lead.late,
            "late_after": int(fulfilment_kpis.LATE_AFTER.total_seconds() // 3600),
            "chart": charts.bar_chart("lead-chart", "Lead time: order placed → first parcel shipped",
                                      [label for label, _n in lead.buckets],
                                      [charts.Series("orders", [n for _label, n in lead.buckets])],
                                      summary=f"{lead.orders} orders shipped, by how long they took.")}


def _percent(value: float | None) -> str:
    return f"{value * 100:.1f} %" if value is not None else "–"


def _day_label(day: date, p: kpis.Period) -> str:
    return day.strftime("%d %b") if len(p.days) <= 31 else day.strftime("%d.%m")
