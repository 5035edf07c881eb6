"""Privacy: export everything Baton holds about a customer; erase a customer by pseudonymising them while
orders, money and stock stay exactly as they were; no card data, ever."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from baton.adapters.db import tables as t
from baton.adapters.db.tables import metadata
from baton.bootstrap import Container
from baton.customers.privacy import Scrubber, pseudonym
from baton.entrypoints.cli.main import app as cli
from baton.entrypoints.http.app import create_app
from baton.orders.model import Channel, Customer, DeliveryMethod, Order, OrderLine
from baton.shared.clock import utcnow
from baton.shared.ids import new_id
from tests.conftest import Shop, bearer, token

EMAIL = "erin.erasure@example.com"
NAME = "Erin Erasure"
PHONE = "+49 30 5550123"
STREET = "Erasure Allee 7"
ADDRESS = {"name": NAME, "line1": STREET, "line2": "Hinterhaus", "city": "Hamburg", "postal_code": "20095",
           "country": "DE", "latitude": 53.55, "longitude": 9.99}
PERSONAL = (EMAIL, NAME, PHONE, STREET, "Hinterhaus")


def place(shop: Shop, items: list[tuple[str, int]], email: str = EMAIL, name: str = NAME, phone: str = PHONE,
          address: dict | None = None) -> dict:
    customer = {"email": email, "name": name, "phone": phone}
    address = address or ADDRESS
    return shop.order(items, customer=customer, shipping_address=address, billing_address=address)


def mail_to(container: Container, address: str) -> str:
    mail_id = new_id("mail")
    with container.engine.begin() as conn:
        conn.execute(insert(t.mail_outbox).values(
            id=mail_id, kind="shopper_link", to_address=address, subject=f"Your orders, {NAME}",
            body=f"Hello {NAME}, here is your link. We have {PHONE} on file.", created_at=utcnow(), sent_at=None))
    return mail_id


def database_text(container: Container) -> dict[str, str]:
    """Every value of every column of every table, as text, per table (audit log included)."""
    dump = {}
    with container.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            dump[table.name] = json.dumps([list(row) for row in rows], default=str, ensure_ascii=False).lower()
    return dump


def ledger(container: Container) -> tuple[list[tuple], list[tuple]]:
    led = t.inventory_ledger.c
    with container.engine.connect() as conn:
        sums = conn.execute(select(led.location, led.sku, func.sum(led.delta)).group_by(led.location, led.sku)
                            .order_by(led.location, led.sku)).all()
        rows = conn.execute(select(t.inventory_ledger).order_by(led.id)).all()
    return [tuple(r) for r in sums], [tuple(r) for r in rows]


def money_view(order: dict) -> dict:
    """What erasure must leave alone: amounts, lines, changes, fulfilment and shipments (free-text reasons that
    repeat the customer's name are rewritten, so they are left out here)."""
    view = {k: order[k] for k in ("number", "status", "fulfillment_status", "currency", "lines", "discounts",
                                  "totals", "version")}
    view["changes"] = [{k: v for k, v in c.items() if k != "reason"} for c in order["changes"]]
    view["fulfillment_orders"] = [{k: v for k, v in fo.items() if k != "reject_reason"}
                                  for fo in order["fulfillment_orders"]]
    return view


def erase(client: TestClient, customer_id: str, reason: str = "privacy request PR-17") -> dict:
    response = client.post(f"/api/v1/customers/{customer_id}/erase", json={"reason": reason})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def erin(shop: Shop, client: TestClient, container: Container) -> dict[str, Any]:
    """Erin: a shipped order, an order with a cancellation and a rejection naming her, a mail; and Olga's order."""
    shop.product("A")
    shop.product("B", price="7.50")
    shop.stock("WH-BER", "A", 10)
    shop.stock("WH-MUC", "A", 10)
    shop.stock("WH-BER", "B", 10)
    shipped = place(shop, [("A", 1), ("B", 2)])
    fo = shipped["fulfillment_orders"][0]["id"]
    shop.act(fo, "accept")
    shop.act(fo, "ship", {"carrier": "DHL", "tracking_number": "JJD0001"})
    edited = place(shop, [("A", 3), ("B", 1)])
    cancel = client.post(f"/api/v1/orders/{edited['id']}/cancel", json={
        "reason": f"{NAME} called from {PHONE}; write to {EMAIL}",
        "lines": [{"line_id": edited["lines"][1]["id"], "quantity": 1}]})
    assert cancel.status_code == 200, cancel.text
    shop.act(edited["fulfillment_orders"][0]["id"], "reject", {"reason": f"Erin not reachable at {STREET}"})
    other = place(shop, [("B", 1)], email="olga.other@example.com", name="Olga Other",
                  phone="+49 40 999", address={**ADDRESS, "name": "Olga Other", "line1": "Other Weg 1", "line2": None})
    mail_to(container, EMAIL)
    return {"id": shipped["customer"]["id"], "orders": [shipped["id"], edited["id"]], "other": other}


# -- finding and exporting ----------------------------------------------------------------------------------
def test_a_customer_is_found_by_email_in_any_case_and_read_by_id(erin, client):
    found = client.get("/api/v1/customers", params={"email": EMAIL.upper()})
    assert found.status_code == 200, found.text
    [item] = found.json()["items"]
    assert item["id"] == erin["id"] and item["orders"] == 2 and item["erased"] is False
    assert found.json()["next_cursor"] is None
    detail = client.get(f"/api/v1/customers/{erin['id']}").json()
    assert (detail["email"], detail["name"], detail["phone"]) == (EMAIL, NAME, PHONE)


def test_the_customer_list_pages_with_a_cursor(erin, client):
    first = client.get("/api/v1/customers", params={"limit": 1}).json()
    second = client.get("/api/v1/customers", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert first["next_cursor"] and second["next_cursor"] is None
    assert {first["items"][0]["email"], second["items"][0]["email"]} == {EMAIL, "olga.other@example.com"}


def test_the_export_holds_the_customers_orders_and_nothing_of_another_customer(erin, client):
    response = client.get(f"/api/v1/customers/{erin['id']}/export")
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["customer"]["email"] == EMAIL and export["customer"]["phone"] == PHONE
    assert [o["id"] for o in export["orders"]] == erin["orders"]
    text = json.dumps(export)
    assert "olga" not in text.lower() and erin["other"]["id"] not in text
    shipped, edited = export["orders"]
    assert shipped["total"] == "25.00" and shipped["lines"][1]["unit_price"] == "7.50"
    assert shipped["shipping_address"]["line1"] == STREET
    assert shipped["shipments"][0]["tracking_number"] == "JJD0001"
    assert edited["changes"][0]["amount_delta"] == "-7.50"
    assert any(fo["status"] == "rejected" and fo["lines"] for fo in edited["fulfillment_orders"])
    assert EMAIL in shipped["timeline"][0]["message"]
    placed = next(e for e in shipped["events"] if e["type"] == "order.placed")
    assert placed["payload"]["total"] == "25.00"
    [mail] = export["mails"]
    assert mail["to_address"] == EMAIL and PHONE in mail["body"]


def test_an_export_is_recorded_in_the_audit_log_without_personal_data(erin, client):
    client.get(f"/api/v1/customers/{erin['id']}/export")
    audit = client.get("/api/v1/audit", params={"action": "customer.export", "target_id": erin["id"]}).json()
    [entry] = audit["items"]
    assert entry["target_type"] == "customer" and entry["after"] == {"orders": 2, "mails": 1}


def test_an_unknown_customer_is_404_everywhere(client):
    for response in (client.get("/api/v1/customers/cus_nope"), client.get("/api/v1/customers/cus_nope/export"),
                     client.post("/api/v1/customers/cus_nope/erase", json={"reason": "x"})):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "customer_not_found"


# -- erasing -----------------------------------------------------------------------------------------------------
def test_erasure_leaves_no_personal_data_anywhere_in_the_database(erin, client, container):
    before = database_text(container)
    assert all(EMAIL in before[name] for name in ("customers", "orders", "timeline", "mail_outbox"))
    erased = erase(client, erin["id"], reason=f"{NAME} asked, ticket PR-17")
    assert erased["email"] == pseudonym(erin["id"]) and erased["name"] is None and erased["erased"] is True
    after = database_text(container)
    for table, text in after.items():
        for value in PERSONAL:
            assert value.lower() not in text, f"{value!r} is still in {table}"
    assert "olga.other@example.com" in after["orders"]  # other customers are left alone
    assert "ticket pr-17" in after["audit_log"]  # the reason is kept, without the name in it


def test_erased_orders_keep_only_the_country_of_their_addresses(erin, client, anonymous):
    erase(client, erin["id"])
    order = client.get(f"/api/v1/orders/{erin['orders'][0]}").json()
    assert order["customer"] == {"id": erin["id"], "email": pseudonym(erin["id"]), "name": None, "phone": None}
    assert order["shipping_address"] == {"country": "DE"} and order["billing_address"] == {"country": "DE"}
    tracking = anonymous.get(f"/api/v1/track/{order['tracking_id']}").json()
    assert tracking["first_name"] is None and tracking["destination_city"] is None
    timeline = client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]
    assert pseudonym(erin["id"]) in timeline[0]["message"]
    assert timeline[-1]["kind"] == "customer_erased"


def test_erasure_keeps_totals_lines_changes_and_the_inventory_ledger(erin, client, container):
    orders_before = [money_view(client.get(f"/api/v1/orders/{o}").json()) for o in erin["orders"]]
    ledger_before = ledger(container)
    levels_before = [client.get(f"/api/v1/inventory/{loc}/{sku}").json()
                     for loc, sku in (("WH-BER", "A"), ("WH-MUC", "A"), ("WH-BER", "B"))]
    erase(client, erin["id"])
    assert [money_view(client.get(f"/api/v1/orders/{o}").json()) for o in erin["orders"]] == orders_before
    assert ledger(container) == ledger_before
    assert [client.get(f"/api/v1/inventory/{loc}/{sku}").json()
            for loc, sku in (("WH-BER", "A"), ("WH-MUC", "A"), ("WH-BER", "B"))] == levels_before


def test_events_and_mails_of_an_erased_customer_are_scrubbed(erin, client, container):
    erase(client, erin["id"])
    export = client.get(f"/api/v1/customers/{erin['id']}/export").json()
    [mail] = export["mails"]
    assert mail["to_address"] == pseudonym(erin["id"]) and mail["body"] == "[erased]"
    rejected = next(e for e in export["orders"][1]["events"] if e["type"] == "fulfillment_order.rejected")
    assert rejected["payload"]["reason"] == "[erased] not reachable at [erased]"
    with container.engine.connect() as conn:
        erased = conn.execute(select(t.outbox.c.payload).where(t.outbox.c.type == "customer.erased")).scalar_one()
    assert erased == {"customer_id": erin["id"], "order_ids": erin["orders"]}


def test_notes_and_returns_are_exported_and_their_free_text_scrubbed(erin, shop, client):
    shipped = erin["orders"][0]
    fo = client.get(f"/api/v1/orders/{shipped}").json()["fulfillment_orders"][0]["id"]
    shop.act(fo, "deliver")
    line = client.get(f"/api/v1/orders/{shipped}").json()["lines"][0]["id"]
    note = client.post(f"/api/v1/orders/{shipped}/notes", json={"text": f"{NAME} asked to call {PHONE}"})
    assert note.status_code == 201, note.text
    opened = client.post(f"/api/v1/orders/{shipped}/returns", json={
        "lines": [{"line_id": line, "quantity": 1, "reason": "too small", "comment": f"Erin lives at {STREET}"}],
        "method": "ship_back"})
    assert opened.status_code == 201, opened.text

    [order] = [o for o in client.get(f"/api/v1/customers/{erin['id']}/export").json()["orders"] if o["id"] == shipped]
    assert order["notes"][0]["text"] == f"{NAME} asked to call {PHONE}"
    assert order["returns"][0]["lines"][0]["comment"] == f"Erin lives at {STREET}"

    erase(client, erin["id"])
    [order] = [o for o in client.get(f"/api/v1/customers/{erin['id']}/export").json()["orders"] if o["id"] == shipped]
    assert order["notes"][0]["text"] == "[erased] asked to call [erased]"
    assert order["returns"][0]["lines"][0]["comment"] == "[erased] lives at [erased]"
    assert order["returns"][0]["lines"][0]["reason"] == "too small"


def test_erasing_twice_is_harmless_and_both_requests_are_audited(erin, client):
    first = erase(client, erin["id"])
    export = client.get(f"/api/v1/customers/{erin['id']}/export").json()
    second = erase(client, erin["id"])
    assert second == first
    assert client.get(f"/api/v1/customers/{erin['id']}/export").json()["orders"] == export["orders"]
    audit = client.get("/api/v1/audit", params={"action": "customer.erase", "target_id": erin["id"]}).json()
    again, entry = audit["items"]
    assert entry["before"] == {"erased": False}
    assert entry["after"] == {"erased": True, "orders": 2, "mails": 1, "reason": "privacy request PR-17"}
    assert again["before"] == {} and again["after"] == {"orders": 0, "mails": 0, "reason": "privacy request PR-17"}


def test_erasing_again_catches_an_order_that_arrived_during_the_first_erasure(erin, shop, client, container):
    erase(client, erin["id"])
    late = place(shop, [("A", 1)])  # as if it had been placed while the erasure ran, for the old customer row
    with container.engine.begin() as conn:
        conn.execute(t.orders.update().where(t.orders.c.id == late["id"]).values(customer_id=erin["id"]))
    erase(client, erin["id"], reason="PR-17 follow-up")
    order = client.get(f"/api/v1/orders/{late['id']}").json()
    assert order["customer"]["email"] == pseudonym(erin["id"]) and order["shipping_address"] == {"country": "DE"}
    timeline = json.dumps(client.get(f"/api/v1/orders/{late['id']}/timeline").json())
    assert EMAIL not in timeline
    audit = client.get("/api/v1/audit", params={"action": "customer.erase", "target_id": erin["id"]}).json()
    assert [e["after"].get("orders") for e in audit["items"]] == [1, 2]  # newest first


def test_a_new_order_with_the_old_email_makes_a_new_customer(erin, shop, client):
    erase(client, erin["id"])
    again = place(shop, [("A", 1)])
    assert again["customer"]["id"] != erin["id"] and again["customer"]["email"] == EMAIL


def test_erasure_needs_a_reason(erin, client):
    response = client.post(f"/api/v1/customers/{erin['id']}/erase", json={"reason": "   "})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    assert client.get(f"/api/v1/customers/{erin['id']}").json()["erased"] is False


def test_an_agent_may_export_but_not_erase(erin, container):
    with TestClient(create_app(container), base_url="https://testserver", raise_server_exceptions=False,
                    headers=bearer(token(container, "agent"))) as agent:
        assert agent.get(f"/api/v1/customers/{erin['id']}/export").status_code == 200
        refused = agent.post(f"/api/v1/customers/{erin['id']}/erase", json={"reason": "asked"})
        assert refused.status_code == 403, refused.text
        assert agent.get(f"/api/v1/customers/{erin['id']}").json()["erased"] is False


def test_an_analyst_may_read_customers_but_not_export_them(erin, container):
    with TestClient(create_app(container), base_url="https://testserver", raise_server_exceptions=False,
                    headers=bearer(token(container, "analyst"))) as analyst:
        assert analyst.get(f"/api/v1/customers/{erin['id']}").status_code == 200
        assert analyst.get(f"/api/v1/customers/{erin['id']}/export").status_code == 403


def test_the_scrubber_replaces_whole_words_in_any_case_and_drops_personal_keys():
    scrub = Scrubber({EMAIL: "alias@erased.invalid", NAME: "[erased]", "Erin": "[erased]"})
    assert scrub.text(f"ERIN wrote from {EMAIL.upper()}; Erinnerung stays") == \
        "[erased] wrote from alias@erased.invalid; Erinnerung stays"
    payload = {"order_id": "ord_1", "email": EMAIL, "customer": {"id": "cus_1", "name": NAME},
               "notes": [f"call {NAME}"], "shipping_address": ADDRESS, "total": 100}
    assert scrub.payload(payload) == {"order_id": "ord_1", "customer": {"id": "cus_1"}, "notes": ["call [erased]"],
                                      "total": 100}


# -- the command line ----------------------------------------------------------------------------------------
def test_the_cli_exports_and_erases_a_customer_by_email(erin, client, container, monkeypatch):
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    exported = CliRunner().invoke(cli, ["customers", "export", EMAIL])
    assert exported.exit_code == 0, exported.output
    assert [o["id"] for o in json.loads(exported.stdout)["orders"]] == erin["orders"]
    declined = CliRunner().invoke(cli, ["customers", "erase", EMAIL, "--reason", "PR-17"], input="n\n")
    assert declined.exit_code == 1
    assert client.get(f"/api/v1/customers/{erin['id']}").json()["erased"] is False
    erased = CliRunner().invoke(cli, ["customers", "erase", erin["id"], "--reason", "PR-17", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert client.get(f"/api/v1/customers/{erin['id']}").json()["email"] == pseudonym(erin["id"])
    audit = client.get("/api/v1/audit", params={"action": "customer.erase", "target_id": erin["id"]}).json()
    assert audit["items"][0]["actor_kind"] == "system" and audit["items"][0]["actor_id"].startswith("cli:")


def test_the_cli_names_an_unknown_customer(container, monkeypatch):
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    result = CliRunner().invoke(cli, ["customers", "export", "nobody@example.com"])
    assert result.exit_code == 2 and "No customer nobody@example.com" in result.output


# -- no card data ------------------------------------------------------------------------------------------------
CARD_COLUMN = re.compile(r"(^|_)(pan|card|card_?number|cc_?num|cvv2?|cvc2?|csc|expiry|exp_(month|year)|"
                         r"expiration|track_?[12]|magstripe)($|_)")


# Baton's own gift cards are stored value it issues (a code kept as SHA-256), not payment card data
NOT_PAYMENT_CARDS = re.compile(r"^gift_card(_id|_hash)?$")


def test_no_table_has_a_column_for_card_data():
    suspicious = [f"{table.name}.{column.name}" for table in metadata.sorted_tables for column in table.columns
                  if CARD_COLUMN.search(column.name.lower()) and not NOT_PAYMENT_CARDS.match(column.name.lower())]
    assert suspicious == []


def test_an_order_carrying_a_card_number_is_refused_naming_the_field(shop, client):
    shop.product("A")
    shop.stock("WH-BER", "A", 5)
    body = {**shop.order_body([("A", 1)]), "card_number": "4111111111111111"}
    response = client.post("/api/v1/orders", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["card_number"]
    assert "4111111111111111" not in response.text


def test_the_orders_audit_view_holds_no_personal_data():
    order = Order(number="BT-1", channel=Channel.WEB, currency="EUR", customer_id="cus_1",
                  customer=Customer(EMAIL, NAME, PHONE), shipping_address=ADDRESS, billing_address=ADDRESS,
                  delivery_method=DeliveryMethod.SHIP, pickup_location=None, tracking_id="trk",
                  lines=[OrderLine("A", "Product A", 1000, 2, "stocked")])
    text = json.dumps(order.audit_view()).lower()
    for value in (*PERSONAL, "hamburg", "20095"):
        assert value.lower() not in text
