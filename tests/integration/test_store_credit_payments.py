"""Store credit as a payment method (book-only: no gateway) on both databases: an order paid in full or in part
with the customer's balance, captured at shipment and booked on the store credit account, released when
cancelled, refunded back to the balance; a balance never goes below zero, also with parallel PostgreSQL clients."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from baton.adapters.db.returns_repository import CreditEntry
from baton.bootstrap import Container
from baton.shared.clock import utcnow
from baton.shared.ids import new_id
from tests.conftest import Shop
from tests.integration import test_returns as rt

JANE = "jane@example.com"


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("A", price="30.00")
    shop.product("B", price="20.00")
    for sku in ("A", "B"):
        shop.stock("WH-BER", sku, 10)
    return shop


def give_credit(container: Container, amount: int, email: str = JANE) -> str:
    """The customer's balance grows by `amount` cents (as a return refunded as store credit would)."""
    with container.uow() as uow:
        customer_id = uow.customers.upsert(email, "Jane Doe", None)
        uow.store_credit.add(CreditEntry(new_id("scr"), customer_id, "EUR", amount, None, None, "goodwill", utcnow()))
        uow.commit()
    return customer_id


def balance(client: TestClient, customer_id: str) -> str:
    balances = client.get(f"/api/v1/customers/{customer_id}/store-credit").json()["balances"]
    return next((b["balance"] for b in balances if b["currency"] == "EUR"), "0.00")


def payments(client: TestClient, order_id: str) -> dict[str, dict]:
    return {p["method"]: p for p in client.get(f"/api/v1/orders/{order_id}/payments").json()["items"]}


def ship(shop: Shop, order: dict) -> None:
    fo = order["fulfillment_orders"][0]["id"]
    shop.act(fo, "accept")
    shop.act(fo, "ship", {"carrier": "DHL"})


def test_an_order_paid_in_full_with_store_credit_is_captured_booked_and_refunded_back_to_the_balance(
        client: TestClient, container: Container, stocked: Shop) -> None:
    # Given a customer with EUR 50.00 of store credit
    customer_id = give_credit(container, 5000)
    # When an order of 30.00 is paid with it
    order = stocked.order([("A", 1)], payment={"method": "store_credit"})
    # Then it is authorised at once (no gateway, no hold) and the balance holds 30.00 for it
    assert (order["status"], order["payment_status"]) == ("placed", "authorized")
    assert payments(client, order["id"])["store_credit"]["authorized"] == "30.00"
    assert balance(client, customer_id) == "20.00"
    assert "EUR 30.00 of the customer's store credit is held for this order (EUR 20.00 left)" in " ".join(
        rt.messages(client, order["id"]))
    # When it ships: captured, invoiced and paid from the store credit liability, the books balanced
    ship(stocked, order)
    paid = payments(client, order["id"])["store_credit"]
    assert (paid["status"], paid["captured"]) == ("captured", "30.00")
    books = rt.balanced(client, order["id"])
    assert books["store_credit"] == "30.00" and "customer_receivable" not in books
    [invoice] = client.get("/api/v1/invoices", params={"order_id": order["id"]}).json()["items"]
    assert (invoice["payment_method"], invoice["totals"]["total"]) == ("store_credit", "30.00")
    # When 10.00 is refunded: it goes back to the balance, with a credit memo
    refunded = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"amount": "10.00", "reason": "scratch"})
    assert refunded.status_code == 201, refunded.text
    assert payments(client, order["id"])["store_credit"]["refunded"] == "10.00"
    assert balance(client, customer_id) == "30.00"
    assert rt.balanced(client, order["id"])["store_credit"] == "20.00"
    [memo] = client.get("/api/v1/credit-memos", params={"order_id": order["id"]}).json()["items"]
    assert (memo["payment_method"], memo["totals"]["total"]) == ("store_credit", "10.00")
    # And the rest can still be refunded, never more
    over = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"amount": "20.01", "reason": "again"})
    assert over.status_code == 422 and over.json()["code"] == "refund_exceeds_captured"
    assert balance(client, customer_id) == "30.00"


