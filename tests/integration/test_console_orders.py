"""Console orders pages, server side: who sees what per role, search and filters, and the actions on an order
(hold/release, cancel, note, refund) with their refusals shown next to the field."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Shop
from tests.integration.console_helpers import csrf_of, form_key_of
from tests.integration.console_helpers import sign_in as sign_in  # the fixture


@pytest.fixture
def order(shop: Shop, otto: dict) -> dict:
    """Jane's order of 100.00, paid by a sandbox card, shipped (so captured in full)."""
    placed = shop.order([("MUG-1", 1)], payment={"method": "sandbox", "token": "tok_approve"})
    shop.ship_parcel(placed)
    return placed


@pytest.fixture
def otto(shop: Shop) -> dict:
    """Otto's order from the app: placed, not paid, nothing shipped."""
    shop.product("MUG-1", price="100.00")
    shop.stock("WH-BER", "MUG-1", 40)
    return shop.order([("MUG-1", 1)], customer={"email": "otto@example.com", "name": "Otto Normal"}, channel="app")


def forms_of(html: str) -> set[str]:
    return set(re.findall(r'action="/console/orders/[^/"]+/([a-z]+)"', html))


def refunded(client: TestClient, order: dict) -> str:
    return str(client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"][0]["refunded"])


def timeline(client: TestClient, order: dict) -> list[str]:
    return [e["message"] for e in client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]]


# -- who sees what -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["admin", "agent", "finance", "analyst"])
def test_every_role_that_reads_orders_sees_the_list_with_totals_in_the_readers_locale(sign_in, order, role):
    browser = sign_in(role)
    page = browser.get("/console/orders", headers={"Accept-Language": "de-DE"})
    assert page.status_code == 200, page.text
    assert order["number"] in page.text and f'href="/console/orders/{order["number"]}"' in page.text
    assert "100,00\xa0€" in page.text  # German format
    assert "otto@example.com" in page.text and "captured" in page.text  # payment status column
    assert 'href="/console/orders"' in browser.get("/console/").text  # the home page links to it


def test_a_fulfillment_user_gets_the_403_page_for_orders_and_no_link_to_them(sign_in, order):
    browser = sign_in("fulfillment")
    for url in ("/console/orders", f"/console/orders/{order['number']}"):
        refused = browser.get(url)
        assert refused.status_code == 403 and "orders.read" in refused.text
        assert refused.headers["cache-control"] == "no-store"
    assert 'href="/console/orders"' not in browser.get("/console/").text


def test_without_a_session_the_orders_pages_redirect_to_sign_in(browsers, order):
    for url in ("/console/orders", f"/console/orders/{order['number']}"):
        answer = browsers().get(url)
        assert (answer.status_code, answer.headers["location"]) == (303, "/console/sign-in")


@pytest.mark.parametrize(("role", "shipped_forms", "open_forms"), [
    ("admin", {"refunds", "appeasements", "notes"}, {"hold", "notes", "cancel"}),
    ("agent", {"refunds", "appeasements", "notes"}, {"hold", "notes", "cancel"}),
    ("finance", {"refunds", "appeasements", "notes"}, {"hold", "notes"}),
    ("analyst", set(), set()),
])
def test_the_order_page_shows_only_the_actions_the_role_may_take_on_that_order(sign_in, order, otto, role,
                                                                                shipped_forms, open_forms):
    browser = sign_in(role)
    shipped = browser.get(f"/console/orders/{order['number']}").text  # paid and shipped: refund, not cancel
    assert forms_of(shipped) == shipped_forms
    assert "Product MUG-1" in shipped and "DHL" in shipped and "sandbox" in shipped and "Timeline" in shipped
    assert ("<h2 id=\"notes-heading\">" in shipped) == ("notes" in shipped_forms)  # only for who may write them
    assert forms_of(browser.get(f"/console/orders/{otto['number']}").text) == open_forms  # nothing to refund


def test_an_analyst_posting_a_refund_anyway_gets_the_403_page_and_nothing_changes(sign_in, client, order):
    analyst = sign_in("analyst")
    csrf = csrf_of(analyst.get("/console/").text)
    refused = analyst.post(f"/console/orders/{order['number']}/refunds",
                           data={"csrf_token": csrf, "amount": "10.00", "reason": "nice"})
    assert refused.status_code == 403 and "refunds.issue" in refused.text
    assert refunded(client, order) == "0.00"


def test_an_unknown_order_number_gets_the_404_page(sign_in, order):
    page = sign_in("agent").get("/console/orders/BT-999999")
    assert page.status_code == 404 and "There is no order BT-999999" in page.text


