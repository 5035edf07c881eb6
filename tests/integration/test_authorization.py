"""Authorisation: every operation of the OpenAPI document × every role, no token, and a token of another
location. The permission table in baton.identity.permissions is the oracle; each route's declared action is read
from the document (`x-permission`), so a route added later is walked too."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baton.identity.permissions import PERMISSIONS, Action, Role, check_money, markdown_table, money_limit
from baton.shared.clock import frozen_at, utcnow
from baton.shared.errors import Forbidden
from tests.conftest import Shop, bearer, token

MUTATING = ("post", "put", "patch", "delete")
NON_API_TOKEN = {"public", "shopper"}  # routes no API token opens or closes

# What each operation must require, written down independently of the routes (a route declaring the wrong action
# would otherwise pass the matrix below); a new operation must be added here.
EXPECTED = {
    "GET /healthz": "public",
    "GET /api/v1/track/{tracking_id}": "public",
    "POST /api/v1/locations": "catalog.write",
    "GET /api/v1/locations": "catalog.read",
    "GET /api/v1/locations/{code}": "catalog.read",
    "PATCH /api/v1/locations/{code}": "catalog.write",
    "POST /api/v1/products": "catalog.write",
    "GET /api/v1/products": "catalog.read",
    "GET /api/v1/products/{sku}": "catalog.read",
    "PATCH /api/v1/products/{sku}": "catalog.write",
    "PUT /api/v1/inventory/{location_code}/{sku}": "inventory.write",
    "GET /api/v1/inventory/{location_code}/{sku}": "inventory.read",
    "POST /api/v1/inventory/{location_code}/{sku}/movements": "inventory.write",
    "PUT /api/v1/inventory/{location_code}/{sku}/reorder-point": "inventory.write",
    "GET /api/v1/inventory/{location_code}/{sku}/ledger": "inventory.read",
    "GET /api/v1/availability": "inventory.read",
    "POST /api/v1/orders": "orders.create",
    "GET /api/v1/orders": "orders.read",
    "GET /api/v1/orders/{order_id}": "orders.read",
    "GET /api/v1/orders/{order_id}/timeline": "orders.read",
    "POST /api/v1/orders/{order_id}/cancel": "orders.cancel",
    "POST /api/v1/orders/{order_id}/edits": "orders.edit",
    "POST /api/v1/orders/{order_id}/hold": "orders.hold",
    "POST /api/v1/orders/{order_id}/release": "orders.hold",
    "GET /api/v1/orders/{order_id}/payments": "orders.read",
    "POST /api/v1/orders/{order_id}/refunds": "refunds.issue",
    "POST /api/v1/orders/{order_id}/appeasements": "appeasements.issue",
    "POST /api/v1/orders/{order_id}/payments": "orders.hold",
    "GET /api/v1/ledger": "ledger.read",
    "GET /api/v1/ledger/trial-balance": "ledger.read",
    "GET /api/v1/invoices": "invoices.read",
    "GET /api/v1/invoices/{invoice_id}": "invoices.read",
    "GET /api/v1/credit-memos": "invoices.read",
    "GET /api/v1/credit-memos/{credit_memo_id}": "invoices.read",
    "GET /api/v1/fulfillment-orders": "fulfillment.read",
    "GET /api/v1/fulfillment-orders/{fo_id}": "fulfillment.read",
    "POST /api/v1/fulfillment-orders/{fo_id}/accept": "fulfillment.act",
    "POST /api/v1/fulfillment-orders/{fo_id}/pack": "fulfillment.act",
    "POST /api/v1/fulfillment-orders/{fo_id}/ship": "fulfillment.act",
    "POST /api/v1/fulfillment-orders/{fo_id}/deliver": "fulfillment.act",
    "POST /api/v1/fulfillment-orders/{fo_id}/shipments/{shipment_id}/deliver": "fulfillment.act",
    "POST /api/v1/fulfillment-orders/{fo_id}/reject": "fulfillment.act",
    "POST /api/v1/fulfillment-orders/{fo_id}/shipments/{shipment_id}/tracking-events": "fulfillment.act",
    "GET /api/v1/notification-templates": "settings.manage",
    "GET /api/v1/notification-templates/{moment}/{language}": "settings.manage",
    "PUT /api/v1/notification-templates/{moment}/{language}": "settings.manage",
    "DELETE /api/v1/notification-templates/{moment}/{language}": "settings.manage",
    "GET /api/v1/orders/{order_id}/notifications": "orders.read",
    "POST /api/v1/orders/{order_id}/notifications/{message_id}/resend": "orders.annotate",
    "GET /api/v1/customers/{customer_id}/notification-preferences": "customers.read",
    "PUT /api/v1/customers/{customer_id}/notification-preferences": "orders.annotate",
    "GET /api/v1/self-service/notification-preferences": "shopper",
    "PUT /api/v1/self-service/notification-preferences": "shopper",
    "POST /api/v1/tokens": "tokens.manage",
    "GET /api/v1/tokens": "tokens.manage",
    "POST /api/v1/tokens/{token_id}/revoke": "tokens.manage",
    "GET /api/v1/audit": "audit.read",
    "POST /api/v1/webhooks": "settings.manage",
    "GET /api/v1/webhooks": "settings.manage",
    "DELETE /api/v1/webhooks/{webhook_id}": "settings.manage",
    "POST /api/v1/webhooks/{webhook_id}/enable": "settings.manage",
    "GET /api/v1/webhooks/{webhook_id}/deliveries": "settings.manage",
    "POST /api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver": "settings.manage",
    "POST /api/v1/shopper/links": "public",
    "POST /api/v1/shopper/codes": "public",
    "POST /api/v1/shopper/sessions": "public",
    "GET /api/v1/shopper/orders": "shopper",
    "GET /api/v1/shopper/orders/{order_number}": "shopper",
    "POST /api/v1/shopper/orders/{order_number}/payments": "shopper",
    "GET /api/v1/customers": "customers.read",
    "GET /api/v1/customers/{customer_id}": "customers.read",
    "GET /api/v1/customers/{customer_id}/export": "customers.export",
    "POST /api/v1/customers/{customer_id}/erase": "customers.erase",
    "PATCH /api/v1/customers/{customer_id}": "orders.annotate",
    "POST /api/v1/orders/{order_id}/notes": "orders.annotate",
    "GET /api/v1/orders/{order_id}/notes": "orders.annotate",
    "GET /api/v1/orders/{order_id}/tags": "orders.annotate",
    "PUT /api/v1/orders/{order_id}/tags": "orders.annotate",
    "GET /api/v1/self-service/orders/{order_number}": "shopper",
    "POST /api/v1/self-service/orders/{order_number}/address": "shopper",
    "POST /api/v1/self-service/orders/{order_number}/cancel": "shopper",
    "POST /api/v1/self-service/orders/{order_number}/returns": "shopper",
    "GET /api/v1/settings/risk-rules": "settings.manage",
    "PUT /api/v1/settings/risk-rules/{code}": "settings.manage",
    "DELETE /api/v1/settings/risk-rules/{code}": "settings.manage",
    "GET /api/v1/settings/tax-rates": "settings.manage",
    "POST /api/v1/settings/tax-rates": "settings.manage",
    "DELETE /api/v1/settings/tax-rates/{rate_id}": "settings.manage",
    "GET /api/v1/settings/channels": "settings.manage",
    "PUT /api/v1/settings/channels/{channel}": "settings.manage",
    "GET /api/v1/settings/exchange-rates": "settings.manage",
    "POST /api/v1/settings/exchange-rates": "settings.manage",
    "GET /api/v1/reports/sales": "ledger.read",
    "POST /api/v1/orders/{order_id}/returns": "returns.manage",
    "GET /api/v1/orders/{order_id}/returns": "orders.read",
    "GET /api/v1/returns/{return_id}": "orders.read",
    "POST /api/v1/returns/{return_id}/approve": "returns.manage",
    "POST /api/v1/returns/{return_id}/reject": "returns.manage",
    "POST /api/v1/returns/{return_id}/receive": "returns.receive",
    "POST /api/v1/returns/{return_id}/inspect": "returns.receive",
    "POST /api/v1/returns/{return_id}/refund": "returns.manage",
    "POST /api/v1/returns/{return_id}/close": "returns.manage",
    "POST /api/v1/orders/{order_id}/exchanges": "returns.manage",
    "GET /api/v1/orders/{order_id}/exchanges": "orders.read",
    "GET /api/v1/exchanges/{exchange_id}": "orders.read",
    "POST /api/v1/exchanges/{exchange_id}/complete": "returns.manage",
    "POST /api/v1/exchanges/{exchange_id}/retry": "returns.manage",
    "POST /api/v1/gift-cards": "refunds.issue",
    "GET /api/v1/gift-cards/{gift_card_id}": "customers.read",
    "POST /api/v1/orders/{order_id}/claims": "returns.manage",
    "GET /api/v1/orders/{order_id}/claims": "orders.read",
    "GET /api/v1/claims/{claim_id}": "orders.read",
    "GET /api/v1/customers/{customer_id}/store-credit": "customers.read",
    "GET /api/v1/settings/return-policies/{channel}": "settings.manage",
    "PUT /api/v1/settings/return-policies/{channel}": "settings.manage",
}


def operations(client: TestClient) -> list[tuple[str, str, str]]:
    """(method, path template, permission) of every documented operation."""
    document = client.get("/openapi.json").json()
    return [(method, path, op["x-permission"]) for path, item in document["paths"].items()
            for method, op in item.items()]


def fill(path: str, known: dict[str, str]) -> str:
    for name, value in known.items():
        path = path.replace("{" + name + "}", value)
    return path.replace("{", "").replace("}", "")  # any other parameter: a name that exists nowhere


@pytest.fixture
def world(shop: Shop, client: TestClient, container: Any) -> dict[str, Any]:
    """A shop with an order routed to WH-BER, and a token of every role (the fulfilment one for WH-BER)."""
    shop.product("A")
    shop.stock("WH-BER", "A", 50)
    order = shop.order([("A", 1)])
    fo = order["fulfillment_orders"][0]
    assert fo["location"] == "WH-BER"
    spare = client.post("/api/v1/tokens", json={"name": "spare", "role": "analyst"}).json()["token"]["id"]
    tokens = {role.value: token(container, role.value, ("WH-BER",) if role is Role.FULFILLMENT else ())
              for role in Role}
    known = {"order_id": order["id"], "fo_id": fo["id"], "code": "WH-BER", "location_code": "WH-BER", "sku": "A",
             "tracking_id": order["tracking_id"], "token_id": spare, "order_number": order["number"],
             "customer_id": order["customer"]["id"]}
    return {"tokens": tokens, "known": known, "order": order, "fo": fo}


def test_every_operation_declares_the_permission_written_down_for_it(anonymous: TestClient) -> None:
    declared = {f"{method.upper()} {path}": permission for method, path, permission in operations(anonymous)}
    assert declared == EXPECTED


def test_the_table_keeps_read_only_roles_read_only_and_integrations_out_of_the_console() -> None:
    writes = {a for a in Action if not a.value.endswith(".read") and a is not Action.CONSOLE_SIGN_IN}
    assert PERMISSIONS[Role.ANALYST] & writes == set()
    assert Action.CONSOLE_SIGN_IN not in PERMISSIONS[Role.INTEGRATION]
    assert PERMISSIONS[Role.ADMIN] == set(Action)
    assert money_limit("agent", Action.REFUNDS_ISSUE) == Decimal("50.00")
    assert money_limit("admin", Action.REFUNDS_ISSUE) is None


def test_an_agent_may_refund_up_to_the_limit_and_no_further() -> None:
    check_money("agent", Action.REFUNDS_ISSUE, Decimal("50.00"), "EUR")
    with pytest.raises(Forbidden, match="above the agent limit"):
        check_money("agent", Action.REFUNDS_ISSUE, Decimal("50.01"), "EUR")
    with pytest.raises(Forbidden):
        check_money("analyst", Action.REFUNDS_ISSUE, Decimal("1.00"), "EUR")
    check_money("admin", Action.REFUNDS_ISSUE, Decimal("100000.00"), "EUR")


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    body = {} if method in MUTATING else None
    return client.request(method.upper(), path, json=body, headers=headers).status_code


def test_every_operation_refuses_every_role_the_table_does_not_allow(anonymous: TestClient, world) -> None:
    # Given every documented operation and a token of every role
    unexpected = []
    for method, template, permission in operations(anonymous):
        if permission in NON_API_TOKEN:
            continue
        action = Action(permission)
        path = fill(template, world["known"])
        for role, secret in world["tokens"].items():
            # When the role calls it (an empty body: refusal must come before any validation)
            status = call(anonymous, method, path, bearer(secret))
            # Then it is refused with 403 exactly when the table says no, and never refused when it says yes
            allowed = action in PERMISSIONS[Role(role)]
            if (allowed and status in (401, 403)) or (not allowed and status != 403):
                unexpected.append(f"{role} {method.upper()} {path} -> {status} (allowed: {allowed})")
    assert unexpected == []


def test_every_operation_behind_a_token_answers_401_without_one_or_with_a_bad_one(anonymous: TestClient,
                                                                                  world) -> None:
    bad = {"none": {}, "wrong": bearer("bt_" + "x" * 43), "not ours": bearer("abc"),
           "basic": {"Authorization": "Basic YWRtaW46YWRtaW4="}}
    unexpected = []
    for method, template, permission in operations(anonymous):
        if permission in NON_API_TOKEN:
            continue
        path = fill(template, world["known"])
        for name, headers in bad.items():
            response = anonymous.request(method.upper(), path, json={} if method in MUTATING else None,
                                         headers=headers)
            if response.status_code != 401 or "Bearer" not in response.headers.get("www-authenticate", ""):
                unexpected.append(f"{name}: {method.upper()} {path} -> {response.status_code}")
    assert unexpected == []


def test_public_operations_answer_without_a_token(anonymous: TestClient, world) -> None:
    public = [(m, p) for m, p, permission in operations(anonymous) if permission == "public"]
    assert ("get", "/healthz") in public and ("get", "/api/v1/track/{tracking_id}") in public
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get(f"/api/v1/track/{world['order']['tracking_id']}").status_code == 200


def test_a_revoked_or_expired_token_stops_working_at_once(client: TestClient, anonymous: TestClient) -> None:
    created = client.post("/api/v1/tokens", json={"name": "ci", "role": "analyst", "expires_days": 1}).json()
    secret, token_id = created["secret"], created["token"]["id"]
    assert anonymous.get("/api/v1/products", headers=bearer(secret)).status_code == 200
    with frozen_at(utcnow() + timedelta(days=1, seconds=1)):
        assert anonymous.get("/api/v1/products", headers=bearer(secret)).status_code == 401
    assert client.post(f"/api/v1/tokens/{token_id}/revoke").status_code == 200
    refused = anonymous.get("/api/v1/products", headers=bearer(secret))
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"


class TestAFulfilmentTokenOfAnotherLocation:
    """Someone else's object answers 404, exactly like one that does not exist."""

    @pytest.fixture
    def munich(self, container: Any) -> dict[str, str]:
        return bearer(token(container, "fulfillment", ("WH-MUC",), name="munich packer"))

    def test_cannot_see_or_work_a_berlin_fulfilment_order(self, anonymous: TestClient, world, munich) -> None:
        fo_id = world["fo"]["id"]
        missing = anonymous.get("/api/v1/fulfillment-orders/fo_doesnotexist", headers=munich).json()
        response = anonymous.get(f"/api/v1/fulfillment-orders/{fo_id}", headers=munich)
        assert response.status_code == 404 and response.json()["detail"] == missing["detail"].replace(
            "fo_doesnotexist", fo_id)
        for action in ("accept", "pack", "deliver"):
            assert anonymous.post(f"/api/v1/fulfillment-orders/{fo_id}/{action}", headers=munich).status_code == 404
        shipped = anonymous.post(f"/api/v1/fulfillment-orders/{fo_id}/ship", headers=munich,
                                 json={"carrier": "DHL"})
        assert shipped.status_code == 404
        rejected = anonymous.post(f"/api/v1/fulfillment-orders/{fo_id}/reject", headers=munich,
                                  json={"reason": "not ours"})
        assert rejected.status_code == 404

    def test_the_queue_and_stock_show_only_their_location(self, anonymous: TestClient, client: TestClient, world,
                                                          munich, shop: Shop) -> None:
        shop.stock("WH-MUC", "A", 3)
        queue = anonymous.get("/api/v1/fulfillment-orders", headers=munich).json()["items"]
        assert queue == []
        assert anonymous.get("/api/v1/fulfillment-orders?location=WH-BER", headers=munich).json()["items"] == []
        assert anonymous.get("/api/v1/inventory/WH-BER/A", headers=munich).status_code == 404
        assert anonymous.get("/api/v1/inventory/WH-BER/A/ledger", headers=munich).status_code == 404
        assert anonymous.get("/api/v1/inventory/WH-MUC/A", headers=munich).status_code == 200
        counted = anonymous.put("/api/v1/inventory/WH-BER/A", headers=munich, json={"on_hand": 0, "reason": "x"})
        assert counted.status_code == 404
        assert client.get("/api/v1/inventory/WH-BER/A").json()["on_hand"] == 50  # unchanged
        availability = anonymous.get("/api/v1/availability?sku=A", headers=munich).json()["items"][0]
        assert [loc["location"] for loc in availability["locations"]] == ["WH-MUC"]
        assert availability["available"] == 3

    def test_their_own_location_works(self, anonymous: TestClient, container: Any, world) -> None:
        berlin = bearer(token(container, "fulfillment", ("WH-BER",), name="berlin packer"))
        fo_id = world["fo"]["id"]
        assert [fo["id"] for fo in anonymous.get("/api/v1/fulfillment-orders", headers=berlin).json()["items"]] == [
            fo_id]
        assert anonymous.post(f"/api/v1/fulfillment-orders/{fo_id}/accept", headers=berlin).status_code == 200


