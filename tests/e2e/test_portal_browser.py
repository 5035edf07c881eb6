"""The shopper's tracking page and portal, and the agent's order on behalf with an edit, in a real browser:
Playwright drives Debian's Chromium against a real `baton serve` with a seeded shop. The shopper follows the
tracking page on a phone, signs in through the mailed link (read from the mail outbox table, as the notifications
worker reads it), requests a return and sees a bad input named next to its field; an agent places an order on a
customer's behalf and edits it after a preview of the new totals. The README's screenshots tracking-page.png,
portal-return.png and console-order-edit.png come from here (docs/screenshots/ with BATON_SCREENSHOTS=1)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select

from baton.adapters.db import tables as t
from baton.adapters.db.migrate import upgrade
from tests.e2e.browser import ADDRESS, JANE, add_users, screenshot, seeding, signed_in
from tests.e2e.browser import browser as browser  # the module fixtures
from tests.e2e.browser import chromium as chromium
from tests.e2e.server import BatonServer

pytestmark = pytest.mark.xdist_group("server")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TRACKING_NUMBER = "00340434161094000001"


@pytest.fixture(scope="module")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BatonServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('portal') / 'shop.db'}"
    upgrade(url)
    add_users(url, {"agent": ("agent", ())})
    with BatonServer(url) as running:
        yield running
        assert running.errors() == [], running.output()


@pytest.fixture(scope="module")
def shop(server: BatonServer) -> dict[str, dict]:
    """A warehouse and a pickup store, two products; Jane's order shipped with DHL (tracked) and a delivered one."""
    with seeding(server) as api:
        post = api.post
        api.berlin_warehouse()
        post("/api/v1/locations", {"code": "ST-HAM", "name": "Hamburg store", "type": "store", "pickup": True,
                                   "address": ADDRESS})

        def order(lines: list[dict], tracking_number: str, deliver: bool) -> dict:
            placed = post("/api/v1/orders", {
                "channel": "web", "currency": "EUR", "customer": JANE, "shipping_address": ADDRESS,
                "payment": {"method": "sandbox", "token": "tok_approve"}, "lines": lines})
            fo = placed["fulfillment_orders"][0]["id"]
            post(f"/api/v1/fulfillment-orders/{fo}/accept", {})
            post(f"/api/v1/fulfillment-orders/{fo}/ship", {"carrier": "DHL", "service": "Paket",
                                                            "tracking_number": tracking_number})
            if deliver:
                post(f"/api/v1/fulfillment-orders/{fo}/deliver", {})
            return placed

        return {"shipped": order([{"sku": "MUG-BLUE", "quantity": 2}, {"sku": "TEA-ROOIBOS", "quantity": 1}],
                                 TRACKING_NUMBER, deliver=False),
                "delivered": order([{"sku": "MUG-BLUE", "quantity": 1}], "00340434161094000002", deliver=True)}


def mailed_link(server: BatonServer, email: str) -> str:
    """The path and query of the newest portal link mailed to `email`, from the mail outbox table."""
    engine = create_engine(server.database_url)
    try:
        m = t.mail_outbox.c
        with engine.connect() as conn:
            bodies = conn.scalars(select(m.body).where(m.to_address == email).order_by(m.created_at, m.id)).all()
    finally:
        engine.dispose()
    assert bodies, f"no mail to {email}"
    found = re.search(r"https?://[^/\s]+(/portal\?access=shp_[A-Za-z0-9_.\-]+)", bodies[-1])
    assert found, bodies[-1]
    return found.group(1)


