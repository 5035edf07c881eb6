"""Console fulfilment pages, server side: the queue and a fulfilment order for every role, a warehouse user kept to
their own location, accept / pack / ship / reject / hand over with refusals named next to the field, and the pick
list and packing slip as PDFs."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.conftest import Shop
from tests.integration.console_helpers import ROLES, csrf_of, form_key_of
from tests.integration.console_helpers import sign_in as sign_in  # the fixture


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("MUG-1", price="20.00")
    shop.product("TEA-1", price="5.00")
    for location in ("WH-BER", "WH-MUC"):
        shop.stock(location, "MUG-1", 10)
        shop.stock(location, "TEA-1", 10)
    return shop


@pytest.fixture
def berlin(stocked: Shop) -> dict:
    """Jane's paid order of 2 mugs and a tea, routed to WH-BER (it has everything and comes first)."""
    order = stocked.order([("MUG-1", 2), ("TEA-1", 1)], payment={"method": "sandbox", "token": "tok_approve"})
    assert order["fulfillment_orders"][0]["location"] == "WH-BER"
    return order


@pytest.fixture
def munich(stocked: Shop, client: TestClient) -> dict:
    """An order that only WH-MUC can take (Berlin's tea is gone)."""
    stocked.stock("WH-BER", "TEA-1", 0)
    order = stocked.order([("TEA-1", 1)], customer={"email": "otto@example.com", "name": "Otto Normal"})
    assert order["fulfillment_orders"][0]["location"] == "WH-MUC"
    return order


def fo_of(order: dict) -> str:
    return str(order["fulfillment_orders"][0]["id"])


def forms_of(html: str) -> set[str]:
    return set(re.findall(r'action="/console/fulfillment/[^/"]+/([a-z]+)"', html))


def ship_form(page: str, **fields: str) -> dict[str, Any]:
    """The ship form as the browser would send it (every quantity at its default), with `fields` changed."""
    lines = re.findall(r'name="line_id" value="([^"]+)"', page)
    quantities = re.findall(r'name="quantity" type="number" min="0" max="\d+" inputmode="numeric"\s+value="(\d+)"',
                            page)
    form_key = re.search(r'name="form_key" value="([^"]+)"', page)
    assert form_key and lines and len(lines) == len(quantities), page
    return {"csrf_token": csrf_of(page), "form_key": form_key.group(1), "carrier": "DHL",
            "tracking_number": "00340434161094000000", "line_id": lines, "quantity": quantities, **fields}


def fo_status(client: TestClient, fo_id: str) -> str:
    return str(client.get(f"/api/v1/fulfillment-orders/{fo_id}").json()["status"])


# -- who sees what -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_every_console_role_sees_the_queue_and_the_fulfilment_order(sign_in, berlin, role):
    browser = sign_in(role)
    queue = browser.get("/console/fulfillment")
    assert queue.status_code == 200, queue.text
    assert berlin["number"] in queue.text and f'href="/console/fulfillment/{fo_of(berlin)}"' in queue.text
    assert "2 × MUG-1, 1 × TEA-1" in queue.text
    assert 'href="/console/fulfillment"' in browser.get("/console/").text  # the navigation links to it
    page = browser.get(f"/console/fulfillment/{fo_of(berlin)}")
    assert page.status_code == 200 and "Product MUG-1" in page.text and "Hamburg" in page.text
    assert forms_of(page.text) == ({"accept", "reject"} if role in ("admin", "fulfillment") else set())
    assert ('href="/console/orders/' in page.text) == (role != "fulfillment")  # only roles that read orders


def test_without_a_session_the_fulfilment_pages_redirect_to_sign_in(browsers, berlin):
    for url in ("/console/fulfillment", f"/console/fulfillment/{fo_of(berlin)}",
                f"/console/fulfillment/{fo_of(berlin)}/pick-list.pdf"):
        answer = browsers().get(url)
        assert (answer.status_code, answer.headers["location"]) == (303, "/console/sign-in")


def test_a_warehouse_user_sees_only_their_own_locations_queue(sign_in, berlin, munich, client):
    browser = sign_in("fulfillment")
    queue = browser.get("/console/fulfillment")
    assert berlin["number"] in queue.text and munich["number"] not in queue.text
    assert 'value="WH-BER" selected' in queue.text and 'value="WH-MUC"' not in queue.text  # only theirs to choose
    other = fo_of(munich)
    for url in ("/console/fulfillment?location=WH-MUC", f"/console/fulfillment/{other}",
                f"/console/fulfillment/{other}/pick-list.pdf", f"/console/fulfillment/{other}/packing-slip.pdf"):
        refused = browser.get(url)
        assert refused.status_code == 404, url
        assert munich["number"] not in refused.text
    csrf = csrf_of(browser.get("/console/").text)
    assert browser.post(f"/console/fulfillment/{other}/accept", data={"csrf_token": csrf}).status_code == 404
    assert fo_status(client, other) == "open"


