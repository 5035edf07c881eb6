"""The console's operations pages in a real browser: Playwright drives Debian's Chromium against a real
`baton serve` with a seeded shop of two warehouses. A Berlin warehouse user accepts, packs and ships an order from
their queue with a tracking number, cannot see Munich's queue, and gets a bad input named next to its field; the
inventory and returns pages render. The README's screenshots of these pages come from here (docs/screenshots/,
only with BATON_SCREENSHOTS=1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from baton.adapters.db.migrate import upgrade
from tests.e2e.browser import ADDRESS, add_users, screenshot, seeding, signed_in
from tests.e2e.browser import browser as browser  # the module fixtures
from tests.e2e.browser import chromium as chromium
from tests.e2e.server import BatonServer

pytestmark = pytest.mark.xdist_group("server")

USERS = {"warehouse": ("fulfillment", ("WH-BER",)), "agent": ("agent", ())}


@pytest.fixture(scope="module")
def shop(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running server and what was seeded into it: {"server", "orders": {name: order}, "rma": return}."""
    url = f"sqlite:///{tmp_path_factory.mktemp('console-ops') / 'shop.db'}"
    upgrade(url)
    with BatonServer(url) as running:
        seeded = seed(running)
        add_users(url, USERS)  # after the locations they work for
        yield {"server": running, **seeded}
        assert running.errors() == [], running.output()


def seed(server: BatonServer) -> dict[str, Any]:
    """Two warehouses; Jane's and Max's orders go to Berlin, Erika's kettle only Munich has; Li's delivered order
    has a return requested."""
    with seeding(server) as api:
        post, put = api.post, api.put
        for code, city, postal_code, priority in (("WH-BER", "Berlin", "10115", 1), ("WH-MUC", "Munich", "80331", 2)):
            post("/api/v1/locations", {"code": code, "name": f"{city} warehouse", "type": "warehouse",
                                       "priority": priority,
                                       "address": {**ADDRESS, "city": city, "postal_code": postal_code}})
        for sku, name, price, stock in (("MUG-BLUE", "Blue mug", "24.90", {"WH-BER": 50, "WH-MUC": 3}),
                                        ("TEA-ROOIBOS", "Rooibos tea 250 g", "8.50", {"WH-BER": 40}),
                                        ("KETTLE-STEEL", "Steel kettle", "59.00", {"WH-MUC": 5})):
            post("/api/v1/products", {"sku": sku, "name": name, "category": "kitchen", "price": price,
                                      "currency": "EUR"})
            for location, units in stock.items():
                put(f"/api/v1/inventory/{location}/{sku}", {"on_hand": units, "reason": "count"})
        put("/api/v1/inventory/WH-MUC/MUG-BLUE/reorder-point", {"reorder_point": 5})

        def order(email: str, name: str, lines: list[tuple[str, int]]) -> dict:
            return post("/api/v1/orders", {
                "channel": "web", "currency": "EUR", "customer": {"email": email, "name": name},
                "shipping_address": {**ADDRESS, "name": name}, "payment": {"method": "sandbox", "token": "tok_approve"},
                "lines": [{"sku": sku, "quantity": q} for sku, q in lines]})

        orders = {"jane": order("jane@example.com", "Jane Doe", [("MUG-BLUE", 2), ("TEA-ROOIBOS", 1)]),
                  "max": order("max@example.com", "Max Mustermann", [("TEA-ROOIBOS", 3)]),
                  "erika": order("erika@example.com", "Erika Muster", [("KETTLE-STEEL", 1)]),
                  "li": order("li@example.com", "Li Wei", [("MUG-BLUE", 1), ("TEA-ROOIBOS", 2)])}
        fo = orders["li"]["fulfillment_orders"][0]["id"]
        post(f"/api/v1/fulfillment-orders/{fo}/accept", {})
        post(f"/api/v1/fulfillment-orders/{fo}/ship", {"carrier": "DHL", "tracking_number": "00340434161094000001"})
        post(f"/api/v1/fulfillment-orders/{fo}/deliver", {})
        line = next(line["id"] for line in orders["li"]["lines"] if line["sku"] == "MUG-BLUE")
        rma = post(f"/api/v1/orders/{orders['li']['id']}/returns", {
            "method": "ship_back", "lines": [{"line_id": line, "quantity": 1, "reason": "Chipped rim"}]})
        return {"orders": orders, "rma": rma}


