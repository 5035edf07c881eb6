"""The console in a real browser: Playwright drives Debian's Chromium against a real `baton serve` with a seeded
shop. An agent finds an order by the customer's email and refunds part of it; an analyst sees no actions; a bad
amount is named next to its field. The screenshots in the README come from here (docs/screenshots/)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from baton.adapters.db.migrate import upgrade
from baton.bootstrap import bootstrap
from baton.config import Settings
from baton.identity.console import create_user
from tests.conftest import unavailable
from tests.e2e.server import BatonServer

pytestmark = pytest.mark.xdist_group("server")

# The README's screenshots are refreshed with BATON_SCREENSHOTS=1 (a test run leaves the tracked files alone).
SCREENSHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots" if os.environ.get("BATON_SCREENSHOTS")
               else Path(tempfile.gettempdir()) / "baton-screenshots")
PASSWORD = "correct horse battery staple"
JANE = {"email": "jane.doe@example.com", "name": "Jane Doe"}
ADDRESS = {"name": "Jane Doe", "line1": "Jungfernstieg 1", "city": "Hamburg", "postal_code": "20095",
           "country": "DE"}
SHOPPERS = [("max@example.com", "Max Mustermann", "app"), ("erika@example.com", "Erika Muster", "phone"),
            ("li@example.com", "Li Wei", "marketplace")]


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        unavailable("chromium is not installed (apt-get install chromium); the console browser tests need it")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    assert path is not None
    return path


@pytest.fixture(scope="module")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BatonServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('console') / 'shop.db'}"
    upgrade(url)
    container = bootstrap(Settings(database_url=url))
    try:
        for role in ("agent", "analyst"):
            create_user(container.uow(), f"{role}@shop.example", role.title(), role, PASSWORD)
    finally:
        container.engine.dispose()
    with BatonServer(url) as running:
        seed(running)
        yield running
        assert running.errors() == [], running.output()


def seed(server: BatonServer) -> None:
    """A small shop through the API: a warehouse, two products, Jane's paid and shipped order, a few others."""
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.token()}"},
                      timeout=30) as api:
        def post(path: str, body: dict[str, Any]) -> dict:
            response = api.post(path, json=body)
            assert response.status_code in (200, 201), response.text
            return dict(response.json())

        post("/api/v1/locations", {"code": "WH-BER", "name": "Berlin warehouse", "type": "warehouse",
                                   "address": {**ADDRESS, "city": "Berlin", "postal_code": "10115"}})
        for sku, name, price in (("MUG-BLUE", "Blue mug", "24.90"), ("TEA-ROOIBOS", "Rooibos tea 250 g", "8.50")):
            post("/api/v1/products", {"sku": sku, "name": name, "category": "kitchen", "price": price,
                                      "currency": "EUR"})
            assert api.put(f"/api/v1/inventory/WH-BER/{sku}", json={"on_hand": 50, "reason": "count"}).is_success
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


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium)
        yield launched
        launched.close()


def signed_in(browser: Any, server: BatonServer, role: str, **context: Any) -> Any:
    """A page of a new browser context, signed in as the seeded user of `role`, on the console's home page."""
    page = browser.new_context(base_url=server.base_url, locale="en-US", **context).new_page()
    page.goto("/console/sign-in")
    page.get_by_label("Email").fill(f"{role}@shop.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/")
    return page


def test_an_agent_finds_an_order_by_email_and_refunds_part_of_it(browser, server) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, server, "agent", viewport={"width": 1280, "height": 900})
    page.get_by_role("link", name="Orders", exact=True).click()  # from the home page
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "console-orders.png"), full_page=True)
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
    page.screenshot(path=str(SCREENSHOTS / "console-order.png"), full_page=True)


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
    page.screenshot(path=str(SCREENSHOTS / "console-order-phone.png"), full_page=True)