def test_an_admin_sees_every_location_and_filters_by_one(sign_in, berlin, munich):
    browser = sign_in("admin")
    everything = browser.get("/console/fulfillment").text
    assert berlin["number"] in everything and munich["number"] in everything
    only_munich = browser.get("/console/fulfillment", params={"location": "WH-MUC"}).text
    assert munich["number"] in only_munich and berlin["number"] not in only_munich
    assert browser.get("/console/fulfillment", params={"location": "NOWHERE"}).status_code == 404


def test_the_status_tabs_split_the_queue_and_an_unknown_tab_is_404(sign_in, berlin, stocked):
    browser = sign_in("fulfillment")
    stocked.act(fo_of(berlin), "accept")
    assert berlin["number"] not in browser.get("/console/fulfillment", params={"status": "open"}).text
    accepted = browser.get("/console/fulfillment", params={"status": "accepted"})
    assert berlin["number"] in accepted.text and 'aria-current="page">Accepted' in accepted.text
    assert browser.get("/console/fulfillment", params={"status": "bogus"}).status_code == 404
    forged = browser.get("/console/fulfillment", params={"cursor": "not-a-cursor"})
    assert forged.status_code == 200 and "start again" in forged.text


# -- the work ------------------------------------------------------------------------------------------------------
def test_a_warehouse_user_accepts_packs_and_ships_with_a_tracking_number(sign_in, berlin, client):
    browser = sign_in("fulfillment")
    fo = fo_of(berlin)
    page = browser.get(f"/console/fulfillment/{fo}").text
    accepted = browser.post(f"/console/fulfillment/{fo}/accept", data={"csrf_token": csrf_of(page)})
    assert (accepted.status_code, accepted.headers["location"]) == (303, f"/console/fulfillment/{fo}?done=accept")
    page = browser.get(accepted.headers["location"]).text
    assert "Accepted: the order is yours to pick." in page and forms_of(page) == {"pack", "ship", "reject"}
    assert browser.post(f"/console/fulfillment/{fo}/pack", data={"csrf_token": csrf_of(page)}).status_code == 303
    page = browser.get(f"/console/fulfillment/{fo}").text
    assert forms_of(page) == {"ship"}
    shipped = browser.post(f"/console/fulfillment/{fo}/ship", data=ship_form(page))
    assert shipped.status_code == 303, shipped.text
    page = browser.get(shipped.headers["location"]).text
    assert "The parcel was shipped." in page and "00340434161094000000" in page and forms_of(page) == set()
    order = client.get(f"/api/v1/orders/{berlin['id']}").json()
    assert order["status"] == "shipped" and order["payment_status"] == "captured"  # the shipment captured
    messages = [e["message"] for e in client.get(f"/api/v1/orders/{berlin['id']}/timeline").json()["items"]]
    assert any("tracking 00340434161094000000" in m for m in messages), messages


