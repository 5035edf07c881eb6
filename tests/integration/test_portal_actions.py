"""The shopper fixes their own order in the portal (signed in by the mailed link): change the address before it
is packed, cancel before anything is picked, ask for a return of delivered units. Forms carry the portal's CSRF
token, a mistake is said next to its field and changes nothing, a success redirects back to the order."""

from __future__ import annotations

import re

import pytest

from tests.integration.test_shopper_portal import BOB, JANE, csrf_of, signed_in_browser

NEW_ADDRESS = {"name": "Jane Doe", "line1": "Elbchaussee 5", "postal_code": "22763", "city": "Hamburg",
               "country": "de"}


@pytest.fixture
def stocked(shop):
    shop.product("SHIRT", name="Linen shirt")
    shop.stock("WH-BER", "SHIRT", 100)
    return shop


@pytest.fixture
def jane(browsers, container):
    def signed_in():
        return signed_in_browser(browsers, container, JANE["email"])
    return signed_in


def error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="[a-z]+" (?:role="alert" )?id="{field}-error"(?: role="alert")?>([^<]+)</p>', html)
    assert found, html
    return found.group(1)


def delivered(shop, order: dict) -> None:
    shop.ship_parcel(order)
    fo = shop.get_order(order["id"])["fulfillment_orders"][0]["id"]
    shop.act(fo, "deliver")


# -- the address ---------------------------------------------------------------------------------------------
def test_the_shopper_changes_the_address_before_packing_and_sees_it_on_the_order(stocked, jane, client):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    browser = jane()
    url = f"/portal/orders/{order['number']}"
    page = browser.get(url).text
    assert f'href="{url}/address"' in page and 'href="/portal/preferences"' in page
    assert f'href="/track/{order["tracking_id"]}"' in page

    form = browser.get(f"{url}/address")
    assert form.status_code == 200 and 'value="Jungfernstieg 1"' in form.text  # the current address to edit
    done = browser.post(f"{url}/address", data={**NEW_ADDRESS, "csrf_token": csrf_of(form.text)})

    assert (done.status_code, done.headers["location"]) == (303, f"{url}?done=address")
    shown = browser.get(done.headers["location"]).text
    assert "The new address is saved" in shown and "Elbchaussee 5" in shown
    saved = client.get(f"/api/v1/orders/{order['id']}").json()["shipping_address"]
    assert saved["line1"] == "Elbchaussee 5" and saved["country"] == "DE"


def test_a_bad_address_is_named_next_to_each_field_and_changes_nothing(stocked, jane, client):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    browser = jane()
    url = f"/portal/orders/{order['number']}/address"
    token = csrf_of(browser.get(url).text)

    refused = browser.post(url, data={**NEW_ADDRESS, "city": " ", "country": "Germany", "csrf_token": token})

    assert refused.status_code == 422
    assert error_of(refused.text, "city") == "is required."
    assert "two-letter country code" in error_of(refused.text, "country")
    assert 'aria-describedby="country-error"' in refused.text and 'value="Germany"' in refused.text
    assert client.get(f"/api/v1/orders/{order['id']}").json()["shipping_address"]["line1"] == "Jungfernstieg 1"


def test_once_packed_the_address_cannot_change_and_the_page_says_why(stocked, jane, client):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    fo = order["fulfillment_orders"][0]["id"]
    stocked.act(fo, "accept")
    stocked.act(fo, "pack")
    browser = jane()
    url = f"/portal/orders/{order['number']}"
    page = browser.get(url).text
    assert f'href="{url}/address"' not in page and 'action="' + url + '/cancel"' not in page

    refused = browser.post(f"{url}/address", data={**NEW_ADDRESS, "csrf_token": csrf_of(page)})

    assert refused.status_code == 409 and "already packed" in refused.text and 'id="form-error"' in refused.text
    assert client.get(f"/api/v1/orders/{order['id']}").json()["shipping_address"]["line1"] == "Jungfernstieg 1"


# -- cancelling ----------------------------------------------------------------------------------------------
def test_the_shopper_cancels_before_anything_is_picked_and_the_payment_is_voided(stocked, jane, client):
    order = stocked.order([("SHIRT", 1)], customer=JANE, payment={"method": "sandbox", "token": "tok_approve"})
    browser = jane()
    url = f"/portal/orders/{order['number']}"
    page = browser.get(url).text

    done = browser.post(f"{url}/cancel", data={"reason": "ordered twice", "csrf_token": csrf_of(page)})

    assert (done.status_code, done.headers["location"]) == (303, f"{url}?done=cancel")
    after = browser.get(done.headers["location"]).text
    assert "The order is cancelled." in after and f'action="{url}/cancel"' not in after
    current = client.get(f"/api/v1/orders/{order['id']}").json()
    assert current["status"] == "cancelled" and current["payment_status"] == "voided"
    timeline = client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]
    assert any("ordered twice" in entry["message"] for entry in timeline)


