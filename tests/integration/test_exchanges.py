"""Exchanges through the API on both databases: delivered units swapped for other SKUs (a size swap). The return
and the replacement order are opened together (reserve now) or the replacement once the return is received; the
price difference is charged on the replacement or refunded to the original payment; both orders link to each
other on their timelines; stock stays equal to its ledger; an out-of-stock replacement creates nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Shop
from tests.integration import test_returns as rt


@pytest.fixture
def sizes(shop: Shop) -> Shop:
    for sku, price in (("TEE-S", "30.00"), ("TEE-M", "30.00"), ("TEE-L", "40.00"), ("CAP", "20.00")):
        shop.product(sku, price=price)
        shop.stock("WH-BER", sku, 5)
    shop.product("RARE", price="30.00")
    shop.stock("WH-BER", "RARE", 0)
    return shop


def exchange(client: TestClient, order: dict, swaps: list[tuple[str, int, str]], status: int = 201,
             **extra: Any) -> dict:
    body = {"lines": [{"line_id": rt.line_of(order, sku)["id"], "quantity": q, "sku": new, "reason": "too small"}
                      for sku, q, new in swaps], "method": "ship_back", **extra}
    response = client.post(f"/api/v1/orders/{order['id']}/exchanges", json=body)
    assert response.status_code == status, response.text
    return response.json()


def send_back(client: TestClient, rma_id: str, sku: str, units: int, complete: bool = True) -> dict:
    """The returned units arrive at WH-BER, resellable; then the exchange completes."""
    rma = client.get(f"/api/v1/returns/{rma_id}").json()
    rt.act(client, rma, "approve")
    rt.act(client, rma, "receive", {**rt.counts(rma, sku, units), "location": "WH-BER"})
    return rt.act(client, rma, "inspect", rt.verdict(rma, sku, units, 0))


def complete(client: TestClient, exchange_id: str, status: int = 200) -> dict:
    response = client.post(f"/api/v1/exchanges/{exchange_id}/complete")
    assert response.status_code == status, response.text
    return response.json()


def payments(client: TestClient, order_id: str) -> list[dict]:
    return list(client.get(f"/api/v1/orders/{order_id}/payments").json()["items"])


def reserved(client: TestClient, sku: str) -> int:
    return int(client.get(f"/api/v1/inventory/WH-BER/{sku}").json()["reserved"])


def test_a_size_swap_reserved_now_places_a_linked_replacement_paid_by_exchange_credit(
        client: TestClient, sizes: Shop) -> None:
    # Given a delivered order of one TEE-S, paid by card
    order = rt.delivered(sizes, [("TEE-S", 1)])
    # When the customer swaps it for a TEE-M, reserved now
    made = exchange(client, order, [("TEE-S", 1, "TEE-M")], reserve="now")
    # Then a return and a replacement order exist, linked, with no price difference
    assert (made["status"], made["returned_value"], made["price_difference"]) == ("placed", "30.00", "0.00")
    replacement = sizes.get_order(made["replacement_order_id"])
    assert [(line["sku"], line["quantity"]) for line in replacement["lines"]] == [("TEE-M", 1)]
    assert replacement["customer"]["email"] == order["customer"]["email"]
    assert replacement["channel"] == order["channel"] and replacement["totals"]["total"] == "30.00"
    assert reserved(client, "TEE-M") == 1 and replacement["fulfillment_orders"]
    rma = client.get(f"/api/v1/returns/{made['return_id']}").json()
    assert rma["status"] == "requested" and rma["lines"][0]["quantity"] == 1
    [credit] = payments(client, replacement["id"])
    assert (credit["method"], credit["authorized"], credit["reference"]) == ("external", "30.00", rma["number"])
    assert f"replacement order {replacement['number']}" in " ".join(rt.messages(client, order["id"]))
    assert f"of order {order['number']} (exchange)" in " ".join(rt.messages(client, replacement["id"]))
    for order_id in (order["id"], replacement["id"]):
        listed = client.get(f"/api/v1/orders/{order_id}/exchanges").json()["items"]
        assert [e["id"] for e in listed] == [made["id"]]
    assert client.get(f"/api/v1/exchanges/{made['id']}").json() == made
    # When the TEE-S comes back resellable and the exchange completes
    send_back(client, made["return_id"], "TEE-S", 1)
    done = complete(client, made["id"])
    # Then the return is exchanged (nothing refunded) and the TEE-S is back in stock, stock equal to its ledger
    assert done["status"] == "completed"
    rma = client.get(f"/api/v1/returns/{made['return_id']}").json()
    assert (rma["status"], rma["refund_amount"]) == ("exchanged", "0.00")
    assert [p["refunded"] for p in payments(client, order["id"])] == ["0.00"]
    assert rt.stock_equals_ledger(client, "WH-BER", "TEE-S") == 5
    assert rt.stock_equals_ledger(client, "WH-BER", "TEE-M") == 5
    assert rt.act(client, rma, "close")["status"] == "closed"
    audit = {e["action"] for e in client.get("/api/v1/audit", params={"target_id": made["id"]}).json()["items"]}
    assert {"exchange.open", "exchange.complete"} <= audit
    # And once the replacement ships, the books count one sale of 30.00 and the 30.00 the card really paid
    fo = replacement["fulfillment_orders"][0]["id"]
    sizes.act(fo, "accept")
    sizes.act(fo, "ship", {"carrier": "DHL"})
    books = ledger_balances(client, order["id"], replacement["id"])
    assert books["revenue"] + books["refunds"] == -3000  # sales net of the returned shirt's credit memo
    assert books["gateway_clearing"] == 3000 and books.get("customer_receivable", 0) == 0
    [memo] = client.get("/api/v1/credit-memos", params={"order_id": order["id"]}).json()["items"]
    assert (memo["payment_method"], memo["totals"]["total"]) == ("exchange_credit", "30.00")


def ledger_balances(client: TestClient, *order_ids: str) -> dict[str, int]:
    """Debits − credits per account over the orders' journal entries, in cents."""
    balances: dict[str, int] = {}
    for order_id in order_ids:
        for entry in client.get("/api/v1/ledger", params={"order_id": order_id, "limit": 200}).json()["items"]:
            for p in entry["postings"]:
                cents = round(float(p["debit"]) * 100) - round(float(p["credit"]) * 100)
                balances[p["account"]] = balances.get(p["account"], 0) + cents
    return balances


