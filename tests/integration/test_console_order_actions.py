"""The console's further order actions, server side: an order placed on a customer's behalf, an edit previewed
then saved, an appeasement, a return and an exchange started by an agent; each role sees and may do only its
part, and each mistake is named next to its field with nothing changed."""

from __future__ import annotations

import re

import pytest

from tests.integration.console_helpers import csrf_of, form_key_of
from tests.integration.console_helpers import sign_in as sign_in  # the fixture

BEHALF = {"email": "otto@example.com", "name": "Otto Normal", "phone": "+49 40 1234", "currency": "EUR",
          "delivery_method": "ship", "address-name": "Otto Normal", "address-line1": "Elbchaussee 5",
          "address-postal_code": "22763", "address-city": "Hamburg", "address-country": "DE", "shipping": "4.90"}


@pytest.fixture
def stocked(shop):
    shop.product("MUG-1", price="20.00")
    shop.product("MUG-2", price="25.00")
    for sku in ("MUG-1", "MUG-2"):
        shop.stock("WH-BER", sku, 40)
    return shop


@pytest.fixture
def placed(stocked) -> dict:
    """Jane's open order of 2 × MUG-1 (40.00), paid by a sandbox card."""
    return stocked.order([("MUG-1", 2)], payment={"method": "sandbox", "token": "tok_approve"})


@pytest.fixture
def delivered(stocked) -> dict:
    order = stocked.order([("MUG-1", 2)], payment={"method": "sandbox", "token": "tok_approve"})
    stocked.ship_parcel(order)
    stocked.act(stocked.get_order(order["id"])["fulfillment_orders"][0]["id"], "deliver")
    return order


def error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="[a-z]+" (?:role="alert" )?id="{field}-error"(?: role="alert")?>([^<]+)</p>', html)
    assert found, html
    return found.group(1)


def orders_of(client, email: str) -> list[dict]:
    return client.get("/api/v1/orders", params={"email": email}).json()["items"]


def behalf_form(page: str, **changes: str) -> dict:
    return {**BEHALF, "csrf_token": csrf_of(page), "form_key": form_key_of(page), "sku": ["MUG-1", "MUG-2", ""],
            "quantity": ["2", "1", "1"], **changes}


# -- who sees what -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("agent", 200), ("finance", 403), ("analyst", 403),
                                              ("fulfillment", 403)])
def test_only_roles_that_create_orders_get_the_new_order_form(sign_in, stocked, role, status):
    browser = sign_in(role)
    page = browser.get("/console/orders/new")
    assert page.status_code == status
    if status == 200:
        assert 'action="/console/orders/new"' in page.text and 'name="payment_token"' in page.text
        assert 'href="/console/orders/new"' in browser.get("/console/orders").text


@pytest.mark.parametrize(("role", "links"), [
    ("admin", {"edit", "returns/new", "exchanges/new", "notifications"}),
    ("agent", {"edit", "returns/new", "exchanges/new", "notifications"}),
    ("finance", {"notifications"}),
    ("analyst", {"notifications"}),
])
def test_the_order_page_links_the_actions_the_role_may_take(sign_in, placed, delivered, role, links):
    browser = sign_in(role)
    link = lambda order: set(re.findall(rf'href="/console/orders/{order["number"]}/([a-z/]+)"',  # noqa: E731
                                        browser.get(f"/console/orders/{order['number']}").text))
    assert link(placed) == links - {"returns/new", "exchanges/new"}  # nothing delivered: nothing to return
    assert link(delivered) == links - {"edit"}  # everything shipped: nothing to edit
    for action in ("edit", "returns/new", "exchanges/new"):
        if action not in links:
            assert browser.get(f"/console/orders/{delivered['number']}/{action}").status_code == 403