# -- search and filters -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("term", ["jane@example.com", "JANE@example.com", "number", "tracking", "Jane Doe"])
def test_the_search_box_finds_an_order_by_email_number_tracking_id_or_name(sign_in, order, term):
    term = {"number": order["number"].lower(), "tracking": order["tracking_id"]}.get(term, term)
    page = sign_in("agent").get("/console/orders", params={"q": term})
    assert page.status_code == 200, page.text
    assert order["number"] in page.text and "otto@example.com" not in page.text


def test_a_sku_search_lists_every_order_with_that_sku_and_a_stranger_term_finds_nothing(sign_in, order):
    agent = sign_in("agent")
    page = agent.get("/console/orders", params={"q": "MUG-1"})
    assert order["number"] in page.text and "otto@example.com" in page.text and "found as SKU" in page.text
    assert "No orders match" in agent.get("/console/orders", params={"q": "nobody at all"}).text


def test_filters_by_status_channel_and_dates_combine(sign_in, order):
    agent = sign_in("agent")
    app_only = agent.get("/console/orders", params={"channel": "app"}).text
    assert "otto@example.com" in app_only and order["number"] not in app_only
    day = order["placed_at"][:10]
    today = agent.get("/console/orders", params={"placed_from": day, "placed_to": day, "status": "shipped"}).text
    assert order["number"] in today and "otto@example.com" not in today
    assert "No orders match" in agent.get("/console/orders", params={"placed_to": "2001-01-01"}).text


def test_the_location_filter_lists_orders_with_a_fulfilment_order_there_and_keeps_the_search(sign_in, shop, order,
                                                                                             otto):
    shop.product("LAMP-1")
    shop.stock("WH-MUC", "LAMP-1", 5)
    munich = shop.order([("LAMP-1", 1)], customer={"email": "otto@example.com", "name": "Otto Normal"})
    agent = sign_in("agent")
    listing = agent.get("/console/orders").text
    assert '<option value="WH-MUC">' in listing and '<label for="location">Location</label>' in listing
    at_munich = agent.get("/console/orders", params={"location": "WH-MUC"}).text
    assert munich["number"] in at_munich and order["number"] not in at_munich and otto["number"] not in at_munich
    assert '<option value="WH-MUC" selected>' in at_munich
    at_berlin = agent.get("/console/orders", params={"location": "WH-BER", "q": "otto@example.com"}).text
    assert otto["number"] in at_berlin and munich["number"] not in at_berlin and order["number"] not in at_berlin
    assert "No orders match" in agent.get("/console/orders", params={"location": "ST-HAM"}).text


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"placed_from": "yesterday"}, "placed_from", "is not a date"),
    ({"placed_from": "2030-01-02", "placed_to": "2030-01-01"}, "placed_to", "before the start"),
    ({"status": "lost"}, "status", "is not an order status"),
    ({"location": "WH-NOWHERE"}, "location", "is not a location"),
    ({"cursor": "forged"}, "cursor", "not a cursor"),
])
def test_a_bad_filter_is_named_next_to_its_field_with_422(sign_in, order, params, field, message):
    page = sign_in("agent").get("/console/orders", params=params)
    assert page.status_code == 422 and message in page.text and "Traceback" not in page.text
    if field != "cursor":
        assert f'id="{field}-error"' in page.text and f'aria-describedby="{field}-error"' in page.text


def test_the_list_pages_with_a_cursor_that_keeps_the_filters(sign_in, shop, order):
    for _ in range(25):
        shop.order([("MUG-1", 1)], customer={"email": "otto@example.com", "name": "Otto Normal"}, channel="app")
    agent = sign_in("agent")
    first = agent.get("/console/orders", params={"channel": "app"}).text
    older = re.search(r'href="(/console/orders\?[^"]*cursor=[^"]+)"', first)
    assert older and "channel=app" in older.group(1)
    second = agent.get(older.group(1).replace("&amp;", "&")).text
    rows = lambda html: set(re.findall(r'href="/console/orders/(BT-\d+)"', html))  # noqa: E731
    assert len(rows(first)) == 25 and len(rows(second)) == 1 and not rows(first) & rows(second)
    assert 'href="/console/orders?channel=app">Newest orders' in second


