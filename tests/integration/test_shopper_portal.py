"""The shopper portal: the mailed link opens a read-only view of one customer's own orders, in a browser.

Mail is read from the outbox table, as the notifications worker will read it. Cookies are Secure, so the
browsers talk to https://testserver."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from baton.shared.clock import frozen_at

JANE = {"email": "jane@example.com", "name": "Jane Doe"}
BOB = {"email": "bob@example.com", "name": "Bob Roe"}
EXPIRED = "This link has expired or is not valid; ask for a new one."
SENT = "If we hold orders for this address, a link is on its way."
ISSUED = datetime(2031, 3, 1, 9, 20, tzinfo=UTC)  # a whole second: the link's expiry is exactly `hours` later


@pytest.fixture
def stocked(shop):
    shop.product("SHIRT")
    shop.stock("WH-BER", "SHIRT", 100)
    return shop


def mails(container: Container) -> list[dict]:
    m = t.mail_outbox.c
    with container.engine.connect() as conn:
        rows = conn.execute(select(m.kind, m.to_address, m.body).order_by(m.created_at, m.id))
        return [dict(row._mapping) for row in rows]


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def ask_for_link(browser: TestClient, email: str):
    form = browser.get("/portal")
    assert form.status_code == 200, form.text
    return browser.post("/portal/link", data={"email": email, "csrf_token": csrf_of(form.text)})


def mailed_link(container: Container, email: str) -> str:
    """The path and query of the newest link mailed to `email`."""
    body = [m for m in mails(container) if m["to_address"] == email][-1]["body"]
    found = re.search(r"https?://[^/\s]+(/portal\?access=shp_[A-Za-z0-9_.\-]+)", body)
    assert found, body
    return found.group(1)


def shopper_cookies(response) -> list[str]:
    return [h for h in response.headers.get_list("set-cookie") if h.startswith("baton_shopper=")]


def attributes(header: str) -> dict[str, str]:
    return {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}


def signed_in_browser(browsers, container: Container, email: str) -> TestClient:
    browser = browsers()
    assert ask_for_link(browser, email).status_code == 200
    opened = browser.get(mailed_link(container, email))
    assert opened.status_code == 303, opened.text
    return browser


def order_numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/portal/orders/([^"]+)">', html)


# -- the mailed link ----------------------------------------------------------------------------------------------
def test_the_mailed_link_sets_a_hardened_cookie_and_redirects_so_the_token_leaves_the_address_bar(
        stocked, browsers, container):
    # Given Jane's order and a link mailed to her
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    browser = browsers()
    with frozen_at(ISSUED):
        asked = ask_for_link(browser, "jane@example.com")
    assert asked.status_code == 200 and SENT in asked.text
    [mail] = mails(container)
    assert "click this link" in mail["body"]
    link = mailed_link(container, "jane@example.com")
    hours = container.settings.shopper_link_hours

    # When she opens it an hour later
    with frozen_at(ISSUED + timedelta(hours=1)):
        opened = browser.get(link)

    # Then the token moves into a cookie that lives until the link expires, and the address bar is clean
    assert opened.status_code == 303 and opened.headers["location"] == "/portal"
    [header] = shopper_cookies(opened)
    assert header.split(";")[0] == f"baton_shopper={link.split('access=')[1]}"
    flags = attributes(header)
    assert {"secure", "httponly", "samesite", "path", "max-age"} <= set(flags)
    assert flags["samesite"].lower() == "samesite=lax" and flags["path"] == "Path=/portal"
    assert flags["max-age"] == f"Max-Age={(hours - 1) * 3600}"
    assert opened.headers["cache-control"] == "no-store"
    with frozen_at(ISSUED + timedelta(hours=1)):
        history = browser.get("/portal")
    assert history.status_code == 200
    assert order_numbers(history.text) == [order["number"]]
    assert history.headers["cache-control"] == "no-store"
    policy = history.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src" not in policy and "default-src 'none'" in policy
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in history.text


def test_a_tampered_link_gets_a_401_page_offering_a_new_one_and_no_cookie(stocked, browsers, container):
    stocked.order([("SHIRT", 1)], customer=JANE)
    ask_for_link(browsers(), "jane@example.com")
    token = mailed_link(container, "jane@example.com").split("access=")[1]
    middle = len(token) // 2
    flipped = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]

    for bad in (flipped, token[:-4], token + "x", token.replace("shp_", "bt_"), "", "shp_" + "A" * 600):
        answer = browsers().get("/portal", params={"access": bad})
        assert answer.status_code == 401, bad
        assert EXPIRED in answer.text and 'action="/portal/link"' in answer.text
        assert shopper_cookies(answer) == []
        assert answer.headers["cache-control"] == "no-store"


def test_an_expired_link_gets_the_401_page_and_no_cookie(stocked, browsers, container):
    stocked.order([("SHIRT", 1)], customer=JANE)
    with frozen_at(ISSUED):
        ask_for_link(browsers(), "jane@example.com")
    link = mailed_link(container, "jane@example.com")
    hours = container.settings.shopper_link_hours

    with frozen_at(ISSUED + timedelta(hours=hours) - timedelta(seconds=1)):
        still_good = browsers().get(link)
    with frozen_at(ISSUED + timedelta(hours=hours)):
        expired = browsers().get(link)

    assert still_good.status_code == 303 and shopper_cookies(still_good)
    assert expired.status_code == 401 and EXPIRED in expired.text
    assert shopper_cookies(expired) == []


def test_a_cookie_whose_link_expired_since_gets_the_401_page_and_is_cleared(stocked, browsers, container):
    stocked.order([("SHIRT", 1)], customer=JANE)
    with frozen_at(ISSUED):
        browser = signed_in_browser(browsers, container, "jane@example.com")
    hours = container.settings.shopper_link_hours

    with frozen_at(ISSUED + timedelta(hours=hours, minutes=1)):
        answer = browser.get("/portal")

    assert answer.status_code == 401 and EXPIRED in answer.text
    [cleared] = shopper_cookies(answer)
    assert "Max-Age=0" in cleared and "Path=/portal" in cleared


def test_without_a_cookie_the_portal_offers_the_form_that_mails_a_link(stocked, browsers):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    browser = browsers()

    landing = browser.get("/portal")
    deep = browser.get(f"/portal/orders/{order['number']}")

    assert landing.status_code == 200 and 'action="/portal/link"' in landing.text
    assert "See your orders" in landing.text and EXPIRED not in landing.text
    assert deep.status_code == 401 and 'action="/portal/link"' in deep.text
    assert order["number"] not in deep.text


# -- only one's own orders ----------------------------------------------------------------------------------------
def test_the_history_lists_only_the_shoppers_own_orders_newest_first(stocked, browsers, container):
    # Given two orders of Jane's and one of Bob's
    janes = [stocked.order([("SHIRT", n)], customer=JANE) for n in (1, 2)]
    bobs = stocked.order([("SHIRT", 1)], customer=BOB)

    # When Jane opens her link
    history = signed_in_browser(browsers, container, "jane@example.com").get("/portal")

    # Then she sees her two orders, with date, status and total, and nothing of Bob's
    assert history.status_code == 200
    assert order_numbers(history.text) == [janes[1]["number"], janes[0]["number"]]
    assert bobs["number"] not in history.text and "Bob" not in history.text
    assert "€20.00" in history.text and "€10.00" in history.text  # no Accept-Language: en_US
    assert "Placed" in history.text and janes[0]["placed_at"][:10] in history.text
    assert 'action="/portal/sign-out"' in history.text


def test_an_order_page_shows_lines_statuses_and_shipments_with_carrier_and_tracking_number(
        stocked, browsers, container):
    order = stocked.order([("SHIRT", 2)], customer=JANE)
    fo_id = order["fulfillment_orders"][0]["id"]
    stocked.act(fo_id, "accept")
    stocked.act(fo_id, "ship", {"carrier": "DHL", "tracking_number": "JD0001"})

    page = signed_in_browser(browsers, container, "jane@example.com").get(f"/portal/orders/{order['number']}")

    assert page.status_code == 200
    text = page.text
    assert f"Order {order['number']}" in text
    assert "Product SHIRT" in text and "2 on the way" in text and "€20.00" in text
    assert "Shipped" in text and "DHL" in text and "JD0001" in text and "On the way" in text
    assert "Jungfernstieg 1" in text  # her own shipping address
    assert page.headers["cache-control"] == "no-store"


def test_amounts_are_shown_the_way_the_readers_language_writes_them(stocked, browsers, container):
    order = stocked.order([("SHIRT", 100)], customer=JANE)
    browser = signed_in_browser(browsers, container, "jane@example.com")

    german = browser.get(f"/portal/orders/{order['number']}", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    english = browser.get("/portal", headers={"Accept-Language": "xx, en-GB;q=0.8"})

    assert "1.000,00\xa0€" in german.text  # 100 × 10.00 EUR: German digits, the sign after the amount
    assert "€1,000.00" in english.text  # an unknown language is skipped for the next one


def test_another_customers_order_answers_the_same_404_page_as_an_unknown_number(stocked, browsers, container):
    stocked.order([("SHIRT", 1)], customer=JANE)
    bobs = stocked.order([("SHIRT", 1)], customer=BOB)
    jane = signed_in_browser(browsers, container, "jane@example.com")

    unknown = jane.get("/portal/orders/BT-999999")

    assert unknown.status_code == 404
    for number in (bobs["number"], bobs["number"].lower(), bobs["id"], bobs["tracking_id"]):
        answer = jane.get(f"/portal/orders/{number}")
        assert (answer.status_code, answer.text) == (404, unknown.text), number
        assert "Bob" not in answer.text
    bob = signed_in_browser(browsers, container, "bob@example.com")
    assert bob.get(f"/portal/orders/{bobs['number']}").status_code == 200


# -- asking for a link --------------------------------------------------------------------------------------------
def test_the_link_form_without_the_right_csrf_token_is_refused_with_403_and_mails_nothing(
        stocked, browsers, container):
    stocked.order([("SHIRT", 1)], customer=JANE)
    browser = browsers()
    token = csrf_of(browser.get("/portal").text)
    console_token = csrf_of(browsers().get("/console/sign-in").text)  # signed for another form
    email = {"email": "jane@example.com"}
    forged = URLSafeTimedSerializer("another secret", salt="baton.portal.forms").dumps("x")

    refused = [
        browser.post("/portal/link", data=email),  # no field
        browser.post("/portal/link", data={**email, "csrf_token": token + "x"}),  # not the cookie's
        browser.post("/portal/link", data={**email, "csrf_token": "ünïcode"}),
        browsers().post("/portal/link", data={**email, "csrf_token": token}),  # no cookie
    ]
    for value in (forged, console_token):  # cookie and field agree, but not signed for this form
        other = browsers()
        other.cookies.set("baton_portal_csrf", value, domain="testserver", path="/portal")
        refused.append(other.post("/portal/link", data={**email, "csrf_token": value}))

    for response in refused:
        assert response.status_code == 403
        assert "nothing was changed" in response.text
        assert response.headers["cache-control"] == "no-store"
    assert mails(container) == []


def test_the_link_form_answers_the_same_for_a_known_and_an_unknown_email_and_mails_only_the_known_one(
        stocked, browsers, container):
    stocked.order([("SHIRT", 1)], customer=JANE)

    known = ask_for_link(browsers(), "Jane@Example.com")
    unknown = ask_for_link(browsers(), "nobody@example.com")

    assert (known.status_code, known.text) == (unknown.status_code, unknown.text)
    assert known.status_code == 200 and SENT in known.text
    assert [(m["kind"], m["to_address"]) for m in mails(container)] == [("shopper_link", "jane@example.com")]


def test_a_malformed_email_is_shown_back_with_a_hint_and_mails_nothing(stocked, browsers, container):
    stocked.order([("SHIRT", 1)], customer=JANE)

    answer = ask_for_link(browsers(), '"><b>jane')

    assert answer.status_code == 422 and "Enter the email address you ordered with." in answer.text
    assert "<b>jane" not in answer.text and "&lt;b&gt;jane" in answer.text
    assert mails(container) == []


def test_too_many_links_for_one_email_get_a_friendly_429_page_with_retry_after(stocked, browsers, container):
    stocked.order([("SHIRT", 1)], customer=JANE)
    browser = browsers()
    token = csrf_of(browser.get("/portal").text)

    with frozen_at(ISSUED):
        answers = [browser.post("/portal/link", data={"email": "jane@example.com", "csrf_token": token})
                   for _ in range(6)]

    assert [a.status_code for a in answers] == [200] * 5 + [429]
    limited = answers[-1]
    assert limited.headers["retry-after"] == "2400"  # the rest of the hour's window
    assert "Try again in 40 minutes" in limited.text and limited.headers["content-type"].startswith("text/html")
    assert len(mails(container)) == 5


# -- signing out --------------------------------------------------------------------------------------------------
def test_signing_out_needs_the_csrf_token_and_clears_the_cookie(stocked, browsers, container):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    browser = signed_in_browser(browsers, container, "jane@example.com")

    for data in ({}, {"csrf_token": "wrong"}):
        refused = browser.post("/portal/sign-out", data=data)
        assert refused.status_code == 403 and shopper_cookies(refused) == []
    assert order_numbers(browser.get("/portal").text) == [order["number"]]

    token = csrf_of(browser.get("/portal").text)
    signed_out = browser.post("/portal/sign-out", data={"csrf_token": token})

    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/portal"
    [cleared] = shopper_cookies(signed_out)
    assert "Max-Age=0" in cleared and "Path=/portal" in cleared
    after = browser.get("/portal")
    assert after.status_code == 200 and 'action="/portal/link"' in after.text
    assert order["number"] not in after.text
