"""Order capture: validation, pricing, shortages, idempotency — nothing stored when refused."""

from __future__ import annotations

import pytest

from baton.entrypoints.http.order_schemas import OrderOut
from tests.conftest import HAMBURG


def order_count(client) -> int:
    return len(client.get("/api/v1/orders", params={"limit": 200}).json()["items"])


@pytest.fixture
def stocked(shop):
    shop.product("SHIRT", price="19.99")
    shop.stock("WH-BER", "SHIRT", 5)
    return shop


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, "lines[0].sku"),
        ({"lines": [{"sku": "SHIRT", "quantity": 0}]}, "lines[0].quantity"),
        ({"lines": [{"sku": "SHIRT", "quantity": -2}]}, "lines[0].quantity"),
        ({"currency": "XXQ"}, "currency"),
        ({"currency": "ABC"}, "currency"),
        ({"shipping_address": None}, "shipping_address"),
        ({"lines": []}, "lines"),
        ({"customer": {"email": "not-an-email"}}, "customer.email"),
        ({"delivery_method": "pickup", "pickup_location": "WH-BER"}, "pickup_location"),
        ({"lines": [{"sku": "SHIRT", "quantity": 1, "price": "1.999"}]}, "lines[0].price"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(stocked, client, change, field):
    body = {**stocked.order_body([("SHIRT", 1)]), **change}
    response = client.post("/api/v1/orders", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert field in [error["field"] for error in problem["errors"]], problem
    assert order_count(client) == 0
    assert stocked.level("WH-BER", "SHIRT")["reserved"] == 0


def test_short_stock_answers_409_with_shortages_and_reserves_nothing(stocked, client):
    stocked.product("MUG")
    stocked.stock("WH-BER", "MUG", 10)
    response = client.post("/api/v1/orders", json=stocked.order_body([("MUG", 2), ("SHIRT", 6)]))
    assert response.status_code == 409
    assert response.json()["shortages"] == [{"sku": "SHIRT", "requested": 6, "available": 5}]
    assert stocked.level("WH-BER", "MUG")["reserved"] == 0
    assert order_count(client) == 0


def test_channel_prices_discounts_and_shipping_make_the_totals(stocked):
    order = stocked.order([("SHIRT", 3)], shipping="5.00", discounts=[{"code": "WELCOME", "amount": "10.00"}],
                          channel="marketplace")
    line = order["lines"][0]
    assert line["unit_price"] == "19.99" and line["discount"] == "10.00" and line["total"] == "49.97"
    assert order["totals"]["total"] == "54.97"
    priced = stocked.order([("SHIRT", 1)], lines=[{"sku": "SHIRT", "quantity": 1, "price": "15.00"}])
    assert priced["totals"]["subtotal"] == "15.00"


def test_a_currency_the_catalog_does_not_price_needs_channel_prices(stocked, client):
    response = client.post("/api/v1/orders", json=stocked.order_body([("SHIRT", 1)], currency="JPY"))
    assert response.status_code == 422 and response.json()["code"] == "no_price"
    order = stocked.order([("SHIRT", 1)], currency="JPY", lines=[{"sku": "SHIRT", "quantity": 1, "price": "2500"}])
    assert order["totals"]["total"] == "2500"


def test_the_same_idempotency_key_returns_the_first_order_and_reserves_once(stocked, client):
    body = stocked.order_body([("SHIRT", 2)])
    first = client.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "checkout-42"})
    again = client.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "checkout-42"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert order_count(client) == 1
    assert stocked.level("WH-BER", "SHIRT")["reserved"] == 2
    other = client.post("/api/v1/orders", json={**body, "shipping": "1.00"}, headers={"Idempotency-Key": "checkout-42"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert order_count(client) == 1


def test_a_refused_order_does_not_burn_its_idempotency_key(stocked, client):
    body = stocked.order_body([("SHIRT", 9)])
    assert client.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "k"}).status_code == 409
    stocked.stock("WH-BER", "SHIRT", 9)
    assert client.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "k"}).status_code == 201