def test_a_swap_reserved_on_receipt_places_the_replacement_when_the_units_arrive(
        client: TestClient, sizes: Shop) -> None:
    order = rt.delivered(sizes, [("TEE-S", 2)])
    made = exchange(client, order, [("TEE-S", 2, "TEE-M")], reserve="on_receipt")
    assert (made["status"], made["replacement_order_id"], made["price_difference"]) == ("waiting", None, None)
    assert reserved(client, "TEE-M") == 0
    assert "reserved once the return is received" in " ".join(rt.messages(client, order["id"]))
    rma = client.get(f"/api/v1/returns/{made['return_id']}").json()
    rt.act(client, rma, "approve")
    rt.act(client, rma, "receive", {**rt.counts(rma, "TEE-S", 1), "location": "WH-BER"})
    assert client.get(f"/api/v1/exchanges/{made['id']}").json()["status"] == "waiting"  # one unit still to come
    rt.act(client, rma, "receive", rt.counts(rma, "TEE-S", 1))
    placed = client.get(f"/api/v1/exchanges/{made['id']}").json()
    assert (placed["status"], placed["price_difference"]) == ("placed", "0.00")
    replacement = sizes.get_order(placed["replacement_order_id"])
    assert [(line["sku"], line["quantity"]) for line in replacement["lines"]] == [("TEE-M", 2)]
    assert reserved(client, "TEE-M") == 2
    assert f"replacement order {replacement['number']}" in " ".join(rt.messages(client, order["id"]))
    assert rt.stock_equals_ledger(client, "WH-BER", "TEE-M") == 5


def test_a_dearer_replacement_charges_the_difference_to_the_original_card(client: TestClient, sizes: Shop) -> None:
    order = rt.delivered(sizes, [("TEE-S", 1)])
    made = exchange(client, order, [("TEE-S", 1, "TEE-L")])
    assert made["price_difference"] == "10.00"
    replacement = sizes.get_order(made["replacement_order_id"])
    by_method = {p["method"]: p for p in payments(client, replacement["id"])}
    assert set(by_method) == {"external", "sandbox"}
    assert (by_method["sandbox"]["authorized"], by_method["external"]["authorized"]) == ("10.00", "30.00")
    assert not [h for h in replacement["holds"] if h["active"]] and replacement["status"] == "placed"
    assert "the difference of EUR 10.00 is charged" in " ".join(rt.messages(client, replacement["id"]))


def test_a_dearer_replacement_without_a_reusable_payment_waits_on_a_payment_hold(
        client: TestClient, sizes: Shop) -> None:
    order = rt.delivered(sizes, [("TEE-S", 1)], payment=None)  # paid outside Baton
    made = exchange(client, order, [("TEE-S", 1, "TEE-L")])
    replacement = sizes.get_order(made["replacement_order_id"])
    assert replacement["status"] == "on_hold"
    assert "Add a payment of EUR 10.00" in str(replacement["holds"])


