"""What the shopper's pages show: an order of the portal, and the public tracking page, as plain dicts in the
shopper's words (statuses as steps, money in the reader's locale, expected delivery as an estimate). Read-only;
the routes live in portal.py and portal_tracking.py."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any

from baton.customers.self_service import check_address_open, check_cancellable
from baton.fulfillment import carriers
from baton.fulfillment.model import ShipmentStatus
from baton.orders.model import DeliveryMethod, Order
from baton.returns.eligibility import returnable_units
from baton.shared.errors import Conflict
from baton.shared.money import format_money

LABELS = {  # statuses in the shopper's words
    "placed": "Placed", "processing": "Being prepared", "partially_shipped": "Partly shipped",
    "shipped": "Shipped", "delivered": "Delivered", "cancelled": "Cancelled", "in_transit": "On the way",
    "on_hold": "Being reviewed", "out_for_delivery": "Out for delivery", "exception": "Delivery problem",
}
STARTED = frozenset({"accepted", "packed", "shipped", "delivered"})  # a location is working on it
HELD = "We are reviewing this order before it goes on; nothing is needed from you unless we get in touch."
CANCELLED = "This order was cancelled. Any payment taken for it is given back to the way you paid."
PROBLEM = ("The carrier reported a problem delivering {what}: a delay, damage or an address it could not find. "
           "It may still arrive; we are on it and will keep you posted.")


def label(status: str) -> str:
    return LABELS.get(status, status.replace("_", " ").capitalize())


def day(moment: datetime | date) -> str:
    return moment.strftime("%Y-%m-%d")


# -- the portal's order page ----------------------------------------------------------------------------------
def order_view(o: Order, locale: str) -> dict[str, Any]:
    money = partial(format_money, currency=o.currency, locale=locale)
    totals = o.totals
    return {"number": o.number, "placed": day(o.placed_at), "status": label(str(o.status)),
            "delivery_method": str(o.delivery_method), "pickup_location": o.pickup_location,
            "address": o.shipping_address or {}, "tracking_id": o.tracking_id,
            "lines": [{"id": line.id, "name": line.name, "sku": line.sku, "quantity": line.quantity,
                       "unit_price": money(line.unit_price), "total": money(o.value_of(line, line.kept)),
                       "state": line_state(line.buckets())} for line in o.lines],
            "shipments": shipments(o),
            "totals": {"subtotal": money(totals.subtotal), "discount": money(totals.discount),
                       "shipping": money(totals.shipping), "tax": money(totals.tax), "total": money(totals.total)},
            "discounted": totals.discount > 0, "tax_included": not o.tax_added, "may": may(o)}


def may(o: Order) -> dict[str, bool]:
    """Which self-service actions the order still allows (the services check again when the form is sent)."""
    return {"change_address": _allowed(check_address_open, o), "cancel": _allowed(check_cancellable, o)
            and not o.is_fully_cancelled, "return": bool(returnable_lines(o))}


def returnable_lines(o: Order) -> list[dict[str, Any]]:
    """Lines with delivered units that may still come back, and how many (the return service checks the window,
    final sales and units refunded since)."""
    return [{"id": line.id, "name": line.name, "sku": line.sku, "max": returnable_units(line)}
            for line in o.lines if returnable_units(line) > 0]


def _allowed(check: Any, o: Order) -> bool:
    try:
        check(o)
    except Conflict:
        return False
    return True


def line_state(quantities: dict[str, int]) -> str:
    """Where the units of a line are, in words: `1 delivered · 1 being prepared`."""
    on_the_way = quantities["shipped"] - quantities["delivered"]
    preparing = quantities["ordered"] - quantities["cancelled"] - quantities["shipped"]
    parts = [(quantities["delivered"], "delivered"), (on_the_way, "on the way"), (preparing, "being prepared"),
             (quantities["cancelled"], "cancelled"), (quantities["return_requested"], "return requested"),
             (quantities["returned"], "returned")]
    return " · ".join(f"{count} {what}" for count, what in parts if count)


def shipments(o: Order) -> list[dict[str, Any]]:
    names = {line.id: line.name for line in o.lines}
    found = []
    for fo in o.fulfillment_orders:
        for s in fo.shipments:
            estimate = None if s.delivered_at else carriers.expected_delivery(s.shipped_at.date(), s.carrier,
                                                                               s.service)
            found.append({
                "carrier": s.carrier, "service": s.service, "tracking_number": s.tracking_number,
                "tracking_url": carriers.tracking_url(s.carrier, s.tracking_number), "status": label(str(s.status)),
                "shipped": day(s.shipped_at), "delivered": day(s.delivered_at) if s.delivered_at else None,
                "expected": _range(estimate) if estimate else None,
                "contents": [f"{item['quantity']} × {names.get(item['line_id'], item['sku'])}" for item in s.lines]})
    return found


# -- the public tracking page ---------------------------------------------------------------------------------
def tracking_view(o: Order, today: date) -> dict[str, Any]:
    """What a stranger holding the tracking link sees: the order number, steps, parcels, items and the
    destination city; no name, street, email, phone or money."""
    status = str(o.status)
    address = o.shipping_address or {}
    items = [{"name": line.name, "quantity": line.kept, "state": line_state(line.buckets())}
             for line in o.lines if line.kept]
    cancelled = [{"name": line.name, "quantity": line.cancelled} for line in o.lines if line.cancelled]
    way = steps(o)
    out = any(step["state"] == "current" and step["name"] == "Out for delivery" for step in way)
    view: dict[str, Any] = {
        "number": o.number, "status": "Out for delivery" if out else label(status), "placed": day(o.placed_at),
        "pickup": o.delivery_method == DeliveryMethod.PICKUP, "pickup_location": o.pickup_location,
        "destination_city": address.get("city"), "steps": way, "shipments": shipments(o), "items": items,
        "cancelled_items": cancelled, "cancelled": status == "cancelled", "held": status == "on_hold",
        "held_text": HELD, "cancelled_text": CANCELLED, "expected": None, "problem": problem(o)}
    if status not in ("cancelled", "delivered") and not any(line.shipped for line in o.lines) \
            and o.delivery_method == DeliveryMethod.SHIP:
        view["expected"] = _range(carriers.expected_before_shipping(o.placed_at.date(), today))
    return view


def problem(o: Order) -> str | None:
    """A delivery problem in plain words while a parcel has one (the carrier's own words stay private)."""
    parcels = [s for fo in o.fulfillment_orders for s in fo.shipments]
    troubled = sum(s.status == ShipmentStatus.EXCEPTION for s in parcels)
    if not troubled:
        return None
    return PROBLEM.format(what="your parcel" if len(parcels) == 1 else f"{troubled} of your {len(parcels)} parcels")


def steps(o: Order) -> list[dict[str, Any]]:
    """The order's way as steps, each `done`, `current` or `todo`; a pickup order is handed over at a store."""
    kept = sum(line.kept for line in o.lines)
    shipped = sum(line.shipped for line in o.lines)
    delivered = sum(line.delivered for line in o.lines)
    parcels = [s.status for fo in o.fulfillment_orders for s in fo.shipments]
    pickup = o.delivery_method == DeliveryMethod.PICKUP
    all_shipped = kept > 0 and shipped >= kept
    reached = [
        ("Placed", True),
        ("Being prepared", any(str(fo.status) in STARTED for fo in o.fulfillment_orders) or shipped > 0),
        ("Ready for pickup" if pickup else "Shipped", str(o.fulfillment_status) == "ready_for_pickup" or all_shipped),
        # out for delivery once everything left and a parcel is on the van (a first parcel of several is not)
        *([] if pickup else [("Out for delivery", (all_shipped and ShipmentStatus.OUT_FOR_DELIVERY in parcels)
                              or (kept > 0 and delivered >= kept))]),
        ("Picked up" if pickup else "Delivered", kept > 0 and delivered >= kept),
    ]
    last = max(index for index, (_name, done) in enumerate(reached) if done)
    notes = {"Shipped": f"{shipped} of {kept} items on the way" if 0 < shipped < kept else None,
             "Delivered": f"{delivered} of {kept} items arrived" if 0 < delivered < kept else None}
    return [{"name": name, "state": "done" if index < last or (index == last and index == len(reached) - 1)
             else "current" if index == last else "todo", "note": notes.get(name)}
            for index, (name, _done) in enumerate(reached)]


def _range(estimate: carriers.Estimate) -> str:
    if estimate.earliest == estimate.latest:
        return _date(estimate.earliest)
    return f"{_date(estimate.earliest)} – {_date(estimate.latest)}"


def _date(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"  # Mon 3 Mar 2031: no reader confuses day and month