# -- actions ---------------------------------------------------------------------------------------------------
def test_an_agent_refunds_part_of_an_order_and_sees_it_on_the_timeline(sign_in, client, order):
    agent = sign_in("agent")
    url = f"/console/orders/{order['number']}"
    page = agent.get(url).text
    done = agent.post(f"{url}/refunds", data={"csrf_token": csrf_of(page), "form_key": form_key_of(page),
                                              "amount": "30.00", "reason": "late delivery"})
    assert (done.status_code, done.headers["location"]) == (303, f"{url}?done=refund")
    shown = agent.get(done.headers["location"]).text
    assert "The refund was issued." in shown and "Refund of EUR 30.00 requested: late delivery." in shown
    assert refunded(client, order) == "30.00"


def test_a_double_submitted_refund_form_refunds_once(sign_in, client, order):
    agent = sign_in("agent")
    url = f"/console/orders/{order['number']}"
    page = agent.get(url).text
    form = {"csrf_token": csrf_of(page), "form_key": form_key_of(page), "amount": "20.00", "reason": "twice"}
    assert [agent.post(f"{url}/refunds", data=form).status_code for _ in range(2)] == [303, 303]
    assert refunded(client, order) == "20.00"


@pytest.mark.parametrize(("amount", "message"), [
    ("abc", "amount"), ("", "is required"), ("-5", "more than zero"), ("60.00", "above the agent limit of 50.00"),
])
def test_a_bad_refund_amount_is_shown_next_to_the_field_and_nothing_is_refunded(sign_in, client, order, amount,
                                                                                 message):
    agent = sign_in("agent")
    url = f"/console/orders/{order['number']}"
    page = agent.get(url).text
    refused = agent.post(f"{url}/refunds", data={"csrf_token": csrf_of(page), "form_key": form_key_of(page),
                                                 "amount": amount, "reason": "oops"})
    assert refused.status_code == 422, refused.text
    error = re.search(r'<p class="error" id="refund-amount-error"[^>]*>([^<]+)</p>', refused.text)
    assert error and message in error.group(1)
    assert 'aria-describedby="refund-amount-error"' in refused.text
    assert f'value="{amount}"' in refused.text and 'value="oops"' in refused.text  # what was typed stays
    assert refunded(client, order) == "0.00"


def test_more_than_was_captured_is_refused_next_to_the_field(sign_in, client, order):
    admin = sign_in("admin")
    url = f"/console/orders/{order['number']}"
    page = admin.get(url).text
    refused = admin.post(f"{url}/refunds", data={"csrf_token": csrf_of(page), "amount": "100.01", "reason": "x"})
    assert refused.status_code == 422 and "only EUR 100.00" in refused.text
    assert refunded(client, order) == "0.00"


def test_a_form_without_the_sessions_csrf_token_is_refused(sign_in, client, order):
    agent = sign_in("agent")
    refused = agent.post(f"/console/orders/{order['number']}/refunds",
                         data={"csrf_token": "not-it", "amount": "5.00", "reason": "x"})
    assert refused.status_code == 403 and refunded(client, order) == "0.00"


def test_finance_holds_and_releases_an_order_with_reasons_on_the_timeline(sign_in, client, otto):
    finance = sign_in("finance")
    url = f"/console/orders/{otto['number']}"
    csrf = csrf_of(finance.get(url).text)
    blank = finance.post(f"{url}/hold", data={"csrf_token": csrf, "reason": "  "})
    assert blank.status_code == 422 and 'id="hold-reason-error"' in blank.text
    assert finance.post(f"{url}/hold", data={"csrf_token": csrf, "reason": "address check"}).status_code == 303
    held = finance.get(url).text
    assert "on hold" in held and forms_of(held) == {"release", "notes"}
    assert finance.post(f"{url}/release", data={"csrf_token": csrf, "note": "address ok"}).status_code == 303
    assert client.get(f"/api/v1/orders/{otto['id']}").json()["status"] == "placed"
    assert any("address check" in message for message in timeline(client, otto))
    again = finance.post(f"{url}/release", data={"csrf_token": csrf, "note": "again"})
    assert again.status_code == 409 and 'id="release-form-error"' in again.text


def test_an_agent_adds_a_note_and_cancels_the_order(sign_in, client, otto):
    agent = sign_in("agent")
    url = f"/console/orders/{otto['number']}"
    csrf = csrf_of(agent.get(url).text)
    assert agent.post(f"{url}/notes", data={"csrf_token": csrf, "text": "Called the customer."}).status_code == 303
    assert "Called the customer." in agent.get(url).text
    assert agent.post(f"{url}/cancel", data={"csrf_token": csrf, "reason": "customer asked"}).status_code == 303
    assert client.get(f"/api/v1/orders/{otto['id']}").json()["status"] == "cancelled"
    assert "cancel" not in forms_of(agent.get(url).text)
    assert any("customer asked" in message for message in timeline(client, otto))
