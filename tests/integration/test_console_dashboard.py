"""The console's dashboard, server side: each role sees the sections it may (revenue only for who reads the
ledger, a warehouse user only their locations' queue and stock), figures that add up, charts drawn in SVG with a
table for screen readers, and a bad period named on the page. On SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest

from baton.bootstrap import Container
from baton.inventory import services as inventory
from tests.conftest import Shop
from tests.integration.console_helpers import sign_in as sign_in  # the fixture

REVENUE = "Revenue (EUR)"


@pytest.fixture
def busy_shop(shop: Shop, client, container: Container) -> dict:
    """Four orders today: Jane's two mugs (web, shipped), Otto's tea (app), Sam's mug in USD (web, 0.5 EUR per USD)
    and Eve's cancelled tea (phone). Tea at WH-BER is below its reorder point, mugs at WH-MUC are not."""
    shop.product("MUG-1", price="100.00", category="kitchen", prices={"USD": "120.00"})
    shop.product("TEA-1", price="10.00", category="tea")
    shop.stock("WH-BER", "MUG-1", 40)
    shop.stock("WH-BER", "TEA-1", 5)
    shop.stock("WH-MUC", "MUG-1", 10)
    rate = client.post("/api/v1/settings/exchange-rates", json={"currency": "USD", "rate": "0.5",
                                                                 "valid_on": "2020-01-01"})
    assert rate.status_code == 201, rate.text
    jane = shop.order([("MUG-1", 2)])
    shop.ship_parcel(jane)
    shop.order([("TEA-1", 1)], customer={"email": "otto@example.com", "name": "Otto Normal"}, channel="app")
    shop.order([("MUG-1", 1)], currency="USD", customer={"email": "sam@example.com", "name": "Sam Smith"})
    eve = shop.order([("TEA-1", 1)], customer={"email": "eve@example.com", "name": "Eve"}, channel="phone")
    cancelled = client.post(f"/api/v1/orders/{eve['id']}/cancel", json={"reason": "changed her mind"})
    assert cancelled.status_code == 200, cancelled.text
    inventory.set_reorder_point(container.uow(), "WH-BER", "TEA-1", 10)
    inventory.set_reorder_point(container.uow(), "WH-MUC", "MUG-1", 2)
    return jane


def kpi(html: str, name: str) -> str:
    match = re.search(rf"<dt>{re.escape(name)}</dt><dd>([^<]*)</dd>", html)
    assert match, f"no {name} on the page"
    return match.group(1)


@pytest.mark.parametrize("role", ["admin", "finance"])
def test_who_reads_the_ledger_sees_revenue_in_the_base_currency_and_the_average_order(sign_in, busy_shop, role):
    page = sign_in(role).get("/console/?period=today")
    assert page.status_code == 200, page.text
    # 200.00 + 10.00 + 120 USD × 0.5; Eve's cancelled tea counts as an order, not as revenue
    assert kpi(page.text, REVENUE) == "€270.00"
    assert kpi(page.text, "Average order value") == "€90.00"
    assert kpi(page.text, "Orders") == "4"
    assert kpi(page.text, "Cancellation rate") == "25.0 %"
    assert "Revenue per day (EUR)" in page.text and "Revenue by channel (EUR)" in page.text


@pytest.mark.parametrize("role", ["agent", "analyst"])
def test_agents_and_analysts_see_order_figures_but_no_money(sign_in, busy_shop, role):
    page = sign_in(role).get("/console/?period=7d")
    assert page.status_code == 200, page.text
    assert kpi(page.text, "Orders") == "4" and kpi(page.text, "Cancellation rate") == "25.0 %"
    assert "Orders per day and channel" in page.text and "Top categories (units sold)" in page.text
    assert REVENUE not in page.text and "Average order value" not in page.text and "€270.00" not in page.text
    assert "Product TEA-1 (TEA-1)" in page.text and "kitchen" in page.text  # top products and categories


def test_a_warehouse_user_sees_the_queue_and_low_stock_of_their_location_only(sign_in, busy_shop):
    page = sign_in("fulfillment").get("/console/")  # works for WH-BER
    assert page.status_code == 200, page.text
    assert "Fulfilment queues" in page.text and ">WH-BER</a>" in page.text and "WH-MUC" not in page.text
    assert "Low stock (1)" in page.text and "TEA-1" in page.text
    assert "Orders per day" not in page.text and REVENUE not in page.text and "Top products" not in page.text
    assert "Average lead time" in page.text  # of their own parcels


