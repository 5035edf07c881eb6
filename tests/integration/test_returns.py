"""Returns (RMA) through the API on both databases: requested, approved, received in parts, inspected (resellable
units back to stock through the ledger, damaged ones written off), refunded to the card or as store credit with
the money ledger balanced, closed; and every bad request answered with a clear 4xx that changes nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baton.adapters.db.uow import UnitOfWork
from baton.bootstrap import Container
from baton.returns import refunds, services
from baton.returns.commands import LineRequest, RequestReturn
from baton.returns.model import ReturnMethod
from baton.shared.clock import frozen_at, utcnow
from baton.shared.errors import BatonError
from tests.conftest import Shop, bearer, token

CARD = {"method": "sandbox", "token": "tok_approve"}


def delivered(shop: Shop, items: list[tuple[str, int]], payment: dict | None = CARD) -> dict:
    """An order shipped from WH-BER and delivered (paid by a sandbox card, captured at shipment)."""
    order = shop.order(items, **({"payment": payment} if payment else {}))
    [fo] = order["fulfillment_orders"]
    for action in ("accept", "pack"):
        shop.act(fo["id"], action)
    shop.act(fo["id"], "ship", {"carrier": "DHL", "tracking_number": "DHL-1"})
    shop.act(fo["id"], "deliver")
    return shop.get_order(order["id"])


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("A", price="30.00")
    shop.product("B", price="20.00")
    shop.product("F", price="5.00", returnable=False)
    for sku in ("A", "B", "F"):
        shop.stock("WH-BER", sku, 10)
    return shop


def line_of(order: dict, sku: str) -> dict:
    return next(line for line in order["lines"] if line["sku"] == sku)


def open_return(client: TestClient, order: dict, lines: list[tuple[str, int]], status: int = 201,
                **extra: Any) -> dict:
    body = {"lines": [{"line_id": line_of(order, sku)["id"], "quantity": q, "reason": "too small"}
                      for sku, q in lines], "method": "ship_back", **extra}
    response = client.post(f"/api/v1/orders/{order['id']}/returns", json=body)
    assert response.status_code == status, response.text
    return response.json()


def act(client: TestClient, rma: dict, action: str, body: dict | None = None, status: int = 200,
        headers: dict | None = None) -> dict:
    response = client.post(f"/api/v1/returns/{rma['id']}/{action}", json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def counts(rma: dict, sku: str, quantity: int) -> dict:
    return {"lines": [{"line_id": next(line["line_id"] for line in rma["lines"] if line["sku"] == sku),
                       "quantity": quantity}]}


def verdict(rma: dict, sku: str, resellable: int, damaged: int) -> dict:
    line_id = next(line["line_id"] for line in rma["lines"] if line["sku"] == sku)
    return {"lines": [{"line_id": line_id, "resellable": resellable, "damaged": damaged}]}


def messages(client: TestClient, order_id: str) -> list[str]:
    return [e["message"] for e in client.get(f"/api/v1/orders/{order_id}/timeline").json()["items"]]


def stock_equals_ledger(client: TestClient, location: str, sku: str) -> int:
    level = client.get(f"/api/v1/inventory/{location}/{sku}").json()
    entries = client.get(f"/api/v1/inventory/{location}/{sku}/ledger", params={"limit": 200}).json()["items"]
    assert sum(entry["delta"] for entry in entries) == level["on_hand"]
    return int(level["on_hand"])


def balanced(client: TestClient, order_id: str) -> dict[str, str]:
    body = client.get("/api/v1/ledger/trial-balance", params={"order_id": order_id}).json()
    assert body["balanced"] is True
    [eur] = body["items"]
    return {a["account"]: a["balance"] for a in eur["accounts"] if a["balance"].strip("-0.")}


def snapshot(client: TestClient, order_id: str) -> tuple[Any, ...]:
    order = client.get(f"/api/v1/orders/{order_id}").json()
    return (order["lines"], order["version"], client.get(f"/api/v1/orders/{order_id}/returns").json(),
            client.get(f"/api/v1/orders/{order_id}/payments").json(),
            client.get("/api/v1/inventory/WH-BER/A").json()["on_hand"])


def test_a_return_in_two_parcels_restocks_resellable_units_writes_off_damaged_ones_and_refunds_the_card(
        client: TestClient, stocked: Shop) -> None:
    # Given a delivered order of 3 × A (30.00) and 1 × B, paid by card
    order = delivered(stocked, [("A", 3), ("B", 1)])
    assert stock_equals_ledger(client, "WH-BER", "A") == 7
    # When the customer returns all three A, in two parcels: 1 resellable + 1 damaged, then 1 resellable
    rma = open_return(client, order, [("A", 3)], tracking_number="RET-1")
    assert (rma["status"], rma["number"]) == ("requested", f"RMA-{order['number'][3:]}-1")
    assert line_of(stocked.get_order(order["id"]), "A")["quantities"]["return_requested"] == 3
    act(client, rma, "approve")
    rma = act(client, rma, "receive", {**counts(rma, "A", 2), "location": "WH-BER"})
    assert rma["status"] == "received" and rma["lines"][0]["received"] == 2
    rma = act(client, rma, "inspect", verdict(rma, "A", 1, 1))
    assert rma["status"] == "inspected"
    rma = act(client, rma, "receive", counts(rma, "A", 1))  # the second parcel, at the same location
    rma = act(client, rma, "inspect", verdict(rma, "A", 1, 0))
    rma = act(client, rma, "refund")
    # Then the card got 90.00 back, the ledger balances, 2 units are back in stock and 1 written off
    assert (rma["status"], rma["refund_amount"]) == ("refunded", "90.00")
    [payment] = client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
    assert payment["refunded"] == "90.00"
    assert "customer_receivable" not in balanced(client, order["id"])
    assert stock_equals_ledger(client, "WH-BER", "A") == 9
    buckets = line_of(stocked.get_order(order["id"]), "A")["quantities"]
    assert (buckets["return_requested"], buckets["returned"], buckets["written_off"]) == (0, 3, 1)
    closed = act(client, rma, "close")
    assert closed["status"] == "closed"
    timeline = messages(client, order["id"])
    assert (f"Return {rma['number']} requested: 3 × A (too small), to be sent back with tracking number RET-1; "
            "refund to the original payment.") in timeline
    assert f"Return {rma['number']}: received 2 × A at WH-BER; 1 more unit(s) expected." in timeline
    assert (f"Return {rma['number']} inspected: 1 × A resellable, back in stock at WH-BER; 1 × A damaged, "
            "written off.") in timeline
    assert f"Return {rma['number']} refunded: EUR 90.00 back to the original payment." in timeline
    audit = client.get("/api/v1/audit", params={"target_id": rma["id"]}).json()["items"]
    assert {"return.request", "return.receive", "return.inspect", "return.refund", "return.close"} <= {
        entry["action"] for entry in audit}


def test_a_refund_as_store_credit_books_it_in_the_ledger_and_the_customer_balance(
        client: TestClient, stocked: Shop) -> None:
    order = delivered(stocked, [("A", 1), ("B", 1)])
    rma = open_return(client, order, [("B", 1)], refund_to="store_credit")
    act(client, rma, "approve")
    act(client, rma, "receive", {**counts(rma, "B", 1), "location": "WH-BER"})
    act(client, rma, "inspect", verdict(rma, "B", 1, 0))
    rma = act(client, rma, "refund")
    assert (rma["status"], rma["refund_amount"]) == ("refunded", "20.00")
    credit = client.get(f"/api/v1/customers/{order['customer']['id']}/store-credit").json()
    assert credit["balances"] == [{"currency": "EUR", "balance": "20.00"}]
    balances = balanced(client, order["id"])
    assert balances["store_credit"] == "-20.00"  # a liability: owed to the customer
    assert "customer_receivable" not in balances
    [payment] = client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
    assert payment["refunded"] == "0.00"  # the card got nothing back
    kinds = [e["kind"] for e in client.get("/api/v1/ledger", params={"order_id": order["id"]}).json()["items"]]
    assert kinds.count("credit_memo") == 1 and kinds.count("store_credit_issued") == 1
    [memo] = client.get("/api/v1/credit-memos", params={"order_id": order["id"]}).json()["items"]
    assert (memo["payment_method"], memo["totals"]["total"]) == ("store_credit", "20.00")
    # And what went back as store credit cannot go back to the card as well
    refused = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"amount": "30.01", "reason": "again"})
    assert refused.status_code == 422 and refused.json()["code"] == "refund_exceeds_captured", refused.text
    assert "EUR 20.00 went back as store credit" in refused.json()["detail"]
    rest = client.post(f"/api/v1/orders/{order['id']}/refunds", json={"amount": "30.00", "reason": "the A"})
    assert rest.status_code == 201, rest.text


def test_units_refunded_by_lines_cannot_be_returned_for_a_second_refund(client: TestClient, stocked: Shop) -> None:
    order = delivered(stocked, [("A", 2)])
    a = line_of(order, "A")["id"]
    refunded = client.post(f"/api/v1/orders/{order['id']}/refunds",
                           json={"lines": [{"line_id": a, "quantity": 1}], "reason": "scratched"})
    assert refunded.status_code == 201, refunded.text

    refused = client.post(f"/api/v1/orders/{order['id']}/returns", json={
        "lines": [{"line_id": a, "quantity": 2, "reason": "too small"}], "method": "ship_back"})

    assert refused.status_code == 422 and refused.json()["code"] == "too_many_units", refused.text
    assert "1 refunded already" in refused.json()["detail"]
    open_return(client, order, [("A", 1)])  # the other unit may still come back


def test_the_channel_policy_keeps_back_restocking_and_return_shipping_fees(client: TestClient,
                                                                            stocked: Shop) -> None:
    policy = client.put("/api/v1/settings/return-policies/web", json={
        "window_days": 14, "restocking_fee_percent": 10, "return_shipping_fee": {"EUR": "4.50"}})
    assert policy.status_code == 200, policy.text
    assert client.get("/api/v1/settings/return-policies/web").json()["return_shipping_fee"] == {"EUR": "4.50"}
    order = delivered(stocked, [("A", 1)])
    rma = open_return(client, order, [("A", 1)])
    act(client, rma, "approve")
    act(client, rma, "receive", {**counts(rma, "A", 1), "location": "WH-BER"})
    act(client, rma, "inspect", verdict(rma, "A", 1, 0))
    rma = act(client, rma, "refund")
    assert (rma["refund_amount"], rma["deductions"]) == ("22.50", "7.50")  # 30.00 − 3.00 − 4.50


def test_a_rejected_return_gives_its_units_back_to_the_order(client: TestClient, stocked: Shop) -> None:
    order = delivered(stocked, [("A", 2)])
    rma = open_return(client, order, [("A", 2)])
    assert act(client, rma, "reject", {"reason": "worn"})["reject_reason"] == "worn"
    assert line_of(stocked.get_order(order["id"]), "A")["quantities"]["return_requested"] == 0
    assert open_return(client, order, [("A", 2)])["number"].endswith("-2")  # may be asked again


def test_a_return_of_more_units_than_were_delivered_is_refused_and_changes_nothing(client: TestClient,
                                                                                  stocked: Shop) -> None:
    order = delivered(stocked, [("A", 2)])
    open_return(client, order, [("A", 1)])
    before = snapshot(client, order["id"])
    refused = open_return(client, order, [("A", 2)], status=422)
    assert refused["code"] == "too_many_units" and refused["errors"][0]["field"] == "lines[0].quantity"
    assert "only 1 unit(s) of A can be returned" in refused["detail"]
    assert snapshot(client, order["id"]) == before


def test_a_return_after_the_window_is_refused(client: TestClient, stocked: Shop) -> None:
    order = delivered(stocked, [("A", 1)])
    before = snapshot(client, order["id"])
    with frozen_at(utcnow() + timedelta(days=31)):
        refused = open_return(client, order, [("A", 1)], status=409)
    assert refused["code"] == "return_window_closed" and "30 day(s) after delivery" in refused["detail"]
    assert snapshot(client, order["id"]) == before


def test_a_non_returnable_product_and_undelivered_units_cannot_be_returned(client: TestClient,
                                                                          stocked: Shop) -> None:
    order = delivered(stocked, [("A", 1), ("F", 1)])
    refused = open_return(client, order, [("F", 1)], status=422)
    assert refused["code"] == "not_returnable" and "final sale" in refused["detail"]
    patched = client.patch("/api/v1/products/A", json={"returnable": False})
    assert patched.status_code == 200 and patched.json()["returnable"] is False
    assert open_return(client, order, [("A", 1)], status=422)["code"] == "not_returnable"
    placed = stocked.order([("A", 1)])
    client.patch("/api/v1/products/A", json={"returnable": True})
    assert open_return(client, placed, [("A", 1)], status=422)["code"] == "too_many_units"
    assert client.get(f"/api/v1/orders/{order['id']}/returns").json()["items"] == []


def test_a_step_in_the_wrong_state_says_what_the_return_is_and_what_it_allows(client: TestClient,
                                                                              stocked: Shop) -> None:
    order = delivered(stocked, [("A", 1)])
    rma = open_return(client, order, [("A", 1)])
    before = snapshot(client, order["id"])
    refused = act(client, rma, "receive", {**counts(rma, "A", 1), "location": "WH-BER"}, status=409)
    assert refused["code"] == "return_wrong_state"
    assert refused["detail"] == (f"Return {rma['number']} is requested; it cannot be received now. "
                                 "A requested return can be: approved, rejected.")
    assert act(client, rma, "refund", status=409)["code"] == "return_wrong_state"
    assert snapshot(client, order["id"]) == before


def test_bad_bodies_name_the_field_and_change_nothing(client: TestClient, stocked: Shop) -> None:
    order = delivered(stocked, [("A", 1)])
    before = snapshot(client, order["id"])
    line = line_of(order, "A")["id"]
    for body, field in [({"lines": [], "method": "ship_back"}, "lines"),
                        ({"lines": [{"line_id": line, "quantity": 0, "reason": "x"}], "method": "ship_back"},
                         "quantity"),
                        ({"lines": [{"line_id": "line_nope", "quantity": 1, "reason": "x"}], "method": "ship_back"},
                         "lines[0].line_id"),
                        ({"lines": [{"line_id": line, "quantity": 1, "reason": "x"}], "method": "drop_off"},
                         "location"),
                        ({"lines": [{"line_id": line, "quantity": 1, "reason": "x"}], "method": "drop_off",
                          "location": "WH-BER"}, "location")]:
        response = client.post(f"/api/v1/orders/{order['id']}/returns", json=body)
        assert response.status_code == 422, response.text
        assert field in response.text
    assert snapshot(client, order["id"]) == before


class TestLocations:
    def test_a_fulfilment_user_receives_only_at_their_own_locations(self, client: TestClient, anonymous: TestClient,
                                                                    container: Container, stocked: Shop) -> None:
        order = delivered(stocked, [("A", 2)])
        rma = act(client, open_return(client, order, [("A", 2)], method="drop_off", location="ST-HAM"), "approve")
        munich = bearer(token(container, "fulfillment", ("WH-MUC",), name="munich"))
        before = snapshot(client, order["id"])
        refused = anonymous.post(f"/api/v1/returns/{rma['id']}/receive", json=counts(rma, "A", 1), headers=munich)
        assert refused.status_code == 404 and refused.json()["code"] == "return_not_found"
        assert snapshot(client, order["id"]) == before
        hamburg = bearer(token(container, "fulfillment", ("ST-HAM",), name="hamburg"))
        received = anonymous.post(f"/api/v1/returns/{rma['id']}/receive", json=counts(rma, "A", 2), headers=hamburg)
        assert received.status_code == 200, received.text
        inspected = anonymous.post(f"/api/v1/returns/{rma['id']}/inspect", json=verdict(rma, "A", 2, 0),
                                   headers=hamburg)
        assert inspected.status_code == 200, inspected.text
        assert stock_equals_ledger(client, "ST-HAM", "A") == 2  # back in stock where it was dropped off

    def test_a_parcel_cannot_be_received_at_another_location_than_the_users(
            self, client: TestClient, anonymous: TestClient, container: Container, stocked: Shop) -> None:
        order = delivered(stocked, [("A", 1)])
        rma = act(client, open_return(client, order, [("A", 1)]), "approve")
        munich = bearer(token(container, "fulfillment", ("WH-MUC",), name="munich"))
        before = snapshot(client, order["id"])
        refused = anonymous.post(f"/api/v1/returns/{rma['id']}/receive",
                                 json={**counts(rma, "A", 1), "location": "WH-BER"}, headers=munich)
        assert refused.status_code == 403 and refused.json()["code"] == "location_not_allowed"
        assert snapshot(client, order["id"]) == before


def test_an_order_paid_outside_baton_is_not_refunded_here_and_the_return_can_be_closed(
        client: TestClient, stocked: Shop) -> None:
    order = delivered(stocked, [("A", 1)], payment=None)
    rma = act(client, open_return(client, order, [("A", 1)]), "approve")
    act(client, rma, "receive", {**counts(rma, "A", 1), "location": "WH-BER"})
    act(client, rma, "inspect", verdict(rma, "A", 1, 0))
    refused = act(client, rma, "refund", status=409)
    assert refused["code"] == "no_payments" and "refund EUR 30.00 where the order was paid" in refused["detail"]
    assert client.get("/api/v1/ledger", params={"order_id": order["id"]}).json()["items"] == []
    assert act(client, rma, "close")["status"] == "closed"
    assert (f"Return {rma['number']} closed. 1 inspected unit(s) were not refunded in Baton. Every unit of it was "
            "received.") in messages(client, order["id"])


def test_an_agent_refunds_a_return_only_within_the_money_limit(client: TestClient, anonymous: TestClient,
                                                               container: Container, stocked: Shop) -> None:
    order = delivered(stocked, [("A", 2)])
    rma = act(client, open_return(client, order, [("A", 2)]), "approve")
    act(client, rma, "receive", {**counts(rma, "A", 2), "location": "WH-BER"})
    act(client, rma, "inspect", verdict(rma, "A", 2, 0))
    agent = bearer(token(container, "agent"))
    refused = anonymous.post(f"/api/v1/returns/{rma['id']}/refund", headers=agent)
    assert refused.status_code == 403 and refused.json()["code"] == "money_limit_exceeded"
    assert client.get(f"/api/v1/returns/{rma['id']}").json()["status"] == "inspected"


def test_a_refund_the_gateway_refuses_puts_the_return_back_to_inspected(client: TestClient, stocked: Shop) -> None:
    order = delivered(stocked, [("A", 1)], payment={"method": "sandbox", "token": "tok_refund_decline"})
    rma = act(client, open_return(client, order, [("A", 1)]), "approve")
    act(client, rma, "receive", {**counts(rma, "A", 1), "location": "WH-BER"})
    act(client, rma, "inspect", verdict(rma, "A", 1, 0))
    rma = act(client, rma, "refund")
    assert (rma["status"], rma["refund_amount"], rma["lines"][0]["refunded"]) == ("inspected", "0.00", 0)
    [payment] = client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
    assert payment["refunded"] == "0.00"
    assert any(m.startswith(f"The refund of return {rma['number']} was refused: ")
               for m in messages(client, order["id"]))
    assert act(client, rma, "refund")["status"] == "inspected"  # may be tried again


def test_a_retried_request_with_the_same_key_opens_one_return(client: TestClient, stocked: Shop) -> None:
    order = delivered(stocked, [("A", 2)])
    body = {"lines": [{"line_id": line_of(order, "A")["id"], "quantity": 1, "reason": "x"}], "method": "ship_back"}
    key = {"Idempotency-Key": "rma-ticket-7"}
    first = client.post(f"/api/v1/orders/{order['id']}/returns", json=body, headers=key)
    again = client.post(f"/api/v1/orders/{order['id']}/returns", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert len(client.get(f"/api/v1/orders/{order['id']}/returns").json()["items"]) == 1
    assert line_of(stocked.get_order(order["id"]), "A")["quantities"]["return_requested"] == 1
    rma = act(client, first.json(), "approve")
    received = [client.post(f"/api/v1/returns/{rma['id']}/receive", headers={"Idempotency-Key": "parcel-1"},
                            json={**counts(rma, "A", 1), "location": "WH-BER"}) for _ in range(2)]
    assert [r.status_code for r in received] == [200, 200]
    assert received[1].headers["Idempotent-Replayed"] == "true" and received[1].json()["lines"][0]["received"] == 1


class TestRacing:
    """Real parallel units of work, each on its own connection, released together at a barrier."""

    @staticmethod
    def race(container: Container, *calls: Callable[[UnitOfWork], Any]) -> list[Any]:
        barrier = threading.Barrier(len(calls))

        def run(call: Callable[[UnitOfWork], Any]) -> Any:
            barrier.wait()
            try:
                return call(container.uow())
            except BatonError as error:
                return error

        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(run, calls))

    def test_two_agents_asking_back_the_same_units_open_one_return(self, client: TestClient, container: Container,
                                                                   stocked: Shop) -> None:
        order = delivered(stocked, [("A", 2)])
        cmd = RequestReturn(order["id"], [LineRequest(line_of(order, "A")["id"], 2, "x")], ReturnMethod.SHIP_BACK)
        results = self.race(container, *[lambda uow: services.request_return(uow, cmd)] * 2)
        assert sorted(type(r).__name__ for r in results) == ["InvalidInput", "Return"]
        assert line_of(stocked.get_order(order["id"]), "A")["quantities"]["return_requested"] == 2

    def test_two_refunds_of_one_return_at_once_refund_it_once(self, client: TestClient, container: Container,
                                                              stocked: Shop) -> None:
        order = delivered(stocked, [("A", 1)])
        rma = act(client, open_return(client, order, [("A", 1)]), "approve")
        act(client, rma, "receive", {**counts(rma, "A", 1), "location": "WH-BER"})
        act(client, rma, "inspect", verdict(rma, "A", 1, 0))
        results = self.race(container, *[
            lambda uow, key=key: refunds.refund(uow, container.uow, container.gateway, rma["id"], key)
            for key in ("k1", "k2")])
        assert sorted(type(r).__name__ for r in results) == ["Conflict", "Return"]
        [payment] = client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
        assert payment["refunded"] == "30.00"
        assert "customer_receivable" not in balanced(client, order["id"])
