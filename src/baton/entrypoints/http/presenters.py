"""Domain objects to API shapes: money as decimal strings in the order's currency."""

from __future__ import annotations

from typing import Any

from baton.catalog.model import Location, Product
from baton.fulfillment.model import FulfillmentOrder, Shipment
from baton.orders.model import Order, OrderLine
from baton.shared.money import to_decimal_string


def location(loc: Location) -> dict[str, Any]:
    return {
        "code": loc.code, "name": loc.name, "type": str(loc.type), "address": loc.address,
        "latitude": loc.latitude, "longitude": loc.longitude, "ships": loc.ships, "pickup": loc.pickup,
        "priority": loc.priority, "daily_capacity": loc.daily_capacity, "active": loc.active,
    }


def product(p: Product) -> dict[str, Any]:
    currency = next(iter(p.prices), None)
    return {
        "sku": p.sku, "name": p.name, "category": p.category, "stock_policy": str(p.stock_policy),
        "price": to_decimal_string(p.prices[currency], currency) if currency else None, "currency": currency,
        "prices": {cur: to_decimal_string(amount, cur) for cur, amount in p.prices.items()},
        "weight_grams": p.weight_grams, "tax_class": p.tax_class, "active": p.active, "returnable": p.returnable,
    }


def order(o: Order, *, holds: bool = True) -> dict[str, Any]:
    """`holds`: False for the shopper, who sees the status but not the reasons (a risk rule stays unexplained)."""
    money = lambda minor: to_decimal_string(minor, o.currency)  # noqa: E731
    totals = o.totals
    return {
        "id": o.id, "number": o.number, "tracking_id": o.tracking_id, "channel": str(o.channel),
        "status": str(o.status), "fulfillment_status": str(o.fulfillment_status),
        "payment_status": str(o.payment_status), "currency": o.currency,
        "customer": {"id": o.customer_id, "email": o.customer_email, "name": o.customer_name,
                     "phone": o.customer_phone},
        "shipping_address": o.shipping_address, "billing_address": o.billing_address,
        "delivery_method": str(o.delivery_method), "pickup_location": o.pickup_location,
        "lines": [_line(o, line) for line in o.lines],
        "discounts": [{"code": d["code"], "amount": money(d["amount"])} for d in o.discounts],
        "totals": {"subtotal": money(totals.subtotal), "discount": money(totals.discount),
                   "shipping": money(totals.shipping),
                   "shipping_tax": money(0 if o.is_fully_cancelled else o.shipping_tax),
                   "tax": money(totals.tax), "total": money(totals.total), "currency": o.currency,
                   "prices_include": o.prices_include},
        "fulfillment_orders": [fulfillment_order(fo) for fo in o.fulfillment_orders],
        "changes": [
            {"id": c.id, "kind": c.kind, "actor": c.actor, "reason": c.reason, "lines": c.lines,
             "amount_delta": ("-" if c.amount_delta < 0 else "") + money(abs(c.amount_delta)),
             "created_at": c.created_at}
            for c in o.changes
        ],
        "holds": [
            {"id": h.id, "kind": h.kind, "reasons": h.reasons, "active": h.active, "placed_at": h.placed_at,
             "placed_by": h.placed_by, "released_at": h.released_at, "released_by": h.released_by,
             "release_note": h.release_note}
            for h in o.holds
        ] if holds else [],
        "placed_at": o.placed_at, "updated_at": o.updated_at, "version": o.version,
    }


def _line(o: Order, line: OrderLine) -> dict[str, Any]:
    _subtotal, discount, tax = line.amounts()
    awaiting = sum(fl.awaiting_stock for fo in o.fulfillment_orders if fo.active
                   for fl in fo.lines if fl.order_line_id == line.id)
    return {
        "id": line.id, "sku": line.sku, "name": line.name, "stock_policy": line.stock_policy,
        "unit_price": to_decimal_string(line.unit_price, o.currency), "quantity": line.quantity,
        "discount": to_decimal_string(discount, o.currency), "tax_class": line.tax_class, "tax_rate": line.tax_rate,
        "tax": to_decimal_string(tax, o.currency), "total": to_decimal_string(o.value_of(line, line.kept), o.currency),
        "awaiting_stock": awaiting, "quantities": line.buckets(),
    }


def fulfillment_order(fo: FulfillmentOrder) -> dict[str, Any]:
    return {
        "id": fo.id, "order_id": fo.order_id, "location": fo.location, "status": str(fo.status),
        "reject_reason": fo.reject_reason,
        "lines": [{"line_id": fl.order_line_id, "sku": fl.sku, "quantity": fl.quantity, "shipped": fl.shipped,
                   "cancelled": fl.cancelled, "remaining": fl.remaining, "awaiting_stock": fl.awaiting_stock}
                  for fl in fo.lines],
        "shipments": [shipment(s) for s in fo.shipments],
        "created_at": fo.created_at, "updated_at": fo.updated_at,
    }


def shipment(s: Shipment) -> dict[str, Any]:
    return {"id": s.id, "carrier": s.carrier, "service": s.service, "tracking_number": s.tracking_number,
            "status": str(s.status), "lines": s.lines, "shipped_at": s.shipped_at, "delivered_at": s.delivered_at}

