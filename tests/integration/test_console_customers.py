"""The console's customers pages, server side: search by email, name, phone or order number; the customer's
record (lifetime value, orders and returns, language, addresses, links to orders) per role; the language form
with its mistakes named next to the field. On SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Shop
from tests.integration.console_helpers import csrf_of
from tests.integration.console_helpers import sign_in as sign_in  # the fixture


@pytest.fixture
def jane(shop: Shop) -> dict:
    """Jane's two orders (one cancelled) and Otto's one."""
    shop.product("MUG-1", price="100.00")
    shop.stock("WH-BER", "MUG-1", 40)
    first = shop.order([("MUG-1", 2)], customer={"email": "jane@example.com", "name": "Jane Doe",
                                                 "phone": "+49 30 5550123"})
    second = shop.order([("MUG-1", 1)])
    cancelled = shop.client.post(f"/api/v1/orders/{second['id']}/cancel", json={"reason": "duplicate"})
    assert cancelled.status_code == 200, cancelled.text
    shop.order([("MUG-1", 1)], customer={"email": "otto@example.com", "name": "Otto Normal"})
    return first


def customer_links(html: str) -> list[str]:
    return re.findall(r'href="/console/customers/(cus_[^"]+)"', html)


@pytest.mark.parametrize("role", ["admin", "agent", "finance", "analyst"])
def test_every_role_that_reads_customers_finds_jane_and_opens_her_record(sign_in, jane, role):
    browser = sign_in(role)
    found = browser.get("/console/customers", params={"q": "jane"})
    assert found.status_code == 200, found.text
    assert customer_links(found.text) == [jane["customer"]["id"]] and "otto@example.com" not in found.text
    record = browser.get(f"/console/customers/{jane['customer']['id']}", headers={"Accept-Language": "de-DE"})
    assert record.status_code == 200, record.text
    assert "<h1>Jane Doe" in record.text and "+49 30 5550123" in record.text
    assert "200,00\xa0€ (1 order)" in record.text  # lifetime value without the cancelled order, reader's format
    assert f'href="/console/orders/{jane["number"]}"' in record.text
    assert "Jungfernstieg 1" in record.text and "Hamburg" in record.text  # the address she receives parcels at
    assert "<dt>Orders</dt><dd>2</dd>" in record.text and "<dt>Language</dt><dd>en</dd>" in record.text


def test_a_fulfillment_user_gets_the_403_page_for_customers_and_no_link(sign_in, jane):
    browser = sign_in("fulfillment")
    for url in ("/console/customers", f"/console/customers/{jane['customer']['id']}"):
        refused = browser.get(url)
        assert refused.status_code == 403 and "customers.read" in refused.text
        assert refused.headers["cache-control"] == "no-store"
    assert 'href="/console/customers"' not in browser.get("/console/").text


@pytest.mark.parametrize("term", ["JANE@example", "Doe", "+49 30 555", "number"])
def test_the_search_finds_a_customer_by_email_surname_phone_or_order_number(sign_in, jane, term):
    term = jane["number"].lower() if term == "number" else term
    page = sign_in("agent").get("/console/customers", params={"q": term})
    assert customer_links(page.text) == [jane["customer"]["id"]], term


def test_without_a_term_every_customer_is_listed_and_a_stranger_term_finds_nobody(sign_in, jane):
    agent = sign_in("agent")
    assert len(customer_links(agent.get("/console/customers").text)) == 2
    assert "No customers match “nobody at all”" in agent.get("/console/customers", params={"q": "nobody at all"}).text


def test_an_unknown_customer_gets_the_404_page_and_a_bad_cursor_is_named(sign_in, jane):
    agent = sign_in("agent")
    missing = agent.get("/console/customers/cus_nobody")
    assert missing.status_code == 404 and "cus_nobody" in missing.text
    bad = agent.get(f"/console/customers/{jane['customer']['id']}", params={"cursor": "garbage"})
    assert bad.status_code == 422 and jane["number"] in bad.text  # the first page, with the message


@pytest.mark.parametrize(("role", "may"), [("admin", True), ("agent", True), ("finance", True), ("analyst", False)])
def test_who_may_annotate_orders_sets_the_language_and_a_bad_tag_is_named_next_to_the_field(sign_in, jane, role,
                                                                                                may):
    browser = sign_in(role)
    url = f"/console/customers/{jane['customer']['id']}"
    page = browser.get(url).text
    assert ('action="' + url + '/language"' in page) == may
    csrf = csrf_of(browser.get("/console/").text)
    bad = browser.post(f"{url}/language", data={"csrf_token": csrf, "language": "klingon-xx"})
    if not may:
        assert bad.status_code == 403 and "orders.annotate" in bad.text
        return
    assert bad.status_code == 422 and 'id="language-error"' in bad.text and 'value="klingon-xx"' in bad.text
    assert "<dt>Language</dt><dd>en</dd>" in bad.text  # nothing changed
    done = browser.post(f"{url}/language", data={"csrf_token": csrf, "language": "de-de"})
    assert (done.status_code, done.headers["location"]) == (303, f"{url}?done=language")
    after = browser.get(done.headers["location"]).text
    assert "<dt>Language</dt><dd>de-DE</dd>" in after and "The language was saved." in after


def test_the_language_form_refuses_a_post_without_the_session_token(sign_in, jane):
    url = f"/console/customers/{jane['customer']['id']}"
    refused = sign_in("agent").post(f"{url}/language", data={"language": "fr"})
    assert refused.status_code == 403 and "was not accepted" in refused.text