def fo_of(order: dict) -> str:
    return str(order["fulfillment_orders"][0]["id"])


def test_a_warehouse_user_accepts_packs_and_ships_an_order_with_a_tracking_number(browser, shop) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, shop["server"], "warehouse", viewport={"width": 1280, "height": 900})
    page.get_by_role("link", name="Fulfilment", exact=True).click()
    expect(page.get_by_role("heading", name="Fulfilment")).to_be_visible()
    expect(page.get_by_label("Location")).to_have_value("WH-BER")  # their own queue, without choosing
    jane = shop["orders"]["jane"]
    page.get_by_role("link", name=jane["number"]).click()
    expect(page.get_by_role("heading", name=f"Fulfilment of {jane['number']}")).to_be_visible()

    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_have_text("Accepted: the order is yours to pick.")
    page.get_by_role("button", name="Pack").click()
    expect(page.get_by_role("status")).to_have_text("Packed.")
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking number").fill("00340434161094000042")
    screenshot(page, "console-fulfillment.png")
    page.get_by_role("button", name="Ship").click()
    expect(page.get_by_role("status")).to_have_text("The parcel was shipped.")
    shipments = page.locator("section", has=page.get_by_role("heading", name="Shipments"))
    expect(shipments).to_contain_text("00340434161094000042")
    expect(shipments).to_contain_text("2 × MUG-BLUE")
    expect(page.get_by_role("button", name="Ship")).to_have_count(0)  # nothing left to ship


def test_a_warehouse_user_cannot_see_another_locations_queue(browser, shop) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, shop["server"], "warehouse", viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto("/console/fulfillment")
    expect(page.locator("#location option[value='WH-MUC']")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits a phone
    erika = shop["orders"]["erika"]  # only Munich has kettles
    expect(page.get_by_text(erika["number"])).to_have_count(0)
    answer = page.goto("/console/fulfillment?location=WH-MUC")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    answer = page.goto(f"/console/fulfillment/{fo_of(erika)}")
    assert answer is not None and answer.status == 404
    expect(page.get_by_text(erika["number"])).to_have_count(0)


def test_a_blank_tracking_number_and_too_many_units_removed_are_named_next_to_the_field(browser, shop) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, shop["server"], "warehouse")
    page.goto(f"/console/fulfillment/{fo_of(shop['orders']['max'])}")
    page.get_by_role("button", name="Accept").click()
    page.get_by_label("Carrier").fill("DPD")
    page.get_by_label("Tracking number").fill("   ")  # not empty to the browser, blank to Baton
    page.get_by_role("button", name="Ship").click()
    tracking = page.get_by_label("Tracking number")
    expect(tracking).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#ship-tracking_number-error")).to_have_text("is required.")
    expect(page.get_by_label("Carrier")).to_have_value("DPD")  # what was typed stays
    expect(page.get_by_text("Traceback")).to_have_count(0)

    page.goto("/console/inventory/TEA-ROOIBOS")
    page.get_by_label("Units (+ to add, − to remove)").fill("-500")
    page.get_by_label("Reason").fill("Mice")
    page.get_by_role("button", name="Adjust").click()
    expect(page.get_by_label("Units (+ to add, − to remove)")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#adjust-quantity-error")).to_contain_text("on_hand cannot go below 0")


def test_the_inventory_and_returns_pages_for_the_readme(browser, shop) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, shop["server"], "agent", viewport={"width": 1280, "height": 900})
    page.get_by_role("link", name="Inventory", exact=True).click()
    expect(page.get_by_role("heading", name="Inventory")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(4)  # every SKU at every location that holds it
    page.get_by_label("Low stock only").check()
    page.get_by_role("button", name="Show stock").click()
    expect(page.locator("tbody tr")).to_have_count(1)  # Munich's mugs: 3 available, reorder at 5
    expect(page.locator("tbody tr").first).to_contain_text("WH-MUC")
    page.get_by_label("Low stock only").uncheck()
    page.get_by_role("button", name="Show stock").click()
    screenshot(page, "console-inventory.png")

    page.get_by_role("link", name="Returns", exact=True).click()
    rma = shop["rma"]
    page.get_by_role("link", name=rma["number"]).click()
    expect(page.get_by_role("heading", name=f"Return {rma['number']}")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text("The return was approved.")
    expect(page.get_by_role("heading", name="Receive units")).to_be_visible()
    screenshot(page, "console-returns.png")
