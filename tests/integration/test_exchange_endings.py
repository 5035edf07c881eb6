"""Exchanges that do not go straight through, on both databases: a replacement reserved on receipt that was out of
stock when the units arrived is placed by a retry once stock is back (a clear 409 while still short, changing
nothing); an exchange whose return is rejected ends: its replacement is cancelled, its stock released and its
payments (the exchange credit and any charge of the difference) voided, and both timelines say why."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Shop
from tests.integration import test_exchanges as ex
from tests.integration import test_returns as rt

sizes = ex.sizes  # the shop's T-shirts (5 of each at WH-BER) and a RARE SKU with no stock


def waiting_for_stock(client: TestClient, shop: Shop) -> tuple[dict, dict]:
    """A delivered TEE-S swapped for a RARE on receipt; the TEE-S arrives while RARE is out of stock."""
    order = rt.delivered(shop, [("TEE-S", 1)])
    made = ex.exchange(client, order, [("TEE-S", 1, "RARE")], reserve="on_receipt")
    rma = client.get(f"/api/v1/returns/{made['return_id']}").json()
    rt.act(client, rma, "approve")
    rt.act(client, rma, "receive", {**rt.counts(rma, "TEE-S", 1), "location": "WH-BER"})
    return order, client.get(f"/api/v1/exchanges/{made['id']}").json()


def retry(client: TestClient, exchange_id: str, status: int = 200, **headers: str) -> dict:
    response = client.post(f"/api/v1/exchanges/{exchange_id}/retry", headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def state(client: TestClient, order: dict, exchange_id: str) -> tuple[Any, ...]:
    return (client.get(f"/api/v1/exchanges/{exchange_id}").json(), ex.snapshot(client, order["id"]),
            client.get("/api/v1/inventory/WH-BER/RARE").json(), rt.messages(client, order["id"]))


def test_an_exchange_out_of_stock_at_receipt_is_placed_by_a_retry_once_stock_is_back(
        client: TestClient, sizes: Shop) -> None:
    # Given an on-receipt exchange whose replacement was out of stock when the units arrived
    order, waiting = waiting_for_stock(client, sizes)
    assert (waiting["status"], waiting["replacement_order_id"]) == ("waiting", None)
    assert "it waits for stock" in " ".join(rt.messages(client, order["id"]))
    # When it is retried while still out of stock: a clear 409 naming the shortage, and nothing changes
    before = state(client, order, waiting["id"])
    refused = retry(client, waiting["id"], status=409)
    assert refused["code"] == "out_of_stock" and "RARE" in str(refused)
    assert state(client, order, waiting["id"]) == before
    # When stock arrives and it is retried (twice with the same key: placed once)
    sizes.stock("WH-BER", "RARE", 3)
    placed = retry(client, waiting["id"], **{"Idempotency-Key": "retry-1"})
    assert retry(client, waiting["id"], **{"Idempotency-Key": "retry-1"}) == placed
    # Then the replacement is reserved, routed and linked, and the timeline says so
    assert (placed["status"], placed["price_difference"]) == ("placed", "0.00")
    replacement = sizes.get_order(placed["replacement_order_id"])
    assert [(line["sku"], line["quantity"]) for line in replacement["lines"]] == [("RARE", 1)]
    assert ex.reserved(client, "RARE") == 1 and replacement["fulfillment_orders"]
    told = " ".join(rt.messages(client, order["id"]))
    assert "stock is back, the replacement is reserved now" in told
    assert f"replacement order {replacement['number']}" in told
    audit = {e["action"] for e in client.get("/api/v1/audit", params={"target_id": placed["id"]}).json()["items"]}
    assert "exchange.retry" in audit
    # And a placed exchange cannot be retried again
    assert retry(client, placed["id"], status=409)["code"] == "exchange_wrong_state"
    assert rt.stock_equals_ledger(client, "WH-BER", "RARE") == 3


def test_a_retry_before_every_unit_arrived_or_of_an_unknown_exchange_is_refused(client: TestClient,
                                                                              sizes: Shop) -> None:
    order = rt.delivered(sizes, [("TEE-S", 2)])
    made = ex.exchange(client, order, [("TEE-S", 2, "TEE-M")], reserve="on_receipt")
    before = state(client, order, made["id"])
    assert retry(client, made["id"], status=409)["code"] == "exchange_not_ready"
    assert state(client, order, made["id"]) == before
    assert retry(client, "exc_nope", status=404)["code"] == "exchange_not_found"


def test_a_rejected_return_cancels_its_exchange_and_the_replacement_releasing_stock_and_voiding_the_charge(
        client: TestClient, sizes: Shop) -> None:
    # Given a delivered TEE-S swapped for a dearer TEE-L reserved now: 10.00 more charged to the card
    order = rt.delivered(sizes, [("TEE-S", 1)])
    made = ex.exchange(client, order, [("TEE-S", 1, "TEE-L")], reserve="now")
    replacement_id = made["replacement_order_id"]
    assert ex.reserved(client, "TEE-L") == 1
    by_method = {p["method"]: p for p in ex.payments(client, replacement_id)}
    assert by_method["sandbox"]["authorized"] == "10.00"
    # When the shop rejects the return
    rma = client.get(f"/api/v1/returns/{made['return_id']}").json()
    rejected = rt.act(client, rma, "reject", {"reason": "worn, tags removed"})
    assert rejected["status"] == "rejected"
    # Then the exchange is cancelled and its replacement too: stock released, every payment voided
    assert client.get(f"/api/v1/exchanges/{made['id']}").json()["status"] == "cancelled"
    replacement = sizes.get_order(replacement_id)
    assert replacement["status"] == "cancelled"
    assert ex.reserved(client, "TEE-L") == 0 and rt.stock_equals_ledger(client, "WH-BER", "TEE-L") == 5
    payments = ex.payments(client, replacement_id)
    assert {(p["method"], p["status"], p["captured"]) for p in payments} == {
        ("external", "voided", "0.00"), ("sandbox", "voided", "0.00")}
    # And both timelines say why; the original order keeps its delivered unit
    told = " ".join(rt.messages(client, order["id"]))
    assert (f"Exchange for return {rma['number']} cancelled, the return being rejected (worn, tags removed): "
            f"replacement order {replacement['number']} cancelled") in told
    assert "this replacement is not sent and nothing is charged" in " ".join(rt.messages(client, replacement_id))
    line = rt.line_of(sizes.get_order(order["id"]), "TEE-S")["quantities"]
    assert (line["delivered"], line["return_requested"], line["returned"]) == (1, 0, 0)
    # And a cancelled exchange can neither complete nor be retried
    assert ex.complete(client, made["id"], status=409)["code"] == "exchange_wrong_state"
    assert retry(client, made["id"], status=409)["code"] == "exchange_wrong_state"


def test_a_rejected_return_ends_an_exchange_still_waiting_for_its_units(client: TestClient, sizes: Shop) -> None:
    order = rt.delivered(sizes, [("TEE-S", 1)])
    made = ex.exchange(client, order, [("TEE-S", 1, "TEE-M")], reserve="on_receipt")
    rma = client.get(f"/api/v1/returns/{made['return_id']}").json()
    rt.act(client, rma, "reject", {"reason": "outside the policy"})
    ended = client.get(f"/api/v1/exchanges/{made['id']}").json()
    assert (ended["status"], ended["replacement_order_id"]) == ("cancelled", None)
    assert "no replacement was placed" in " ".join(rt.messages(client, order["id"]))
    assert ex.reserved(client, "TEE-M") == 0


def test_a_return_whose_replacement_already_shipped_cannot_be_rejected_and_nothing_changes(
        client: TestClient, sizes: Shop) -> None:
    order = rt.delivered(sizes, [("TEE-S", 1)])
    made = ex.exchange(client, order, [("TEE-S", 1, "TEE-M")], reserve="now")
    replacement = sizes.get_order(made["replacement_order_id"])
    fo = replacement["fulfillment_orders"][0]["id"]
    sizes.act(fo, "accept")
    sizes.act(fo, "ship", {"carrier": "DHL"})
    before = state(client, order, made["id"]), sizes.get_order(replacement["id"])
    rma = client.get(f"/api/v1/returns/{made['return_id']}").json()
    refused = rt.act(client, rma, "reject", {"reason": "late"}, status=409)
    assert refused["code"] == "exchange_replacement_shipped"
    assert (state(client, order, made["id"]), sizes.get_order(replacement["id"])) == before


@pytest.mark.parametrize("reserve", ["now", "on_receipt"])
def test_a_completed_exchange_stays_completed_when_its_return_is_closed(client: TestClient, sizes: Shop,
                                                                       reserve: str) -> None:
    order = rt.delivered(sizes, [("TEE-S", 1)])
    made = ex.exchange(client, order, [("TEE-S", 1, "TEE-M")], reserve=reserve)
    ex.send_back(client, made["return_id"], "TEE-S", 1)
    assert ex.complete(client, made["id"])["status"] == "completed"
    rma = client.get(f"/api/v1/returns/{made['return_id']}").json()
    assert rt.act(client, rma, "close")["status"] == "closed"
    assert client.get(f"/api/v1/exchanges/{made['id']}").json()["status"] == "completed"