# -- an order on the customer's behalf ---------------------------------------------------------------------------
def test_an_agent_places_an_order_on_the_customers_behalf_with_channel_phone(sign_in, stocked, client):
    agent = sign_in("agent")
    page = agent.get("/console/orders/new").text

    done = agent.post("/console/orders/new", data=behalf_form(page, payment_method="sandbox",
                                                             payment_token="tok_approve"))

    assert done.status_code == 303, done.text
    [row] = orders_of(client, "otto@example.com")
    assert done.headers["location"] == f"/console/orders/{row['number']}?done=placed"
    order = client.get(f"/api/v1/orders/{row['id']}").json()
    assert order["channel"] == "phone" and order["totals"]["total"] == "69.90"  # 2 × 20 + 25 + 4.90 shipping
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("MUG-1", 2), ("MUG-2", 1)]
    assert order["shipping_address"]["city"] == "Hamburg" and order["payment_status"] == "authorized"
    timeline = client.get(f"/api/v1/orders/{row['id']}/timeline").json()["items"]
    assert timeline[0]["actor"] == "agent@example.com (agent)"
    assert "The order was placed on behalf of the customer." in agent.get(done.headers["location"]).text


def test_a_double_submitted_new_order_form_places_one_order(sign_in, stocked, client):
    agent = sign_in("agent")
    form = behalf_form(agent.get("/console/orders/new").text)
    assert [agent.post("/console/orders/new", data=form).status_code for _ in range(2)] == [303, 303]
    assert len(orders_of(client, "otto@example.com")) == 1


@pytest.mark.parametrize(("changes", "fields"), [
    ({"email": "otto", "address-city": " ", "address-country": "Germany"},
     {"email": "not an email", "address-city": "is required", "address-country": "two-letter"}),
    ({"sku": ["NOPE-1"], "quantity": ["1"]}, {"lines-0-sku": "NOPE-1"}),
    ({"sku": ["MUG-1", "MUG-2"], "quantity": ["1", "zero"]}, {"lines-1-quantity": "not a whole number"}),
    ({"sku": ["", ""], "quantity": ["1", "1"]}, {"lines-0-sku": "at least one item"}),
    ({"payment_method": "sandbox", "payment_token": "4111111111111111"}, {"payment_token": "sandbox"}),
    ({"payment_method": "sandbox", "payment_token": ""}, {"payment_token": "is required"}),
    ({"currency": "EURO"}, {"currency": "three-letter"}),
    ({"sku": ["MUG-1"], "quantity": ["41"]}, {"form": "Not enough stock"}),
])
def test_a_bad_new_order_is_named_next_to_its_fields_and_places_nothing(sign_in, stocked, client, changes, fields):
    agent = sign_in("agent")
    refused = agent.post("/console/orders/new", data=behalf_form(agent.get("/console/orders/new").text, **changes))

    assert refused.status_code in (409, 422), refused.text
    for field, message in fields.items():
        assert message in error_of(refused.text, field), field
        if field != "form":
            assert f'aria-describedby="{field}-error"' in refused.text
    assert 'value="Elbchaussee 5"' in refused.text  # what was typed stays
    assert orders_of(client, "otto@example.com") == []


# -- edit with a preview -------------------------------------------------------------------------------------------
def edit_form(page: str, **changes) -> dict:
    version = re.search(r'name="version" value="(\d+)"', page)
    lines = re.findall(r'name="line_id" value="([^"]+)"', page)
    assert version and lines
    return {"csrf_token": csrf_of(page), "form_key": form_key_of(page), "version": version.group(1),
            "line_id": lines, "quantity": ["2"] * len(lines), "delivery_method": "ship", "address-name": "Jane Doe",
            "address-line1": "Jungfernstieg 1", "address-postal_code": "20095", "address-city": "Hamburg",
            "address-country": "DE", "reason": "customer called", "intent": "preview", **changes}


def test_an_agent_previews_an_edit_then_saves_it(sign_in, placed, client):
    agent = sign_in("agent")
    url = f"/console/orders/{placed['number']}/edit"
    page = agent.get(url)
    assert page.status_code == 200 and 'value="Jungfernstieg 1"' in page.text

    preview = agent.post(url, data=edit_form(page.text, quantity=["3"], **{"add-sku": "MUG-2", "add-quantity": "1"}))

    assert preview.status_code == 200, preview.text
    total = re.search(r'<strong id="preview-total">([^<]+)</strong>', preview.text)
    assert total and total.group(1) == "€85.00" and "change +€45.00" in preview.text  # 3 × 20 + 25
    assert 'value="save"' in preview.text
    unchanged = client.get(f"/api/v1/orders/{placed['id']}").json()
    assert (unchanged["totals"]["total"], unchanged["version"]) == ("40.00", placed["version"])  # nothing written

    saved = agent.post(url, data=edit_form(preview.text, quantity=["3"], intent="save",
                                           **{"add-sku": "MUG-2", "add-quantity": "1"}))

    assert (saved.status_code, saved.headers["location"]) == (303, f"/console/orders/{placed['number']}?done=edit")
    after = client.get(f"/api/v1/orders/{placed['id']}").json()
    units = {sku: sum(line["quantity"] for line in after["lines"] if line["sku"] == sku) for sku in ("MUG-1", "MUG-2")}
    assert after["totals"]["total"] == "85.00" and units == {"MUG-1": 3, "MUG-2": 1}  # an extra unit: a new line
    assert "The order was changed." in agent.get(saved.headers["location"]).text