def test_the_shopper_follows_the_tracking_page_on_a_phone(browser, server, shop) -> None:
    from playwright.sync_api import expect

    page = browser.new_context(base_url=server.base_url, locale="en-US", **PHONE).new_page()
    page.goto(f"/track/{shop['shipped']['tracking_id']}")

    expect(page.get_by_role("heading", name=f"Order {shop['shipped']['number']}")).to_be_visible()
    current = page.locator('ol.steps li[aria-current="step"]')
    expect(current).to_contain_text("Shipped")
    expect(page.locator("ol.steps li")).to_have_count(5)
    number = page.get_by_role("link", name=TRACKING_NUMBER)
    expect(number).to_be_visible()
    assert "dhl.de" in (number.get_attribute("href") or "")
    expect(page.get_by_text("(estimate)").first).to_be_visible()
    expect(page.get_by_role("link", name="Manage this order")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    screenshot(page, "tracking-page.png")

    page.goto("/track/not-a-tracking-id-at-all")
    expect(page.get_by_role("heading", name="We could not find this order")).to_be_visible()


def test_the_shopper_signs_in_by_the_mailed_link_and_requests_a_return(browser, server, shop) -> None:
    from playwright.sync_api import expect

    delivered = shop["delivered"]
    page = browser.new_context(base_url=server.base_url, locale="en-US", **PHONE).new_page()
    page.goto(f"/track/{delivered['tracking_id']}")
    page.get_by_role("link", name="Manage this order").click()
    page.get_by_label("Email").fill(JANE["email"])  # not signed in yet: the portal mails a link
    page.get_by_role("button", name="Mail me a link").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()

    page.goto(mailed_link(server, JANE["email"]))
    expect(page.get_by_role("heading", name="Your orders")).to_be_visible()
    page.get_by_role("link", name=delivered["number"]).click()
    page.get_by_role("link", name="Return items").click()
    expect(page.get_by_role("heading", name=f"Return items of order {delivered['number']}")).to_be_visible()

    page.get_by_label("How many of Blue mug").fill("1")
    page.get_by_label("Why Blue mug comes back").select_option("Arrived damaged")
    page.get_by_label("I bring them to a store").check()  # ... but no store chosen: a mistake
    page.get_by_role("button", name="Request the return").click()
    store = page.get_by_label("Store (when you bring them)")
    expect(store).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#location-error")).to_contain_text("choose the store")
    expect(page.get_by_label("How many of Blue mug")).to_have_value("1")  # what was chosen stays
    expect(page.get_by_text("Traceback")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits the phone
    screenshot(page, "portal-return.png")

    store.select_option("ST-HAM")
    page.get_by_role("button", name="Request the return").click()
    expect(page.get_by_role("status")).to_contain_text("Your return request is in.")
    expect(page.get_by_text("1 return requested")).to_be_visible()


def test_an_agent_places_an_order_on_behalf_and_edits_it_after_a_preview(browser, server, shop) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, server, "agent", viewport={"width": 1280, "height": 900})
    page.goto("/console/orders")
    page.get_by_role("link", name="New order on a customer's behalf").click()
    page.get_by_label("Email").fill("erika@example.com")
    page.locator("#name").fill("Erika Muster")
    page.get_by_label("SKU of item 1").fill("TEA-ROOIBOS")
    page.get_by_label("Quantity of item 1").fill("2")
    page.get_by_label("Street and number").fill("Jungfernstieg 1")
    page.get_by_label("Postal code").fill("20095")
    page.get_by_label("City").fill("Hamburg")
    page.get_by_label("Country (ISO, e.g. DE)").fill("DE")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("status")).to_have_text("The order was placed on behalf of the customer.")
    expect(page.locator("main dl").first).to_contain_text("phone")
    expect(page.locator("ol.timeline")).to_contain_text("agent@shop.example (agent)")

    page.get_by_role("link", name="Edit order").click()
    page.get_by_label("Quantity of Rooibos tea 250 g").fill("3")
    page.get_by_label("Reason (on the timeline)").fill("Customer called: one more")
    page.get_by_role("button", name="Preview new totals").click()
    expect(page.locator("#preview-total")).to_have_text("€25.50")  # 3 × 8.50
    expect(page.get_by_text("change +€8.50")).to_be_visible()
    screenshot(page, "console-order-edit.png")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_have_text("The order was changed.")
    expect(page.locator("main")).to_contain_text("€25.50")
