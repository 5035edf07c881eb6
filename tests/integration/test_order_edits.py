"""Order edits before shipment (issue 6, point 3): quantities, new lines, address and delivery method; stock
re-reserved and re-routed, the money delta followed, stale and late edits refused — each refusal changes nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baton.adapters.db.migrate import upgrade
from baton.bootstrap import Container, bootstrap
from baton.config import Settings
from baton.entrypoints.http.app import create_app
from baton.orders.edit_commands import EditOrder, LineQuantity
from baton.orders.edit_services import edit_order
from baton.shared.errors import Conflict
from tests.conftest import PostgresServer, Shop, bearer, token, unavailable
from tests.integration.test_order_tax import rate

MUNICH = {"name": "Jane Doe", "line1": "Marienplatz 1", "city": "München", "postal_code": "80331", "country": "DE",
          "latitude": 48.14, "longitude": 11.58}


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("A", price="10.00")
    shop.product("B", price="20.00")
    for location, on_hand in (("WH-BER", 10), ("WH-MUC", 10), ("ST-HAM", 0)):  # the store holds none yet
        shop.stock(location, "A", on_hand)
        shop.stock(location, "B", on_hand)
    return shop


def edit(client: TestClient, order: dict, status: int = 200, preview: bool = False, **body: Any) -> dict:
    body = {"version": order["version"], "reason": "customer called", **body}
    response = client.post(f"/api/v1/orders/{order['id']}/edits" + ("?preview=true" if preview else ""), json=body)
    assert response.status_code == status, response.text
    return response.json()


def reserved(shop: Shop, sku: str) -> dict[str, int]:
    return {loc: shop.level(loc, sku)["reserved"] for loc in ("WH-BER", "WH-MUC", "ST-HAM")}


def snapshot(shop: Shop, order: dict) -> tuple[dict, dict, dict]:
    """What a refused edit must leave as it was: the order and the stock of both SKUs."""
    return shop.get_order(order["id"]), reserved(shop, "A"), reserved(shop, "B")


def last_message(client: TestClient, order_id: str, kind: str) -> str:
    items = client.get(f"/api/v1/orders/{order_id}/timeline").json()["items"]
    return [entry["message"] for entry in items if entry["kind"] == kind][-1]


def active_holds(order: dict) -> list[dict]:
    return [hold for hold in order["holds"] if hold["active"]]


# -- preview and quantities ---------------------------------------------------------------------------------------
def test_a_preview_answers_the_new_totals_and_changes_nothing(stocked, client):
    order = stocked.order([("A", 2)])
    before = snapshot(stocked, order)
    line = order["lines"][0]["id"]
    preview = edit(client, order, preview=True, lines=[{"line_id": line, "quantity": 1}],
                   add_lines=[{"sku": "B", "quantity": 1}])
    assert preview["preview"] is True and preview["amount_delta"] == "10.00"
    assert preview["order"]["totals"]["total"] == "30.00" and len(preview["order"]["lines"]) == 2
    assert snapshot(stocked, order) == before  # nothing written: same version, no change, same stock


def test_lowering_a_quantity_releases_its_stock_and_records_the_change(stocked, client):
    order = stocked.order([("A", 3)])
    line = order["lines"][0]["id"]
    edited = edit(client, order, lines=[{"line_id": line, "quantity": 1}])
    assert edited["amount_delta"] == "-20.00" and edited["money"] is None  # no payments in Baton: nothing to do
    body = edited["order"]
    assert body["lines"][0]["quantities"]["cancelled"] == 2 and body["totals"]["total"] == "10.00"
    assert body["version"] > order["version"]
    assert reserved(stocked, "A")["WH-BER"] == 1
    [change] = body["changes"]
    assert change["kind"] == "edit" and change["lines"] == [{"line_id": line, "sku": "A", "quantity": 2}]
    assert "A 3 \u2192 1" in last_message(client, order["id"], "edited")
    assert "EUR 10.00" in last_message(client, order["id"], "edited")


def test_raising_a_quantity_and_adding_a_line_reserve_and_route_the_new_units(stocked, client):
    order = stocked.order([("A", 1)])
    line = order["lines"][0]["id"]
    edited = edit(client, order, lines=[{"line_id": line, "quantity": 3}], add_lines=[{"sku": "B", "quantity": 2}])
    body = edited["order"]
    assert edited["amount_delta"] == "60.00" and body["totals"]["total"] == "70.00"
    # the placed line keeps its ordered quantity; the extra units come as a line of the same SKU and price
    assert [(x["sku"], x["quantity"], x["unit_price"]) for x in body["lines"]] == [
        ("A", 1, "10.00"), ("A", 2, "10.00"), ("B", 2, "20.00")]
    assert all(x["quantities"]["allocated"] == x["quantity"] for x in body["lines"])
    assert reserved(stocked, "A") == {"WH-BER": 3, "WH-MUC": 0, "ST-HAM": 0}
    assert reserved(stocked, "B") == {"WH-BER": 2, "WH-MUC": 0, "ST-HAM": 0}
    routed = sum(fl["quantity"] for fo in body["fulfillment_orders"] for fl in fo["lines"])
    assert routed == 5
    [change] = body["changes"]
    assert sorted(item["quantity"] for item in change["lines"]) == [-2, -2]  # negative: units added


def test_new_lines_are_taxed_with_the_orders_rates_and_the_totals_add_up(stocked, client):
    rate(client, "DE", "standard", "0.19")
    order = stocked.order([("A", 1)])
    assert order["totals"]["tax"] == "1.90"
    edited = edit(client, order, add_lines=[{"sku": "B", "quantity": 1, "price": "15.00"}])["order"]
    new = edited["lines"][1]
    assert (new["unit_price"], new["tax_rate"], new["tax"]) == ("15.00", "0.19", "2.85")
    totals = {k: Decimal(v) for k, v in edited["totals"].items() if k not in ("currency", "prices_include")}
    assert totals["tax"] == Decimal("4.75") == sum(Decimal(x["tax"]) for x in edited["lines"])
    assert totals["total"] == totals["subtotal"] - totals["discount"] + totals["shipping"] + totals["tax"]
    assert totals["total"] == sum(Decimal(x["total"]) for x in edited["lines"]) == Decimal("29.75")


# -- address and delivery method ----------------------------------------------------------------------------------
def test_a_new_address_before_acceptance_routes_the_order_again(stocked, client):
    order = stocked.order([("A", 1)])
    assert order["fulfillment_orders"][0]["location"] == "WH-BER"  # nearest to Hamburg
    edited = edit(client, order, shipping_address=MUNICH)["order"]
    assert edited["shipping_address"]["city"] == "München"
    assert [(fo["location"], fo["status"]) for fo in edited["fulfillment_orders"]] == [
        ("WH-BER", "cancelled"), ("WH-MUC", "open")]
    assert reserved(stocked, "A") == {"WH-BER": 0, "WH-MUC": 1, "ST-HAM": 0}


def test_a_new_address_after_acceptance_only_updates_the_order(stocked, client):
    order = stocked.order([("A", 1)])
    stocked.act(order["fulfillment_orders"][0]["id"], "accept")
    order = stocked.get_order(order["id"])
    edited = edit(client, order, shipping_address=MUNICH)["order"]
    assert edited["shipping_address"]["city"] == "München"
    assert [(fo["location"], fo["status"]) for fo in edited["fulfillment_orders"]] == [("WH-BER", "accepted")]
    assert "accepted the order already" in last_message(client, order["id"], "edited")


def test_ship_to_pickup_routes_the_order_to_the_pickup_store(stocked, client):
    stocked.stock("ST-HAM", "A", 5)
    order = stocked.order([("A", 2)], shipping_address=MUNICH)
    edited = edit(client, order, delivery_method="pickup", pickup_location="ST-HAM")["order"]
    assert edited["delivery_method"] == "pickup" and edited["pickup_location"] == "ST-HAM"
    assert [fo["location"] for fo in edited["fulfillment_orders"] if fo["status"] == "open"] == ["ST-HAM"]
    assert reserved(stocked, "A") == {"WH-BER": 0, "WH-MUC": 0, "ST-HAM": 2}
    back = edit(client, edited, delivery_method="ship")["order"]
    assert back["delivery_method"] == "ship" and back["pickup_location"] is None
    assert reserved(stocked, "A") == {"WH-BER": 0, "WH-MUC": 2, "ST-HAM": 0}


def test_pickup_at_a_location_without_pickup_is_refused_and_changes_nothing(stocked, client):
    order = stocked.order([("A", 1)])
    before = snapshot(stocked, order)
    refused = edit(client, order, 422, delivery_method="pickup", pickup_location="WH-BER")
    assert refused["errors"][0]["field"] == "pickup_location"
    assert snapshot(stocked, order) == before


# -- money --------------------------------------------------------------------------------------------------------
def test_a_higher_total_paid_by_card_gets_an_extra_authorisation_on_the_same_card(stocked, client):
    order = stocked.order([("A", 1)], payment={"method": "sandbox", "token": "tok_approve"})
    edited = edit(client, order, add_lines=[{"sku": "B", "quantity": 1}])
    assert "extra authorisation of EUR 20.00" in edited["money"]
    body = edited["order"]
    assert active_holds(body) == [] and body["payment_status"] == "authorized"
    payments = client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
    assert sorted((p["method"], p["authorized"], p["status"]) for p in payments) == [
        ("sandbox", "10.00", "authorized"), ("sandbox", "20.00", "authorized")]


def test_a_higher_total_that_cannot_be_authorised_again_puts_a_payment_hold_the_retry_route_covers(stocked, client):
    order = stocked.order([("A", 1)], payment={"method": "external", "reference": "psp_123"})
    edited = edit(client, order, add_lines=[{"sku": "B", "quantity": 1}])["order"]
    [hold] = active_holds(edited)
    assert hold["kind"] == "payment" and "Add a payment of EUR 20.00" in hold["reasons"][0]
    assert edited["status"] == "on_hold"
    added = client.post(f"/api/v1/orders/{order['id']}/payments", json={"method": "sandbox", "token": "tok_approve"})
    assert added.status_code == 201, added.text
    assert active_holds(stocked.get_order(order["id"])) == []


def test_a_lower_total_charges_nothing_now_and_says_so(stocked, client):
    order = stocked.order([("A", 2)], payment={"method": "sandbox", "token": "tok_approve"})
    edited = edit(client, order, lines=[{"line_id": order["lines"][0]["id"], "quantity": 1}])
    assert edited["amount_delta"] == "-10.00" and "nothing is charged or refunded now" in edited["money"]
    payments = client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
    assert [p["authorized"] for p in payments] == ["20.00"]
    assert "went down by EUR 10.00" in last_message(client, order["id"], "edit_money")


# -- refusals -----------------------------------------------------------------------------------------------------
def test_a_stale_edit_is_refused_naming_the_current_version_and_changes_nothing(stocked, client):
    order = stocked.order([("A", 2)])
    line = order["lines"][0]["id"]
    edit(client, order, lines=[{"line_id": line, "quantity": 1}])
    before = snapshot(stocked, order)
    stale = edit(client, order, 409, add_lines=[{"sku": "B", "quantity": 1}])  # the version it saw first
    assert stale["code"] == "stale_order" and stale["current_version"] == before[0]["version"]
    assert snapshot(stocked, order) == before


def test_editing_a_shipped_line_is_refused_and_changes_nothing(stocked, client):
    order = stocked.order([("A", 2)])
    fo = order["fulfillment_orders"][0]["id"]
    stocked.act(fo, "accept")
    stocked.act(fo, "ship", {"carrier": "DHL", "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}]})
    order = stocked.get_order(order["id"])
    before = snapshot(stocked, order)
    refused = edit(client, order, 409, lines=[{"line_id": order["lines"][0]["id"], "quantity": 0}])
    assert refused["code"] == "line_shipped"
    assert snapshot(stocked, order) == before


def test_editing_a_packed_line_is_refused_and_changes_nothing(stocked, client):
    order = stocked.order([("A", 2)])
    fo = order["fulfillment_orders"][0]["id"]
    stocked.act(fo, "accept")
    stocked.act(fo, "pack")
    order = stocked.get_order(order["id"])
    before = snapshot(stocked, order)
    refused = edit(client, order, 409, lines=[{"line_id": order["lines"][0]["id"], "quantity": 1}])
    assert refused["code"] == "fulfillment_packed" and "WH-BER" in refused["detail"]
    moved = edit(client, order, 409, shipping_address=MUNICH)
    assert moved["code"] == "fulfillment_packed"
    assert snapshot(stocked, order) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"add_lines": [{"sku": "NOPE", "quantity": 1}]}, "add_lines[0].sku"),
    ({"add_lines": [{"sku": "B", "quantity": 0}]}, "add_lines[0].quantity"),
    ({"lines": [{"line_id": "line_x", "quantity": 1}]}, "lines[0].line_id"),
    ({"lines": [{"line_id": "?", "quantity": -1}]}, "lines[0].quantity"),
    ({}, "lines"),
])
def test_bad_input_gets_a_422_naming_the_field_and_changes_nothing(stocked, client, body, field):
    order = stocked.order([("A", 1)])
    before = snapshot(stocked, order)
    refused = edit(client, order, 422, **body)
    assert field in [error["field"] for error in refused["errors"]], refused
    assert snapshot(stocked, order) == before


def test_more_than_is_in_stock_is_refused_and_changes_nothing(stocked, client):
    order = stocked.order([("A", 1)])
    before = snapshot(stocked, order)
    refused = edit(client, order, 409, add_lines=[{"sku": "B", "quantity": 31}])
    assert refused["code"] == "out_of_stock"
    assert snapshot(stocked, order) == before


# -- concurrency --------------------------------------------------------------------------------------------------
@pytest.fixture
def postgres(postgres_server: PostgresServer | None) -> Iterator[Container]:
    """A fresh, migrated PostgreSQL database of its own, for parallel units of work."""
    if postgres_server is None:
        unavailable("no PostgreSQL server for the parallel edit test (set BATON_TEST_POSTGRES_URL)")
    assert postgres_server is not None
    url = postgres_server.create()
    try:
        upgrade(url)
        container = bootstrap(Settings(database_url=url, db_pool_size=10))
        yield container
        container.engine.dispose()
    finally:
        postgres_server.drop(url)


@pytest.mark.postgres
def test_two_parallel_edits_of_the_same_version_exactly_one_wins(postgres) -> None:
    with TestClient(create_app(postgres), base_url="https://testserver", raise_server_exceptions=False,
                    headers=bearer(token(postgres))) as client:
        shop = Shop(client)
        shop.location("WH-BER")
        shop.product("A", price="10.00")
        shop.stock("WH-BER", "A", 10)
        order = shop.order([("A", 4)])
        barrier = threading.Barrier(2)

        def edit_to(quantity: int) -> str:
            cmd = EditOrder(order["id"], order["version"], "parallel", "agent",
                            lines=[LineQuantity(order["lines"][0]["id"], quantity)])
            barrier.wait(timeout=60)
            try:
                edit_order(postgres.uow(), postgres.uow, postgres.gateway, cmd, postgres.strategy, lambda o: o.id)
            except Conflict as refused:
                return refused.code
            return "edited"

        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(edit_to, [1, 2]))
        after = shop.get_order(order["id"])
        assert sorted(outcomes) == ["edited", "stale_order"]
        assert len(after["changes"]) == 1
        kept = after["lines"][0]["quantity"] - after["lines"][0]["quantities"]["cancelled"]
        assert shop.level("WH-BER", "A")["reserved"] == kept


def test_a_retried_edit_with_the_same_idempotency_key_is_applied_once(stocked, client):
    order = stocked.order([("A", 1)])
    body = {"version": order["version"], "reason": "customer called", "add_lines": [{"sku": "B", "quantity": 1}]}
    first = client.post(f"/api/v1/orders/{order['id']}/edits", json=body, headers={"Idempotency-Key": "edit-1"})
    again = client.post(f"/api/v1/orders/{order['id']}/edits", json=body, headers={"Idempotency-Key": "edit-1"})
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["change_id"] == first.json()["change_id"] and again.json()["amount_delta"] == "20.00"
    assert len(stocked.get_order(order["id"])["changes"]) == 1 and reserved(stocked, "B")["WH-BER"] == 1


def test_removing_the_last_open_units_of_a_paid_order_releases_the_rest_of_its_authorisation(stocked, client):
    order = stocked.order([("A", 2)], payment={"method": "sandbox", "token": "tok_approve"})
    fo = order["fulfillment_orders"][0]["id"]
    stocked.act(fo, "accept")
    stocked.act(fo, "ship", {"carrier": "DHL", "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}]})
    order = stocked.get_order(order["id"])
    edited = edit(client, order, lines=[{"line_id": order["lines"][0]["id"], "quantity": 1}])["order"]
    assert edited["status"] == "shipped" and edited["totals"]["total"] == "10.00"
    [payment] = client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
    assert payment["captured"] == "10.00" and payment["status"] == "captured"
    assert "release of the rest of EUR 10.00" in last_message(client, order["id"], "payment_void")