def test_a_parcel_of_some_units_leaves_the_rest_to_ship(sign_in, berlin, stocked, client):
    browser = sign_in("admin")
    fo = fo_of(berlin)
    stocked.act(fo, "accept")
    page = browser.get(f"/console/fulfillment/{fo}").text
    form = ship_form(page)
    form["quantity"] = ["1", "0"]  # one mug now, the rest later
    assert browser.post(f"/console/fulfillment/{fo}/ship", data=form).status_code == 303
    assert browser.post(f"/console/fulfillment/{fo}/ship", data=form).status_code == 303  # a double submit
    api = client.get(f"/api/v1/fulfillment-orders/{fo}").json()
    assert [sum(i["quantity"] for i in s["lines"]) for s in api["shipments"]] == [1] and api["status"] == "accepted"
    page = browser.get(f"/console/fulfillment/{fo}").text
    assert page.count("(up to 1)") == 2 and "1 × MUG-1" in page  # one mug and the tea still to ship


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"tracking_number": "  "}, "ship-tracking_number", "is required."),
    ({"carrier": ""}, "ship-carrier", "is required."),
    ({"quantity": ["-1", "1"]}, "ship-quantity-", "cannot be negative."),
    ({"quantity": ["two", "1"]}, "ship-quantity-", "is not a whole number."),
    ({"quantity": ["0", "0"]}, "ship-quantity-", "put at least one unit in the parcel."),
])
def test_a_bad_ship_form_is_named_next_to_its_field_and_ships_nothing(sign_in, berlin, stocked, client, change,
                                                                        field, message):
    browser = sign_in("fulfillment")
    fo = fo_of(berlin)
    stocked.act(fo, "accept")
    page = browser.get(f"/console/fulfillment/{fo}").text
    refused = browser.post(f"/console/fulfillment/{fo}/ship", data=ship_form(page, **change))
    assert refused.status_code == 422
    error = re.search(rf'<p class="error" id="({re.escape(field)}[^"]*)-error" role="alert">([^<]+)</p>', refused.text)
    assert error and error.group(2) == message, refused.text
    assert f'aria-describedby="{error.group(1)}-error"' in refused.text
    assert 'value="DHL"' in refused.text or change.get("carrier") == ""  # what was typed stays
    assert client.get(f"/api/v1/fulfillment-orders/{fo}").json()["shipments"] == []


def test_more_units_than_are_left_is_refused_on_the_form(sign_in, berlin, stocked):
    browser = sign_in("fulfillment")
    fo = fo_of(berlin)
    stocked.act(fo, "accept")
    page = browser.get(f"/console/fulfillment/{fo}").text
    refused = browser.post(f"/console/fulfillment/{fo}/ship", data=ship_form(page, quantity=["5", "1"]))
    assert refused.status_code == 409 and "Only 2 unit(s) of MUG-1 are left to ship" in refused.text


def test_reject_needs_a_reason_and_then_re_routes_the_units(sign_in, berlin, client):
    browser = sign_in("fulfillment")
    fo = fo_of(berlin)
    page = browser.get(f"/console/fulfillment/{fo}").text
    refused = browser.post(f"/console/fulfillment/{fo}/reject", data={"csrf_token": csrf_of(page), "reason": " "})
    assert refused.status_code == 422 and 'id="reject-reason-error"' in refused.text
    assert fo_status(client, fo) == "open"
    done = browser.post(f"/console/fulfillment/{fo}/reject", data={"csrf_token": csrf_of(page), "reason": "Flooded"})
    assert done.status_code == 303
    order = client.get(f"/api/v1/orders/{berlin['id']}").json()
    assert [(f["location"], f["status"]) for f in order["fulfillment_orders"]] == [
        ("WH-BER", "rejected"), ("WH-MUC", "open")]


def test_a_pickup_order_is_packed_and_handed_over(sign_in, stocked, client, container):
    create = client.post("/api/v1/orders", json=stocked.order_body(
        [("MUG-1", 1)], delivery_method="pickup", pickup_location="ST-HAM", shipping_address=None))
    stocked.stock("ST-HAM", "MUG-1", 3)
    if create.status_code != 201:  # the store had no stock when the order came: place it again now
        create = client.post("/api/v1/orders", json=stocked.order_body(
            [("MUG-1", 1)], delivery_method="pickup", pickup_location="ST-HAM", shipping_address=None))
    assert create.status_code == 201, create.text
    fo = fo_of(create.json())
    stocked.act(fo, "accept")
    browser = sign_in("admin")
    page = browser.get(f"/console/fulfillment/{fo}").text
    assert forms_of(page) == {"pack", "reject"}  # no parcel for a pickup
    browser.post(f"/console/fulfillment/{fo}/pack", data={"csrf_token": csrf_of(page)})
    page = browser.get(f"/console/fulfillment/{fo}").text
    assert forms_of(page) == {"handover"}
    done = browser.post(f"/console/fulfillment/{fo}/handover", data={"csrf_token": csrf_of(page)})
    assert done.status_code == 303 and fo_status(client, fo) == "delivered"


def test_roles_without_fulfillment_act_get_the_403_page_when_posting_anyway(sign_in, berlin, client):
    for role in ("agent", "finance", "analyst"):
        browser = sign_in(role)
        csrf = csrf_of(browser.get("/console/").text)
        refused = browser.post(f"/console/fulfillment/{fo_of(berlin)}/accept", data={"csrf_token": csrf})
        assert refused.status_code == 403 and "fulfillment.act" in refused.text
    assert fo_status(client, fo_of(berlin)) == "open"


