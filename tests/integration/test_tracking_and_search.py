"""Public tracking shows little; finding orders by every filter with cursor pagination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from baton.shared.cursor import encode


def test_tracking_shows_status_parcels_city_and_first_name_only(shop, client):
    shop.product("A")
    shop.stock("WH-BER", "A", 5)
    order = shop.order([("A", 1)], customer={"email": "jane@example.com", "name": "Jane Doe", "phone": "+4912345"})
    fo_id = order["fulfillment_orders"][0]["id"]
    shop.act(fo_id, "accept")
    shop.act(fo_id, "ship", {"carrier": "DHL", "tracking_number": "JD0001"})
    response = client.get(f"/api/v1/track/{order['tracking_id']}")
    assert response.status_code == 200
    tracked = response.json()
    assert tracked["first_name"] == "Jane" and tracked["destination_city"] == "Hamburg"
    assert tracked["shipments"][0]["tracking_number"] == "JD0001"
    text = response.text
    for secret in ("Doe", "jane@example.com", "+4912345", "Jungfernstieg", order["id"]):
        assert secret not in text


def test_unknown_and_malformed_tracking_ids_answer_the_same_404(client):
    unknown = client.get("/api/v1/track/" + "x" * 22)
    malformed = client.get("/api/v1/track/BT-100001")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.json() == malformed.json()


def test_orders_are_found_by_each_filter(shop, client):
    shop.product("A")
    shop.product("B")
    shop.stock("WH-BER", "A", 50)
    shop.stock("WH-BER", "B", 50)
    first = shop.order([("A", 1)], customer={"email": "ann@example.com"}, channel="app")
    second = shop.order([("B", 1)], customer={"email": "bob@example.com"})
    client.post(f"/api/v1/orders/{second['id']}/cancel", json={"reason": "test"})

    def ids(**params):
        response = client.get("/api/v1/orders", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(email="ANN@example.com") == [first["id"]]
    assert ids(sku="B") == [second["id"]]
    assert ids(status="cancelled") == [second["id"]]
    assert ids(channel="app") == [first["id"]]
    assert ids(number=first["number"]) == [first["id"]]
    now = datetime.now(UTC)
    assert set(ids(placed_from=(now - timedelta(hours=1)).isoformat())) == {first["id"], second["id"]}
    assert ids(placed_to=(now - timedelta(hours=1)).isoformat()) == []


def test_cursor_pagination_walks_every_order_once_newest_first(shop, client):
    shop.product("A")
    shop.stock("WH-BER", "A", 50)
    made = [shop.order([("A", 1)])["id"] for _ in range(7)]
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/orders", params=params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(made))


def test_a_forged_cursor_is_a_clear_422(client):
    response = client.get("/api/v1/orders", params={"cursor": "not-a-cursor"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("path", ["/api/v1/orders", "/api/v1/audit", "/api/v1/fulfillment-orders"])
def test_a_forged_cursor_with_a_time_without_offset_is_a_422_not_a_crash(client, path):
    naive = encode(["2026-11-01T00:00:00", "ord_x"])  # a well-formed cursor we never give out
    response = client.get(path, params={"cursor": naive})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"


def test_the_fulfilment_queue_lists_a_locations_work(shop, client):
    shop.product("A")
    shop.stock("WH-BER", "A", 5)
    shop.stock("WH-MUC", "A", 5)
    order = shop.order([("A", 1)])
    location = order["fulfillment_orders"][0]["location"]
    queue = client.get("/api/v1/fulfillment-orders", params={"location": location, "status": "open"}).json()
    assert [item["order_number"] for item in queue["items"]] == [order["number"]]
    other = "WH-MUC" if location != "WH-MUC" else "WH-BER"
    assert client.get("/api/v1/fulfillment-orders", params={"location": other}).json()["items"] == []


def test_orders_are_found_by_the_location_of_their_fulfilment_orders_or_pickup(shop, client):
    shop.product("A")
    shop.product("B")
    shop.stock("WH-BER", "A", 50)
    shop.stock("WH-MUC", "B", 50)
    berlin = shop.order([("A", 1)], customer={"email": "ann@example.com"})
    split = shop.order([("A", 1), ("B", 1)], customer={"email": "bob@example.com"})
    shop.stock("ST-HAM", "A", 5)  # stocked after: the two above ship from the warehouses
    pickup = shop.order([("A", 1)], delivery_method="pickup", pickup_location="ST-HAM", shipping_address=None)
    assert {fo["location"] for fo in split["fulfillment_orders"]} == {"WH-BER", "WH-MUC"}

    def ids(**params):
        response = client.get("/api/v1/orders", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(location="WH-MUC") == [split["id"]]
    assert ids(location="ST-HAM") == [pickup["id"]]
    assert set(ids(location="WH-BER")) >= {berlin["id"], split["id"]} and pickup["id"] not in ids(location="WH-BER")
    assert ids(location="WH-MUC", email="ann@example.com") == []
    assert ids(location="NOWHERE") == []
    first = client.get("/api/v1/orders", params={"location": "WH-BER", "limit": 1}).json()
    rest = client.get("/api/v1/orders", params={"location": "WH-BER", "cursor": first["next_cursor"]}).json()
    assert [item["id"] for item in first["items"] + rest["items"]] == [split["id"], berlin["id"]]


def test_a_location_longer_than_a_code_is_a_clear_422(client):
    response = client.get("/api/v1/orders", params={"location": "x" * 33})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "location"