def test_the_queue_counts_waiting_fulfilment_orders_and_parcels_shipped(sign_in, busy_shop):
    page = sign_in("admin").get("/console/")
    row = re.search(r'>WH-BER</a></th>(.*?)</tr>', page.text, re.S)
    assert row, page.text
    cells = re.findall(r'<td class="num">(?:<strong>)?(\d+)', row.group(1))
    assert cells == ["2", "0", "0", "0", "1"]  # Otto's and Sam's orders open, Jane's parcel shipped, none late


def test_charts_are_svg_images_with_a_title_and_a_table_for_screen_readers(sign_in, busy_shop):
    html = sign_in("admin").get("/console/?period=30d").text
    charts = re.findall(r'<svg viewBox="[^"]+" role="img" aria-labelledby="([a-z-]+)-title \1-desc"', html)
    assert set(charts) >= {"orders-chart", "revenue-chart", "channels-chart", "categories-chart", "products-chart",
                           "lead-chart"}
    assert '<title id="orders-chart-title">Orders per day and channel</title>' in html
    assert html.count('<div class="sr-only"><table><caption>') == len(charts)
    assert "<th scope=\"col\">web</th>" in html and "<th scope=\"col\">app</th>" in html  # one series per channel
    assert "<script" not in html


def test_without_a_rate_revenue_leaves_the_currency_out_and_says_which(sign_in, shop: Shop):
    shop.product("MUG-1", price="100.00", prices={"USD": "120.00"})
    shop.stock("WH-BER", "MUG-1", 10)
    shop.order([("MUG-1", 1)])
    shop.order([("MUG-1", 1)], currency="USD")
    page = sign_in("finance").get("/console/?period=today")
    assert page.status_code == 200, page.text
    assert kpi(page.text, REVENUE) == "€100.00"
    assert re.search(r"without an exchange rate to EUR:\s+USD on \d{4}-\d\d-\d\d", page.text)


def test_an_unknown_period_is_named_on_the_page_and_the_default_is_the_last_7_days(sign_in, busy_shop):
    browser = sign_in("analyst")
    bad = browser.get("/console/?period=forever")
    assert bad.status_code == 422 and 'id="period-error"' in bad.text and "must be one of" in bad.text
    assert '<a href="/console/?period=7d" aria-current="page">' in browser.get("/console/").text


def test_an_empty_shop_renders_every_section_without_a_figure(sign_in, shop: Shop):
    page = sign_in("admin").get("/console/?period=90d")
    assert page.status_code == 200, page.text
    assert kpi(page.text, "Orders") == "0" and kpi(page.text, "Average order value") == "–"
    assert "No fulfilment orders are waiting." in page.text
    assert "No stock level is at or below its reorder point." in page.text


def test_the_dashboard_is_the_home_page_with_the_session_and_sign_out(sign_in, browsers, busy_shop):
    page = sign_in("agent").get("/console/")
    assert "Signed in as <strong>Agent</strong>" in page.text and 'action="/console/sign-out"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert browsers().get("/console/").headers["location"] == "/console/sign-in"


def test_names_in_charts_are_escaped(sign_in, shop: Shop):
    shop.product("EVIL-1", price="1.00", name="<script>alert(1)</script>", category="<b>bold</b>")
    shop.stock("WH-BER", "EVIL-1", 5)
    shop.order([("EVIL-1", 1)])
    html = sign_in("analyst").get("/console/").text
    assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (EVIL-1)" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_queue_rows_link_to_their_locations_queue_and_low_stock_rows_to_the_sku(sign_in, busy_shop):
    browser = sign_in("admin")
    html = browser.get("/console/").text
    assert '<a href="/console/fulfillment?location=WH-BER">WH-BER</a>' in html
    assert '<a href="/console/inventory/TEA-1">Product TEA-1</a>' in html
    queue = browser.get("/console/fulfillment?location=WH-BER")
    assert queue.status_code == 200 and 'value="WH-BER" selected' in queue.text
    assert browser.get("/console/inventory/TEA-1").status_code == 200