@pytest.mark.parametrize(("path", "extra"), [
    ("/api/v1/orders", {"status": "shipped"}),
    ("/api/v1/orders", {"total": "0.01"}),
    ("/api/v1/orders", {"id": "ord_chosen"}),
    ("/api/v1/orders", {"role": "admin"}),
    ("/api/v1/tokens", {"role": "admin", "name": "x", "created_by": "someone else"}),
])
def test_mass_assignment_probes_are_refused_and_change_nothing(client: TestClient, shop: Shop, container: Any,
                                                               path: str, extra: dict) -> None:
    shop.product("A")
    shop.stock("WH-BER", "A", 5)
    body = shop.order_body([("A", 1)]) if path == "/api/v1/orders" else {}
    before = client.get("/api/v1/orders").json()["items"], client.get("/api/v1/tokens").json()["items"]
    response = client.post(path, json={**body, **extra})
    assert response.status_code == 422
    assert any(e["field"] == next(iter(extra)) or e["field"] in extra for e in response.json()["errors"])
    after = client.get("/api/v1/orders").json()["items"], client.get("/api/v1/tokens").json()["items"]
    assert after == before


def test_a_role_cannot_be_raised_through_the_token_route(anonymous: TestClient, container: Any) -> None:
    agent = bearer(token(container, "agent"))
    response = anonymous.post("/api/v1/tokens", headers=agent, json={"name": "me", "role": "admin"})
    assert response.status_code == 403


def test_the_readme_prints_the_permission_table_the_code_enforces() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert markdown_table() in readme, "README is stale: paste the output of `baton permissions`"
