"""The console's settings pages, server side: only an admin opens them (every other role gets the 403 page);
locations, products, tax rates, users, API tokens and webhooks are listed, created and changed through the same
checks and services as the API; a mistake is named next to its field with what was typed, and changes nothing.
On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Shop, bearer
from tests.integration import test_webhooks as webhook_tests
from tests.integration.console_helpers import csrf_of
from tests.integration.console_helpers import sign_in as sign_in  # the fixture
from tests.integration.test_webhooks import Receiver, drain

receiver, http = webhook_tests.receiver, webhook_tests.http  # fixtures: a loopback endpoint, a client

PAGES = ("/console/settings", "/console/settings/locations", "/console/settings/locations/WH-BER",
         "/console/settings/products", "/console/settings/products/MUG-1", "/console/settings/tax-rates",
         "/console/settings/users", "/console/settings/tokens", "/console/settings/webhooks")


@pytest.fixture
def admin(sign_in, shop: Shop) -> TestClient:
    shop.product("MUG-1", price="12.50")
    return sign_in("admin")


def post(browser: TestClient, path: str, data: dict[str, str]) -> Any:
    return browser.post(path, data={"csrf_token": csrf_of(browser.get("/console/").text), **data})


def field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="error" id="{name}-error" role="alert">([^<]+)</p>', html)
    assert match, f"no error next to {name}"
    assert re.search(rf'id="{name}"[^>]*aria-invalid="true" aria-describedby="{name}-error"', html), name
    return match.group(1)


# -- who may --------------------------------------------------------------------------------------------------
def test_an_admin_opens_every_settings_page(admin):
    for url in PAGES:
        page = admin.get(url)
        assert page.status_code == 200, (url, page.text)
        assert 'href="/console/settings/notifications"' in page.text  # the notifications page is one click away
    assert 'href="/console/settings"' in admin.get("/console/").text


@pytest.mark.parametrize("role", ["agent", "fulfillment", "finance", "analyst"])
def test_every_other_role_gets_the_403_page_and_no_link(sign_in, shop: Shop, role):
    shop.product("MUG-1")
    browser = sign_in(role)
    for url in PAGES:
        refused = browser.get(url)
        assert refused.status_code == 403, url
        assert "may not" in refused.text and refused.headers["cache-control"] == "no-store"
    refused = post(browser, "/console/settings/locations", {"code": "X-1", "name": "X", "line1": "a", "city": "b",
                                                            "country": "DE", "ships": "on"})
    assert refused.status_code == 403
    assert 'href="/console/settings"' not in browser.get("/console/").text


def test_a_form_without_the_session_token_is_refused(admin, client):
    refused = admin.post("/console/settings/tax-rates", data={"country": "DE", "tax_class": "standard",
                                                              "rate": "0.19", "valid_from": "2020-01-01"})
    assert refused.status_code == 403 and "was not accepted" in refused.text
    assert client.get("/api/v1/settings/tax-rates").json()["items"] == []


# -- locations ------------------------------------------------------------------------------------------------
def test_a_new_location_is_created_and_a_bad_one_is_named_field_by_field(admin, client):
    bad = post(admin, "/console/settings/locations", {"code": "ST DUS", "name": "Düsseldorf", "type": "store",
                                                      "line1": "Kö 1", "city": "", "country": "Germany",
                                                      "priority": "first", "pickup": "on"})
    assert bad.status_code == 422
    for name in ("code", "city", "country", "priority"):
        field_error(bad.text, name)
    assert 'value="Düsseldorf"' in bad.text  # what was typed stays
    assert client.get("/api/v1/locations/ST-DUS").status_code == 404
    done = post(admin, "/console/settings/locations", {"code": "ST-DUS", "name": "Düsseldorf", "type": "store",
                                                       "line1": "Kö 1", "city": "Düsseldorf", "country": "de",
                                                       "pickup": "on"})
    assert (done.status_code, done.headers["location"]) == (303, "/console/settings/locations?done=location")
    created = client.get("/api/v1/locations/ST-DUS").json()
    assert (created["type"], created["ships"], created["pickup"], created["address"]["country"]) == (
        "store", False, True, "DE")
    assert "The location was saved." in admin.get(done.headers["location"]).text


def test_a_location_is_edited_and_one_that_would_neither_ship_nor_hand_over_is_refused(admin, client):
    bad = post(admin, "/console/settings/locations/WH-BER", {"name": "Berlin", "priority": "5", "active": "on"})
    assert bad.status_code == 422 and "ship, offer pickup, or both" in field_error(bad.text, "ships")
    assert client.get("/api/v1/locations/WH-BER").json()["name"] == "Location WH-BER"  # nothing changed
    done = post(admin, "/console/settings/locations/WH-BER", {"name": "Berlin", "priority": "5", "ships": "on",
                                                              "active": "on", "daily_capacity": "300"})
    assert done.status_code == 303
    edited = client.get("/api/v1/locations/WH-BER").json()
    assert (edited["name"], edited["priority"], edited["daily_capacity"], edited["active"]) == ("Berlin", 5, 300, True)
    assert admin.get("/console/settings/locations/NOWHERE").status_code == 404


# -- products -------------------------------------------------------------------------------------------------
def test_a_product_is_created_edited_and_its_mistakes_named(admin, client):
    bad = post(admin, "/console/settings/products", {"sku": "TEA-1", "name": "Tea", "category": "tea",
                                                     "price": "12,50", "currency": "EUR", "stock_policy": "stocked",
                                                     "tax_class": "reduced"})
    assert bad.status_code == 422 and field_error(bad.text, "price") and 'value="12,50"' in bad.text
    twice = post(admin, "/console/settings/products", {"sku": "MUG-1", "name": "Mug", "category": "kitchen",
                                                       "price": "1.00", "currency": "EUR",
                                                       "stock_policy": "stocked", "tax_class": "standard"})
    assert twice.status_code == 409 and "MUG-1 exists already" in twice.text
    done = post(admin, "/console/settings/products", {"sku": "TEA-1", "name": "Tea", "category": "tea",
                                                      "price": "4.20", "currency": "eur", "stock_policy": "backorder",
                                                      "tax_class": "reduced", "returnable": "on"})
    assert done.status_code == 303
    tea = client.get("/api/v1/products/TEA-1").json()
    assert (tea["price"], tea["currency"], tea["stock_policy"], tea["returnable"]) == ("4.20", "EUR", "backorder", True)
    edited = post(admin, "/console/settings/products/TEA-1", {"name": "Rooibos", "category": "tea", "price": "5.00",
                                                              "currency": "EUR", "stock_policy": "backorder",
                                                              "tax_class": "reduced"})
    assert edited.status_code == 303
    tea = client.get("/api/v1/products/TEA-1").json()
    assert (tea["name"], tea["price"], tea["active"], tea["returnable"]) == ("Rooibos", "5.00", False, False)
    assert "TEA-1" in admin.get("/console/settings/products").text


# -- tax rates ------------------------------------------------------------------------------------------------
def test_a_tax_rate_is_added_once_and_a_bad_rate_is_named(admin, client):
    form = {"country": "de", "tax_class": "standard", "rate": "19", "valid_from": "2020-01-01"}
    bad = post(admin, "/console/settings/tax-rates", form)
    assert bad.status_code == 422 and field_error(bad.text, "rate")
    assert post(admin, "/console/settings/tax-rates", {**form, "rate": "0.19"}).status_code == 303
    again = post(admin, "/console/settings/tax-rates", {**form, "rate": "0.07"})
    assert again.status_code == 409 and 'id="form-error"' in again.text
    rates = client.get("/api/v1/settings/tax-rates").json()["items"]
    assert [(r["country"], r["rate"]) for r in rates] == [("DE", "0.19")]
    assert "19.00 %" in admin.get("/console/settings/tax-rates").text


def test_only_a_tax_rate_not_yet_in_force_can_be_deleted(admin, client):
    for valid_from in ("2020-01-01", "2999-01-01"):
        added = post(admin, "/console/settings/tax-rates", {"country": "DE", "tax_class": "standard",
                                                            "rate": "0.19", "valid_from": valid_from})
        assert added.status_code == 303
    rates = {r["valid_from"]: r["id"] for r in client.get("/api/v1/settings/tax-rates").json()["items"]}
    page = admin.get("/console/settings/tax-rates").text
    assert f'/tax-rates/{rates["2999-01-01"]}/delete' in page and f'/tax-rates/{rates["2020-01-01"]}/delete' not in page
    in_force = post(admin, f"/console/settings/tax-rates/{rates['2020-01-01']}/delete", {})
    assert in_force.status_code == 409 and "is history and stays" in in_force.text
    done = post(admin, f"/console/settings/tax-rates/{rates['2999-01-01']}/delete", {})
    assert done.status_code == 303 and "The tax rate was deleted." in admin.get(done.headers["location"]).text
    assert [r["valid_from"] for r in client.get("/api/v1/settings/tax-rates").json()["items"]] == ["2020-01-01"]
    assert post(admin, "/console/settings/tax-rates/txr_nope/delete", {}).status_code == 404


# -- users and tokens -----------------------------------------------------------------------------------------
def test_a_user_is_created_and_a_weak_password_is_named_but_never_sent_back(admin, browsers):
    form = {"email": "ops@example.com", "name": "Ops", "role": "fulfillment", "locations": "WH-BER",
            "password": "short"}
    bad = post(admin, "/console/settings/users", form)
    assert bad.status_code == 422 and field_error(bad.text, "password") and "short" not in bad.text
    no_location = post(admin, "/console/settings/users", {**form, "locations": "", "password": "x" * 16})
    assert no_location.status_code == 422 and field_error(no_location.text, "locations")
    done = post(admin, "/console/settings/users", {**form, "password": "correct horse battery staple"})
    assert done.status_code == 303
    listed = admin.get(done.headers["location"]).text
    assert "ops@example.com" in listed and "The user was created." in listed
    user_id = re.search(r'/console/settings/users/(usr_[^/]+)/sign-out-everywhere"[^<]*<input[^>]*>\s*'
                        r'<button[^>]*aria-label="Sign ops@example.com', listed)
    assert user_id, listed
    assert post(admin, f"/console/settings/users/{user_id.group(1)}/sign-out-everywhere", {}).status_code == 303


def test_a_new_token_shows_its_secret_once_works_and_stops_working_when_revoked(admin, anonymous):
    bad = post(admin, "/console/settings/tokens", {"name": "", "role": "integration", "expires_days": "0"})
    assert bad.status_code == 422 and field_error(bad.text, "name") and field_error(bad.text, "expires_days")
    created = post(admin, "/console/settings/tokens", {"name": "shop-frontend", "role": "integration"})
    assert created.status_code == 201
    secret = re.search(r'<code id="new-secret">(bt_[^<]+)</code>', created.text)
    assert secret, created.text
    assert anonymous.get("/api/v1/products", headers=bearer(secret.group(1))).status_code == 200
    listed = admin.get("/console/settings/tokens").text
    assert "shop-frontend" in listed and secret.group(1) not in listed  # shown once
    token_id = re.search(r'/console/settings/tokens/(tok_[^/]+)/revoke"[^<]*<input[^>]*>\s*'
                         r'<button[^>]*aria-label="Revoke shop-frontend"', listed)
    assert token_id, listed
    assert post(admin, f"/console/settings/tokens/{token_id.group(1)}/revoke", {}).status_code == 303
    assert anonymous.get("/api/v1/products", headers=bearer(secret.group(1))).status_code == 401
    assert post(admin, "/console/settings/tokens/tok_nope/revoke", {}).status_code == 404


# -- webhooks -------------------------------------------------------------------------------------------------
def test_a_webhook_is_subscribed_its_deliveries_listed_redelivered_and_removed(admin, client, container, shop,
                                                                               receiver: Receiver, http):
    bad = post(admin, "/console/settings/webhooks", {"url": "ftp://example.com", "event_types": "order.nonsense"})
    assert bad.status_code == 422 and field_error(bad.text, "url")
    assert client.get("/api/v1/webhooks").json()["items"] == []
    created = post(admin, "/console/settings/webhooks", {"url": receiver.url, "event_types": "order.placed",
                                                         "description": "CRM"})
    assert created.status_code == 201 and re.search(r'<code id="new-secret">whsec_', created.text)
    hook = client.get("/api/v1/webhooks").json()["items"][0]
    shop.stock("WH-BER", "MUG-1", 5)
    shop.order([("MUG-1", 1)])
    drain(container, http)
    log = admin.get(f"/console/settings/webhooks/{hook['id']}")
    assert log.status_code == 200 and "order.placed" in log.text and "delivered" in log.text
    delivery = re.search(r'/deliveries/(whd_[^/]+)/redeliver', log.text)
    assert delivery, log.text
    again = post(admin, f"/console/settings/webhooks/{hook['id']}/deliveries/{delivery.group(1)}/redeliver", {})
    assert again.status_code == 303 and "will be sent again" in admin.get(again.headers["location"]).text
    assert admin.get(f"/console/settings/webhooks/{hook['id']}?status=lost").status_code == 422
    assert post(admin, f"/console/settings/webhooks/{hook['id']}/remove", {}).status_code == 303
    assert client.get("/api/v1/webhooks").json()["items"] == []
    assert admin.get(f"/console/settings/webhooks/{hook['id']}").status_code == 404
