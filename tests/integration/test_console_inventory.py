"""Console inventory pages, server side: stock by SKU and location for every role, search / location / low-stock
filters, a SKU's levels and ledger, adjusting on_hand and setting a reorder point with refusals next to the field,
and a warehouse user kept to their own location."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Shop
from tests.integration.console_helpers import ROLES, csrf_of, form_key_of
from tests.integration.console_helpers import sign_in as sign_in  # the fixture


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    """Mugs at both warehouses (Munich's running low), tea in Berlin only."""
    shop.product("MUG-1", price="20.00")
    shop.product("TEA-1", price="5.00")
    shop.stock("WH-BER", "MUG-1", 30)
    shop.stock("WH-MUC", "MUG-1", 2)
    shop.stock("WH-BER", "TEA-1", 8)
    return shop


def rows_of(html: str) -> list[tuple[str, str]]:
    """(SKU, location) of each row of the stock table."""
    return re.findall(r'<td><a href="/console/inventory/[^"]+">([^<]+)</a><br><span class="muted">[^<]*</span></td>\s*'
                      r'<td>([^<]+)</td>', html)


def forms_of(html: str) -> set[str]:
    return set(re.findall(r'action="/console/inventory/[^/"]+/([a-z-]+)"', html))


# -- who sees what -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_every_console_role_sees_stock_and_only_writers_get_the_forms(sign_in, stocked, role):
    browser = sign_in(role)
    listing = browser.get("/console/inventory")
    assert listing.status_code == 200, listing.text
    expected = [("MUG-1", "WH-BER"), ("TEA-1", "WH-BER")] if role == "fulfillment" else [
        ("MUG-1", "WH-BER"), ("MUG-1", "WH-MUC"), ("TEA-1", "WH-BER")]
    assert rows_of(listing.text) == expected
    assert 'href="/console/inventory"' in browser.get("/console/").text
    page = browser.get("/console/inventory/MUG-1")
    assert page.status_code == 200 and "Product MUG-1" in page.text and "Inventory ledger" in page.text
    assert forms_of(page.text) == ({"adjust", "reorder-point"} if role in ("admin", "fulfillment") else set())
    assert ("WH-MUC" in page.text) == (role != "fulfillment")  # another location's stock is not shown


def test_without_a_session_the_inventory_pages_redirect_to_sign_in(browsers, stocked):
    for url in ("/console/inventory", "/console/inventory/MUG-1"):
        answer = browsers().get(url)
        assert (answer.status_code, answer.headers["location"]) == (303, "/console/sign-in")


def test_an_unknown_sku_or_another_location_is_the_404_page(sign_in, stocked):
    browser = sign_in("fulfillment")
    assert browser.get("/console/inventory/NOPE-1").status_code == 404
    assert browser.get("/console/inventory", params={"location": "WH-MUC"}).status_code == 404
    assert browser.get("/console/inventory", params={"location": "WH-BER"}).status_code == 200


# -- filters -------------------------------------------------------------------------------------------------------
def test_search_by_part_of_a_sku_in_any_case_and_filter_by_location(sign_in, stocked):
    browser = sign_in("agent")
    assert rows_of(browser.get("/console/inventory", params={"sku": "mug"}).text) == [
        ("MUG-1", "WH-BER"), ("MUG-1", "WH-MUC")]
    assert rows_of(browser.get("/console/inventory", params={"location": "WH-MUC"}).text) == [("MUG-1", "WH-MUC")]
    assert rows_of(browser.get("/console/inventory", params={"sku": "%"}).text) == []  # no wildcard smuggling
    assert "No stock matches" in browser.get("/console/inventory", params={"sku": "%"}).text


def test_low_stock_only_lists_levels_at_or_below_their_reorder_point(sign_in, stocked, client):
    for location, point in (("WH-MUC", 2), ("WH-BER", 5)):  # Munich has 2 available: low; Berlin has 30
        answer = client.put(f"/api/v1/inventory/{location}/MUG-1/reorder-point", json={"reorder_point": point})
        assert answer.status_code == 200, answer.text
    page = sign_in("analyst").get("/console/inventory", params={"low": "1"}).text
    assert rows_of(page) == [("MUG-1", "WH-MUC")] and 'class="badge low">low' in page


def test_a_forged_cursor_asks_to_start_again(sign_in, stocked):
    page = sign_in("agent").get("/console/inventory", params={"cursor": "garbage"})
    assert page.status_code == 200 and "start again" in page.text


# -- changes -------------------------------------------------------------------------------------------------------
def test_a_warehouse_user_adjusts_on_hand_with_a_reason_and_it_shows_in_the_ledger(sign_in, stocked):
    browser = sign_in("fulfillment")
    page = browser.get("/console/inventory/MUG-1").text
    form = {"csrf_token": csrf_of(page), "form_key": form_key_of(page), "location": "WH-BER", "quantity": "-3",
            "reason": "Dropped a box"}
    done = browser.post("/console/inventory/MUG-1/adjust", data=form)
    assert (done.status_code, done.headers["location"]) == (303, "/console/inventory/MUG-1?done=adjust")
    assert browser.post("/console/inventory/MUG-1/adjust", data=form).status_code == 303  # a double submit
    page = browser.get(done.headers["location"]).text
    assert "The stock was adjusted." in page
    assert page.count("Dropped a box") == 1 and '<td class="num">-3</td>' in page
    assert "fulfillment@example.com" in page  # who
    assert stocked.level("WH-BER", "MUG-1")["on_hand"] == 27


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"quantity": "0"}, "adjust-quantity", "an adjustment must change the quantity."),
    ({"quantity": "-31"}, "adjust-quantity", "would leave -1 on hand; on_hand cannot go below 0."),
    ({"quantity": "lots"}, "adjust-quantity", "is not a whole number; use e.g. 5 to add or -2 to remove."),
    ({"reason": ""}, "adjust-reason", "is required."),
    ({"location": "WH-MUC"}, "adjust-location", "is not one of your locations."),
])
def test_a_bad_adjustment_is_named_next_to_its_field_and_changes_nothing(sign_in, stocked, change, field, message):
    browser = sign_in("fulfillment")
    page = browser.get("/console/inventory/MUG-1").text
    form = {"csrf_token": csrf_of(page), "location": "WH-BER", "quantity": "5", "reason": "count", **change}
    refused = browser.post("/console/inventory/MUG-1/adjust", data=form)
    assert refused.status_code == 422
    assert f'<p class="error" id="{field}-error" role="alert">{message}</p>' in refused.text
    assert f'aria-describedby="{field}-error"' in refused.text
    assert stocked.level("WH-BER", "MUG-1")["on_hand"] == 30 and stocked.level("WH-MUC", "MUG-1")["on_hand"] == 2