def test_an_edit_changes_the_address_only(sign_in, placed, client):
    agent = sign_in("agent")
    url = f"/console/orders/{placed['number']}/edit"
    form = edit_form(agent.get(url).text, intent="save", **{"address-line1": "Elbchaussee 5",
                                                             "address-postal_code": "22763"})
    assert agent.post(url, data=form).status_code == 303
    assert client.get(f"/api/v1/orders/{placed['id']}").json()["shipping_address"]["line1"] == "Elbchaussee 5"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"quantity": ["many"]}, "lines-0-quantity", "not a whole number"),
    ({}, "form", "Nothing was changed"),
    ({"add-sku": "NOPE-1"}, "add-sku", "NOPE-1"),
    ({"quantity": ["3"], "reason": " "}, "reason", "is required"),
    ({"quantity": ["3"], "address-country": "Deutschland"}, "address-country", "two-letter"),
    ({"quantity": ["3"], "version": "99"}, "form", "reload it"),
    ({"delivery_method": "pickup", "pickup_location": "WH-BER"}, "pickup_location", "offers pickup"),
])
def test_a_bad_edit_is_named_next_to_its_field_and_changes_nothing(sign_in, placed, client, changes, field,
                                                                   message):
    agent = sign_in("agent")
    url = f"/console/orders/{placed['number']}/edit"
    for intent in ("preview", "save"):
        refused = agent.post(url, data=edit_form(agent.get(url).text, intent=intent, **changes))
        assert refused.status_code in (409, 422), refused.text
        assert message in error_of(refused.text, field)
    after = client.get(f"/api/v1/orders/{placed['id']}").json()
    assert (after["totals"]["total"], after["version"]) == ("40.00", placed["version"])


# -- appeasement -------------------------------------------------------------------------------------------------
def test_an_agent_appeases_a_percentage_and_finance_an_amount(sign_in, delivered, client):
    url = f"/console/orders/{delivered['number']}"
    agent = sign_in("agent")
    page = agent.get(url).text
    done = agent.post(f"{url}/appeasements", data={"csrf_token": csrf_of(page), "form_key": form_key_of(page),
                                                   "percent": "10", "reason": "late"})
    assert (done.status_code, done.headers["location"]) == (303, f"{url}?done=appease")
    finance = sign_in("finance")
    page = finance.get(url).text
    assert finance.post(f"{url}/appeasements", data={"csrf_token": csrf_of(page), "form_key": form_key_of(page),
                                                     "amount": "5.00", "reason": "dent"}).status_code == 303
    payments = client.get(f"/api/v1/orders/{delivered['id']}/payments").json()["items"]
    assert payments[0]["refunded"] == "9.00"  # 10 % of 40.00, then 5.00


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"amount": "60.00"}, "appease-amount", "above the agent limit"),
    ({"amount": "5", "percent": "10"}, "appease-amount", "either an amount or a percent"),
    ({"percent": "150"}, "appease-percent", "at most 100"),
    ({"percent": "NaN"}, "appease-percent", "at most 100"),
    ({"amount": "5", "reason": ""}, "appease-reason", "is required"),
])
def test_a_bad_appeasement_is_named_next_to_its_field(sign_in, delivered, client, data, field, message):
    agent = sign_in("agent")
    url = f"/console/orders/{delivered['number']}"
    page = agent.get(url).text
    refused = agent.post(f"{url}/appeasements", data={"csrf_token": csrf_of(page), "form_key": form_key_of(page),
                                                      "reason": "sorry", **data})
    assert refused.status_code == 422 and message in error_of(refused.text, field)
    assert client.get(f"/api/v1/orders/{delivered['id']}/payments").json()["items"][0]["refunded"] == "0.00"


