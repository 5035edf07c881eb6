"""The console's dashboard, customers and settings in a real browser: Playwright drives Debian's Chromium against
`baton demo` (a few hundred orders over 90 days). Finance reads the dashboard's charts and changes the period by
keyboard alone; an agent finds a customer; an admin's bad tax rate is named next to its field. The README's
screenshots console-dashboard.png, console-customer.png and console-settings.png come from here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from baton.adapters.db import tables as t
from baton.adapters.db.migrate import upgrade
from baton.bootstrap import bootstrap
from baton.config import Settings
from baton.inventory.services import set_reorder_point
from tests.e2e.browser import add_users, screenshot, signed_in
from tests.e2e.browser import browser as browser  # the module fixtures
from tests.e2e.browser import chromium as chromium
from tests.e2e.server import BatonServer

pytestmark = pytest.mark.xdist_group("server")

DEMO_ORDERS = 300


@pytest.fixture(scope="module")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BatonServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'demo.db'}"
    upgrade(url)
    add_users(url, {role: (role, ()) for role in ("admin", "agent", "finance")})
    with BatonServer(url, command=["demo", "--orders", str(DEMO_ORDERS)], ready_within=180) as running:
        low_on_stock(url)
        yield running
        assert running.errors() == [], running.output()


def low_on_stock(url: str) -> None:
    """Reorder points on the five scarcest stock levels, so the dashboard has low stock to show."""
    container = bootstrap(Settings(database_url=url))
    try:
        k = t.stock_levels.c
        with container.engine.connect() as conn:
            scarce = conn.execute(select(k.location, k.sku, k.on_hand - k.reserved - k.safety_stock)
                                  .order_by(k.on_hand - k.reserved - k.safety_stock, k.sku).limit(5)).all()
        for location, sku, available in scarce:
            set_reorder_point(container.uow(), location, sku, max(available, 0) + 5)
    finally:
        container.engine.dispose()


def tab_to(page: Any, name: str, limit: int = 60) -> None:
    """Press Tab until the element named `name` has the focus (the keyboard reaches it), else fail."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def test_finance_reads_the_dashboard_charts_and_changes_the_period_by_keyboard(browser, server) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, server, "finance", viewport={"width": 1280, "height": 900})
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("img", name="Orders per day and channel")).to_be_visible()
    expect(page.get_by_role("img", name="Revenue per day (EUR)")).to_be_visible()
    tab_to(page, "Last 90 days")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/?period=90d")
    expect(page.get_by_role("link", name="Last 90 days")).to_have_attribute("aria-current", "page")
    expect(page.locator("figure.chart svg")).to_have_count(6)
    expect(page.locator("figure.chart svg rect").first).to_be_visible()  # bars are drawn
    expect(page.get_by_role("heading", name=re.compile(r"^Low stock \(\d+\)$"))).to_be_visible()
    assert page.locator("text=Traceback").count() == 0
    screenshot(page, "console-dashboard.png")


def test_the_dashboard_fits_a_phone(browser, server) -> None:
    page = signed_in(browser, server, "finance", viewport={"width": 390, "height": 844}, is_mobile=True)
    assert page.get_by_role("img", name="Orders per day and channel").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling


def test_an_agent_finds_a_customer_and_opens_their_record(browser, server) -> None:
    from playwright.sync_api import expect

    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {server.token()}"}) as api:
        email = api.get("/api/v1/orders", params={"limit": 1}).json()["items"][0]["customer_email"]
    page = signed_in(browser, server, "agent", viewport={"width": 1280, "height": 900})
    page.get_by_role("link", name="Customers", exact=True).click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    page.keyboard.type(email)  # the search box has the focus
    page.keyboard.press("Enter")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    expect(page.locator("dl")).to_contain_text("Lifetime value")
    expect(page.locator("tbody tr").first.get_by_role("link")).to_have_attribute(
        "href", re.compile(r"^/console/orders/BT-\d+$"))  # each order links to its page
    screenshot(page, "console-customer.png")


def test_an_admin_s_bad_tax_rate_is_named_next_to_the_field_and_nothing_is_added(browser, server) -> None:
    from playwright.sync_api import expect

    page = signed_in(browser, server, "admin", viewport={"width": 1280, "height": 900})
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Tax rates").click()
    expect(page.get_by_role("heading", name="Add a tax rate")).to_be_visible()
    rows_before = page.locator("tbody tr").count()
    page.get_by_label("Country", exact=True).fill("DE")
    page.get_by_label("Tax class", exact=True).fill("luxury")
    page.get_by_label("Rate", exact=True).fill("19")  # a percentage where a fraction belongs
    page.get_by_label("Valid from").fill("2030-01-01")
    tab_to(page, "Add tax rate")  # the button is reached from the form by keyboard
    page.keyboard.press("Enter")
    rate = page.get_by_label("Rate", exact=True)
    expect(rate).to_have_attribute("aria-invalid", "true")
    expect(rate).to_have_value("19")  # what was typed stays, to be corrected
    expect(page.locator("#rate-error")).to_be_visible()
    expect(page.locator("#rate-error")).not_to_have_text("")
    expect(page.locator("tbody tr")).to_have_count(rows_before)
    assert page.locator("text=Traceback").count() == 0
    screenshot(page, "console-settings.png")
