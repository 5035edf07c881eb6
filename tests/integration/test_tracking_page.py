"""The public tracking page /track/{tracking_id}: steps in plain words, parcels with a link to the carrier and an
expected delivery, the items; no personal data beyond the public tracking API; a friendly 404 for anything else."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from baton.fulfillment import carriers
from baton.shared.clock import frozen_at

THURSDAY = datetime(2031, 3, 6, 10, 0, tzinfo=UTC)


@pytest.fixture
def stocked(shop):
    shop.product("SHIRT", name="Linen shirt")
    shop.product("SOCKS", name="Wool socks")
    shop.stock("WH-BER", "SHIRT", 100)
    shop.stock("WH-BER", "SOCKS", 100)
    return shop


def steps(html: str) -> list[tuple[str, str]]:
    """(state, name) of each step, in order."""
    return re.findall(r'<li class="step-(done|current|todo)"[^>]*>([^<]+)<', html)


def test_a_placed_order_shows_its_first_step_items_and_an_estimate_and_no_personal_data(stocked, anonymous):
    with frozen_at(THURSDAY):
        order = stocked.order([("SHIRT", 2), ("SOCKS", 1)], customer={"email": "jane@example.com",
                                                                       "name": "Jane Doe", "phone": "+4940123"})
        page = anonymous.get(f"/track/{order['tracking_id']}")

    assert page.status_code == 200, page.text
    assert steps(page.text) == [("current", "Placed"), ("todo", "Being prepared"), ("todo", "Shipped"),
                                ("todo", "Out for delivery"), ("todo", "Delivered")]
    assert f"Order {order['number']}" in page.text and "going to Hamburg" in page.text
    assert "2 × Linen shirt" in page.text and "1 × Wool socks" in page.text
    # placed on a Thursday: 1-2 days handling + 2-5 days transit, in business days
    assert "Expected delivery:</strong> Tue 11 Mar 2031 – Mon 17 Mar 2031" in page.text
    for private in ("Jane", "Doe", "jane@example.com", "Jungfernstieg", "20095", "+4940123", "€", "10.00"):
        assert private not in page.text, private
    assert f'href="/portal/orders/{order["number"]}">Manage this order' in page.text
    assert page.headers["cache-control"] == "no-store" and "frame-ancestors 'none'" in page.headers[
        "content-security-policy"]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text


def test_a_shipped_parcel_links_the_tracking_number_to_the_carrier_with_an_expected_delivery(stocked, anonymous):
    order = stocked.order([("SHIRT", 2)])
    fo = order["fulfillment_orders"][0]["id"]
    stocked.act(fo, "accept")
    with frozen_at(THURSDAY):
        stocked.act(fo, "ship", {"carrier": "DHL", "service": "Paket", "tracking_number": "00340434161094000000"})

    page = anonymous.get(f"/track/{order['tracking_id']}")

    assert steps(page.text) == [("done", "Placed"), ("done", "Being prepared"), ("current", "Shipped"),
                                ("todo", "Out for delivery"), ("todo", "Delivered")]
    assert ('<a href="https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode='
            '00340434161094000000" rel="noopener noreferrer"><code>00340434161094000000</code></a>') in page.text
    assert "Fri 7 Mar 2031 – Mon 10 Mar 2031" in page.text  # DHL Paket: 1-2 business days
    assert "Expected delivery:" not in page.text  # the parcel carries the estimate now
    assert "2 × Linen shirt" in page.text and "2 on the way" in page.text


def test_a_partly_shipped_then_delivered_order_says_how_much_arrived(stocked, anonymous):
    order = stocked.order([("SHIRT", 1), ("SOCKS", 1)])
    stocked.ship_parcel(order, "SHIRT", 1)
    partly = anonymous.get(f"/track/{order['tracking_id']}").text
    assert ("current", "Being prepared") in steps(partly) and "1 of 2 items on the way" in partly

    stocked.ship_parcel(order)
    fo = stocked.get_order(order["id"])["fulfillment_orders"][0]["id"]
    stocked.act(fo, "deliver")
    delivered = anonymous.get(f"/track/{order['tracking_id']}").text

    assert [state for state, _ in steps(delivered)] == ["done"] * 5
    assert "Delivered" in delivered and "(estimate)" not in delivered


def test_an_unknown_carrier_shows_the_number_without_a_link(stocked, anonymous):
    order = stocked.order([("SHIRT", 1)])
    fo = order["fulfillment_orders"][0]["id"]
    stocked.act(fo, "accept")
    stocked.act(fo, "ship", {"carrier": "Bike courier", "tracking_number": "BK-7"})

    page = anonymous.get(f"/track/{order['tracking_id']}").text

    assert "<code>BK-7</code>" in page and 'href="https' not in page and "(estimate)" in page


def test_a_pickup_order_has_store_steps(stocked, anonymous):
    stocked.stock("ST-HAM", "SHIRT", 5)
    order = stocked.order([("SHIRT", 1)], delivery_method="pickup", pickup_location="ST-HAM", shipping_address=None)

    page = anonymous.get(f"/track/{order['tracking_id']}").text

    assert [name for _, name in steps(page)] == ["Placed", "Being prepared", "Ready for pickup", "Picked up"]
    assert "pick up at ST-HAM" in page and "Expected delivery" not in page


def test_a_cancelled_order_and_one_on_hold_say_so_in_plain_words(stocked, client, anonymous):
    cancelled = stocked.order([("SHIRT", 1)])
    assert client.post(f"/api/v1/orders/{cancelled['id']}/cancel", json={"reason": "asked"}).status_code == 200
    held = stocked.order([("SHIRT", 1)])
    assert client.post(f"/api/v1/orders/{held['id']}/hold", json={"reason": "fraud check"}).status_code == 200

    gone = anonymous.get(f"/track/{cancelled['tracking_id']}").text
    reviewed = anonymous.get(f"/track/{held['tracking_id']}").text

    assert "<strong>Cancelled.</strong>" in gone and "1 × Product" not in gone and "cancelled" in gone
    assert "<strong>Being reviewed.</strong>" in reviewed and "fraud check" not in reviewed


@pytest.mark.parametrize("tracking_id", ["nope", "x" * 16, "x" * 65, "ü" * 20, "' OR 1=1 --" * 3])
def test_an_unknown_or_malformed_id_gets_the_same_friendly_404_page(stocked, anonymous, tracking_id):
    stocked.order([("SHIRT", 1)])

    page = anonymous.get(f"/track/{tracking_id}")
    reference = anonymous.get("/track/" + "y" * 20)

    assert page.status_code == 404 and page.text == reference.text
    assert "We could not find this order" in page.text and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"


def test_every_role_sees_the_same_public_page(stocked, browsers, client):
    order = stocked.order([("SHIRT", 1)])
    assert client.get(f"/track/{order['tracking_id']}").status_code == 200  # an API token changes nothing
    assert browsers().get(f"/track/{order['tracking_id']}").status_code == 200


def test_business_days_skip_the_weekend():
    friday = date(2031, 3, 7)
    assert carriers.add_business_days(friday, 1) == date(2031, 3, 10)
    assert carriers.expected_delivery(friday, "ups", "2nd Day Air").latest == date(2031, 3, 11)
    assert carriers.transit_days("Nobody", None) == carriers.DEFAULT_TRANSIT
    assert carriers.tracking_url("UPS", "1Z 99") == "https://www.ups.com/track?tracknum=1Z%2099"


def tracking_event(client, order: dict, status: str, detail: str | None = None, parcel: int = 0) -> None:
    fo = client.get(f"/api/v1/orders/{order['id']}").json()["fulfillment_orders"][0]
    shipment = fo["shipments"][parcel]["id"]
    answer = client.post(f"/api/v1/fulfillment-orders/{fo['id']}/shipments/{shipment}/tracking-events",
                         json={"status": status, "detail": detail})
    assert answer.status_code == 200, answer.text


def test_a_parcel_out_for_delivery_lights_its_step(stocked, client, anonymous):
    order = stocked.order([("SHIRT", 2)])
    stocked.ship_parcel(order)
    tracking_event(client, order, "out_for_delivery")

    page = anonymous.get(f"/track/{order['tracking_id']}").text

    assert steps(page) == [("done", "Placed"), ("done", "Being prepared"), ("done", "Shipped"),
                           ("current", "Out for delivery"), ("todo", "Delivered")]
    assert "<dt>Status</dt><dd>Out for delivery</dd>" in page and "Delivery problem" not in page
    assert ">Status: Out for delivery</h2>" in page


def test_the_first_of_several_parcels_out_for_delivery_leaves_the_rest_being_prepared(stocked, client, anonymous):
    order = stocked.order([("SHIRT", 1), ("SOCKS", 1)])
    stocked.ship_parcel(order, "SHIRT", 1)
    tracking_event(client, order, "out_for_delivery")

    page = anonymous.get(f"/track/{order['tracking_id']}").text

    assert ("current", "Being prepared") in steps(page) and ("todo", "Out for delivery") in steps(page)
    assert "<dt>Status</dt><dd>Out for delivery</dd>" in page and "1 of 2 items on the way" in page
    assert ">Status: Partly shipped</h2>" in page


def test_a_delivery_problem_is_said_in_plain_words_without_the_carriers_note(stocked, client, anonymous):
    order = stocked.order([("SHIRT", 1)])
    stocked.ship_parcel(order)
    tracking_event(client, order, "exception", "Nobody home at Jungfernstieg 1, left at the depot")

    page = anonymous.get(f"/track/{order['tracking_id']}").text

    assert "<strong>Delivery problem.</strong> The carrier reported a problem delivering your parcel" in page
    assert "<dt>Status</dt><dd>Delivery problem</dd>" in page and "exception" not in page
    assert "Jungfernstieg" not in page and "depot" not in page  # the carrier's words may be personal
    assert ("current", "Shipped") in steps(page)

    tracking_event(client, order, "out_for_delivery")  # the next attempt
    again = anonymous.get(f"/track/{order['tracking_id']}").text
    assert "Delivery problem" not in again and ("current", "Out for delivery") in steps(again)


def test_one_troubled_parcel_of_two_is_counted(stocked, client, anonymous):
    order = stocked.order([("SHIRT", 1), ("SOCKS", 1)])
    stocked.ship_parcel(order, "SHIRT", 1)
    stocked.ship_parcel(order)
    tracking_event(client, order, "exception", parcel=1)

    page = anonymous.get(f"/track/{order['tracking_id']}").text

    assert "a problem delivering 1 of your 2 parcels" in page
    assert page.count("<dt>Status</dt><dd>Delivery problem</dd>") == 1
