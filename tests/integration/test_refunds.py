"""Refunds through the API: never above what was captured, within the role's money limit, idempotent, explained
on the timeline and in the audit log."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from baton.bootstrap import Container
from baton.payments import flows
from baton.payments.refunds import MoneyBack, Purpose
from baton.shared.errors import InvalidInput
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


# -- refunds by lines ---------------------------------------------------------------------------------------------
@pytest.fixture
def shipped(shop: Shop) -> dict:
    """An order of 2 A at 30.00 and 1 B at 20.00 less a 10.00 discount (A carries 7.50, B 2.50), 5.00 shipping
    (total 75.00), paid by a sandbox card; A has shipped (and was captured), B not yet."""
    shop.product("A", price="30.00")
    shop.product("B", price="20.00")
    shop.stock("WH-BER", "A", 5)
    shop.stock("WH-BER", "B", 5)
    order = shop.order([("A", 2), ("B", 1)], payment={"method": "sandbox", "token": "tok_approve"},
                       shipping="5.00", discounts=[{"code": "TEN", "amount": "10.00"}])
    fo = order["fulfillment_orders"][0]["id"]
    shop.act(fo, "accept")
    shop.act(fo, "ship", {"carrier": "DHL", "lines": [{"line_id": line_of(order, "A"), "quantity": 2}]})
    return order


def line_of(order: dict, sku: str) -> str:
    return next(line["id"] for line in order["lines"] if line["sku"] == sku)


def refund_lines(client: TestClient, order: dict, units: dict[str, int], status: int = 201, **extra: str) -> dict:
    lines = [{"line_id": line_of(order, sku), "quantity": n} for sku, n in units.items()]
    response = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"lines": lines, "reason": "damaged",
                                                                          **extra})
    assert response.status_code == status, response.text
    return response.json()


def refunded(client: TestClient, order_id: str) -> str:
    return client.get(f"/api/v1/orders/{order_id}/payments").json()["items"][0]["refunded"]


def test_a_refund_by_lines_gives_back_what_the_units_cost_and_says_which(client: TestClient, shipped: dict) -> None:
    # When one shipped A is refunded by its line: 30.00 less its 3.75 share of the discount
    body = refund_lines(client, shipped, {"A": 1})
    # Then the card gets 26.25 back, a credit memo is booked, and the timeline says which units
    assert body["items"][0]["refunded"] == "26.25" and body["payment_status"] == "partially_refunded"
    assert credit_memos(client, shipped["id"]) == 1
    timeline = [e["message"] for e in client.get(f"/api/v1/orders/{shipped['id']}/timeline").json()["items"]]
    assert "Refund of EUR 26.25 for 1 × A requested: damaged." in timeline
    assert client.get("/api/v1/ledger/trial-balance", params={"order_id": shipped["id"]}).json()["balanced"]


def test_units_refunded_by_lines_are_never_refunded_by_lines_again(client: TestClient, shipped: dict) -> None:
    refund_lines(client, shipped, {"A": 2})
    assert refunded(client, shipped["id"]) == "52.50"
    again = refund_lines(client, shipped, {"A": 1}, status=422)
    assert again["code"] == "refund_exceeds_shipped" and "lines[0].quantity" in str(again)
    assert refunded(client, shipped["id"]) == "52.50" and credit_memos(client, shipped["id"]) == 1


def test_units_that_have_not_shipped_are_not_refunded_by_lines(client: TestClient, shipped: dict) -> None:
    refused = refund_lines(client, shipped, {"B": 1}, status=422)
    assert refused["code"] == "refund_exceeds_shipped" and "only 0 can be refunded" in refused["detail"]
    assert refunded(client, shipped["id"]) == "0.00"


def test_an_amount_with_lines_must_match_them(client: TestClient, shipped: dict) -> None:
    mismatch = refund_lines(client, shipped, {"A": 1}, status=422, amount="30.00")
    assert mismatch["code"] == "refund_amount_mismatch" and "EUR 26.25" in mismatch["detail"]
    assert refunded(client, shipped["id"]) == "0.00"
    assert refund_lines(client, shipped, {"A": 1}, amount="26.25")["items"][0]["refunded"] == "26.25"


def test_shipping_is_refunded_by_amount_next_to_the_lines(client: TestClient, shipped: dict) -> None:
    refund_lines(client, shipped, {"A": 2})
    shipping = client.post(f"/api/v1/orders/{shipped['id']}/refunds", json={"amount": "5.00", "reason": "late"})
    assert shipping.status_code == 201 and shipping.json()["items"][0]["refunded"] == "57.50"  # all captured


@pytest.mark.parametrize(("body", "field", "code"), [
    ({"reason": "x"}, "amount", "refund_amount_missing"),
    ({"lines": [{"line_id": "line_nope", "quantity": 1}], "reason": "x"}, "lines[0].line_id", "line_not_found"),
    ({"lines": [{"line_id": "line_nope", "quantity": 0}], "reason": "x"}, "quantity", None),
    ({"lines": [], "reason": "x"}, "lines", None),
])
def test_bad_refunds_by_lines_name_the_field_and_change_nothing(client: TestClient, shipped: dict, body: dict,
                                                                field: str, code: str | None) -> None:
    response = client.post(f"/api/v1/orders/{shipped['id']}/refunds", json=body)
    assert response.status_code == 422, response.text
    assert field in response.text and (code is None or response.json()["code"] == code)
    assert refunded(client, shipped["id"]) == "0.00" and credit_memos(client, shipped["id"]) == 0


def test_the_money_limit_applies_to_what_the_lines_are_worth(client: TestClient, container: Container,
                                                             shipped: dict) -> None:
    agent = bearer(token(container, "agent"))
    lines = [{"line_id": line_of(shipped, "A"), "quantity": 2}]  # 52.50: above an agent's 50.00
    above = client.post(f"/api/v1/orders/{shipped['id']}/refunds", json={"lines": lines, "reason": "x"},
                        headers=agent)
    assert above.status_code == 403 and above.json()["code"] == "money_limit_exceeded"
    assert refunded(client, shipped["id"]) == "0.00"
    lines[0]["quantity"] = 1
    within = client.post(f"/api/v1/orders/{shipped['id']}/refunds", json={"lines": lines, "reason": "x"},
                         headers=agent)
    assert within.status_code == 201 and refunded(client, shipped["id"]) == "26.25"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite has one writer at a time anyway
def test_two_refunds_of_the_last_unit_racing_on_postgresql_refund_it_once(client: TestClient, container: Container,
                                                                          shop: Shop) -> None:
    # Given a shipped order of 1 A (30.00) and 3 B (60.00): the money would allow A to be refunded twice
    shop.product("A", price="30.00")
    shop.product("B", price="20.00")
    shop.stock("WH-BER", "A", 5)
    shop.stock("WH-BER", "B", 5)
    order = shop.order([("A", 1), ("B", 3)], payment={"method": "sandbox", "token": "tok_approve"})
    shop.act(order["fulfillment_orders"][0]["id"], "accept")
    shop.act(order["fulfillment_orders"][0]["id"], "ship", {"carrier": "DHL"})
    start = threading.Barrier(2)

    def refund(agent: int) -> str:
        ask = MoneyBack(Purpose.REFUND, f"agent {agent}", lines={line_of(order, "A"): 1})
        start.wait(timeout=30)
        try:
            flows.give_back(container.uow(), container.uow, container.gateway, order["id"], ask, f"race-{agent}")
        except InvalidInput as refused:
            return refused.code
        return "refunded"

    # When two agents refund that unit by its line at the same moment, each on its own connection
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(refund, [1, 2]))
    # Then one refund went through and the other was refused for the unit, not for the money
    assert outcomes == ["refund_exceeds_shipped", "refunded"]
    assert refunded(client, order["id"]) == "30.00" and credit_memos(client, order["id"]) == 1
