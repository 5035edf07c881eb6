"""Returns of orders delivered parcel by parcel, on both databases: one parcel of two delivered counts exactly its
units as returnable, and each line's return window counts from the parcel that brought its units, not from the
order's last parcel."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from baton.shared.clock import frozen_at, utcnow
from tests.conftest import Shop
from tests.integration import test_returns as rt

stocked = rt.stocked  # A (30.00), B (20.00) and a final-sale F, 10 of each at WH-BER


def ship(shop: Shop, order: dict, items: list[tuple[str, int]]) -> dict:
    """One parcel of `items` from the order's fulfilment order; returns it, with its fulfilment order's id."""
    fo = shop.get_order(order["id"])["fulfillment_orders"][0]
    if fo["status"] == "open":
        shop.act(fo["id"], "accept")
    lines = [{"line_id": rt.line_of(order, sku)["id"], "quantity": q} for sku, q in items]
    shipped = shop.act(fo["id"], "ship", {"carrier": "DHL", "tracking_number": f"DHL-{len(fo['shipments']) + 1}",
                                          "lines": lines})
    return {**shipped["shipments"][-1], "fulfillment_order_id": fo["id"]}


def deliver(client: TestClient, fo_id: str, shipment_id: str, status: int = 200) -> dict:
    response = client.post(f"/api/v1/fulfillment-orders/{fo_id}/shipments/{shipment_id}/deliver")
    assert response.status_code == status, response.text
    return response.json()


def test_one_parcel_of_two_delivered_makes_exactly_its_units_returnable(client: TestClient, stocked: Shop) -> None:
    # Given an order of 2 × A and 1 × B whose first parcel (1 × A) arrived while the rest has not shipped
    order = stocked.order([("A", 2), ("B", 1)], payment=rt.CARD)
    first = ship(stocked, order, [("A", 1)])
    fo = deliver(client, first["fulfillment_order_id"], first["id"])
    assert fo["status"] == "accepted"  # more to ship: not delivered as a whole
    line_a = rt.line_of(stocked.get_order(order["id"]), "A")["quantities"]
    assert (line_a["shipped"], line_a["delivered"]) == (1, 1)
    assert "Delivered the DHL parcel DHL-1: 1 unit(s)" in " ".join(rt.messages(client, order["id"]))
    # When the customer asks to return both A, or the B: refused, nothing changes
    before = rt.snapshot(client, order["id"])
    refused = rt.open_return(client, order, [("A", 2)], status=422)
    assert refused["code"] == "too_many_units" and "only 1 unit(s) of A" in refused["detail"]
    assert rt.open_return(client, order, [("B", 1)], status=422)["code"] == "too_many_units"
    assert rt.snapshot(client, order["id"]) == before
    # Then the delivered A can come back
    assert rt.open_return(client, order, [("A", 1)])["status"] == "requested"
    # And once the second parcel has shipped, the fulfilment order is delivered when that parcel arrives
    second = ship(stocked, order, [("A", 1), ("B", 1)])
    assert stocked.get_order(order["id"])["fulfillment_orders"][0]["status"] == "shipped"
    assert deliver(client, second["fulfillment_order_id"], second["id"])["status"] == "delivered"
    assert deliver(client, second["fulfillment_order_id"], second["id"], status=409)["code"] == "invalid_transition"
    assert deliver(client, second["fulfillment_order_id"], "shp_nope", status=404)["code"] == "shipment_not_found"
    assert rt.open_return(client, order, [("A", 1), ("B", 1)])["status"] == "requested"


def test_each_lines_return_window_counts_from_the_parcel_that_brought_it(client: TestClient, stocked: Shop) -> None:
    # Given an order whose A arrived 35 days ago in a first parcel and whose B arrived today in a second one
    order = stocked.order([("A", 1), ("B", 1)], payment=rt.CARD)
    with frozen_at(utcnow() - timedelta(days=36)):
        first = ship(stocked, order, [("A", 1)])
    with frozen_at(utcnow() - timedelta(days=35)):
        deliver(client, first["fulfillment_order_id"], first["id"])
    second = ship(stocked, order, [("B", 1)])
    deliver(client, second["fulfillment_order_id"], second["id"])
    # When the customer returns the A: its 30-day window closed (counted from its own parcel), nothing changes
    before = rt.snapshot(client, order["id"])
    refused = rt.open_return(client, order, [("A", 1)], status=409)
    assert refused["code"] == "return_window_closed" and "for A closed" in refused["detail"]
    assert rt.snapshot(client, order["id"]) == before
    # Then the B, delivered today, can still come back
    assert rt.open_return(client, order, [("B", 1)])["status"] == "requested"