def test_an_analyst_posting_an_appeasement_gets_the_403_page(sign_in, delivered, client):
    analyst = sign_in("analyst")
    refused = analyst.post(f"/console/orders/{delivered['number']}/appeasements",
                           data={"csrf_token": csrf_of(analyst.get("/console/").text), "amount": "1",
                                 "reason": "x"})
    assert refused.status_code == 403
    assert client.get(f"/api/v1/orders/{delivered['id']}/payments").json()["items"][0]["refunded"] == "0.00"


# -- returns and exchanges ----------------------------------------------------------------------------------------
def test_an_agent_starts_a_return_for_delivered_units(sign_in, delivered, client):
    agent = sign_in("agent")
    url = f"/console/orders/{delivered['number']}/returns/new"
    page = agent.get(url).text
    assert "up to 2" in page

    done = agent.post(url, data={"csrf_token": csrf_of(page), "form_key": form_key_of(page),
                                 "line_id": delivered["lines"][0]["id"], "quantity": "1", "reason": "chipped",
                                 "method": "drop_off", "location": "ST-HAM", "refund_to": "original_payment"})

    assert (done.status_code, done.headers["location"]) == (303, f"/console/orders/{delivered['number']}?done=return")
    [rma] = client.get(f"/api/v1/orders/{delivered['id']}/returns").json()["items"]
    assert (rma["method"], rma["location"], rma["lines"][0]["quantity"]) == ("drop_off", "ST-HAM", 1)
    assert rma["requested_by"] == "agent@example.com (agent)"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"quantity": "3"}, "lines-0-quantity", "delivered"),
    ({"reason": ""}, "lines-0-reason", "is required"),
    ({"quantity": "0"}, "form", "Choose how many"),
    ({"method": "drop_off"}, "location", "choose the store"),
])
def test_a_bad_return_is_named_next_to_its_field_and_opens_nothing(sign_in, delivered, client, data, field, message):
    agent = sign_in("agent")
    url = f"/console/orders/{delivered['number']}/returns/new"
    page = agent.get(url).text
    refused = agent.post(url, data={"csrf_token": csrf_of(page), "line_id": delivered["lines"][0]["id"],
                                    "quantity": "1", "reason": "chipped", "method": "ship_back", **data})
    assert refused.status_code in (409, 422) and message in error_of(refused.text, field)
    assert client.get(f"/api/v1/orders/{delivered['id']}/returns").json()["items"] == []


def test_an_agent_starts_an_exchange_for_another_sku(sign_in, delivered, client):
    agent = sign_in("agent")
    url = f"/console/orders/{delivered['number']}/exchanges/new"
    page = agent.get(url).text
    form = {"csrf_token": csrf_of(page), "form_key": form_key_of(page), "line_id": delivered["lines"][0]["id"],
            "quantity": "1", "sku": "MUG-2", "reason": "wrong colour", "method": "ship_back", "reserve": "now"}

    unknown = agent.post(url, data={**form, "sku": "NOPE-1"})
    done = agent.post(url, data=form)

    assert unknown.status_code == 422 and "NOPE-1" in error_of(unknown.text, "lines-0-sku")
    assert 'value="NOPE-1"' in unknown.text
    assert (done.status_code, done.headers["location"]) == (
        303, f"/console/orders/{delivered['number']}?done=exchange")
    [exchange] = client.get(f"/api/v1/orders/{delivered['id']}/exchanges").json()["items"]
    assert exchange["status"] == "placed" and exchange["lines"][0]["sku"] == "MUG-2"


def test_forms_without_the_sessions_csrf_token_are_refused(sign_in, delivered, client):
    agent = sign_in("agent")
    number = delivered["number"]
    for path, data in ((f"/console/orders/{number}/appeasements", {"amount": "1", "reason": "x"}),
                       (f"/console/orders/{number}/edit", {"intent": "save"}),
                       (f"/console/orders/{number}/returns/new", {"quantity": "1"}),
                       (f"/console/orders/{number}/exchanges/new", {"quantity": "1"}),
                       ("/console/orders/new", BEHALF)):
        assert agent.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
    assert client.get(f"/api/v1/orders/{delivered['id']}/returns").json()["items"] == []
    assert orders_of(client, "otto@example.com") == []
