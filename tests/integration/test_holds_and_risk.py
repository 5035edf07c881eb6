"""Fraud and risk holds: rules that hold a new order with their reasons, manual holds, releases, and what a hold
stops (accept, pack, ship) and does not (cancel, reject), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from typer.testing import CliRunner

from baton.bootstrap import Container
from baton.entrypoints.cli.main import app as cli
from baton.orders import services
from baton.orders.commands import LineRequest, PlaceOrder
from tests.conftest import HAMBURG, Shop, bearer, token
from tests.integration.test_shopper_access import token_for

US_BILLING = {"line1": "1 Main St", "city": "Philadelphia", "postal_code": "19103", "country": "US"}


def rule(client: TestClient, code: str, kind: str, params: dict | None = None, active: bool = True,
         status: int | tuple[int, ...] = (200, 201)) -> dict:
    body: dict[str, Any] = {"kind": kind, "active": active}
    if params is not None:
        body["params"] = params
    response = client.put(f"/api/v1/settings/risk-rules/{code}", json=body)
    assert response.status_code in ((status,) if isinstance(status, int) else status), response.text
    return response.json()


def held_messages(client: TestClient, order: dict) -> list[str]:
    timeline = client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]
    return [e["message"] for e in timeline if e["kind"] == "held"]


def customer(email: str) -> dict[str, str]:
    return {"email": email, "name": "Jane Doe"}


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("A", price="60.00")
    shop.stock("WH-BER", "A", 100)
    return shop


# -- each rule kind ------------------------------------------------------------------------------------------------
def test_a_first_order_above_the_amount_is_held_and_a_smaller_or_a_later_one_is_not(stocked, client):
    # Given a rule that reviews first orders above EUR 100.00
    rule(client, "big-first-order", "first_order_total_above", {"amount": "100.00", "currency": "EUR"})
    # When a new customer orders for EUR 120.00, another new one for EUR 60.00, and the second one again for 120.00
    big = stocked.order([("A", 2)], customer=customer("new@example.com"))
    small = stocked.order([("A", 1)], customer=customer("known@example.com"))
    later = stocked.order([("A", 2)], customer=customer("known@example.com"))
    # Then only the big first order is on hold, with the rule's sentence on its timeline, and its stock reserved
    assert big["status"] == "on_hold" and big["fulfillment_status"] == "allocated"
    [hold] = big["holds"]
    assert hold["kind"] == "risk" and hold["active"] and hold["placed_by"] == "risk rules"
    assert hold["reasons"] == ["This is the customer's first order and its total, EUR 120.00, is above the EUR 100.00 "
                               "a first order may reach without review (rule big-first-order)."]
    [message] = held_messages(client, big)
    assert hold["reasons"][0] in message and "Nothing is accepted, packed or shipped" in message
    assert (small["status"], small["holds"]) == ("placed", [])
    assert (later["status"], later["holds"]) == ("placed", [])
    assert stocked.level("WH-BER", "A")["reserved"] == 5


def test_an_order_in_another_currency_is_not_judged_by_an_amount_in_euros(stocked, client):
    stocked.product("U", price="500.00", currency="USD")
    stocked.stock("WH-BER", "U", 5)
    rule(client, "big-first-order", "first_order_total_above", {"amount": "100.00", "currency": "EUR"})
    order = stocked.order([("U", 1)], currency="USD")
    assert order["status"] == "placed"


def test_billing_and_shipping_countries_that_differ_hold_the_order(stocked, client):
    rule(client, "geo", "countries_differ")
    abroad = stocked.order([("A", 1)], billing_address=US_BILLING)
    home = stocked.order([("A", 1)], billing_address={**US_BILLING, "country": "DE"})
    unknown = stocked.order([("A", 1)])  # no billing address: nothing to compare
    assert abroad["status"] == "on_hold"
    assert abroad["holds"][0]["reasons"] == ["The billing country US differs from the shipping country DE (rule geo)."]
    assert held_messages(client, abroad)
    assert home["status"] == unknown["status"] == "placed"


def test_more_orders_from_one_email_in_an_hour_than_allowed_are_held(stocked, client):
    rule(client, "email-velocity", "orders_per_email_per_hour", {"limit": 2})
    first = stocked.order([("A", 1)], customer=customer("fast@example.com"))
    second = stocked.order([("A", 1)], customer=customer("Fast@Example.com"))  # the same address, differently cased
    third = stocked.order([("A", 1)], customer=customer("fast@example.com"))
    other = stocked.order([("A", 1)], customer=customer("slow@example.com"))
    assert [o["status"] for o in (first, second, third, other)] == ["placed", "placed", "on_hold", "placed"]
    assert third["holds"][0]["reasons"] == [
        "This is order 3 from the same email address within an hour; more than 2 are held for review "
        "(rule email-velocity)."]


def test_more_orders_to_one_address_in_an_hour_than_allowed_are_held(stocked, client):
    rule(client, "address-velocity", "orders_per_address_per_hour", {"limit": 1})
    first = stocked.order([("A", 1)], customer=customer("one@example.com"))
    # the same street, postal code and country, written differently, from another email
    same = {**HAMBURG, "line1": "  JUNGFERNSTIEG 1 ", "postal_code": "200 95", "name": "Someone Else"}
    second = stocked.order([("A", 1)], customer=customer("two@example.com"), shipping_address=same)
    elsewhere = stocked.order([("A", 1)], customer=customer("three@example.com"),
                              shipping_address={**HAMBURG, "line1": "Jungfernstieg 2"})
    assert [o["status"] for o in (first, second, elsewhere)] == ["placed", "on_hold", "placed"]
    assert "order 2 to the same shipping address" in second["holds"][0]["reasons"][0]


def test_every_matching_rule_gives_its_reason_and_an_inactive_rule_none(stocked, client):
    rule(client, "geo", "countries_differ")
    rule(client, "big-first-order", "first_order_total_above", {"amount": "100.00", "currency": "EUR"})
    rule(client, "address-velocity", "orders_per_address_per_hour", {"limit": 1}, active=False)
    stocked.order([("A", 1)], customer=customer("y@example.com"))  # to the same address: matches the inactive rule
    order = stocked.order([("A", 2)], customer=customer("x@example.com"), billing_address=US_BILLING)
    [hold] = order["holds"]
    assert [r.split(" (rule ")[1] for r in hold["reasons"]] == ["big-first-order).", "geo)."]
    listed = client.get("/api/v1/orders", params={"status": "on_hold"}).json()["items"]
    assert [o["id"] for o in listed] == [order["id"]]


# -- what a hold stops ----------------------------------------------------------------------------------------------
def test_a_held_order_ships_nothing_until_an_agent_releases_it(stocked, client, anonymous, container):
    rule(client, "geo", "countries_differ")
    order = stocked.order([("A", 2)], billing_address=US_BILLING)
    fo_id = order["fulfillment_orders"][0]["id"]
    # The warehouse queue shows it is on hold
    queue = client.get("/api/v1/fulfillment-orders", params={"location": "WH-BER"}).json()["items"]
    assert [(fo["id"], fo["on_hold"]) for fo in queue] == [(fo_id, True)]
    # accept, pack and ship are refused with the reason, and nothing changes
    for action, body in (("accept", None), ("pack", None), ("ship", {"carrier": "DHL"})):
        response = client.post(f"/api/v1/fulfillment-orders/{fo_id}/{action}", json=body)
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["code"] == "order_on_hold"
        assert "The billing country US differs from the shipping country DE" in problem["detail"]
        assert "until an agent releases it" in problem["detail"]
    assert stocked.get_order(order["id"])["version"] == order["version"]
    assert stocked.level("WH-BER", "A") | {"updated_at": None} == {
        "location": "WH-BER", "sku": "A", "on_hand": 100, "reserved": 2, "safety_stock": 0, "available": 98,
        "reorder_point": None, "updated_at": None}
    # When an agent releases it
    agent = bearer(token(container, "agent", name="Ana"))
    released = anonymous.post(f"/api/v1/orders/{order['id']}/release", headers=agent,
                              json={"note": "Customer confirmed by phone."})
    assert released.status_code == 200, released.text
    body = released.json()
    assert body["status"] == "placed"
    [hold] = body["holds"]
    assert not hold["active"] and hold["released_by"] == "Ana (agent)"
    assert hold["release_note"] == "Customer confirmed by phone."
    assert client.get("/api/v1/orders", params={"status": "on_hold"}).json()["items"] == []
    # Then it is fulfilled as usual
    stocked.act(fo_id, "accept")
    stocked.act(fo_id, "pack")
    stocked.act(fo_id, "ship", {"carrier": "DHL", "tracking_number": "1"})
    assert stocked.get_order(order["id"])["status"] == "shipped"
    timeline = client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]
    assert [e["kind"] for e in timeline] == ["placed", "routed", "held", "released", "accepted", "packed", "shipped"]
    assert "Customer confirmed by phone." in timeline[3]["message"] and timeline[3]["actor"] == "Ana (agent)"
    assert "it can be fulfilled" in timeline[3]["message"]


def test_cancelling_a_held_order_refuses_it_and_releases_its_stock(stocked, client):
    rule(client, "geo", "countries_differ")
    order = stocked.order([("A", 3)], billing_address=US_BILLING)
    response = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "Looks fraudulent."})
    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["holds"][0]["active"]  # never released: the order was refused instead
    assert stocked.level("WH-BER", "A")["reserved"] == 0
    assert client.get("/api/v1/orders", params={"status": "on_hold"}).json()["items"] == []


def test_a_location_may_still_reject_a_held_order_and_the_new_one_waits_too(stocked, client):
    stocked.stock("WH-MUC", "A", 10)
    order = stocked.order([("A", 1)])
    client.post(f"/api/v1/orders/{order['id']}/hold", json={"reason": "Address looks odd."})
    fo_id = order["fulfillment_orders"][0]["id"]
    stocked.act(fo_id, "reject", {"reason": "Shelf empty."})
    rerouted = stocked.get_order(order["id"])
    assert rerouted["status"] == "on_hold"
    new_fo = next(fo for fo in rerouted["fulfillment_orders"] if fo["status"] == "open")
    assert client.post(f"/api/v1/fulfillment-orders/{new_fo['id']}/accept").status_code == 409


def test_a_partly_shipped_order_put_on_hold_still_records_its_parcel_arriving(stocked, client):
    # Given an order split over two locations, one of which has shipped its part
    stocked.product("B")
    stocked.stock("WH-MUC", "B", 5)
    order = stocked.order([("A", 1), ("B", 1)])
    fos = {fo["location"]: fo["id"] for fo in order["fulfillment_orders"]}
    stocked.act(fos["WH-BER"], "accept")
    stocked.act(fos["WH-BER"], "ship", {"carrier": "DHL"})
    # When an agent holds it
    held = client.post(f"/api/v1/orders/{order['id']}/hold", json={"reason": "Customer disputes the address."})
    assert held.json()["status"] == "on_hold"
    # Then the other part cannot go, but the parcel already on its way can arrive
    assert client.post(f"/api/v1/fulfillment-orders/{fos['WH-MUC']}/accept").status_code == 409
    stocked.act(fos["WH-BER"], "deliver")
    assert stocked.get_order(order["id"])["status"] == "on_hold"


def test_a_held_pickup_order_is_not_handed_over(stocked, client):
    stocked.stock("ST-HAM", "A", 5)
    order = stocked.order([("A", 1)], delivery_method="pickup", pickup_location="ST-HAM", shipping_address=None)
    fo_id = order["fulfillment_orders"][0]["id"]
    stocked.act(fo_id, "accept")
    stocked.act(fo_id, "pack")
    client.post(f"/api/v1/orders/{order['id']}/hold", json={"reason": "ID check needed at the counter."})
    response = client.post(f"/api/v1/fulfillment-orders/{fo_id}/deliver")
    assert response.status_code == 409 and response.json()["code"] == "order_on_hold"
    assert "cannot be handed over" in response.json()["detail"]


# -- manual holds and releases ----------------------------------------------------------------------------------------
def test_an_agent_holds_and_releases_an_order_by_api_and_both_are_audited(stocked, anonymous, client, container):
    order = stocked.order([("A", 1)])
    agent = bearer(token(container, "agent", name="Ana"))
    response = anonymous.post(f"/api/v1/orders/{order['id']}/hold", headers=agent,
                              json={"reason": "Customer asked us to wait for their call."})
    assert response.status_code == 200, response.text
    held = response.json()
    assert held["status"] == "on_hold" and held["version"] == order["version"] + 1
    [hold] = held["holds"]
    assert (hold["kind"], hold["reasons"], hold["placed_by"]) == (
        "manual", ["Customer asked us to wait for their call."], "Ana (agent)")
    assert "an agent's review: Customer asked us to wait for their call." in held_messages(client, order)[0]
    # a second hold, then releasing one of them by id leaves the order on hold
    second = client.post(f"/api/v1/orders/{order['id']}/hold", json={"reason": "Check stock quality."}).json()
    second_id = second["holds"][1]["id"]
    partly = anonymous.post(f"/api/v1/orders/{order['id']}/release", headers=agent,
                            json={"hold_id": hold["id"], "note": "They called."}).json()
    assert partly["status"] == "on_hold" and [h["active"] for h in partly["holds"]] == [False, True]
    released = anonymous.post(f"/api/v1/orders/{order['id']}/release", headers=agent,
                              json={"hold_id": second_id, "note": "Quality fine."}).json()
    assert released["status"] == "placed"
    audit = client.get("/api/v1/audit", params={"target_id": order["id"]}).json()["items"]
    actions = sorted(e["action"] for e in audit)
    assert actions == ["order.hold", "order.hold", "order.place", "order.release", "order.release"]
    first_hold = next(e for e in audit if e["action"] == "order.hold" and e["actor_name"] == "Ana")
    assert first_hold["before"]["status"] == "placed" and first_hold["after"]["status"] == "on_hold"
    assert first_hold["after"][f"holds.{hold['id']}"] == "manual active"


def test_releasing_what_is_not_held_is_refused_and_changes_nothing(stocked, client):
    order = stocked.order([("A", 1)])
    response = client.post(f"/api/v1/orders/{order['id']}/release", json={"note": "go"})
    assert response.status_code == 409 and response.json()["code"] == "not_on_hold"
    held = client.post(f"/api/v1/orders/{order['id']}/hold", json={"reason": "wait"}).json()
    unknown = client.post(f"/api/v1/orders/{order['id']}/release", json={"hold_id": "hold_nope", "note": "go"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "hold_id"
    hold_id = held["holds"][0]["id"]
    assert client.post(f"/api/v1/orders/{order['id']}/release", json={"hold_id": hold_id, "note": "go"}).status_code \
        == 200
    again = client.post(f"/api/v1/orders/{order['id']}/release", json={"hold_id": hold_id, "note": "go"})
    assert again.status_code == 409 and again.json()["code"] == "hold_released"
    assert client.post("/api/v1/orders/ord_nope/hold", json={"reason": "x"}).status_code == 404
    blank = client.post(f"/api/v1/orders/{order['id']}/hold", json={"reason": ""})
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "reason"
    assert stocked.get_order(order["id"])["version"] == held["version"] + 1


def test_an_order_with_nothing_left_to_ship_cannot_be_held(stocked, client):
    order = stocked.order([("A", 1)])
    fo_id = order["fulfillment_orders"][0]["id"]
    stocked.act(fo_id, "accept")
    stocked.act(fo_id, "ship", {"carrier": "DHL"})
    response = client.post(f"/api/v1/orders/{order['id']}/hold", json={"reason": "too late"})
    assert response.status_code == 409 and response.json()["code"] == "nothing_to_hold"


def test_a_retried_hold_with_the_same_idempotency_key_holds_once(stocked, client):
    order = stocked.order([("A", 1)])
    headers = {"Idempotency-Key": "hold-1"}
    first = client.post(f"/api/v1/orders/{order['id']}/hold", json={"reason": "wait"}, headers=headers)
    retry = client.post(f"/api/v1/orders/{order['id']}/hold", json={"reason": "wait"}, headers=headers)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert len(retry.json()["holds"]) == len(first.json()["holds"]) == 1


def test_an_analyst_may_not_hold_or_release_and_a_shopper_never_sees_why(stocked, anonymous, client, container):
    order = stocked.order([("A", 1)])
    analyst = bearer(token(container, "analyst"))
    assert anonymous.post(f"/api/v1/orders/{order['id']}/hold", headers=analyst,
                          json={"reason": "x"}).status_code == 403
    assert anonymous.post(f"/api/v1/orders/{order['id']}/release", headers=analyst,
                          json={"note": "x"}).status_code == 403
    finance = bearer(token(container, "finance"))
    assert anonymous.post(f"/api/v1/orders/{order['id']}/hold", headers=finance,
                          json={"reason": "Payment under review."}).status_code == 200
    current = stocked.get_order(order["id"])
    assert current["status"] == "on_hold" and len(current["holds"]) == 1
    # the customer sees that the order is on hold, not why (a risk rule must not teach how to get around it)
    shopper = bearer(token_for(anonymous, container, "jane@example.com"))
    own = anonymous.get(f"/api/v1/shopper/orders/{order['number']}", headers=shopper).json()
    assert (own["status"], own["holds"]) == ("on_hold", [])


# -- managing the rules --------------------------------------------------------------------------------------------
def test_risk_rules_are_created_replaced_listed_and_deleted_with_audit_entries(client):
    created = client.put("/api/v1/settings/risk-rules/big-first-order",
                         json={"kind": "first_order_total_above", "params": {"amount": "500", "currency": "EUR"}})
    assert created.status_code == 201, created.text
    assert created.json() | {"updated_at": None} == {
        "code": "big-first-order", "kind": "first_order_total_above",
        "params": {"amount": "500.00", "currency": "EUR"}, "active": True, "updated_at": None}
    replaced = client.put("/api/v1/settings/risk-rules/big-first-order",
                          json={"kind": "first_order_total_above", "params": {"amount": "800.00", "currency": "EUR"},
                                "active": False})
    assert replaced.status_code == 200 and replaced.json()["params"]["amount"] == "800.00"
    rule(client, "geo", "countries_differ", {})
    listed = client.get("/api/v1/settings/risk-rules").json()
    assert [(r["code"], r["active"]) for r in listed["items"]] == [("big-first-order", False), ("geo", True)]
    assert client.delete("/api/v1/settings/risk-rules/geo").status_code == 204
    missing = client.delete("/api/v1/settings/risk-rules/geo")
    assert missing.status_code == 404 and missing.json()["code"] == "risk_rule_not_found"
    audit = client.get("/api/v1/audit", params={"target_type": "risk_rule"}).json()["items"]
    assert sorted((e["action"], e["target_id"]) for e in audit) == [
        ("risk_rule.create", "big-first-order"), ("risk_rule.create", "geo"), ("risk_rule.delete", "geo"),
        ("risk_rule.update", "big-first-order")]
    update = next(e for e in audit if e["action"] == "risk_rule.update")
    assert update["before"] == {"params": {"amount": "500.00", "currency": "EUR"}, "active": True}
    assert update["after"] == {"params": {"amount": "800.00", "currency": "EUR"}, "active": False}


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "first_order_total_above", "params": {"amount": "lots", "currency": "EUR"}}, "params.amount"),
    ({"kind": "first_order_total_above", "params": {"amount": "1.005", "currency": "EUR"}}, "params.amount"),
    ({"kind": "first_order_total_above", "params": {"amount": "100", "currency": "XXZ"}}, "params.currency"),
    ({"kind": "first_order_total_above", "params": {"amount": "100"}}, "params.currency"),
    ({"kind": "first_order_total_above"}, "params"),
    ({"kind": "orders_per_email_per_hour", "params": {"limit": 0}}, "params.limit"),
    ({"kind": "orders_per_address_per_hour", "params": {"limit": "many"}}, "params.limit"),
    ({"kind": "countries_differ", "params": {"strict": True}}, "params.strict"),
    ({"kind": "countries_differ", "active": "sometimes"}, "active"),
    ({"kind": "countries_differ", "colour": "red"}, "colour"),
    ({"kind": "velocity", "params": {}}, "kind"),
    ({"params": {}}, "kind"),
])
def test_a_bad_rule_is_refused_naming_the_field_and_nothing_changes(client, body, field):
    rule(client, "keep", "countries_differ")
    before = client.get("/api/v1/settings/risk-rules").json()
    response = client.put("/api/v1/settings/risk-rules/keep", json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert client.get("/api/v1/settings/risk-rules").json() == before
    audit = client.get("/api/v1/audit", params={"target_type": "risk_rule"}).json()["items"]
    assert [e["action"] for e in audit] == ["risk_rule.create"]


def test_a_bad_rule_code_is_refused(client):
    response = client.put("/api/v1/settings/risk-rules/-bad", json={"kind": "countries_differ"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "code"


def test_only_an_admin_manages_risk_rules(anonymous, container):
    for role in ("agent", "finance", "analyst", "integration"):
        headers = bearer(token(container, role))
        assert anonymous.get("/api/v1/settings/risk-rules", headers=headers).status_code == 403
        assert anonymous.put("/api/v1/settings/risk-rules/geo", headers=headers,
                             json={"kind": "countries_differ"}).status_code == 403


def test_the_cli_sets_lists_and_deletes_rules(container, client, monkeypatch):
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    runner = CliRunner()
    made = runner.invoke(cli, ["risk-rules", "set", "email-velocity", "--kind", "orders_per_email_per_hour",
                               "--param", "limit=3"])
    assert made.exit_code == 0, made.output
    assert "Created rule email-velocity" in made.output
    bad = runner.invoke(cli, ["risk-rules", "set", "big", "--kind", "first_order_total_above", "--param",
                              "amount=ten", "--param", "currency=EUR"])
    assert bad.exit_code == 2 and "Not saved: params.amount" in bad.output
    listed = runner.invoke(cli, ["risk-rules", "list"])
    assert "email-velocity" in listed.output and "big" not in listed.output
    assert client.get("/api/v1/settings/risk-rules").json()["items"][0]["params"] == {"limit": 3}
    assert runner.invoke(cli, ["risk-rules", "delete", "email-velocity"]).exit_code == 0
    gone = runner.invoke(cli, ["risk-rules", "delete", "email-velocity"])
    assert gone.exit_code == 2 and "No risk rule with code email-velocity" in gone.output
    audit = client.get("/api/v1/audit", params={"target_type": "risk_rule"}).json()["items"]
    assert {e["actor_id"].split(":")[0] for e in audit} == {"cli"}


# -- the capture hot path ---------------------------------------------------------------------------------------------
@contextmanager
def counting(container: Container) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(container.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(container.engine, "before_cursor_execute", count)


def test_without_an_active_rule_capture_runs_no_extra_statement(stocked, client, container):
    cmd = PlaceOrder(channel="web", currency="EUR", email="jane@example.com", lines=[LineRequest("A", 1)],
                     shipping_address=HAMBURG, billing_address={**US_BILLING, "country": "DE"})

    def place() -> list[str]:
        with counting(container) as statements:
            order = services.place_order(container.uow(), cmd, container.strategy)
        assert order.status == "placed"  # nothing held: a hold would add its own statements
        return statements

    place()  # the customer exists from now on, and this process has read the (no) rules
    without = place()
    assert not [s for s in without if "risk_rules" in s]
    # An inactive rule, or an active one that needs no counting, costs nothing either (once the rules are read)
    rule(client, "email-velocity", "orders_per_email_per_hour", {"limit": 1000}, active=False)
    rule(client, "geo", "countries_differ")
    assert len(place()) == len(without) + 1  # the first capture after a change reads the rules, once
    assert len(place()) == len(without)
    # A rule that needs a count runs exactly one statement more
    rule(client, "email-velocity", "orders_per_email_per_hour", {"limit": 1000})
    place()
    with_count = place()
    assert len(with_count) == len(without) + 1
    [counted] = [s for s in with_count if s not in without]
    assert "count" in counted.lower()


def test_a_customers_export_holds_their_holds_and_erasure_scrubs_the_reasons(stocked, client):
    order = stocked.order([("A", 1)], customer={"email": "erin@example.com", "name": "Erin Example"})
    client.post(f"/api/v1/orders/{order['id']}/hold", json={"reason": "Erin Example called: wait for her."})
    client.post(f"/api/v1/orders/{order['id']}/release", json={"note": "erin@example.com confirmed by mail."})
    customer_id = order["customer"]["id"]
    exported = client.get(f"/api/v1/customers/{customer_id}/export").json()
    [hold] = exported["orders"][0]["holds"]
    assert hold["reasons"] == ["Erin Example called: wait for her."] and hold["kind"] == "manual"
    assert client.post(f"/api/v1/customers/{customer_id}/erase", json={"reason": "GDPR-1"}).status_code == 200
    [hold] = stocked.get_order(order["id"])["holds"]
    text = f"{hold['reasons']} {hold['release_note']}".lower()
    assert "erin" not in text and "example.com" not in text
