"""An order from capture to delivery through the API, on SQLite and PostgreSQL."""

from __future__ import annotations


def test_an_order_travels_from_capture_to_delivery(shop, client):
    # Given stock of two products in Berlin
    shop.product("SHIRT")
    shop.product("MUG", price="5.50")
    shop.stock("WH-BER", "SHIRT", 10)
    shop.stock("WH-BER", "MUG", 10)
    # When a customer orders both
    order = shop.order([("SHIRT", 2), ("MUG", 1)], shipping="4.99")
    # Then it is priced from the catalog, reserved and routed to Berlin in one fulfilment order
    assert order["number"].startswith("BT-")
    assert order["totals"] == {"subtotal": "25.50", "discount": "0.00", "shipping": "4.99", "tax": "0.00",
                               "total": "30.49", "currency": "EUR",
                               "shipping_tax": "0.00", "prices_include": "tax_exclusive"}
    assert order["status"] == "placed" and order["fulfillment_status"] == "allocated"
    [fo] = order["fulfillment_orders"]
    assert fo["location"] == "WH-BER" and fo["status"] == "open"
    assert shop.level("WH-BER", "SHIRT")["reserved"] == 2
    # When Berlin accepts, packs, ships and the parcel arrives
    shop.act(fo["id"], "accept")
    assert shop.get_order(order["id"])["status"] == "processing"
    shop.act(fo["id"], "pack")
    shipped = shop.act(fo["id"], "ship", {"carrier": "DHL", "tracking_number": "00340434"})
    assert shipped["status"] == "shipped"
    assert shop.level("WH-BER", "SHIRT") | {"updated_at": None} == {
        "location": "WH-BER", "sku": "SHIRT", "on_hand": 8, "reserved": 0, "safety_stock": 0, "available": 8,
        "reorder_point": None,
        "updated_at": None}
    shop.act(fo["id"], "deliver")
    # Then the order is delivered and every step is on the timeline
    final = shop.get_order(order["id"])
    assert (final["status"], final["fulfillment_status"]) == ("delivered", "delivered")
    assert final["lines"][0]["quantities"]["delivered"] == 2
    kinds = [e["kind"] for e in client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]]
    assert kinds == ["placed", "routed", "accepted", "packed", "shipped", "delivered"]


def test_a_partial_shipment_makes_the_order_partially_shipped(shop):
    shop.product("SHIRT")
    shop.stock("WH-BER", "SHIRT", 5)
    order = shop.order([("SHIRT", 3)])
    fo = order["fulfillment_orders"][0]
    line_id = order["lines"][0]["id"]
    shop.act(fo["id"], "accept")
    one = {"carrier": "UPS", "tracking_number": "1Z1", "lines": [{"line_id": line_id, "quantity": 1}]}
    first = shop.act(fo["id"], "ship", one)
    assert first["status"] == "accepted" and first["lines"][0]["remaining"] == 2
    assert shop.get_order(order["id"])["status"] == "partially_shipped"
    second = shop.act(fo["id"], "ship", {"carrier": "UPS", "tracking_number": "1Z2"})
    assert second["status"] == "shipped" and len(second["shipments"]) == 2
    assert shop.get_order(order["id"])["fulfillment_status"] == "shipped"
    assert shop.level("WH-BER", "SHIRT")["on_hand"] == 2


def test_shipping_more_than_is_left_is_refused_and_changes_nothing(shop, client):
    shop.product("SHIRT")
    shop.stock("WH-BER", "SHIRT", 5)
    order = shop.order([("SHIRT", 2)])
    fo = order["fulfillment_orders"][0]
    shop.act(fo["id"], "accept")
    response = client.post(f"/api/v1/fulfillment-orders/{fo['id']}/ship",
                           json={"carrier": "UPS", "lines": [{"line_id": order["lines"][0]["id"], "quantity": 3}]})
    assert response.status_code == 409 and response.json()["code"] == "over_shipment"
    assert shop.level("WH-BER", "SHIRT")["on_hand"] == 5


def test_a_pickup_order_goes_to_the_chosen_store_and_is_ready_for_pickup(shop):
    shop.product("SHIRT")
    shop.stock("WH-BER", "SHIRT", 50)
    shop.stock("ST-HAM", "SHIRT", 1)
    order = shop.order([("SHIRT", 1)], delivery_method="pickup", pickup_location="ST-HAM", shipping_address=None)
    [fo] = order["fulfillment_orders"]
    assert fo["location"] == "ST-HAM"
    shop.act(fo["id"], "accept")
    shop.act(fo["id"], "pack")
    assert shop.get_order(order["id"])["fulfillment_status"] == "ready_for_pickup"
    shop.act(fo["id"], "deliver")
    final = shop.get_order(order["id"])
    assert final["status"] == "delivered"
    assert shop.level("ST-HAM", "SHIRT")["on_hand"] == 0


def test_a_rejected_fulfilment_order_is_rerouted_to_the_next_best_location(shop, client):
    shop.product("SHIRT")
    shop.stock("ST-HAM", "SHIRT", 2)
    shop.stock("WH-MUC", "SHIRT", 2)
    order = shop.order([("SHIRT", 2)])
    [fo] = order["fulfillment_orders"]
    assert fo["location"] == "ST-HAM"  # nearest to Hamburg
    rejected = shop.act(fo["id"], "reject", {"reason": "damaged stock"})
    assert rejected["status"] == "rejected"
    after = shop.get_order(order["id"])
    active = [f for f in after["fulfillment_orders"] if f["status"] == "open"]
    assert [f["location"] for f in active] == ["WH-MUC"]
    assert shop.level("ST-HAM", "SHIRT")["reserved"] == 0
    assert shop.level("WH-MUC", "SHIRT")["reserved"] == 2
    messages = [e["message"] for e in client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]]
    assert any("rejected" in m and "damaged stock" in m for m in messages)
    assert any("WH-MUC" in m for m in messages if "Routed" in m or "routed" in m)


def test_units_nobody_can_take_after_a_rejection_wait_as_backordered(shop):
    shop.product("SHIRT")
    shop.stock("WH-BER", "SHIRT", 1)
    order = shop.order([("SHIRT", 1)])
    shop.act(order["fulfillment_orders"][0]["id"], "reject", {"reason": "cannot find it"})
    after = shop.get_order(order["id"])
    assert after["fulfillment_status"] == "backordered"
    assert after["lines"][0]["quantities"]["unallocated"] == 1
    assert shop.level("WH-BER", "SHIRT")["reserved"] == 0


def test_backorder_products_are_accepted_beyond_stock_and_show_what_waits(shop):
    shop.product("PRE", stock_policy="preorder")
    order = shop.order([("PRE", 3)])
    assert order["lines"][0]["awaiting_stock"] == 3
    assert order["fulfillment_status"] == "allocated"
