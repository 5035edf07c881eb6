"""Refunds through the API: never above what was captured, within the role's money limit, idempotent, explained
on the timeline and in the audit log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from baton.bootstrap import Container
from tests.conftest import Shop, bearer, paid_and_captured, token


@pytest.fixture
def paid_order(shop: Shop, container: Container) -> str:
    """An order of 100.00, paid by a sandbox card, fully captured (as shipping it will do)."""
    shop.product("A", price="100.00")
    shop.stock("WH-BER", "A", 5)
    order_id = str(shop.order([("A", 1)])["id"])
    paid_and_captured(container, order_id, 10_000)
    return order_id


def test_a_partial_refund_goes_back_to_the_card_and_is_explained(client: TestClient, paid_order: str) -> None:
    response = client.post(f"/api/v1/orders/{paid_order}/refunds", json={"amount": "30.00", "reason": "late"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["payment_status"] == "partially_refunded"
    [payment] = body["items"]
    assert (payment["captured"], payment["refunded"]) == ("100.00", "30.00")
    timeline = [e["message"] for e in client.get(f"/api/v1/orders/{paid_order}/timeline").json()["items"]]
    assert "Refund of EUR 30.00 requested: late." in timeline
    assert "The refund of EUR 30.00 (sandbox) went through." in timeline
    audit = client.get("/api/v1/audit", params={"action": "order.refund", "target_id": paid_order}).json()
    assert audit["items"][0]["after"]["refund_requested"] == "EUR 30.00"


def test_refunds_never_add_up_to_more_than_was_captured(client: TestClient, paid_order: str) -> None:
    assert client.post(f"/api/v1/orders/{paid_order}/refunds",
                       json={"amount": "80.00", "reason": "one"}).status_code == 201
    booked = credit_memos(client, paid_order)
    refused = client.post(f"/api/v1/orders/{paid_order}/refunds", json={"amount": "20.01", "reason": "two"})
    assert refused.status_code == 422 and "only EUR 20.00" in refused.json()["detail"]
    payments = client.get(f"/api/v1/orders/{paid_order}/payments").json()
    assert payments["items"][0]["refunded"] == "80.00"
    assert credit_memos(client, paid_order) == booked == 1  # the refused one booked nothing


def test_a_retried_refund_with_the_same_key_refunds_once(client: TestClient, paid_order: str) -> None:
    key = {"Idempotency-Key": "refund-ticket-42"}
    first = client.post(f"/api/v1/orders/{paid_order}/refunds", json={"amount": "10.00", "reason": "x"}, headers=key)
    again = client.post(f"/api/v1/orders/{paid_order}/refunds", json={"amount": "10.00", "reason": "x"}, headers=key)
    assert first.status_code == 201 and again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["items"][0]["refunded"] == "10.00"
    other = client.post(f"/api/v1/orders/{paid_order}/refunds", json={"amount": "11.00", "reason": "x"}, headers=key)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def test_an_agent_refunds_up_to_fifty_and_needs_an_admin_above(client: TestClient, container: Container,
                                                               paid_order: str) -> None:
    agent = bearer(token(container, "agent"))
    above = client.post(f"/api/v1/orders/{paid_order}/refunds", json={"amount": "50.01", "reason": "x"},
                        headers=agent)
    assert above.status_code == 403 and above.json()["code"] == "money_limit_exceeded"
    assert client.get(f"/api/v1/orders/{paid_order}/payments").json()["items"][0]["refunded"] == "0.00"
    within = client.post(f"/api/v1/orders/{paid_order}/refunds", json={"amount": "50.00", "reason": "x"},
                         headers=agent)
    assert within.status_code == 201
    analyst = bearer(token(container, "analyst"))
    assert client.post(f"/api/v1/orders/{paid_order}/refunds", json={"amount": "1.00", "reason": "x"},
                       headers=analyst).status_code == 403


@pytest.mark.parametrize(("body", "field"), [({"amount": "-1", "reason": "x"}, "amount"),
                                             ({"amount": "0", "reason": "x"}, "amount"),
                                             ({"amount": "1.001", "reason": "x"}, "amount"),
                                             ({"amount": "1.00"}, "reason")])
def test_bad_refunds_name_the_field_and_change_nothing(client: TestClient, paid_order: str, body: dict,
                                                       field: str) -> None:
    response = client.post(f"/api/v1/orders/{paid_order}/refunds", json=body)
    assert response.status_code == 422, response.text
    assert field in response.text
    assert client.get(f"/api/v1/orders/{paid_order}/payments").json()["items"][0]["refunded"] == "0.00"
    assert credit_memos(client, paid_order) == 0


def test_an_order_without_payments_in_baton_cannot_be_refunded_here(client: TestClient, shop: Shop) -> None:
    shop.product("A")
    shop.stock("WH-BER", "A", 5)
    order = shop.order([("A", 1)])
    response = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"amount": "1.00", "reason": "x"})
    assert response.status_code == 409 and response.json()["code"] == "no_payments"
    assert client.get(f"/api/v1/orders/{order['id']}/payments").json() == {"payment_status": "none", "items": []}
    assert client.get("/api/v1/ledger", params={"order_id": order["id"]}).json()["items"] == []


def credit_memos(client: TestClient, order_id: str) -> int:
    """How many credit memos the money ledger holds for the order."""
    entries = client.get("/api/v1/ledger", params={"order_id": order_id, "limit": "200"}).json()["items"]
    return sum(1 for entry in entries if entry["kind"] == "credit_memo")
