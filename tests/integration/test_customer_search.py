"""Customers for agents: search by email, name, phone or order number; the customer's record (history, lifetime
value, returns, addresses, language); setting the preferred language. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from baton.adapters.db import tables as t
from tests.conftest import HAMBURG, Shop, bearer, token

JANE = {"email": "jane.doe@example.com", "name": "Jane Doe", "phone": "+49 30 555-0123"}
JOHN = {"email": "john@example.org", "name": "John Janeway", "phone": "(040) 777 88"}
MUNICH = {**HAMBURG, "line1": "Marienplatz 1", "city": "München", "postal_code": "80331", "latitude": 48.14,
          "longitude": 11.58}


@pytest.fixture
def people(shop: Shop, client) -> dict:
    shop.product("A", price="10.00")
    shop.product("U", price="20.00", currency="USD")
    shop.stock("WH-BER", "A", 100)
    shop.stock("WH-BER", "U", 100)
    first = shop.order([("A", 2)], customer=JANE)
    second = shop.order([("A", 1)], customer=JANE, shipping_address=MUNICH)
    again = shop.order([("A", 3)], customer=JANE, shipping_address={**HAMBURG, "latitude": 53.5})
    dollars = shop.order([("U", 1)], customer=JANE, currency="USD")
    cancelled = shop.order([("A", 5)], customer=JANE)
    assert client.post(f"/api/v1/orders/{cancelled['id']}/cancel", json={"reason": "changed mind"}).status_code == 200
    john = shop.order([("A", 1)], customer=JOHN)
    return {"jane": first["customer"]["id"], "john": john["customer"]["id"], "orders": [first, second, again,
                                                                                           dollars, cancelled],
            "john_order": john}


def found(client, q: str, **params) -> list[str]:
    response = client.get("/api/v1/customers", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return [c["email"] for c in response.json()["items"]]


# -- search ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("q", "expected"), [
    ("JANE.D", ["jane.doe@example.com"]),           # email prefix, any case
    ("john@", ["john@example.org"]),
    ("jane", ["jane.doe@example.com", "john@example.org"]),  # the start of the email, the name or any word in it
    ("janew", ["john@example.org"]),                # the start of a later word of the name
    ("ane", []),                                    # never the middle of a word
    ("doe", ["jane.doe@example.com"]),              # the surname
    ("+49 30 5550", ["jane.doe@example.com"]),      # phone digits, spaces and dashes as typed or not
    ("49305550123", ["jane.doe@example.com"]),
    ("040 777", ["john@example.org"]),
    ("example", []),                                # not a prefix of anything: no infix matches
    ("%", []), ("_", []),                           # LIKE wildcards are literal
])
def test_agents_find_customers_by_the_start_of_an_email_a_name_or_a_phone(people, client, q, expected):
    assert sorted(found(client, q)) == expected


def test_an_order_number_finds_its_customer_in_any_case(people, client):
    number = people["john_order"]["number"]
    assert found(client, number.lower()) == ["john@example.org"]
    assert found(client, " " + number + " ") == ["john@example.org"]


def test_search_results_page_with_a_cursor_and_carry_order_counts(people, client):
    first = client.get("/api/v1/customers", params={"q": "j", "limit": 1}).json()
    second = client.get("/api/v1/customers", params={"q": "j", "limit": 1, "cursor": first["next_cursor"]}).json()
    assert first["next_cursor"] and second["next_cursor"] is None
    items = {c["email"]: c["orders"] for c in first["items"] + second["items"]}
    assert items == {"jane.doe@example.com": 5, "john@example.org": 1}


@pytest.mark.parametrize(("params", "field"), [({"q": "   "}, "q"), ({"q": "x" * 321}, "q"),
                                               ({"q": "jane", "cursor": "garbage"}, "cursor"),
                                               ({"q": "jane", "limit": 0}, "limit")])
def test_a_bad_search_is_refused_naming_the_field(people, client, params, field):
    response = client.get("/api/v1/customers", params=params)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


# -- the record ----------------------------------------------------------------------------------------------------
def test_the_record_holds_history_value_per_currency_returns_addresses_and_language(people, client, container):
    # Given Jane's five orders (one cancelled, one in USD, three shipping addresses of which two are the same
    # street geocoded differently) and one returned unit recorded on a line
    with container.engine.begin() as conn:
        line_id = people["orders"][0]["lines"][0]["id"]
        conn.execute(update(t.order_lines).where(t.order_lines.c.id == line_id).values(
            shipped=2, delivered=2, returned=1, allocated=0))
    # When an agent reads her record
    response = client.get(f"/api/v1/customers/{people['jane']}")
    assert response.status_code == 200, response.text
    record = response.json()
    # Then it has everything an agent needs
    assert (record["email"], record["name"], record["language"], record["erased"]) == (
        JANE["email"], "Jane Doe", "en", False)
    assert record["orders"] == 5 and record["returns"] == 1
    assert record["lifetime_value"] == [{"currency": "EUR", "amount": "60.00", "orders": 3},
                                        {"currency": "USD", "amount": "20.00", "orders": 1}]
    assert [a["city"] for a in record["addresses"]] == ["Hamburg", "München"]
    assert [o["number"] for o in record["recent_orders"]] == [o["number"] for o in reversed(people["orders"])]
    assert record["recent_orders"][0]["total"] == "0.00" and record["recent_orders"][0]["status"] == "cancelled"


def test_an_unknown_customer_has_no_record(client):
    response = client.get("/api/v1/customers/cus_nope")
    assert response.status_code == 404 and response.json()["code"] == "customer_not_found"


# -- language ------------------------------------------------------------------------------------------------------
def test_an_agent_sets_the_preferred_language_in_its_canonical_form_and_it_is_audited(people, anonymous, container,
                                                                                        client):
    agent = bearer(token(container, "agent", name="Maria Lopez"))
    response = anonymous.patch(f"/api/v1/customers/{people['jane']}", headers=agent, json={"language": "de-de"})
    assert response.status_code == 200, response.text
    assert response.json()["language"] == "de-DE"
    assert client.get(f"/api/v1/customers/{people['jane']}").json()["language"] == "de-DE"
    [entry] = client.get("/api/v1/audit", params={"target_id": people["jane"], "action": "customer.update"}
                         ).json()["items"]
    assert (entry["before"], entry["after"], entry["actor_name"]) == (
        {"language": "en"}, {"language": "de-DE"}, "Maria Lopez")


@pytest.mark.parametrize("language", ["xx", "de-XX", "english", "en-", "", "e" * 36, "de DE"])
def test_a_language_babel_does_not_know_is_refused_and_changes_nothing(people, client, container, language):
    response = client.patch(f"/api/v1/customers/{people['jane']}", json={"language": language})
    assert response.status_code == 422, response.text
    assert "language" in {e["field"] for e in response.json()["errors"]}
    with container.engine.connect() as conn:
        assert conn.scalar(select(t.customers.c.language).where(t.customers.c.id == people["jane"])) == "en"


def test_the_language_of_an_unknown_or_erased_customer_is_not_set(people, client):
    assert client.patch("/api/v1/customers/cus_nope", json={"language": "de"}).status_code == 404
    assert client.post(f"/api/v1/customers/{people['john']}/erase", json={"reason": "PR-1"}).status_code == 200
    refused = client.patch(f"/api/v1/customers/{people['john']}", json={"language": "de"})
    assert refused.status_code == 409 and refused.json()["code"] == "customer_erased"
    assert client.get(f"/api/v1/customers/{people['john']}").json()["language"] == "en"


def test_an_analyst_reads_records_but_may_not_change_them(people, anonymous, container):
    analyst = bearer(token(container, "analyst"))
    assert anonymous.get(f"/api/v1/customers/{people['jane']}", headers=analyst).status_code == 200
    assert anonymous.patch(f"/api/v1/customers/{people['jane']}", headers=analyst,
                           json={"language": "de"}).status_code == 403