def test_the_reorder_point_is_set_and_removed(sign_in, stocked):
    browser = sign_in("admin")
    page = browser.get("/console/inventory/MUG-1").text
    form = {"csrf_token": csrf_of(page), "location": "WH-MUC", "reorder_point": "4"}
    assert browser.post("/console/inventory/MUG-1/reorder-point", data=form).status_code == 303
    assert stocked.level("WH-MUC", "MUG-1")["reorder_point"] == 4
    refused = browser.post("/console/inventory/MUG-1/reorder-point", data={**form, "reorder_point": "-1"})
    assert refused.status_code == 422 and 'id="reorder-reorder_point-error"' in refused.text
    assert browser.post("/console/inventory/MUG-1/reorder-point", data={**form, "reorder_point": ""}).status_code == 303
    assert stocked.level("WH-MUC", "MUG-1")["reorder_point"] is None


def test_read_only_roles_get_the_403_page_when_posting_anyway(sign_in, stocked):
    for role in ("agent", "finance", "analyst"):
        browser = sign_in(role)
        csrf = csrf_of(browser.get("/console/").text)
        refused = browser.post("/console/inventory/MUG-1/adjust",
                               data={"csrf_token": csrf, "location": "WH-BER", "quantity": "5", "reason": "x"})
        assert refused.status_code == 403 and "inventory.write" in refused.text
    assert stocked.level("WH-BER", "MUG-1")["on_hand"] == 30
