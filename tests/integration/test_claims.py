"""Claims through the API on both databases: shipped units lost or damaged in transit, or the wrong item, resolved
at once without a return — replaced by an order at no charge, or refunded to the original payment — recorded, on
the timeline, audited; the same units cannot be claimed twice, and every refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from baton.bootstrap import Container
from baton.returns import claim_services
from baton.returns.claim_services import OpenClaim
from baton.returns.claims import ClaimKind, Resolution
from tests.conftest import Shop
from tests.integration import test_returns as rt


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("MUG", price="12.00")
    shop.product("VASE", price="50.00")
    for sku in ("MUG", "VASE"):
        shop.stock("WH-BER", sku, 5)
    return shop


def claim(client: TestClient, order: dict, lines: list[tuple[str, int]], resolution: str, kind: str = "damaged",
          status: int = 201, note: str = "arrived broken") -> dict:
    body = {"kind": kind, "resolution": resolution, "note": note,
            "lines": [{"line_id": rt.line_of(order, sku)["id"], "quantity": q} for sku, q in lines]}
    response = client.post(f"/api/v1/orders/{order['id']}/claims", json=body)
    assert response.status_code == status, response.text
    return response.json()


def snapshot(client: TestClient, order_id: str) -> tuple[Any, ...]:
    order = client.get(f"/api/v1/orders/{order_id}").json()
    return (order["lines"], order["version"], client.get(f"/api/v1/orders/{order_id}/claims").json(),
            client.get(f"/api/v1/orders/{order_id}/payments").json(),
            client.get("/api/v1/orders", params={"email": order["customer"]["email"]}).json()["items"],
            [client.get(f"/api/v1/inventory/WH-BER/{sku}").json() for sku in ("MUG", "VASE")])


def test_a_damaged_unit_is_replaced_by_an_order_at_no_charge(client: TestClient, stocked: Shop) -> None:
    # Given a delivered order of 2 mugs and a vase, paid by card
    order = rt.delivered(stocked, [("MUG", 2), ("VASE", 1)])
    # When one mug arrived broken and the agent replaces it
    made = claim(client, order, [("MUG", 1)], "replace")
    # Then a replacement order of one mug is placed and reserved, paid by nothing the customer owes
    assert (made["number"], made["value"], made["kind"]) == (f"CLM-{order['number'][3:]}-1", "12.00", "damaged")
    replacement = stocked.get_order(made["replacement_order_id"])
    assert [(line["sku"], line["quantity"]) for line in replacement["lines"]] == [("MUG", 1)]
    assert replacement["status"] == "placed" and replacement["customer"]["email"] == order["customer"]["email"]
    # a replacement is no sale: priced 0, no payment, nothing booked in the money ledger
    assert (replacement["totals"]["total"], replacement["payment_status"]) == ("0.00", "none")
    assert client.get(f"/api/v1/orders/{replacement['id']}/payments").json()["items"] == []
    assert client.get("/api/v1/ledger", params={"order_id": replacement["id"]}).json()["items"] == []
    assert int(client.get("/api/v1/inventory/WH-BER/MUG").json()["reserved"]) == 1
    assert rt.stock_equals_ledger(client, "WH-BER", "MUG") == 3
    # And both timelines tell it; the claim is listed, readable and audited; the card was not touched
    assert (f"Claim {made['number']}: 1 × MUG damaged in transit (arrived broken); replacement order "
            f"{replacement['number']} placed at no charge.") in rt.messages(client, order["id"])
    assert f"Replacement for claim {made['number']} of order {order['number']}" in " ".join(
        rt.messages(client, replacement["id"]))
    assert client.get(f"/api/v1/claims/{made['id']}").json() == made
    assert [c["id"] for c in client.get(f"/api/v1/orders/{order['id']}/claims").json()["items"]] == [made["id"]]
    [payment] = client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
    assert payment["refunded"] == "0.00"
    audit = client.get("/api/v1/audit", params={"target_id": made["id"]}).json()["items"]
    assert [entry["action"] for entry in audit] == ["claim.open"]


def test_a_lost_unit_is_refunded_to_the_card_at_once(client: TestClient, stocked: Shop) -> None:
    order = rt.delivered(stocked, [("MUG", 2), ("VASE", 1)])
    made = claim(client, order, [("VASE", 1)], "refund", kind="lost", note="parcel lost by the carrier")
    assert (made["resolution"], made["value"], made["replacement_order_id"]) == ("refund", "50.00", None)
    [payment] = client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"]
    assert payment["refunded"] == "50.00"
    assert "customer_receivable" not in rt.balanced(client, order["id"])
    assert (f"Claim {made['number']}: 1 × VASE lost in transit (parcel lost by the carrier); EUR 50.00 refunded "
            "to the original payment.") in rt.messages(client, order["id"])


def test_units_claimed_once_cannot_be_claimed_again(client: TestClient, stocked: Shop) -> None:
    order = rt.delivered(stocked, [("MUG", 2)])
    claim(client, order, [("MUG", 1)], "refund")
    claim(client, order, [("MUG", 1)], "replace", kind="wrong_item")  # the other mug: fine
    before = snapshot(client, order["id"])
    for resolution in ("replace", "refund"):
        refused = claim(client, order, [("MUG", 1)], resolution, status=422)
        assert refused["errors"][0]["field"] == "lines[0].quantity"
    assert snapshot(client, order["id"]) == before


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"kind": "stolen"}, 422, "kind"),
    ({"resolution": "repair"}, 422, "resolution"),
    ({"note": "  "}, 422, "note"),
    ({"lines": [{"line_id": "orl_nope", "quantity": 1}]}, 422, "lines[0].line_id"),
    ({"lines": [{"line_id": "MUG", "quantity": 3}]}, 422, "lines[0].quantity"),
])
def test_a_bad_claim_is_refused_naming_the_field_and_changes_nothing(
        client: TestClient, stocked: Shop, body: dict, status: int, field: str) -> None:
    order = rt.delivered(stocked, [("MUG", 2)])
    lines = [{"line_id": rt.line_of(order, "MUG")["id"] if line["line_id"] == "MUG" else line["line_id"],
              "quantity": line["quantity"]} for line in body.get("lines", [{"line_id": "MUG", "quantity": 1}])]
    before = snapshot(client, order["id"])
    response = client.post(f"/api/v1/orders/{order['id']}/claims", json={
        "kind": "damaged", "resolution": "replace", "note": "broken", **body, "lines": lines})
    assert response.status_code == status, response.text
    assert field in str(response.json()), response.text
    assert snapshot(client, order["id"]) == before


def test_units_not_shipped_cannot_be_claimed_and_an_unknown_claim_is_404(client: TestClient, stocked: Shop) -> None:
    order = stocked.order([("MUG", 1)])
    before = snapshot(client, order["id"])
    claim(client, order, [("MUG", 1)], "replace", status=422)
    assert snapshot(client, order["id"]) == before
    assert client.get("/api/v1/claims/clm_nope").status_code == 404
    assert client.get("/api/v1/orders/ord_nope/claims").status_code == 404


def test_two_agents_claiming_the_same_unit_at_once_replace_it_once(client: TestClient, container: Container,
                                                                   stocked: Shop) -> None:
    # Real parallel units of work, each on its own connection, released together at a barrier
    order = rt.delivered(stocked, [("MUG", 1)])
    cmd = OpenClaim(order["id"], ClaimKind.LOST, {rt.line_of(order, "MUG")["id"]: 1}, Resolution.REPLACE, "lost")
    results = rt.TestRacing.race(container, *[
        lambda uow, key=key: claim_services.open_claim(uow, container.uow, container.gateway, cmd, key)
        for key in ("k1", "k2")])
    assert sorted(type(r).__name__ for r in results) == ["Claim", "InvalidInput"]
    assert len(client.get(f"/api/v1/orders/{order['id']}/claims").json()["items"]) == 1
    assert int(client.get("/api/v1/inventory/WH-BER/MUG").json()["reserved"]) == 1
