"""An order's money through its life, over the API with the sandbox gateway: authorised at placement (or held
with the reason), each shipment captures exactly what it ships, what can no longer be captured is released,
and an order sent without `payment` works as before."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Shop


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("A", price="30.00")
    shop.product("B", price="20.00")
    shop.stock("WH-BER", "A", 10)
    shop.stock("WH-BER", "B", 10)
    return shop


def place(shop: Shop, payment: Any, items: list[tuple[str, int]] | None = None, **extra: Any) -> dict:
    return shop.order(items or [("A", 2), ("B", 1)], payment=payment, shipping="5.00", **extra)  # total 85.00


def payments(client: TestClient, order_id: str) -> dict:
    response = client.get(f"/api/v1/orders/{order_id}/payments")
    assert response.status_code == 200, response.text
    return response.json()


def messages(client: TestClient, order_id: str) -> list[str]:
    return [e["message"] for e in client.get(f"/api/v1/orders/{order_id}/timeline").json()["items"]]


def test_an_approved_card_is_authorised_at_placement_and_the_order_is_free_to_ship(client, stocked) -> None:
    order = place(stocked, {"method": "sandbox", "token": "tok_approve"})
    assert order["payment_status"] == "authorized" and order["status"] == "placed"
    assert [h["released_at"] is not None for h in order["holds"]] == [True]  # waited, then released
    [payment] = payments(client, order["id"])["items"]
    assert (payment["authorized"], payment["captured"], payment["status"]) == ("85.00", "0.00", "authorized")
    assert "The authorisation of EUR 85.00 (sandbox) went through." in messages(client, order["id"])


def test_a_declined_card_leaves_the_order_on_hold_with_the_reason_and_nothing_ships(client, stocked) -> None:
    order = place(stocked, {"method": "sandbox", "token": "tok_insufficient_funds"})
    assert order["status"] == "on_hold" and order["payment_status"] == "failed"
    [hold] = [h for h in order["holds"] if h["released_at"] is None]
    assert hold["kind"] == "payment" and "was refused" in hold["reasons"][0]
    fo = order["fulfillment_orders"][0]["id"]
    refused = client.post(f"/api/v1/fulfillment-orders/{fo}/accept")
    assert refused.status_code == 409 and refused.json()["code"] == "order_on_hold"


def test_each_shipment_captures_exactly_what_it_ships_and_the_last_one_completes_it(client, stocked) -> None:
    order = place(stocked, {"method": "sandbox", "token": "tok_approve"})
    fo = order["fulfillment_orders"][0]
    lines = {line["sku"]: line["id"] for line in order["lines"]}
    stocked.act(fo["id"], "accept")
    # When one A ships (30.00 plus the 5.00 shipping with the first parcel)
    stocked.act(fo["id"], "ship", {"carrier": "DHL", "lines": [{"line_id": lines["A"], "quantity": 1}]})
    first = payments(client, order["id"])
    assert first["payment_status"] == "partially_captured" and first["items"][0]["captured"] == "35.00"
    # And the rest ships
    stocked.act(fo["id"], "ship", {"carrier": "DHL"})
    done = payments(client, order["id"])
    assert done["payment_status"] == "captured" and done["items"][0]["captured"] == "85.00"
    captures = [tx["amount"] for tx in done["items"][0]["transactions"] if tx["kind"] == "capture"]
    assert captures == ["35.00", "50.00"]
    assert client.get(f"/api/v1/orders/{order['id']}").json()["payment_status"] == "captured"


def test_cancelling_what_did_not_ship_releases_the_rest_of_the_authorisation(client, stocked) -> None:
    order = place(stocked, {"method": "sandbox", "token": "tok_approve"})
    fo = order["fulfillment_orders"][0]
    lines = {line["sku"]: line["id"] for line in order["lines"]}
    stocked.act(fo["id"], "accept")
    stocked.act(fo["id"], "ship", {"carrier": "DHL", "lines": [{"line_id": lines["A"], "quantity": 2}]})
    cancelled = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "customer asked"})
    assert cancelled.status_code == 200, cancelled.text
    [payment] = payments(client, order["id"])["items"]
    assert (payment["captured"], payment["voided"], payment["status"]) == ("65.00", True, "captured")
    assert "The release of the rest of EUR 20.00 (sandbox) went through." in messages(client, order["id"])


def test_a_whole_order_cancelled_before_shipping_voids_its_authorisation(client, stocked) -> None:
    order = place(stocked, {"method": "sandbox", "token": "tok_approve"})
    client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "fraud suspected"})
    assert payments(client, order["id"])["payment_status"] == "voided"
    assert client.get(f"/api/v1/orders/{order['id']}").json()["payment_status"] == "voided"


def test_a_storefront_authorisation_is_taken_over_and_a_gift_of_manual_terms_is_kept(client, stocked) -> None:
    external = place(stocked, {"method": "external", "reference": "ch_3Nabc", "amount": "85.00"})
    assert external["payment_status"] == "authorized" and external["holds"] == []
    invoice = place(stocked, {"method": "manual", "token": "manual:invoice:net30"})
    [payment] = payments(client, invoice["id"])["items"]
    assert payment["details"]["terms"] == "net 30" and "token" not in payment["details"]
    assert invoice["payment_status"] == "authorized"


def test_several_payment_methods_share_the_order(client, stocked) -> None:
    order = place(stocked, [{"method": "external", "reference": "gc_77", "amount": "25.00"},
                            {"method": "sandbox", "token": "tok_approve"}])
    listed = payments(client, order["id"])["items"]
    assert [(p["method"], p["authorized"]) for p in listed] == [("external", "25.00"), ("sandbox", "60.00")]


@pytest.mark.parametrize(("payment", "field"), [
    ({"method": "sandbox", "token": "tok_approve", "amount": "85.01"}, "payment"),
    ({"method": "sandbox", "token": "tok_approve", "amount": "1.001"}, "amount"),
    ({"method": "bitcoin", "token": "x"}, "method"),
    ({"method": "external"}, "reference"),
    ({"method": "stripe", "token": "pm_card_visa"}, "payment.method"),  # no Stripe key configured here
    ({"method": "sandbox", "token": "tok_bogus"}, "payment.token"),  # checked up front, not a failed payment
    ({"method": "sandbox"}, "payment.token"),
    ({"method": "manual", "token": "manual:barter"}, "payment.token"),
])
def test_a_bad_payment_names_the_field_and_places_nothing(client, stocked, payment, field) -> None:
    before = client.get("/api/v1/orders").json()["items"]
    body = stocked.order_body([("A", 2), ("B", 1)], payment=payment, shipping="5.00")
    response = client.post("/api/v1/orders", json=body)
    assert response.status_code == 422, response.text
    assert field in response.text
    assert client.get("/api/v1/orders").json()["items"] == before


def test_a_malformed_token_in_a_list_of_payments_names_its_place_and_records_nothing(client, stocked) -> None:
    body = stocked.order_body([("A", 2), ("B", 1)], shipping="5.00", payment=[
        {"method": "external", "reference": "gc_77", "amount": "25.00"}, {"method": "sandbox", "token": "tok_typo"}])
    response = client.post("/api/v1/orders", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_token" and "payment[1].token" in response.text
    assert client.get("/api/v1/orders").json()["items"] == []
    assert client.get("/api/v1/audit", params={"action": "order.place"}).json()["items"] == []


def test_an_order_without_payment_is_settled_outside_baton_as_before(client, stocked) -> None:
    order = stocked.order([("A", 1)])
    assert order["payment_status"] == "none" and order["holds"] == []
    fo = order["fulfillment_orders"][0]["id"]
    stocked.act(fo, "accept")
    stocked.act(fo, "ship", {"carrier": "DHL"})
    assert payments(client, order["id"]) == {"payment_status": "none", "items": []}


def test_a_capture_refused_at_the_last_shipment_keeps_the_authorisation_and_holds_the_receivable(client,
                                                                                                   stocked) -> None:
    # Given a card that authorises and then refuses every capture
    order = place(stocked, {"method": "sandbox", "token": "tok_capture_decline"})
    fo = order["fulfillment_orders"][0]
    lines = {line["sku"]: line["id"] for line in order["lines"]}
    stocked.act(fo["id"], "accept")
    # When a first parcel ships and its capture is refused, fulfilment goes on (the next shipment asks again)
    stocked.act(fo["id"], "ship", {"carrier": "DHL", "lines": [{"line_id": lines["A"], "quantity": 1}]})
    assert [h for h in stocked.get_order(order["id"])["holds"] if h["active"]] == []
    # And the last parcel's capture of everything shipped is refused too
    stocked.act(fo["id"], "ship", {"carrier": "DHL"})
    # Then nothing of the authorisation is released: the goods have left and it is the shop's chance to be paid
    [payment] = payments(client, order["id"])["items"]
    assert (payment["authorized"], payment["captured"], payment["voided"]) == ("85.00", "0.00", False)
    assert [tx["kind"] for tx in payment["transactions"]] == ["authorize", "capture", "capture"]
    # And the order is held for its payment, with the receivable in words
    current = stocked.get_order(order["id"])
    [hold] = [h for h in current["holds"] if h["active"]]
    shipment = payment["transactions"][2]["reason"]
    assert hold["kind"] == "payment" and hold["reasons"] == [
        f"The capture of EUR 85.00 for {shipment} was refused: The sandbox refused to capture "
        f"{payment['reference']}; collect the payment or retry."]
    assert any(m.startswith(f"Order {order['number']} is on hold for a payment problem: The capture of EUR 85.00")
               for m in messages(client, order["id"]))

    # When the agent collects with another card
    added = client.post(f"/api/v1/orders/{order['id']}/payments", json={"method": "sandbox", "token": "tok_approve"})
    assert added.status_code == 201, added.text
    # Then the new card pays what is owed at once, the refused card's hold is released, and the hold goes
    refused, new = added.json()["items"]
    assert (new["captured"], new["status"]) == ("85.00", "captured")
    assert (refused["captured"], refused["voided"]) == ("0.00", True)
    assert added.json()["payment_status"] == "captured" and added.json()["unpaid"] == "0.00"
    assert [h for h in stocked.get_order(order["id"])["holds"] if h["active"]] == []
    audit = client.get("/api/v1/audit", params={"target_id": order["id"], "action": "order.hold"}).json()["items"]
    assert audit, "the receivable hold is in the audit log"


def test_a_failed_retry_of_a_refused_capture_leaves_the_receivable_held(client, stocked) -> None:
    order = place(stocked, {"method": "sandbox", "token": "tok_capture_decline"})
    fo = order["fulfillment_orders"][0]["id"]
    stocked.act(fo, "accept")
    stocked.act(fo, "ship", {"carrier": "DHL"})
    retried = client.post(f"/api/v1/orders/{order['id']}/payments", json={"method": "sandbox", "token": "tok_decline"})
    assert retried.status_code == 201, retried.text
    assert retried.json()["unpaid"] == "85.00"
    first, _second = retried.json()["items"]
    assert (first["voided"], [tx["status"] for tx in first["transactions"]]) == (False, ["succeeded", "failed"])
    assert [h["kind"] for h in stocked.get_order(order["id"])["holds"] if h["active"]] == ["payment"]


def test_an_order_whose_authorisation_never_came_back_says_failed_once_cancelled(client, stocked) -> None:
    # Given an order whose gateway errored: the authorisation is unknown, so it is pending
    order = place(stocked, {"method": "sandbox", "token": "tok_error"})
    assert order["payment_status"] == "pending"
    # When it is cancelled
    cancelled = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "customer gave up"})
    assert cancelled.status_code == 200, cancelled.text
    # Then its payment status says what is true: the provider never made the authorisation, nothing is held
    assert cancelled.json()["payment_status"] == "failed"
    listed = payments(client, order["id"])
    assert listed["payment_status"] == "failed"
    [payment] = listed["items"]
    assert (payment["status"], payment["authorized"]) == ("failed", "0.00")
    assert payment["transactions"][0]["failure_code"] == "abandoned"
    # And nothing waits for it any more
    assert [h for h in stocked.get_order(order["id"])["holds"] if h["active"]] == []