def test_a_form_without_its_csrf_token_is_refused(sign_in, berlin, client):
    browser = sign_in("fulfillment")
    assert browser.post(f"/console/fulfillment/{fo_of(berlin)}/accept", data={}).status_code == 403
    assert fo_status(client, fo_of(berlin)) == "open"


def test_actions_wait_while_the_order_is_on_hold(sign_in, berlin, client):
    held = client.post(f"/api/v1/orders/{berlin['id']}/hold", json={"reason": "fraud check"})
    assert held.status_code == 200, held.text
    page = sign_in("fulfillment").get(f"/console/fulfillment/{fo_of(berlin)}").text
    assert "on hold" in page and forms_of(page) == {"reject"}


# -- documents -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("document", "heading"), [("pick-list", "Pick list"), ("packing-slip", "Packing slip")])
def test_the_pick_list_and_packing_slip_are_pdfs_with_the_order_number_and_skus(sign_in, berlin, document, heading):
    browser = sign_in("fulfillment")
    answer = browser.get(f"/console/fulfillment/{fo_of(berlin)}/{document}.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF") and answer.headers["cache-control"] == "no-store"
    assert browser.get(f"/console/fulfillment/{fo_of(berlin)}/{document}.pdf").content == answer.content  # stable
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert f"{heading} {berlin['number']}" in text
    assert "MUG-1" in text and "TEA-1" in text and "Product MUG-1" in text and "WH-BER" in text
    if document == "packing-slip":
        assert "Jungfernstieg 1" in text and "Hamburg" in text


# -- a parcel on its way: the carrier's news typed in by hand ----------------------------------------------------
def parcel_forms(html: str) -> dict[str, str]:
    """{what: action path} of the parcel forms on a fulfilment order page (one parcel)."""
    found = re.findall(r'action="(/console/fulfillment/[^/"]+/shipments/[^/"]+/([a-z-]+))"', html)
    return {what: path for path, what in found}


def shipment_of(client: TestClient, fo_id: str) -> dict:
    shipments = client.get(f"/api/v1/fulfillment-orders/{fo_id}").json()["shipments"]
    assert len(shipments) == 1, shipments
    return dict(shipments[0])


def timeline_of(client: TestClient, order: dict) -> list[str]:
    return [e["message"] for e in client.get(f"/api/v1/orders/{order['id']}/timeline").json()["items"]]


@pytest.mark.parametrize("role", ROLES)
def test_only_roles_that_act_see_the_parcel_forms_and_the_others_are_refused(sign_in, berlin, stocked, client, role):
    stocked.ship_parcel(berlin)
    browser = sign_in(role)
    page = browser.get(f"/console/fulfillment/{fo_of(berlin)}").text
    assert "in transit" in page
    may = role in ("admin", "fulfillment")
    assert set(parcel_forms(page)) == ({"out-for-delivery", "deliver", "problem"} if may else set())
    if not may:
        shipment = shipment_of(client, fo_of(berlin))["id"]
        base = f"/console/fulfillment/{fo_of(berlin)}/shipments/{shipment}"
        csrf = csrf_of(browser.get("/console/").text)
        for what in ("out-for-delivery", "deliver", "problem"):
            refused = browser.post(f"{base}/{what}", data={"csrf_token": csrf, "note": "Lost"})
            assert refused.status_code == 403 and "fulfillment.act" in refused.text
        assert shipment_of(client, fo_of(berlin))["status"] == "in_transit"


def test_a_warehouse_user_records_out_for_delivery_a_problem_and_the_delivery(sign_in, berlin, stocked, client):
    stocked.ship_parcel(berlin)
    fo = fo_of(berlin)
    browser = sign_in("fulfillment")
    page = browser.get(f"/console/fulfillment/{fo}").text

    out = browser.post(parcel_forms(page)["out-for-delivery"],
                       data={"csrf_token": csrf_of(page), "form_key": form_key_of(page)})
    assert (out.status_code, out.headers["location"]) == (303, f"/console/fulfillment/{fo}?done=out_for_delivery")
    page = browser.get(out.headers["location"]).text
    assert "The parcel is out for delivery; the customer will be told." in page and "out for delivery" in page
    assert set(parcel_forms(page)) == {"deliver", "problem"}  # it is out already
    assert shipment_of(client, fo)["status"] == "out_for_delivery"

    problem = browser.post(parcel_forms(page)["problem"], data={
        "csrf_token": csrf_of(page), "form_key": form_key_of(page), "note": "Address not found"})
    assert problem.status_code == 303
    page = browser.get(problem.headers["location"]).text
    assert "The delivery problem was recorded" in page and "delivery problem" in page
    assert shipment_of(client, fo)["status"] == "exception"
    assert any("\u201cAddress not found\u201d" in m for m in timeline_of(client, berlin))

    delivered = browser.post(parcel_forms(page)["deliver"],
                             data={"csrf_token": csrf_of(page), "form_key": form_key_of(page)})
    assert delivered.status_code == 303
    page = browser.get(delivered.headers["location"]).text
    assert "The parcel was delivered." in page and parcel_forms(page) == {}
    assert shipment_of(client, fo)["status"] == "delivered" and fo_status(client, fo) == "delivered"
    assert client.get(f"/api/v1/orders/{berlin['id']}").json()["status"] == "delivered"


