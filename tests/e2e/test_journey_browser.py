"""The whole journey of one order in a real browser (issue 8): Playwright drives Debian's Chromium against a real
`baton serve`. An agent finds Jane's order by her email; a Berlin warehouse user accepts, packs and ships it from
their queue with a tracking number; the agent refunds part of it; the warehouse user records the carrier's news
(out for delivery, then delivered); Jane follows the tracking page on her phone, signs in to the portal through
the mailed link and asks to return a mug; the return waits in the console's returns queue. Each step asserts what
the person sees. With BATON_SCREENSHOTS=1 the README's console-parcel.png and tracking-out-for-delivery.png
come from here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from baton.adapters.db.migrate import upgrade
from tests.e2e.browser import ADDRESS, JANE, add_users, screenshot, seeding, signed_in
from tests.e2e.browser import browser as browser  # the module fixtures
from tests.e2e.browser import chromium as chromium
from tests.e2e.server import BatonServer
from tests.e2e.test_portal_browser import PHONE, mailed_link

pytestmark = pytest.mark.xdist_group("server")
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
TRACKING_NUMBER = "00340434161094000777"


@pytest.fixture(scope="module")
def shop(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running server with a Berlin warehouse, two products, Jane's paid order and two other customers' orders;
    an agent and a Berlin warehouse user. {"server", "order": Jane's order as the API answered it}."""
    url = f"sqlite:///{tmp_path_factory.mktemp('journey') / 'shop.db'}"
    upgrade(url)
    with BatonServer(url) as running:
        order = seed(running)
        add_users(url, {"agent": ("agent", ()), "warehouse": ("fulfillment", ("WH-BER",))})  # after the location
        yield {"server": running, "order": order}
        assert running.errors() == [], running.output()


def seed(server: BatonServer) -> dict[str, Any]:
    with seeding(server) as api:
        post = api.post
        api.berlin_warehouse()

        def order(customer: dict[str, str], lines: list[dict[str, Any]]) -> dict:
            return post("/api/v1/orders", {
                "channel": "web", "currency": "EUR", "customer": customer,
                "shipping_address": {**ADDRESS, "name": customer["name"]},
                "payment": {"method": "sandbox", "token": "tok_approve"}, "lines": lines})

        order({"email": "max@example.com", "name": "Max Mustermann"}, [{"sku": "TEA-ROOIBOS", "quantity": 3}])
        jane = order(JANE, [{"sku": "MUG-BLUE", "quantity": 2}, {"sku": "TEA-ROOIBOS", "quantity": 1}])
        order({"email": "li@example.com", "name": "Li Wei"}, [{"sku": "MUG-BLUE", "quantity": 1}])
        return jane