def test_store_credit_and_a_card_share_an_order_and_a_cancellation_releases_the_credit(
        client: TestClient, container: Container, stocked: Shop) -> None:
    customer_id = give_credit(container, 2000)
    order = stocked.order([("A", 1), ("B", 1)], payment=[
        {"method": "store_credit", "amount": "20.00"}, {"method": "sandbox", "token": "tok_approve"}])
    paid = payments(client, order["id"])
    assert (paid["store_credit"]["authorized"], paid["sandbox"]["authorized"]) == ("20.00", "30.00")
    assert balance(client, customer_id) == "0.00"
    cancelled = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "changed mind"})
    assert cancelled.status_code == 200, cancelled.text
    paid = payments(client, order["id"])
    assert (paid["store_credit"]["status"], paid["sandbox"]["status"]) == ("voided", "voided")
    assert balance(client, customer_id) == "20.00"
    ledger = client.get("/api/v1/ledger", params={"order_id": order["id"]}).json()["items"]
    assert ledger == []  # nothing captured, nothing booked


def test_more_than_the_balance_is_refused_naming_the_amount_and_places_nothing(
        client: TestClient, container: Container, stocked: Shop) -> None:
    customer_id = give_credit(container, 2999)
    before = (stocked.level("WH-BER", "A"), client.get("/api/v1/orders").json()["items"])
    refused = client.post("/api/v1/orders", json=stocked.order_body([("A", 1)], payment={"method": "store_credit"}))
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "insufficient_store_credit" and "amount" in str(refused.json())
    assert "EUR 29.99" in refused.json()["detail"]
    assert (stocked.level("WH-BER", "A"), client.get("/api/v1/orders").json()["items"]) == before
    assert balance(client, customer_id) == "29.99"
    # Another customer's balance pays nothing for Jane
    give_credit(container, 10000, email="joe@example.com")
    assert client.post("/api/v1/orders", json=stocked.order_body(
        [("A", 1)], payment={"method": "store_credit"})).status_code == 422


# -- concurrency --------------------------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_parallel_orders_never_spend_a_balance_below_zero(container: Container, client: TestClient) -> None:
    # Given EUR 100.00 of store credit and six clients each placing an order of 30.00 paid with it, at once
    shop = Shop(client)
    shop.location("WH-BER")
    shop.product("A", price="30.00")
    shop.stock("WH-BER", "A", 20)
    customer_id = give_credit(container, 10000)
    barrier = threading.Barrier(6)

    def place(_n: int) -> int:
        barrier.wait(timeout=60)
        return client.post("/api/v1/orders", json=shop.order_body(
            [("A", 1)], payment={"method": "store_credit"})).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = sorted(pool.map(place, range(6)))
    # Then exactly three are placed, the others refused with 422, and the balance is 10.00
    assert outcomes == [201, 201, 201, 422, 422, 422]
    assert balance(client, customer_id) == "10.00"
    assert shop.level("WH-BER", "A")["reserved"] == 3


def test_an_agent_pays_a_refused_order_with_the_customers_store_credit(
        client: TestClient, container: Container, stocked: Shop) -> None:
    # Given an order whose card was declined (on a payment hold) and a customer with 40.00 of store credit
    customer_id = give_credit(container, 4000)
    order = stocked.order([("A", 1)], payment={"method": "sandbox", "token": "tok_decline"})
    assert order["status"] == "on_hold"
    # When an agent adds a store credit payment of what is unpaid
    added = client.post(f"/api/v1/orders/{order['id']}/payments", json={"method": "store_credit"})
    assert added.status_code == 201, added.text
    # Then the store credit pays it, the hold is released and 10.00 is left
    paid = stocked.get_order(order["id"])
    assert paid["status"] == "placed" and not [h for h in paid["holds"] if h["active"]]
    assert balance(client, customer_id) == "10.00"
    assert payments(client, order["id"])["store_credit"]["authorized"] == "30.00"
