"""Appeasements (issue 6, point 4): goodwill money back without a return, an amount or a percent of lines, paid
back to the original payments like a refund, booked on the appeasements account and issued as a credit memo,
within the role's money limit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from baton.bootstrap import Container
from tests.conftest import Shop, bearer, token
from tests.integration.test_refunds import line_of, refund_lines, refunded


@pytest.fixture
def shipped(shop: Shop) -> dict:
    """2 A at 30.00 and 1 B at 20.00 less a 10.00 discount (A carries 7.50, B 2.50), 5.00 shipping: 75.00,
    paid by a sandbox card, everything shipped and captured."""
    shop.product("A", price="30.00")
    shop.product("B", price="20.00")
    shop.stock("WH-BER", "A", 5)
    shop.stock("WH-BER", "B", 5)
    order = shop.order([("A", 2), ("B", 1)], payment={"method": "sandbox", "token": "tok_approve"},
                       shipping="5.00", discounts=[{"code": "TEN", "amount": "10.00"}])
    fo = order["fulfillment_orders"][0]["id"]
    shop.act(fo, "accept")
    shop.act(fo, "ship", {"carrier": "DHL"})
    return order


def appease(client: TestClient, order_id: str, body: dict, status: int = 201, **headers: str) -> dict:
    response = client.post(f"/api/v1/orders/{order_id}/appeasements", json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def ledger_kinds(client: TestClient, order_id: str) -> list[str]:
    entries = client.get("/api/v1/ledger", params={"order_id": order_id, "limit": "200"}).json()["items"]
    return sorted(entry["kind"] for entry in entries)


def test_an_appeasement_goes_back_to_the_card_and_is_booked_as_goodwill_with_a_credit_memo(
        client: TestClient, shipped: dict) -> None:
    order_id = shipped["id"]
    before = ledger_kinds(client, order_id)
    # When an agent gives 5.00 back for a late delivery
    body = appease(client, order_id, {"amount": "5.00", "reason": "late delivery"})
    # Then the card gets it back
    assert body["payment_status"] == "partially_refunded" and body["items"][0]["refunded"] == "5.00"
    # And the ledger books it on the appeasements account (no credit memo entry), and still balances
    assert ledger_kinds(client, order_id) == sorted([*before, "appeasement", "refund"])
    balance = client.get("/api/v1/ledger/trial-balance", params={"order_id": order_id}).json()
    assert balance["balanced"]
    accounts = {a["account"]: a for a in balance["items"][0]["accounts"]}
    assert (accounts["appeasements"]["debits"], accounts["refunds"]["debits"]) == ("5.00", "0.00")
    # And it is issued as a credit memo document of 5.00, with the reason
    [memo] = client.get("/api/v1/credit-memos", params={"order_id": order_id}).json()["items"]
    assert (memo["totals"]["total"], memo["reason"]) == ("5.00", "late delivery")
    assert memo["totals"]["net"] != "0.00"  # the goods part is read from the appeasements account
    assert [line["description"] for line in memo["lines"]] == ["Goodwill: late delivery"]
    timeline = [e["message"] for e in client.get(f"/api/v1/orders/{order_id}/timeline").json()["items"]]
    assert "Appeasement of EUR 5.00 requested: late delivery." in timeline
    assert f"Credit memo {memo['number']} issued for EUR 5.00." in timeline
    audit = client.get("/api/v1/audit", params={"action": "order.appease", "target_id": order_id}).json()
    assert audit["items"][0]["after"]["appeasement_requested"] == "EUR 5.00"


def test_a_percent_of_lines_is_a_share_of_what_those_units_cost(client: TestClient, shipped: dict) -> None:
    # 10% of one A (30.00 less its 3.75 share of the discount = 26.25) is 2.625, rounded half up
    lines = [{"line_id": line_of(shipped, "A"), "quantity": 1}]
    body = appease(client, shipped["id"], {"percent": "10", "lines": lines, "reason": "scratched"})
    assert body["items"][0]["refunded"] == "2.63"
    timeline = [e["message"] for e in client.get(f"/api/v1/orders/{shipped['id']}/timeline").json()["items"]]
    assert "Appeasement of EUR 2.63 for 10% of 1 × A requested: scratched." in timeline


def test_a_percent_without_lines_is_a_share_of_every_unit_shipped(client: TestClient, shipped: dict) -> None:
    body = appease(client, shipped["id"], {"percent": "10", "reason": "sorry"})  # 10% of 70.00 (no shipping)
    assert body["items"][0]["refunded"] == "7.00"


def test_appeased_units_can_still_be_refunded_by_their_lines(client: TestClient, shipped: dict) -> None:
    # Given 10% of both A (52.50) given back as goodwill
    appease(client, shipped["id"], {"percent": "10", "lines": [{"line_id": line_of(shipped, "A"), "quantity": 2}],
                                    "reason": "sorry"})
    # When both come back after all: their lines are refunded in full (an appeasement refunds no units)
    refund_lines(client, shipped, {"A": 2})
    assert refunded(client, shipped["id"]) == "57.75"


def test_a_retried_appeasement_with_the_same_key_gives_back_once(client: TestClient, shipped: dict) -> None:
    key = {"Idempotency-Key": "goodwill-7"}
    appease(client, shipped["id"], {"amount": "3.00", "reason": "x"}, **key)
    again = client.post(f"/api/v1/orders/{shipped['id']}/appeasements", json={"amount": "3.00", "reason": "x"},
                        headers=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert refunded(client, shipped["id"]) == "3.00"


def test_role_limits_apply_to_appeasements(client: TestClient, container: Container, shipped: dict) -> None:
    agent = bearer(token(container, "agent"))
    above = appease(client, shipped["id"], {"amount": "50.01", "reason": "x"}, 403, **agent)
    assert above["code"] == "money_limit_exceeded"
    percent = appease(client, shipped["id"], {"percent": "75", "reason": "x"}, 403, **agent)  # 52.50
    assert percent["code"] == "money_limit_exceeded"
    appease(client, shipped["id"], {"amount": "50.00", "reason": "x"}, **agent)
    analyst = bearer(token(container, "analyst"))
    appease(client, shipped["id"], {"amount": "1.00", "reason": "x"}, 403, **analyst)
    assert refunded(client, shipped["id"]) == "50.00"


@pytest.mark.parametrize(("body", "field"), [
    ({"reason": "x"}, "amount"),
    ({"amount": "1.00", "percent": "10", "reason": "x"}, "amount"),
    ({"amount": "1.00", "lines": [{"line_id": "x", "quantity": 1}], "reason": "x"}, "lines"),
    ({"percent": "0", "reason": "x"}, "percent"),
    ({"percent": "100.01", "reason": "x"}, "percent"),
    ({"percent": "10", "lines": [{"line_id": "line_nope", "quantity": 1}], "reason": "x"}, "lines[0].line_id"),
    ({"amount": "75.01", "reason": "x"}, "amount"),  # more than was captured
    ({"amount": "-1", "reason": "x"}, "amount"),
    ({"amount": "1.00"}, "reason"),
])
def test_bad_appeasements_name_the_field_and_change_nothing(client: TestClient, shipped: dict, body: dict,
                                                            field: str) -> None:
    before = ledger_kinds(client, shipped["id"])
    response = client.post(f"/api/v1/orders/{shipped['id']}/appeasements", json=body)
    assert response.status_code == 422, response.text
    assert field in response.text
    assert refunded(client, shipped["id"]) == "0.00" and ledger_kinds(client, shipped["id"]) == before


def test_an_order_not_shipped_cannot_be_appeased_by_percent(client: TestClient, shop: Shop) -> None:
    shop.product("A", price="30.00")
    shop.stock("WH-BER", "A", 5)
    order = shop.order([("A", 1)], payment={"method": "sandbox", "token": "tok_approve"})
    refused = appease(client, order["id"], {"percent": "10", "reason": "x"}, 422)
    assert refused["code"] == "appeasement_nothing"
    assert client.post("/api/v1/orders/ord_nope/appeasements",
                       json={"amount": "1.00", "reason": "x"}).status_code == 404
