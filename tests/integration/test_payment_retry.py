"""Paying an order again (issue 5): an agent (POST /orders/{id}/payments) or the customer (the shopper route)
adds a payment when the order's payment failed, fell short, or a capture was refused; once the payments cover the
total the payment hold goes and the order proceeds as a paid order. Over the API with the sandbox gateway."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from baton.adapters.payments import get_gateway
from baton.adapters.payments.stripe import StripeGateway
from baton.payments.gateway import PaymentFailed
from tests.conftest import Shop, bearer, token
from tests.integration.test_shopper_access import token_for

APPROVE = {"method": "sandbox", "token": "tok_approve"}


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("A", price="30.00")
    shop.product("B", price="20.00")
    shop.stock("WH-BER", "A", 10)
    shop.stock("WH-BER", "B", 10)
    return shop


def place(shop: Shop, token: str, **extra: Any) -> dict:
    """An order of 85.00 (2 A, 1 B, 5.00 shipping) paid by a sandbox card with `token`."""
    return shop.order([("A", 2), ("B", 1)], payment={"method": "sandbox", "token": token}, shipping="5.00", **extra)


def pay(client: TestClient, order_id: str, body: dict, status: int = 201, **headers: str) -> dict:
    response = client.post(f"/api/v1/orders/{order_id}/payments", json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def state(client: TestClient, order_id: str) -> tuple[dict, dict, list[dict]]:
    """The order, its payments and its timeline, as the API shows them."""
    return (client.get(f"/api/v1/orders/{order_id}").json(), client.get(f"/api/v1/orders/{order_id}/payments").json(),
            client.get(f"/api/v1/orders/{order_id}/timeline").json()["items"])


def messages(client: TestClient, order_id: str) -> list[str]:
    return [entry["message"] for entry in state(client, order_id)[2]]


def active_holds(order: dict) -> list[dict]:
    return [hold for hold in order["holds"] if hold["active"]]


def ship_everything(shop: Shop, order: dict) -> None:
    fo = order["fulfillment_orders"][0]["id"]
    shop.act(fo, "accept")
    shop.act(fo, "ship", {"carrier": "DHL"})


# -- an agent pays a refused order again -------------------------------------------------------------------------
def test_a_refused_order_paid_with_another_card_is_released_and_ships_as_a_paid_order(client, stocked) -> None:
    # Given an order whose card was refused: on hold, nothing ships
    order = place(stocked, "tok_insufficient_funds")
    assert order["status"] == "on_hold" and order["payment_status"] == "failed"
    # When the agent adds another card
    added = pay(client, order["id"], APPROVE)
    # Then it is authorised for all that was unpaid, the refused one stays on record, and the hold is released
    assert (added["order_status"], added["payment_status"], added["unpaid"]) == ("placed", "authorized", "0.00")
    refused, new = added["items"]
    assert new["id"] == added["payment_id"] and (new["status"], new["authorized"]) == ("authorized", "85.00")
    assert (refused["status"], refused["authorized"]) == ("failed", "0.00")
    current, _payments, timeline = state(client, order["id"])
    assert active_holds(current) == [] and current["payment_status"] == "authorized"
    told = [entry["message"] for entry in timeline]
    assert "A sandbox payment of EUR 85.00 was added to pay what is still unpaid (EUR 85.00); its authorisation " \
           "is asked for now." in told
    assert "The authorisation of EUR 85.00 (sandbox) went through." in told
    assert any(m.startswith("Released the hold for a payment problem (note: the payments now cover the total of "
                            "EUR 85.00). Nothing holds the order any more") for m in told)
    # And it ships like any paid order, captured from the new card only
    ship_everything(stocked, order)
    _order, payments, _timeline = state(client, order["id"])
    assert payments["payment_status"] == "captured"
    assert [(p["status"], p["captured"]) for p in payments["items"]] == [("failed", "0.00"), ("captured", "85.00")]
    # And the addition is in the audit log, by the agent's token
    audit = client.get("/api/v1/audit", params={"target_id": order["id"], "action": "order.payment_add"}).json()
    assert [(e["after"]["method"], e["after"]["amount"]) for e in audit["items"]] == [("sandbox", "EUR 85.00")]


def test_a_second_refusal_keeps_the_order_on_hold_and_every_attempt_stays_on_record(client, stocked) -> None:
    order = place(stocked, "tok_decline")
    again = pay(client, order["id"], {"method": "sandbox", "token": "tok_expired"})
    assert (again["order_status"], again["payment_status"], again["unpaid"]) == ("on_hold", "failed", "85.00")
    assert [p["status"] for p in again["items"]] == ["failed", "failed"]
    assert "The authorisation of EUR 85.00 (sandbox) failed: The sandbox card was refused (expired)." in messages(
        client, order["id"])
    finally_paid = pay(client, order["id"], APPROVE)
    assert finally_paid["order_status"] == "placed" and [p["status"] for p in finally_paid["items"]] == [
        "failed", "failed", "authorized"]


def test_part_of_what_is_unpaid_keeps_the_hold_until_the_rest_is_paid(client, stocked) -> None:
    # Given a refused order of 85.00
    order = place(stocked, "tok_decline")
    # When 50.00 is paid by one card: still short, still held
    part = pay(client, order["id"], {**APPROVE, "amount": "50.00"})
    assert (part["order_status"], part["unpaid"]) == ("on_hold", "35.00")
    # And the rest by another (no amount: all that is unpaid)
    rest = pay(client, order["id"], APPROVE)
    assert (rest["order_status"], rest["unpaid"]) == ("placed", "0.00")
    assert [p["authorized"] for p in rest["items"]] == ["0.00", "50.00", "35.00"]
    # Then the shipment captures from both, in the order they were added
    ship_everything(stocked, order)
    payments = client.get(f"/api/v1/orders/{order['id']}/payments").json()
    assert [p["captured"] for p in payments["items"]] == ["0.00", "50.00", "35.00"]
    assert payments["payment_status"] == "captured"


def test_an_authorisation_that_never_came_back_is_replaced_by_a_new_card(client, stocked) -> None:
    # Given an order waiting for an authorisation the gateway never answered
    order = place(stocked, "tok_error")
    assert order["payment_status"] == "pending" and order["status"] == "on_hold"
    # When the agent pays with another card
    added = pay(client, order["id"], APPROVE)
    # Then the order is paid and released, and the unanswered authorisation (which the provider never made) is
    # abandoned rather than asked again
    assert (added["order_status"], added["payment_status"]) == ("placed", "authorized")
    stale, new = added["items"]
    assert (stale["status"], stale["transactions"][0]["failure_code"]) == ("failed", "abandoned")
    assert new["status"] == "authorized"


# -- refused requests change nothing ---------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "status", "field", "code"), [
    ({**APPROVE, "amount": "85.01"}, 422, "amount", "payment_exceeds_unpaid"),
    ({**APPROVE, "amount": "0.00"}, 422, "amount", "amount_not_positive"),
    ({**APPROVE, "amount": "1.001"}, 422, "amount", None),
    ({"method": "sandbox", "token": "tok_bogus"}, 422, "token", "invalid_token"),
    ({"method": "sandbox"}, 422, "token", "invalid_token"),
    ({"method": "manual", "token": "manual:invoice:net999"}, 422, "token", "invalid_token"),
    ({"method": "bitcoin", "token": "x"}, 422, "method", None),
    ({"method": "external"}, 422, "reference", None),
    ({"method": "stripe", "token": "pm_card_visa"}, 422, "method", "gateway_not_configured"),
    ({**APPROVE, "surprise": 1}, 422, "surprise", None),
])
def test_a_bad_payment_names_the_field_and_changes_nothing(client, stocked, body, status, field, code) -> None:
    order = place(stocked, "tok_decline")
    before = state(client, order["id"])
    response = client.post(f"/api/v1/orders/{order['id']}/payments", json=body)
    assert response.status_code == status, response.text
    problem = response.json()
    assert field in response.text and (code is None or problem["code"] == code), problem
    assert state(client, order["id"]) == before


def test_a_cancelled_or_paid_order_refuses_another_payment_with_the_reason(client, stocked) -> None:
    cancelled = place(stocked, "tok_decline")
    assert client.post(f"/api/v1/orders/{cancelled['id']}/cancel", json={"reason": "gave up"}).status_code == 200
    paid = place(stocked, "tok_approve")
    for order, code, words in ((cancelled, "order_cancelled", "was cancelled"), (paid, "order_paid", "is paid")):
        before = state(client, order["id"])
        response = client.post(f"/api/v1/orders/{order['id']}/payments", json=APPROVE)
        assert response.status_code == 409 and response.json()["code"] == code, response.text
        assert words in response.json()["detail"]
        assert state(client, order["id"]) == before
    missing = client.post("/api/v1/orders/ord_nothere/payments", json=APPROVE)
    assert missing.status_code == 404 and missing.json()["code"] == "order_not_found"


def test_a_retried_request_adds_the_payment_once_and_another_body_is_refused(client, stocked) -> None:
    order = place(stocked, "tok_decline")
    first = pay(client, order["id"], APPROVE, **{"Idempotency-Key": "pay-1"})
    again = client.post(f"/api/v1/orders/{order['id']}/payments", json=APPROVE, headers={"Idempotency-Key": "pay-1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first and len(first["items"]) == 2
    other = client.post(f"/api/v1/orders/{order['id']}/payments", json={**APPROVE, "amount": "10.00"},
                        headers={"Idempotency-Key": "pay-1"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert len(client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]) == 2


@pytest.mark.parametrize(("role", "status"), [("agent", 201), ("finance", 201), ("integration", 403),
                                              ("analyst", 403)])
def test_agents_and_finance_add_payments_and_integrations_do_not(anonymous, container, stocked, role,
                                                                 status) -> None:
    order = place(stocked, "tok_decline")
    response = anonymous.post(f"/api/v1/orders/{order['id']}/payments", json=APPROVE,
                              headers=bearer(token(container, role)))
    assert response.status_code == status, response.text


# -- the customer pays again ---------------------------------------------------------------------------------
def test_the_customer_pays_their_own_refused_order_again(client, anonymous, container, stocked) -> None:
    # Given Jane's refused order and her shopper access
    order = place(stocked, "tok_decline")
    shopper = bearer(token_for(anonymous, container, "jane@example.com"))
    # When she pays with another card
    response = anonymous.post(f"/api/v1/shopper/orders/{order['number']}/payments", json=APPROVE, headers=shopper)
    # Then the order is paid and released, told on the timeline as the customer's doing
    assert response.status_code == 201, response.text
    assert (response.json()["order_status"], response.json()["payment_status"]) == ("placed", "authorized")
    [added] = [e for e in state(client, order["id"])[2] if e["kind"] == "payment_added"]
    assert added["actor"] == "customer"
    own = anonymous.get(f"/api/v1/shopper/orders/{order['number']}", headers=shopper).json()
    assert own["status"] == "placed"


def test_the_shopper_route_refuses_other_orders_other_methods_and_api_tokens(client, anonymous, container,
                                                                            stocked) -> None:
    janes = place(stocked, "tok_decline")
    bobs = place(stocked, "tok_decline", customer={"email": "bob@example.com", "name": "Bob Roe"})
    jane = bearer(token_for(anonymous, container, "jane@example.com"))
    before = state(client, bobs["id"]), state(client, janes["id"])
    url = "/api/v1/shopper/orders/{}/payments"
    assert anonymous.post(url.format(bobs["number"]), json=APPROVE, headers=jane).status_code == 404
    for body, field in (({"method": "manual", "token": "manual:invoice"}, "method"),
                        ({"method": "external", "reference": "ext_1"}, "method"),
                        ({"method": "sandbox", "token": "pi_someone_elses"}, "token"),
                        ({**APPROVE, "reference": "x"}, "reference")):
        refused = anonymous.post(url.format(janes["number"]), json=body, headers=jane)
        assert refused.status_code == 422 and field in refused.text, refused.text
    assert anonymous.post(url.format(janes["number"]), json=APPROVE,
                          headers=bearer(token(container))).status_code == 401
    assert (state(client, bobs["id"]), state(client, janes["id"])) == before


# -- tokens are checked before anything is recorded -------------------------------------------------------------
@pytest.mark.parametrize(("gateway", "good", "bad"), [
    (get_gateway("sandbox"), "tok_capture_decline", "tok_nope"),
    (get_gateway("manual"), "manual:invoice:net30", "manual:cheque"),
    (StripeGateway("sk_test_x", "http://127.0.0.1:9"), "pm_card_visa", "4242424242424242"),
])
def test_each_gateway_refuses_a_token_that_could_never_authorise_without_calling_anyone(gateway, good,
                                                                                        bad) -> None:
    gateway.check_token(good)
    with pytest.raises(PaymentFailed) as refused:
        gateway.check_token(bad)
    assert refused.value.code == "invalid_token"