def test_a_delivery_problem_needs_a_note_named_next_to_its_field(sign_in, berlin, stocked, client):
    stocked.ship_parcel(berlin)
    fo = fo_of(berlin)
    browser = sign_in("admin")
    page = browser.get(f"/console/fulfillment/{fo}").text
    shipment = shipment_of(client, fo)["id"]
    for note, message in (("   ", "is required."), ("x" * 501, "is longer than 500 characters.")):
        refused = browser.post(parcel_forms(page)["problem"], data={
            "csrf_token": csrf_of(page), "form_key": form_key_of(page), "note": note})
        assert refused.status_code == 422
        field = f"problem-note-{shipment}"
        assert f'<p class="error" id="{field}-error" role="alert">{message}</p>' in refused.text
        assert f'aria-describedby="{field}-error"' in refused.text
    assert shipment_of(client, fo)["status"] == "in_transit"
    assert not any("reported a problem" in m for m in timeline_of(client, berlin))


def test_a_double_submitted_delivery_counts_once_and_a_stale_one_is_named(sign_in, berlin, stocked, client):
    stocked.ship_parcel(berlin)
    fo = fo_of(berlin)
    browser = sign_in("fulfillment")
    page = browser.get(f"/console/fulfillment/{fo}").text
    form = {"csrf_token": csrf_of(page), "form_key": form_key_of(page)}
    assert browser.post(parcel_forms(page)["deliver"], data=form).status_code == 303
    assert browser.post(parcel_forms(page)["deliver"], data=form).status_code == 303  # the same form again
    assert sum("Delivered the DHL parcel" in m for m in timeline_of(client, berlin)) == 1
    stale = browser.post(parcel_forms(page)["deliver"], data={**form, "form_key": "another-tab"})
    assert stale.status_code == 409 and "was delivered already" in stale.text
    late = browser.post(parcel_forms(page)["out-for-delivery"], data={**form, "form_key": "another-tab"})
    assert late.status_code == 409 and shipment_of(client, fo)["status"] == "delivered"


def test_another_locations_parcel_and_an_unknown_parcel_are_404(sign_in, berlin, munich, stocked, client):
    stocked.ship_parcel(munich)
    browser = sign_in("fulfillment")  # works for WH-BER
    csrf = csrf_of(browser.get("/console/").text)
    other = shipment_of(client, fo_of(munich))["id"]
    for what in ("out-for-delivery", "deliver", "problem"):
        refused = browser.post(f"/console/fulfillment/{fo_of(munich)}/shipments/{other}/{what}",
                               data={"csrf_token": csrf, "note": "Lost"})
        assert refused.status_code == 404 and munich["number"] not in refused.text
    assert shipment_of(client, fo_of(munich))["status"] == "in_transit"
    unknown = browser.post(f"/console/fulfillment/{fo_of(berlin)}/shipments/shp_nope/deliver",
                           data={"csrf_token": csrf})
    assert unknown.status_code == 404


def test_the_shipped_tab_lists_parcels_on_their_way_with_their_units(sign_in, berlin, stocked):
    stocked.ship_parcel(berlin)
    browser = sign_in("fulfillment")
    assert berlin["number"] not in browser.get("/console/fulfillment", params={"status": "packed"}).text
    shipped = browser.get("/console/fulfillment", params={"status": "shipped"})
    assert shipped.status_code == 200 and 'aria-current="page">Shipped' in shipped.text
    assert berlin["number"] in shipped.text and "2 × MUG-1, 1 × TEA-1" in shipped.text
    page = browser.get(f"/console/fulfillment/{fo_of(berlin)}").text
    assert 'status=shipped">← Queue of' in page
