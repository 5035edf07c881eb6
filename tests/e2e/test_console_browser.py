"""The console in a real browser: Playwright drives Debian's Chromium against a real `baton serve` with a seeded
shop. An agent finds an order by the customer's email and refunds part of it; an analyst sees no actions; a bad
amount is named next to its field. The screenshots in the README come from here (docs/screenshots/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from baton.adapters.db.migrate import upgrade
from tests.e2e.browser import ADDRESS, JANE, add_users, screenshot, seeding, signed_in
from tests.e2e.browser import browser as browser  # the module fixtures
from tests.e2e.browser import chromium as chromium
from tests.e2e.server import BatonServer

pytestmark = pytest.mark.xdist_group("server")

SHOPPERS = [("max@example.com", "Max Mustermann", "app"), ("erika@example.com", "Erika Muster", "phone"),
            ("li@example.com", "Li Wei", "marketplace")]


@pytest.fixture(scope="module")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BatonServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('console') / 'shop.db'}"
    upgrade(url)
    add_users(url, {"agent": ("agent", ()), "analyst": ("analyst", ())})
    with BatonServer(url) as running:
        seed(running)
        yield running
        assert running.errors() == [], running.output()


def seed(server: BatonServer) -> None:
    """A small shop through the API: a warehouse, two products, Jane's paid and shipped order, a few others."""
    with seeding(server) as api:
        post = api.post
        api.berlin_warehouse()
        jane = post("/api/v1/orders", {"channel": "web", "currency": "EUR", "customer": JANE,
                                       "shipping_address": ADDRESS, "payment": {"method": "sandbox",
                                                                                "token": "tok_approve"},
                                       "lines": [{"sku": "MUG-BLUE", "quantity": 2},
                                                 {"sku": "TEA-ROOIBOS", "quantity": 1}]})
        fo = jane["fulfillment_orders"][0]["id"]
        post(f"/api/v1/fulfillment-orders/{fo}/accept", {})
        post(f"/api/v1/fulfillment-orders/{fo}/ship", {"carrier": "DHL", "tracking_number": "00340434161094000000"})
        for email, name, channel in SHOPPERS:
            post("/api/v1/orders", {"channel": channel, "currency": "EUR", "customer": {"email": email, "name": name},
                                    "shipping_address": {**ADDRESS, "name": name},
                                    "lines": [{"sku": "TEA-ROOIBOS", "quantity": 3}]})


def test_an_agent_finds_an_order_by_email_and_refunds_part_of_it(browser, server) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, server, "agent", viewport={"width": 1280, "height": 900})
    page.get_by_role("link", name="Orders", exact=True).click()  # from the home page
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    screenshot(page, "console-orders.png")
    # the search box has the focus: typing and Enter are enough
    page.keyboard.type(JANE["email"])
    page.keyboard.press("Enter")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("€58.30")  # 2 × 24.90 + 8.50 (no shipping charged), en-US format
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Order BT-")).to_be_visible()
    expect(page.locator("#fulfilment-heading + p + p")).to_contain_text("DHL 00340434161094000000")

    page.get_by_label("Amount (EUR)", exact=True).fill("12.50")
    page.get_by_label("Reason", exact=True).last.fill("Scratched mug")
    page.get_by_role("button", name="Refund").click()
    expect(page.get_by_role("status")).to_have_text("The refund was issued.")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Refund of EUR 12.50 requested: Scratched mug.")
    expect(timeline).to_contain_text("The refund of EUR 12.50 (sandbox) went through.")
    screenshot(page, "console-order.png")


def test_a_bad_refund_amount_is_named_next_to_the_field(browser, server) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, server, "agent")
    page.goto(f"/console/orders?q={JANE['email']}")
    page.locator("tbody tr").first.get_by_role("link").click()
    amount = page.get_by_label("Amount (EUR)", exact=True)
    amount.fill("twelve")
    page.get_by_label("Reason", exact=True).last.fill("Scratched mug")
    page.get_by_role("button", name="Refund").click()
    amount = page.get_by_label("Amount (EUR)", exact=True)
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_have_value("twelve")  # what was typed stays, to be corrected
    error = page.locator("#refund-amount-error")
    expect(error).to_be_visible()
    expect(error).not_to_have_text("")
    expect(page.get_by_text("Traceback")).to_have_count(0)


def test_an_analyst_sees_the_order_but_no_action_and_the_page_fits_a_phone(browser, server) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, server, "analyst", viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(f"/console/orders?q={JANE['email']}")
    page.locator("tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("main form")).to_have_count(0)  # not a single action form
    for name in ("Refund", "Hold", "Cancel order", "Add note"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    screenshot(page, "console-order-phone.png")
