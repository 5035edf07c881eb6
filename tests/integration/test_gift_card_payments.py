"""Gift cards as a payment method (book-only: the shop keeps the balance, no gateway) on both databases: issued
with a code shown once and its sale booked; an order paid with one in full or next to a card, captured at
shipment, released when cancelled, refunded back to the card; a card never goes below zero, also with parallel
PostgreSQL clients; a wrong code, another currency or too little on the card is refused naming the field."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from baton.bootstrap import Container
from tests.conftest import Shop, bearer, token
from tests.integration import test_returns as rt


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("A", price="30.00")
    shop.product("B", price="20.00")
    for sku in ("A", "B"):
        shop.stock("WH-BER", sku, 20)
    return shop


def issue(client: TestClient, amount: str, currency: str = "EUR", status: int = 201, **headers: str) -> dict:
    response = client.post("/api/v1/gift-cards", json={"currency": currency, "amount": amount,
                                                       "note": "sold at the Hamburg store"}, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def card(client: TestClient, card_id: str) -> dict:
    response = client.get(f"/api/v1/gift-cards/{card_id}")
    assert response.status_code == 200, response.text
    return response.json()


def payments(client: TestClient, order_id: str) -> dict[str, dict]:
    return {p["method"]: p for p in client.get(f"/api/v1/orders/{order_id}/payments").json()["items"]}


def test_a_gift_card_is_issued_once_with_its_code_and_its_sale_is_booked(client: TestClient) -> None:
    issued = issue(client, "50.00", **{"Idempotency-Key": "gc-1"})
    assert issued["code"].startswith("GC-") and issued["last4"] == issued["code"].replace("-", "")[-4:]
    assert (issued["balance"], issued["currency"]) == ("50.00", "EUR")
    replayed = issue(client, "50.00", **{"Idempotency-Key": "gc-1"})
    assert replayed["id"] == issued["id"] and replayed["code"] is None  # the code is shown once
    assert card(client, issued["id"])["balance"] == "50.00"
    balance = client.get("/api/v1/ledger/trial-balance").json()
    assert balance["balanced"] is True
    accounts = {a["account"]: a["balance"] for a in balance["items"][0]["accounts"]}
    assert accounts["store_credit"] == "-50.00" and accounts["gateway_clearing"] == "50.00"


def test_an_order_paid_with_a_gift_card_and_a_card_captures_refunds_and_releases_exactly(
        client: TestClient, stocked: Shop) -> None:
    # Given a gift card of 25.00
    gift = issue(client, "25.00")
    # When an order of 50.00 is paid with it (all of it) and a card (the rest)
    order = stocked.order([("A", 1), ("B", 1)], payment=[
        {"method": "gift_card", "token": gift["code"].lower(), "amount": "25.00"},
        {"method": "sandbox", "token": "tok_approve"}])
    paid = payments(client, order["id"])
    assert (paid["gift_card"]["authorized"], paid["sandbox"]["authorized"]) == ("25.00", "25.00")
    assert paid["gift_card"]["details"] == {"gift_card": f"…{gift['last4']}"}
    assert card(client, gift["id"])["balance"] == "0.00"
    assert f"of gift card …{gift['last4']} is held for this order" in " ".join(rt.messages(client, order["id"]))
    # When the A ships (30.00): the gift card is captured first, the card for the rest
    [fo] = order["fulfillment_orders"]
    stocked.act(fo["id"], "accept")
    stocked.act(fo["id"], "ship", {"carrier": "DHL", "lines": [{"line_id": rt.line_of(order, "A")["id"],
                                                                "quantity": 1}]})
    paid = payments(client, order["id"])
    assert (paid["gift_card"]["captured"], paid["sandbox"]["captured"]) == ("25.00", "5.00")
    # When the B is cancelled: what is left of the card's hold is released; the gift card had nothing left held
    cancelled = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "out of fashion"})
    assert cancelled.status_code == 200, cancelled.text
    # When 10.00 is refunded: the card gets 5.00 back first, then the gift card 5.00
    refunded = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"amount": "10.00", "reason": "scratch"})
    assert refunded.status_code == 201, refunded.text
    paid = payments(client, order["id"])
    assert (paid["sandbox"]["refunded"], paid["gift_card"]["refunded"]) == ("5.00", "5.00")
    after = card(client, gift["id"])
    assert after["balance"] == "5.00"
    assert [e["amount"] for e in after["entries"]] == ["25.00", "-25.00", "5.00"]
    books = rt.balanced(client, order["id"])
    assert books["store_credit"] == "20.00"  # 25.00 spent, 5.00 given back to the card


def test_a_cancelled_order_gives_the_whole_hold_back_to_the_gift_card(client: TestClient, stocked: Shop) -> None:
    gift = issue(client, "40.00")
    order = stocked.order([("A", 1)], payment={"method": "gift_card", "token": gift["code"]})
    assert (order["status"], card(client, gift["id"])["balance"]) == ("placed", "10.00")
    assert client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "oops"}).status_code == 200
    assert payments(client, order["id"])["gift_card"]["status"] == "voided"
    assert card(client, gift["id"])["balance"] == "40.00"


@pytest.mark.parametrize(("payment", "field", "code"), [
    ({"method": "gift_card", "token": "GC-NOPE-NOPE-NOPE-NOPE"}, "payment[0].token", "invalid_token"),
    ({"method": "gift_card"}, "payment[0].token", "invalid_token"),
    ({"method": "gift_card", "token": "usd"}, "payment[0].token", "currency_mismatch"),
    ({"method": "gift_card", "token": "small"}, "payment[0].amount", "insufficient_gift_card_balance"),
])
def test_a_bad_gift_card_payment_is_refused_naming_the_field_and_places_nothing(
        client: TestClient, stocked: Shop, payment: dict, field: str, code: str) -> None:
    cards = {"usd": issue(client, "100.00", currency="USD"), "small": issue(client, "29.99")}
    if payment.get("token") in cards:
        payment = {**payment, "token": cards[payment["token"]]["code"]}
    before = (stocked.level("WH-BER", "A"), client.get("/api/v1/orders").json()["items"])
    refused = client.post("/api/v1/orders", json=stocked.order_body([("A", 1)], payment=payment))
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == code and field in str(refused.json())
    assert (stocked.level("WH-BER", "A"), client.get("/api/v1/orders").json()["items"]) == before
    assert card(client, cards["small"]["id"])["balance"] == "29.99"


def test_bad_issues_are_refused_and_an_agent_issues_only_within_the_money_limit(
        client: TestClient, anonymous: TestClient, container: Container) -> None:
    for body, field in (({"currency": "EUR", "amount": "0"}, "amount"), ({"currency": "EURO", "amount": "5"},
                                                                           "currency")):
        refused = client.post("/api/v1/gift-cards", json={**body, "note": "x"})
        assert refused.status_code == 422 and field in str(refused.json()), refused.text
    agent = bearer(token(container, "agent"))
    too_much = anonymous.post("/api/v1/gift-cards", json={"currency": "EUR", "amount": "50.01", "note": "x"},
                              headers=agent)
    assert too_much.status_code == 403 and too_much.json()["code"] == "money_limit_exceeded"
    assert anonymous.post("/api/v1/gift-cards", json={"currency": "EUR", "amount": "50.00", "note": "x"},
                          headers=agent).status_code == 201
    analyst = bearer(token(container, "analyst"))
    assert anonymous.post("/api/v1/gift-cards", json={"currency": "EUR", "amount": "5.00", "note": "x"},
                          headers=analyst).status_code == 403
    assert client.get("/api/v1/gift-cards/gft_nope").status_code == 404


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_parallel_orders_never_spend_a_gift_card_below_zero(client: TestClient) -> None:
    shop = Shop(client)
    shop.location("WH-BER")
    shop.product("A", price="30.00")
    shop.stock("WH-BER", "A", 20)
    gift = issue(client, "100.00")
    barrier = threading.Barrier(6)

    def place(_n: int) -> int:
        barrier.wait(timeout=60)
        return client.post("/api/v1/orders", json=shop.order_body(
            [("A", 1)], payment={"method": "gift_card", "token": gift["code"]})).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = sorted(pool.map(place, range(6)))
    assert outcomes == [201, 201, 201, 422, 422, 422]
    assert card(client, gift["id"])["balance"] == "10.00"
    assert shop.level("WH-BER", "A")["reserved"] == 3
