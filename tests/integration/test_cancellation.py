"""Cancelling orders and lines: reservations released, shipped units refused, changes recorded."""

from __future__ import annotations


def test_cancelling_a_whole_order_releases_every_reservation(shop, client):
    shop.product("A")
    shop.product("B")
    shop.stock("WH-BER", "A", 5)
    shop.stock("WH-MUC", "B", 5)
    order = shop.order([("A", 2), ("B", 1)])
    response = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "customer changed mind"})
    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert cancelled["status"] == "cancelled" and cancelled["totals"]["total"] == "0.00"
    assert {fo["status"] for fo in cancelled["fulfillment_orders"]} == {"cancelled"}
    assert shop.level("WH-BER", "A")["reserved"] == 0 and shop.level("WH-MUC", "B")["reserved"] == 0
    [change] = cancelled["changes"]
    assert change["kind"] == "cancellation" and change["amount_delta"] == "-30.00"
    timeline = client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]
    assert "customer changed mind" in timeline[-1]["message"]


def test_cancelling_some_units_keeps_the_rest(shop, client):
    shop.product("A")
    shop.stock("WH-BER", "A", 5)
    order = shop.order([("A", 3)])
    line_id = order["lines"][0]["id"]
    response = client.post(f"/api/v1/orders/{order['id']}/cancel",
                           json={"reason": "only needs one", "lines": [{"line_id": line_id, "quantity": 2}]})
    body = response.json()
    assert body["lines"][0]["quantities"]["cancelled"] == 2
    assert body["status"] == "placed"
    assert shop.level("WH-BER", "A")["reserved"] == 1


def test_shipped_units_cannot_be_cancelled_and_nothing_changes(shop, client):
    shop.product("A")
    shop.stock("WH-BER", "A", 5)
    order = shop.order([("A", 2)])
    fo_id = order["fulfillment_orders"][0]["id"]
    shop.act(fo_id, "accept")
    shop.act(fo_id, "ship", {"carrier": "DHL"})
    line_id = order["lines"][0]["id"]
    response = client.post(f"/api/v1/orders/{order['id']}/cancel",
                           json={"reason": "late", "lines": [{"line_id": line_id, "quantity": 1}]})
    assert response.status_code == 409 and response.json()["code"] == "not_cancellable"
    whole = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "late"})
    assert whole.status_code == 409 and whole.json()["code"] == "nothing_to_cancel"
    assert shop.get_order(order["id"])["changes"] == []


def test_cancelling_an_unknown_line_names_the_field(shop, client):
    shop.product("A")
    shop.stock("WH-BER", "A", 5)
    order = shop.order([("A", 1)])
    response = client.post(f"/api/v1/orders/{order['id']}/cancel",
                           json={"reason": "x", "lines": [{"line_id": "line_nope", "quantity": 1}]})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "lines[0].line_id"


def test_cancelling_an_unknown_order_is_404(client):
    response = client.post("/api/v1/orders/ord_nope/cancel", json={"reason": "x"})
    assert response.status_code == 404