def test_order_numbers_are_human_and_tracking_ids_unguessable(stocked):
    first = stocked.order([("SHIRT", 1)])
    second = stocked.order([("SHIRT", 1)])
    assert int(second["number"][3:]) > int(first["number"][3:])
    assert len(first["tracking_id"]) >= 22 and first["tracking_id"] != second["tracking_id"]
    assert first["number"] not in first["tracking_id"]


def test_the_customer_is_matched_by_email(stocked):
    first = stocked.order([("SHIRT", 1)], customer={"email": "Ann@Example.com", "name": "Ann"})
    second = stocked.order([("SHIRT", 1)], customer={"email": "ann@example.com"})
    assert first["customer"]["id"] == second["customer"]["id"]
    assert first["customer"]["email"] == "ann@example.com"


def test_unknown_fields_are_refused_rather_than_silently_ignored(stocked, client):
    body = {**stocked.order_body([("SHIRT", 1)]), "status": "delivered"}
    response = client.post("/api/v1/orders", json=body)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"


def test_split_across_locations_when_none_has_everything(shop):
    shop.product("A")
    shop.product("B")
    shop.stock("WH-BER", "A", 3)
    shop.stock("WH-MUC", "B", 3)
    order = shop.order([("A", 1), ("B", 1)], shipping_address=HAMBURG)
    assert sorted(fo["location"] for fo in order["fulfillment_orders"]) == ["WH-BER", "WH-MUC"]


def test_nul_characters_are_refused_at_the_edge_on_every_database(stocked, client):
    assert client.get("/api/v1/orders", params={"sku": "a\x00b"}).status_code == 422
    assert client.get("/api/v1/products/A%00B").status_code == 422
    body = {"sku": "NUL", "name": "a\x00b", "category": "c", "price": "1.00", "currency": "EUR"}
    response = client.post("/api/v1/products", json=body)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "name"


def test_a_body_that_is_not_utf8_json_is_a_422(client):
    response = client.post("/api/v1/products", content=b"\xff", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body"


def test_amounts_beyond_a_64_bit_total_are_refused(shop, client):
    shop.product("BIG", stock_policy="backorder")
    body = shop.order_body([], lines=[{"sku": "BIG", "quantity": 100000, "price": "9999999999999.99"}])
    response = client.post("/api/v1/orders", json=body)
    assert response.status_code == 422 and response.json()["code"] == "amount_too_large"
    too_heavy = client.patch("/api/v1/products/BIG", json={"weight_grams": 3_000_000_000})
    assert too_heavy.status_code == 422


def test_the_answer_to_a_placement_is_the_order_as_stored_and_as_its_schema_says(shop, client):
    # Given a split order with a discount, shipping and a risk-free customer (the answer is serialised by orjson,
    # not re-validated by Pydantic: it must still be exactly what the schema and a later read say)
    shop.product("A", price="10.00")
    shop.product("B", price="3.50")
    shop.stock("WH-BER", "A", 3)
    shop.stock("WH-MUC", "B", 3)
    body = {**shop.order_body([("A", 2), ("B", 1)], shipping_address=HAMBURG), "shipping": "4.99",
            "discounts": [{"code": "WELCOME", "amount": "1.00"}]}
    # When it is placed
    placed = client.post("/api/v1/orders", json=body)
    # Then the answer is the order as a later read shows it, field for field, in the response schema's form
    assert placed.status_code == 201
    assert placed.headers["content-type"] == "application/json"
    assert placed.headers["location"] == f"/api/v1/orders/{placed.json()['id']}"
    stored = client.get(placed.headers["location"]).json()
    assert placed.json() == stored
    assert OrderOut.model_validate(placed.json()).model_dump(mode="json") == placed.json()
    assert len(stored["fulfillment_orders"]) == 2 and stored["totals"]["discount"] == "1.00"
