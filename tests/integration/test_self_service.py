"""Self-service: a shopper reads one of their orders, changes its shipping address before it is packed, cancels it
before it is picked; too late is a clear 409, someone else's order a 404, and neither changes anything. On SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from baton.adapters.db import tables as t
from tests.conftest import HAMBURG, Shop, bearer
from tests.integration.test_shopper_access import token_for

JANE = {"email": "jane@example.com", "name": "Jane Doe"}
BOB = {"email": "bob@example.com", "name": "Bob Roe"}
NEW_ADDRESS = {"name": "Jane Doe", "line1": "Neuer Wall 5", "city": "Hamburg", "postal_code": "20354", "country": "DE"}
BASE = "/api/v1/self-service/orders"


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("A")
    shop.stock("WH-BER", "A", 100)
    return shop


@pytest.fixture
def jane(anonymous, container, stocked) -> dict:
    order = stocked.order([("A", 2)], customer=JANE)
    return {"order": order, "auth": bearer(token_for(anonymous, container, JANE["email"]))}


def timeline(client, order_id: str) -> list[dict]:
    return client.get(f"/api/v1/orders/{order_id}/timeline").json()["items"]


def audit(container, order_id: str, action: str) -> list[dict]:
    a = t.audit_log.c
    with container.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(
            select(a.actor_kind, a.actor_id, a.before, a.after).where(a.target_id == order_id, a.action == action))]


def test_a_shopper_reads_their_order_without_the_reasons_of_holds(jane, anonymous):
    response = anonymous.get(f"{BASE}/{jane['order']['number'].lower()}", headers=jane["auth"])
    assert response.status_code == 200, response.text
    assert response.json()["id"] == jane["order"]["id"] and response.json()["holds"] == []


def test_someone_elses_order_and_an_unknown_one_answer_the_same_404_and_change_nothing(jane, stocked, anonymous,
                                                                                       client):
    bobs = stocked.order([("A", 1)], customer=BOB)
    before = client.get(f"/api/v1/orders/{bobs['id']}").json()
    for number in (bobs["number"], "BT-999999"):
        for response in (anonymous.get(f"{BASE}/{number}", headers=jane["auth"]),
                         anonymous.post(f"{BASE}/{number}/address", headers=jane["auth"],
                                        json={"shipping_address": NEW_ADDRESS}),
                         anonymous.post(f"{BASE}/{number}/cancel", headers=jane["auth"], json={})):
            assert response.status_code == 404, response.text
            assert response.json()["code"] == "order_not_found"
    assert client.get(f"/api/v1/orders/{bobs['id']}").json() == before


def test_without_a_shopper_token_nothing_opens(jane, anonymous, client):
    from tests.conftest import token as api_token  # an API token is not a shopper's access
    for headers in ({}, bearer("shp_forged"), bearer(api_token(client.app.state.container))):
        response = anonymous.get(f"{BASE}/{jane['order']['number']}", headers=headers)
        assert response.status_code == 401, response.text


# -- address -------------------------------------------------------------------------------------------------------
def test_the_shopper_changes_the_address_before_packing_and_it_is_on_the_timeline(jane, anonymous, client, container):
    order = jane["order"]
    response = anonymous.post(f"{BASE}/{order['number']}/address", headers=jane["auth"],
                              json={"shipping_address": NEW_ADDRESS})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["shipping_address"] == NEW_ADDRESS and changed["version"] == order["version"] + 1
    assert [c["kind"] for c in changed["changes"]] == ["address_change"]
    assert client.get(f"/api/v1/orders/{order['id']}").json()["shipping_address"] == NEW_ADDRESS
    last = timeline(client, order["id"])[-1]
    assert (last["kind"], last["actor"]) == ("address_changed", "customer")
    assert last["message"] == "Shipping address changed by the customer: the order now goes to Hamburg, DE."
    [entry] = audit(container, order["id"], "order.change_address")
    assert entry["actor_kind"] == "shopper" and entry["actor_id"] == order["customer"]["id"]
    assert "Neuer Wall" not in str(entry)  # no personal data in the audit log


@pytest.mark.parametrize("steps", [["accept", "pack"], ["accept", "pack", "ship"]])
def test_after_packing_the_address_is_too_late_and_stays(jane, stocked, anonymous, client, steps):
    order = jane["order"]
    fo = order["fulfillment_orders"][0]["id"]
    for step in steps:
        stocked.act(fo, step, {"carrier": "DHL"} if step == "ship" else None)
    before = client.get(f"/api/v1/orders/{order['id']}").json()
    response = anonymous.post(f"{BASE}/{order['number']}/address", headers=jane["auth"],
                              json={"shipping_address": NEW_ADDRESS})
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "too_late" and "packed or on its way" in response.json()["detail"]
    assert client.get(f"/api/v1/orders/{order['id']}").json() == before


@pytest.mark.parametrize(("address", "field"), [({**NEW_ADDRESS, "country": "Germany"}, "shipping_address.country"),
                                                ({"city": "Hamburg", "country": "DE"}, "shipping_address.line1")])
def test_a_bad_address_is_refused_naming_the_field(jane, anonymous, client, address, field):
    order = jane["order"]
    response = anonymous.post(f"{BASE}/{order['number']}/address", headers=jane["auth"],
                              json={"shipping_address": address})
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}
    assert client.get(f"/api/v1/orders/{order['id']}").json()["shipping_address"] == HAMBURG


def test_a_pickup_order_has_no_address_to_change(stocked, anonymous, container, client):
    stocked.stock("ST-HAM", "A", 5)
    order = stocked.order([("A", 1)], customer=JANE, delivery_method="pickup", pickup_location="ST-HAM",
                          shipping_address=None)
    auth = bearer(token_for(anonymous, container, JANE["email"]))
    response = anonymous.post(f"{BASE}/{order['number']}/address", headers=auth,
                              json={"shipping_address": NEW_ADDRESS})
    assert response.status_code == 409 and response.json()["code"] == "pickup_order"
    assert client.get(f"/api/v1/orders/{order['id']}").json()["shipping_address"] is None


# -- cancel --------------------------------------------------------------------------------------------------------
def test_the_shopper_cancels_before_picking_and_the_stock_comes_back(jane, stocked, anonymous, client, container):
    order = jane["order"]
    assert stocked.level("WH-BER", "A")["reserved"] == 2
    response = anonymous.post(f"{BASE}/{order['number']}/cancel", headers=jane["auth"],
                              json={"reason": "Ordered the wrong size"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert stocked.level("WH-BER", "A")["reserved"] == 0
    last = [e for e in timeline(client, order["id"]) if e["kind"] == "cancelled"][-1]
    assert last["actor"] == "customer"
    assert "(reason: Cancelled by the customer: Ordered the wrong size)" in last["message"]
    [entry] = audit(container, order["id"], "order.cancel")
    assert entry["actor_kind"] == "shopper"


def test_a_cancel_without_a_body_works_too(jane, anonymous):
    response = anonymous.post(f"{BASE}/{jane['order']['number']}/cancel", headers=jane["auth"])
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"


@pytest.mark.parametrize("steps", [["accept"], ["accept", "pack"], ["accept", "pack", "ship"]])
def test_once_a_location_started_cancelling_is_too_late_and_changes_nothing(jane, stocked, anonymous, client, steps):
    order = jane["order"]
    fo = order["fulfillment_orders"][0]["id"]
    for step in steps:
        stocked.act(fo, step, {"carrier": "DHL"} if step == "ship" else None)
    before = client.get(f"/api/v1/orders/{order['id']}").json(), stocked.level("WH-BER", "A")
    response = anonymous.post(f"{BASE}/{order['number']}/cancel", headers=jane["auth"], json={})
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "too_late"
    assert (client.get(f"/api/v1/orders/{order['id']}").json(), stocked.level("WH-BER", "A")) == before


def test_a_cancelled_order_cannot_be_cancelled_again(jane, anonymous):
    url = f"{BASE}/{jane['order']['number']}/cancel"
    assert anonymous.post(url, headers=jane["auth"], json={}).status_code == 200
    again = anonymous.post(url, headers=jane["auth"], json={})
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_cancel"


def test_a_too_long_reason_is_refused(jane, anonymous, client):
    response = anonymous.post(f"{BASE}/{jane['order']['number']}/cancel", headers=jane["auth"],
                              json={"reason": "x" * 501})
    assert response.status_code == 422 and "reason" in {e["field"] for e in response.json()["errors"]}
    assert client.get(f"/api/v1/orders/{jane['order']['id']}").json()["status"] == "placed"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite has one writer at a time anyway
def test_a_cancel_racing_the_warehouse_accepting_has_exactly_one_winner(stocked, container, client):
    """The shopper cancels while the location accepts, each on its own connection: the order row lock makes them
    take turns, so either the order is cancelled and the accept refused, or it is accepted and the cancel refused."""
    from concurrent.futures import ThreadPoolExecutor

    from baton.customers import self_service
    from baton.customers.services import shopper_actor
    from baton.fulfillment import services as fulfillment
    from baton.shared.errors import Conflict

    outcomes = []
    for _ in range(6):
        order = stocked.order([("A", 1)], customer=JANE)
        shopper = shopper_actor(order["customer"]["id"])
        fo = order["fulfillment_orders"][0]["id"]

        def cancel(order=order, shopper=shopper) -> str:
            try:
                self_service.cancel(container.uow(actor=shopper), shopper, order["number"], None)
                return "cancelled"
            except Conflict:
                return "refused"

        def accept(fo=fo) -> str:
            try:
                fulfillment.accept(container.uow(), fo, "packer")
                return "accepted"
            except Conflict:
                return "refused"

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = sorted(f.result() for f in [pool.submit(cancel), pool.submit(accept)])
        after = client.get(f"/api/v1/orders/{order['id']}").json()
        if results == ["cancelled", "refused"]:
            assert after["status"] == "cancelled" and after["fulfillment_orders"][0]["status"] == "cancelled"
        else:
            assert results == ["accepted", "refused"], results
            assert after["status"] != "cancelled" and after["fulfillment_orders"][0]["status"] == "accepted"
        outcomes.append(results)
    assert stocked.level("WH-BER", "A")["reserved"] == sum(1 for r in outcomes if "accepted" in r)


# -- a return asked for by the shopper ---------------------------------------------------------------------------
def test_the_shopper_asks_for_a_return_of_delivered_units_and_the_shop_sees_it(jane, stocked, anonymous, client):
    order = jane["order"]
    fo = order["fulfillment_orders"][0]["id"]
    for action, body in (("accept", None), ("ship", {"carrier": "DHL"}), ("deliver", None)):
        stocked.act(fo, action, body)
    body = {"lines": [{"line_id": order["lines"][0]["id"], "quantity": 1, "reason": "too small"}],
            "method": "ship_back"}

    response = anonymous.post(f"{BASE}/{order['number']}/returns", json=body, headers=jane["auth"])

    assert response.status_code == 201, response.text
    rma = response.json()
    assert rma["status"] == "requested" and rma["lines"][0]["quantity"] == 1
    [listed] = client.get(f"/api/v1/orders/{order['id']}/returns").json()["items"]
    assert listed["id"] == rma["id"]
    assert client.get(f"/api/v1/orders/{order['id']}").json()["lines"][0]["quantities"]["return_requested"] == 1
    # And asking for more than was delivered is refused, naming the line, changing nothing
    body["lines"][0]["quantity"] = 2
    refused = anonymous.post(f"{BASE}/{order['number']}/returns", json=body, headers=jane["auth"])
    assert refused.status_code == 422 and refused.json()["code"] == "too_many_units", refused.text
    assert len(client.get(f"/api/v1/orders/{order['id']}/returns").json()["items"]) == 1


def test_a_return_of_someone_elses_order_answers_404(jane, stocked, anonymous):
    bobs = stocked.order([("A", 1)], customer=BOB)
    body = {"lines": [{"line_id": bobs["lines"][0]["id"], "quantity": 1, "reason": "x"}], "method": "ship_back"}
    response = anonymous.post(f"{BASE}/{bobs['number']}/returns", json=body, headers=jane["auth"])
    assert response.status_code == 404, response.text