def test_cancelling_after_picking_started_is_refused_on_the_order_page(stocked, jane, client):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    browser = jane()
    url = f"/portal/orders/{order['number']}"
    token = csrf_of(browser.get(url).text)
    stocked.act(order["fulfillment_orders"][0]["id"], "accept")  # meanwhile, the warehouse started

    refused = browser.post(f"{url}/cancel", data={"reason": "", "csrf_token": token})

    assert refused.status_code == 409 and "started picking" in error_of(refused.text, "cancel-form")
    assert client.get(f"/api/v1/orders/{order['id']}").json()["status"] == "processing"


# -- returns -------------------------------------------------------------------------------------------------
def test_the_shopper_requests_a_return_of_delivered_units(stocked, jane, client):
    order = stocked.order([("SHIRT", 3)], customer=JANE)
    delivered(stocked, order)
    browser = jane()
    url = f"/portal/orders/{order['number']}"
    assert f'href="{url}/return"' in browser.get(url).text
    form = browser.get(f"{url}/return")
    assert form.status_code == 200 and "up to 3" in form.text
    line_id = order["lines"][0]["id"]

    done = browser.post(f"{url}/return", data={
        "csrf_token": csrf_of(form.text), "line_id": line_id, "quantity": "2", "reason": "Too small",
        "method": "ship_back", "tracking_number": "RET-1", "refund_to": "store_credit"})

    assert (done.status_code, done.headers["location"]) == (303, f"{url}?done=return")
    assert "Your return request is in." in browser.get(done.headers["location"]).text
    [rma] = client.get(f"/api/v1/orders/{order['id']}/returns").json()["items"]
    assert (rma["status"], rma["method"], rma["refund_to"], rma["tracking_number"]) == (
        "requested", "ship_back", "store_credit", "RET-1")
    assert [(line["quantity"], line["reason"]) for line in rma["lines"]] == [(2, "Too small")]
    assert rma["requested_by"].startswith("customer") or "jane" in rma["requested_by"].lower()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"quantity": "4"}, "lines-0-quantity", "between 0 and 100000"),
    ({"quantity": "two"}, "lines-0-quantity", "not a whole number"),
    ({"quantity": "0"}, "form", "Choose how many"),
    ({"method": "drop_off"}, "location", "choose the store"),
    ({"method": "by pigeon"}, "method", "choose one of the options"),
])
def test_a_bad_return_is_named_next_to_its_field_and_opens_nothing(stocked, jane, client, data, field, message):
    order = stocked.order([("SHIRT", 3)], customer=JANE)
    delivered(stocked, order)
    browser = jane()
    url = f"/portal/orders/{order['number']}/return"
    form = {"csrf_token": csrf_of(browser.get(url).text), "line_id": order["lines"][0]["id"], "quantity": "1",
            "reason": "Too big", "method": "ship_back", "refund_to": "original_payment", **data}
    if data.get("quantity") == "4":  # the service's own rule: more than was delivered
        form["quantity"], message = "4", "delivered"

    refused = browser.post(url, data=form)

    assert refused.status_code == 422, refused.text
    if field == "form":
        assert message in refused.text and 'id="form-error"' in refused.text
    else:
        assert message in error_of(refused.text, field)
        assert f'aria-describedby="{field}-error"' in refused.text
    assert client.get(f"/api/v1/orders/{order['id']}/returns").json()["items"] == []


def test_an_undelivered_order_offers_no_return(stocked, jane):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    browser = jane()
    url = f"/portal/orders/{order['number']}"
    assert f'href="{url}/return"' not in browser.get(url).text
    assert "Nothing of this order can be returned" in browser.get(f"{url}/return").text


# -- who may post ----------------------------------------------------------------------------------------------
def test_forms_without_the_portal_csrf_token_are_refused_and_change_nothing(stocked, jane, client):
    order = stocked.order([("SHIRT", 1)], customer=JANE)
    browser = jane()
    url = f"/portal/orders/{order['number']}"
    for action, data in (("address", NEW_ADDRESS), ("cancel", {"reason": "x"}),
                         ("return", {"line_id": order["lines"][0]["id"], "quantity": "1", "reason": "Other",
                                     "method": "ship_back"})):
        for token in ({}, {"csrf_token": "forged"}):
            refused = browser.post(f"{url}/{action}", data={**data, **token})
            assert refused.status_code == 403 and "nothing was changed" in refused.text, action
    assert client.get(f"/api/v1/orders/{order['id']}").json()["status"] == "placed"


def test_another_customers_order_answers_404_to_every_action_and_no_cookie_asks_for_a_link(
        stocked, jane, browsers, client):
    stocked.order([("SHIRT", 1)], customer=JANE)
    bobs = stocked.order([("SHIRT", 1)], customer=BOB)
    browser = jane()
    token = csrf_of(browser.get("/portal").text)
    url = f"/portal/orders/{bobs['number']}"
    for path in ("/address", "/return"):
        assert browser.get(url + path).status_code == 404
    assert browser.post(f"{url}/cancel", data={"csrf_token": token}).status_code == 404
    assert browser.post(f"{url}/address", data={**NEW_ADDRESS, "csrf_token": token}).status_code == 404
    stranger = browsers().get(f"{url}/address")
    assert stranger.status_code == 401 and 'action="/portal/link"' in stranger.text
    assert client.get(f"/api/v1/orders/{bobs['id']}").json()["status"] == "placed"
