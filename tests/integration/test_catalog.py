"""Products and locations: create, read, update, list."""

from __future__ import annotations


def test_products_are_created_read_updated_and_listed(shop, client):
    created = shop.product("TEE-1", price="12.50", currency="USD", prices={"EUR": "11.90"}, stock_policy="backorder")
    assert created["prices"] == {"USD": "12.50", "EUR": "11.90"} and created["stock_policy"] == "backorder"
    assert client.post("/api/v1/products", json={"sku": "TEE-1", "name": "x", "category": "c", "price": "1",
                                                  "currency": "USD"}).status_code == 409
    updated = client.patch("/api/v1/products/TEE-1", json={"name": "Organic tee", "price": "13.00", "currency": "USD"})
    assert updated.status_code == 200 and updated.json()["name"] == "Organic tee"
    assert client.get("/api/v1/products/TEE-1").json()["prices"]["USD"] == "13.00"
    shop.product("TEE-2", category="other")
    listed = client.get("/api/v1/products", params={"category": "test"}).json()["items"]
    assert [p["sku"] for p in listed] == ["TEE-1"]
    assert client.get("/api/v1/products/NOPE").status_code == 404


def test_a_product_price_must_fit_its_currency(client):
    response = client.post("/api/v1/products", json={"sku": "YEN", "name": "x", "category": "c", "price": "1.50",
                                                     "currency": "JPY"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "price"


def test_locations_are_listed_with_cursor_and_updated(shop, client):
    page = client.get("/api/v1/locations", params={"limit": 2}).json()
    assert [loc["code"] for loc in page["items"]] == ["ST-HAM", "WH-BER"]
    rest = client.get("/api/v1/locations", params={"cursor": page["next_cursor"]}).json()
    assert [loc["code"] for loc in rest["items"]] == ["WH-MUC"] and rest["next_cursor"] is None
    changed = client.patch("/api/v1/locations/WH-MUC", json={"priority": 7, "pickup": True})
    assert changed.status_code == 200 and changed.json()["priority"] == 7
    refused = client.patch("/api/v1/locations/WH-MUC", json={"ships": False, "pickup": False})
    assert refused.status_code == 422
    assert client.get("/api/v1/locations/WH-MUC").json()["ships"] is True


def test_an_inactive_location_receives_no_new_orders(shop, client):
    shop.product("A")
    shop.stock("ST-HAM", "A", 5)
    shop.stock("WH-MUC", "A", 5)
    client.patch("/api/v1/locations/ST-HAM", json={"active": False})
    order = shop.order([("A", 1)])
    assert [fo["location"] for fo in order["fulfillment_orders"]] == ["WH-MUC"]
