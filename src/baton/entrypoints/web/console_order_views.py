"""What the console's orders pages show: the search box resolved to a filter, and orders as plain dicts with
money formatted in the reader's locale. Read-only; the routes live in console_orders.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, select

from baton.adapters.db import tables as t
from baton.customers import search as customer_search
from baton.orders import queries
from baton.orders.model import Order
from baton.orders.notes import Note
from baton.payments.model import Payment
from baton.returns.eligibility import returnable_units
from baton.returns.model import Return
from baton.shared.errors import InvalidInput
from baton.shared.money import format_money

_NUMBER = re.compile(r"^[A-Za-z]{1,8}-\d+$")
NAME_MATCHES = 20  # customers listed when a name matches several


@dataclass(frozen=True)
class Found:
    """A resolved search: the filter to list with, or the customers to choose from, or nothing at all."""

    filter: queries.OrderFilter | None
    customers: list[dict[str, Any]] = field(default_factory=list)
    matched: str = ""  # what the term was taken for, said above the list


def resolve(conn: Connection, q: str, base: queries.OrderFilter) -> Found:
    """The term is an email, an order number, a tracking id, a SKU or a customer's name, tried in that order."""
    term = q.strip()
    if not term:
        return Found(base)
    if "@" in term:
        return Found(replace(base, email=term), matched="email")
    number = term.upper()  # an order number looks like a SKU (BT-100042, MUG-1): it counts if such an order exists
    if _NUMBER.match(term) and conn.scalar(select(t.orders.c.id).where(t.orders.c.number == number)) is not None:
        return Found(replace(base, number=number), matched="order number")
    tracked = queries.tracking(conn, term)
    if tracked is not None:
        return Found(replace(base, number=tracked["number"]), matched="tracking id")
    if conn.scalar(select(t.order_lines.c.sku).where(t.order_lines.c.sku == term).limit(1)) is not None:
        return Found(replace(base, sku=term), matched="SKU")
    customers, _ = customer_search.search(conn, term, None, NAME_MATCHES, None)
    customers = [c for c in customers if not c["erased"] and c["orders"]]
    if len(customers) == 1:
        return Found(replace(base, email=customers[0]["email"]), matched="customer")
    return Found(None, customers=customers)


def day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, "is not a date; use YYYY-MM-DD.") from None


def day_range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """`end` is inclusive on the page, exclusive in the query."""
    if start and end and end < start:
        raise InvalidInput("placed_to", "is before the start of the range.")
    begin = datetime.combine(start, time(), UTC) if start else None
    stop = datetime.combine(end + timedelta(days=1), time(), UTC) if end else None
    return begin, stop


def order_rows(conn: Connection, rows: list[dict], locale: str) -> list[dict]:
    """List rows for the table; payment status comes in one extra query (the list query does not select it)."""
    o = t.orders.c
    ids = [row["id"] for row in rows]
    paid = {row.id: row.payment_status for row in conn.execute(select(o.id, o.payment_status).where(o.id.in_(ids)))}
    return [{"number": row["number"], "placed": _when(row["placed_at"]), "customer": row["customer_name"] or "",
             "email": row["customer_email"], "status": row["status"], "channel": row["channel"],
             "payment_status": paid.get(row["id"], ""), "total": format_money(row["total"], row["currency"], locale)}
            for row in rows]