def test_a_cheaper_replacement_refunds_the_difference_when_the_exchange_completes(
        client: TestClient, sizes: Shop) -> None:
    order = rt.delivered(sizes, [("TEE-S", 1)])
    made = exchange(client, order, [("TEE-S", 1, "CAP")])
    assert made["price_difference"] == "-10.00"
    complete(client, made["id"], status=409)  # nothing has come back yet: nothing refunded
    assert [p["refunded"] for p in payments(client, order["id"])] == ["0.00"]
    send_back(client, made["return_id"], "TEE-S", 1)
    # the exchanged units are never refunded as a plain return as well
    refund = client.post(f"/api/v1/returns/{made['return_id']}/refund")
    assert refund.status_code == 409 and refund.json()["code"] == "return_is_exchanged", refund.text
    assert complete(client, made["id"])["status"] == "completed"
    assert [p["refunded"] for p in payments(client, order["id"])] == ["10.00"]
    assert client.get(f"/api/v1/returns/{made['return_id']}").json()["status"] == "exchanged"
    assert "the price difference of EUR 10.00 goes back" in " ".join(rt.messages(client, order["id"]))
    complete(client, made["id"], status=409)  # twice: refused, nothing refunded again
    assert [p["refunded"] for p in payments(client, order["id"])] == ["10.00"]


def snapshot(client: TestClient, order_id: str) -> tuple[Any, ...]:
    order = client.get(f"/api/v1/orders/{order_id}").json()
    return (order["lines"], order["version"], client.get(f"/api/v1/orders/{order_id}/returns").json(),
            client.get(f"/api/v1/orders/{order_id}/exchanges").json(),
            client.get("/api/v1/orders", params={"email": order["customer"]["email"]}).json()["items"],
            [client.get(f"/api/v1/inventory/WH-BER/{sku}").json() for sku in ("TEE-S", "TEE-M", "RARE")])


def test_an_out_of_stock_replacement_is_refused_with_409_and_creates_nothing(client: TestClient,
                                                                           sizes: Shop) -> None:
    order = rt.delivered(sizes, [("TEE-S", 1)])
    before = snapshot(client, order["id"])
    refused = exchange(client, order, [("TEE-S", 1, "RARE")], status=409)
    assert refused["code"] == "out_of_stock"
    assert snapshot(client, order["id"]) == before


@pytest.mark.parametrize(("swap", "extra", "status", "field"), [
    (("TEE-S", 1, "NOPE"), {}, 422, "lines[0].sku"),
    (("TEE-S", 2, "TEE-M"), {}, 422, "lines[0].quantity"),
    (("TEE-S", 1, "TEE-M"), {"method": "drop_off"}, 422, "location"),
    (("TEE-S", 1, "TEE-M"), {"reserve": "later"}, 422, "reserve"),
])
def test_a_bad_exchange_is_refused_naming_the_field_and_changes_nothing(
        client: TestClient, sizes: Shop, swap: tuple[str, int, str], extra: dict, status: int, field: str) -> None:
    order = rt.delivered(sizes, [("TEE-S", 1)])
    before = snapshot(client, order["id"])
    refused = exchange(client, order, [swap], status=status, **extra)
    assert field in str(refused), refused
    assert snapshot(client, order["id"]) == before


def test_an_exchange_of_undelivered_units_or_of_an_unknown_order_is_refused(client: TestClient, sizes: Shop) -> None:
    order = sizes.order([("TEE-S", 1)])
    before = snapshot(client, order["id"])
    assert exchange(client, order, [("TEE-S", 1, "TEE-M")], status=422)["code"] == "too_many_units"
    assert snapshot(client, order["id"]) == before
    assert client.post("/api/v1/orders/ord_nope/exchanges", json={"lines": [
        {"line_id": "x", "quantity": 1, "sku": "TEE-M", "reason": "r"}], "method": "ship_back"}).status_code == 404
    assert client.get("/api/v1/exchanges/exc_nope").status_code == 404


def test_a_dearer_replacement_placed_on_receipt_is_authorised_at_once(client: TestClient, shop: Shop) -> None:
    # Given a delivered order of one C (7.45) paid by card, swapped for an A (30.00) reserved on receipt
    shop.product("A", price="30.00")
    shop.product("C", price="7.45")
    for sku in ("A", "C"):
        shop.stock("WH-BER", sku, 5)
    order = rt.delivered(shop, [("C", 1)])
    body = {"method": "ship_back", "reserve": "on_receipt",
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1, "sku": "A", "reason": "other one"}]}
    made = client.post(f"/api/v1/orders/{order['id']}/exchanges", json=body)
    assert made.status_code == 201, made.text
    rma = client.get(f"/api/v1/returns/{made.json()['return_id']}").json()
    rt.act(client, rma, "approve")
    # When the unit is received: the replacement is placed, with 22.55 to charge to the card
    rt.act(client, rma, "receive", {**rt.counts(rma, "C", 1), "location": "WH-BER"})
    replacement = client.get(f"/api/v1/exchanges/{made.json()['id']}").json()["replacement_order_id"]
    # Then that charge was authorised as the response went out, as when the replacement is reserved at once
    payments = client.get(f"/api/v1/orders/{replacement}/payments").json()["items"]
    pending = [tx for p in payments for tx in p["transactions"] if tx["status"] == "pending"]
    assert pending == [], pending