def test_an_order_is_found_shipped_refunded_tracked_and_returned(browser, shop) -> None:
    from playwright.sync_api import expect

    server, number, tracking_id = shop["server"], shop["order"]["number"], shop["order"]["tracking_id"]

    # The agent finds Jane's order by her email.
    agent = signed_in(browser, server, "agent", **DESKTOP)
    agent.get_by_role("link", name="Orders", exact=True).click()
    expect(agent.get_by_role("heading", name="Orders")).to_be_visible()
    agent.keyboard.type(JANE["email"])  # the search box has the focus
    agent.keyboard.press("Enter")
    rows = agent.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(number)
    expect(rows.first).to_contain_text("€58.30")  # 2 × 24.90 + 8.50
    rows.first.get_by_role("link", name=number).click()
    expect(agent.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    order_url = agent.url
    fulfilment = agent.locator("section", has=agent.get_by_role("heading", name="Fulfilment"))
    expect(fulfilment).to_contain_text("WH-BER · open")
    expect(agent.get_by_role("button", name="Refund")).to_have_count(0)  # nothing captured before it ships

    # A Berlin warehouse user accepts, packs and ships it from their queue.
    warehouse = signed_in(browser, server, "warehouse", **DESKTOP)
    warehouse.get_by_role("link", name="Fulfilment", exact=True).click()
    expect(warehouse.get_by_label("Location")).to_have_value("WH-BER")
    warehouse.get_by_role("link", name=number).click()
    expect(warehouse.get_by_role("heading", name=f"Fulfilment of {number}")).to_be_visible()
    warehouse.get_by_role("button", name="Accept").click()
    expect(warehouse.get_by_role("status")).to_have_text("Accepted: the order is yours to pick.")
    warehouse.get_by_role("button", name="Pack").click()
    expect(warehouse.get_by_role("status")).to_have_text("Packed.")
    warehouse.get_by_label("Carrier").fill("DHL")
    warehouse.get_by_label("Tracking number").fill(TRACKING_NUMBER)
    warehouse.get_by_role("button", name="Ship").click()
    expect(warehouse.get_by_role("status")).to_have_text("The parcel was shipped.")
    shipments = warehouse.locator("section", has=warehouse.get_by_role("heading", name="Shipments"))
    expect(shipments.locator("tbody tr")).to_have_count(1)
    expect(shipments.locator("tbody tr").first).to_contain_text(TRACKING_NUMBER)
    expect(shipments.locator("tbody tr").first).to_contain_text("in transit")
    expect(shipments.locator("tbody tr").first).to_contain_text("2 × MUG-BLUE, 1 × TEA-ROOIBOS")

    # The agent sees the parcel and the captured payment, and refunds part of it.
    agent.goto(order_url)
    expect(agent.locator("main dl").first).to_contain_text("shipped")
    expect(fulfilment).to_contain_text(f"DHL {TRACKING_NUMBER}")
    agent.get_by_label("Amount (EUR)", exact=True).fill("12.50")
    agent.get_by_label("Reason", exact=True).last.fill("Scratched mug")
    agent.get_by_role("button", name="Refund").click()
    expect(agent.get_by_role("status")).to_have_text("The refund was issued.")
    payments = agent.locator("section", has=agent.get_by_role("heading", name="Payments"))
    expect(payments.locator("tbody tr").first).to_contain_text("€58.30")  # captured
    expect(payments.locator("tbody tr").first).to_contain_text("€12.50")  # refunded
    expect(agent.locator("ol.timeline")).to_contain_text("The refund of EUR 12.50 (sandbox) went through.")

    # The carrier's news, typed in by the warehouse: the parcel is on the van.
    parcel = warehouse.get_by_role("group", name=f"Parcel DHL {TRACKING_NUMBER}")
    screenshot(warehouse, "console-parcel.png")
    parcel.get_by_role("button", name="Out for delivery").click()
    expect(warehouse.get_by_role("status")).to_have_text("The parcel is out for delivery; the customer will be told.")
    expect(shipments.locator("tbody tr").first).to_contain_text("out for delivery")

    # Jane follows the tracking page on her phone.
    jane = browser.new_context(base_url=server.base_url, locale="en-US", **PHONE).new_page()
    jane.goto(f"/track/{tracking_id}")
    expect(jane.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    expect(jane.get_by_role("heading", name="Status: Out for delivery")).to_be_visible()
    expect(jane.locator('ol.steps li[aria-current="step"]')).to_contain_text("Out for delivery")
    expect(jane.get_by_role("link", name=TRACKING_NUMBER)).to_be_visible()
    parcels = jane.locator("section", has=jane.get_by_role("heading", name="Parcels"))
    expect(parcels).to_contain_text("DHL")
    expect(parcels).to_contain_text("Out for delivery")
    expect(parcels).to_contain_text("2 × Blue mug, 1 × Rooibos tea 250 g")
    assert jane.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    screenshot(jane, "tracking-out-for-delivery.png")

    # It arrives; the warehouse records it and Jane's page says so.
    parcel.get_by_role("button", name="Delivered").click()
    expect(warehouse.get_by_role("status")).to_have_text("The parcel was delivered.")
    expect(shipments.locator("tbody tr").first).to_contain_text("delivered")
    expect(warehouse.get_by_role("group", name=f"Parcel DHL {TRACKING_NUMBER}")).to_have_count(0)
    jane.reload()
    expect(jane.get_by_role("heading", name="Status: Delivered")).to_be_visible()
    expect(jane.locator("ol.steps li.step-done")).to_have_count(5)

    # Jane manages the order: a mailed sign-in link, then a return of one mug.
    jane.get_by_role("link", name="Manage this order").click()
    jane.get_by_label("Email").fill(JANE["email"])
    jane.get_by_role("button", name="Mail me a link").click()
    expect(jane.get_by_role("heading", name="Check your mail")).to_be_visible()
    jane.goto(mailed_link(server, JANE["email"]))
    expect(jane.get_by_role("heading", name="Your orders")).to_be_visible()
    jane.get_by_role("link", name=number).click()
    jane.get_by_role("link", name="Return items").click()
    expect(jane.get_by_role("heading", name=f"Return items of order {number}")).to_be_visible()
    jane.get_by_label("How many of Blue mug").fill("1")
    jane.get_by_label("Why Blue mug comes back").select_option("Arrived damaged")
    jane.get_by_label("I send a parcel").check()
    jane.get_by_role("button", name="Request the return").click()
    expect(jane.get_by_role("status")).to_contain_text("Your return request is in.")
    expect(jane.get_by_text("1 return requested")).to_be_visible()
    expect(jane.get_by_text("Traceback")).to_have_count(0)

    # The return waits in the console's returns queue.
    agent.get_by_role("link", name="Returns", exact=True).click()
    expect(agent.get_by_role("heading", name="Returns")).to_be_visible()
    waiting = agent.locator("tbody tr", has_text=number)
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("ship back")
    waiting.get_by_role("link").click()
    expect(agent.get_by_role("heading", name=f"Return RMA-{number.removeprefix('BT-')}")).to_be_visible()
    facts = agent.locator("main dl").first
    expect(facts).to_contain_text("requested")
    expect(facts).to_contain_text(number)
    expect(facts).to_contain_text("by customer")  # Jane asked, not the agent
    expect(agent.locator("tbody tr", has_text="MUG-BLUE")).to_contain_text("Arrived damaged")