def order_detail(o: Order, payments: list[Payment], returns: list[Return], notes: list[Note] | None,
                 timeline: list[dict], locale: str) -> dict[str, Any]:
    money = lambda minor: format_money(minor, o.currency, locale)  # noqa: E731
    totals = o.totals
    captured = sum(p.captured for p in payments)
    refunded = sum(p.refunded for p in payments)
    return {
        "id": o.id, "number": o.number, "tracking_id": o.tracking_id, "status": str(o.status),
        "payment_status": str(o.payment_status),
        "fulfillment_status": str(o.fulfillment_status), "channel": str(o.channel), "currency": o.currency,
        "placed": _when(o.placed_at), "customer": {"name": o.customer_name, "email": o.customer_email,
                                                    "phone": o.customer_phone},
        "delivery_method": str(o.delivery_method), "pickup_location": o.pickup_location,
        "address": o.shipping_address,
        "lines": [{"sku": line.sku, "name": line.name, "unit_price": money(line.unit_price),
                   "total": money(o.value_of(line, line.kept)), "buckets": line.buckets()} for line in o.lines],
        "totals": {"subtotal": money(totals.subtotal), "discount": money(totals.discount) if totals.discount else None,
                   "shipping": money(totals.shipping), "tax": money(totals.tax), "total": money(totals.total),
                   "tax_included": o.prices_include == "tax_inclusive"},
        "fulfillment_orders": [{"location": fo.location, "status": str(fo.status),
                                "lines": [f"{fl.quantity} × {fl.sku} ({fl.shipped} shipped)" for fl in fo.lines],
                                "shipments": [{"carrier": s.carrier, "tracking_number": s.tracking_number,
                                               "status": str(s.status), "shipped": _when(s.shipped_at)}
                                              for s in fo.shipments]}
                               for fo in o.fulfillment_orders],
        "payments": [{"method": str(p.method), "status": str(p.status), "authorized": money(p.authorized),
                      "captured": money(p.captured), "refunded": money(p.refunded)} for p in payments],
        "refundable": captured - refunded, "refundable_text": money(captured - refunded),
        "holds": [{"kind": str(h.kind), "reasons": "; ".join(h.reasons), "active": h.active,
                   "placed": _when(h.placed_at), "placed_by": h.placed_by} for h in o.holds],
        "on_hold": any(h.active for h in o.holds),
        "returns": [{"number": r.number, "status": str(r.status), "units": sum(rl.quantity for rl in r.lines),
                     "refund": money(r.refund_amount)} for r in returns],
        "notes": None if notes is None else [{"at": _when(n.created_at), "author": n.author, "text": n.text}
                                             for n in notes],
        "timeline": [{"at": _when(e["at"]), "actor": e["actor"], "message": e["message"]}
                     for e in reversed(timeline)],  # newest first: what just happened is on top
    }


def may_change(o: Order) -> dict[str, bool]:
    """Which further actions the order's state allows (the role is checked separately; services check again)."""
    return {"edit": any(line.open for line in o.lines),
            "return": any(returnable_units(line) > 0 for line in o.lines)}


def returnable_lines(o: Order) -> list[dict[str, Any]]:
    return [{"id": line.id, "name": line.name, "sku": line.sku, "max": returnable_units(line)}
            for line in o.lines if returnable_units(line) > 0]


def edit_lines(o: Order) -> list[dict[str, Any]]:
    """The lines of the edit form: a quantity may not go below what shipped, nor change once nothing is open."""
    return [{"id": line.id, "name": line.name, "sku": line.sku, "kept": line.kept, "shipped": line.shipped,
             "open": line.open} for line in o.lines]


def preview(o: Order, locale: str) -> dict[str, Any]:
    """The order as an edit would leave it: lines kept and the new totals."""
    money = lambda minor: format_money(minor, o.currency, locale)  # noqa: E731
    totals = o.totals
    merged: dict[tuple[str, str], list[int]] = {}  # extra units of a line are a line of their own: one row per SKU
    for line in o.lines:
        if line.kept:
            units = merged.setdefault((line.sku, line.name), [0, 0])
            units[0] += line.kept
            units[1] += o.value_of(line, line.kept)
    return {"lines": [{"name": name, "sku": sku, "kept": kept, "total": money(value)}
                      for (sku, name), (kept, value) in merged.items()],
            "totals": {"subtotal": money(totals.subtotal), "shipping": money(totals.shipping),
                       "tax": money(totals.tax), "total": money(totals.total)},
            "delivery_method": str(o.delivery_method), "pickup_location": o.pickup_location,
            "address": o.shipping_address}


def signed_money(minor: int, currency: str, locale: str) -> str:
    """+€5.00 / −€5.00: a change of a total."""
    return ("−" if minor < 0 else "+") + format_money(abs(minor), currency, locale)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""
