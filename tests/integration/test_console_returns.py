"""Console returns pages, server side: the queue and a return for every role, and the whole way of a return —
approve, receive at a location, inspect, refund, close — or reject with a reason; refusals named next to the field,
and a warehouse user kept away from a return received at another location."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Shop
from tests.integration.console_helpers import csrf_of
from tests.integration.console_helpers import sign_in as sign_in  # the fixture

CARD = {"method": "sandbox", "token": "tok_approve"}


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    shop.product("MUG-1", price="30.00")
    shop.product("TEA-1", price="10.00")
    for sku in ("MUG-1", "TEA-1"):
        shop.stock("WH-BER", sku, 10)
    return shop


@pytest.fixture
def order(stocked: Shop) -> dict:
    """Jane's order of 2 mugs and a tea, shipped from WH-BER, delivered, paid by card."""
    placed = stocked.order([("MUG-1", 2), ("TEA-1", 1)], payment=CARD)
    [fo] = placed["fulfillment_orders"]
    stocked.act(fo["id"], "accept")
    stocked.act(fo["id"], "ship", {"carrier": "DHL", "tracking_number": "DHL-1"})
    stocked.act(fo["id"], "deliver")
    return stocked.get_order(placed["id"])


@pytest.fixture
def rma(client: TestClient, order: dict) -> dict:
    """Jane asks to send back both mugs: requested."""
    line = next(line["id"] for line in order["lines"] if line["sku"] == "MUG-1")
    answer = client.post(f"/api/v1/orders/{order['id']}/returns", json={
        "lines": [{"line_id": line, "quantity": 2, "reason": "too small"}], "method": "ship_back"})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def forms_of(html: str) -> set[str]:
    return set(re.findall(r'action="/console/returns/[^/"]+/([a-z]+)"', html))


def field(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)"', html)


def post(browser: TestClient, number: str, action: str, **fields: Any) -> Any:
    page = browser.get(f"/console/returns/{number}").text
    form_key = field(page, "form_key")
    return browser.post(f"/console/returns/{number}/{action}",
                        data={"csrf_token": csrf_of(page), **({"form_key": form_key[0]} if form_key else {}),
                              **fields})


def status_of(client: TestClient, rma: dict) -> str:
    return str(client.get(f"/api/v1/returns/{rma['id']}").json()["status"])


def line_ids(client: TestClient, rma: dict) -> list[str]:
    return [line["id"] for line in client.get(f"/api/v1/returns/{rma['id']}").json()["lines"]]


# -- who sees what -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "forms"), [
    ("admin", {"approve", "reject"}), ("agent", {"approve", "reject"}), ("fulfillment", set())])
def test_roles_that_work_returns_see_the_queue_and_the_return(sign_in, rma, role, forms):
    browser = sign_in(role)
    queue = browser.get("/console/returns")
    assert queue.status_code == 200, queue.text
    assert rma["number"] in queue.text and f'href="/console/returns/{rma["number"]}"' in queue.text
    assert 'href="/console/returns"' in browser.get("/console/").text
    page = browser.get(f"/console/returns/{rma['number']}")
    assert page.status_code == 200 and "too small" in page.text and "MUG-1" in page.text
    assert forms_of(page.text) == forms
    assert ('href="/console/orders/' in page.text) == (role != "fulfillment")


@pytest.mark.parametrize("role", ["finance", "analyst"])
def test_roles_without_returns_permissions_get_the_403_page_and_no_link(sign_in, rma, role):
    browser = sign_in(role)
    for url in ("/console/returns", f"/console/returns/{rma['number']}"):
        refused = browser.get(url)
        assert refused.status_code == 403 and "returns.manage" in refused.text
    assert 'href="/console/returns"' not in browser.get("/console/").text


def test_without_a_session_the_returns_pages_redirect_to_sign_in(browsers, rma):
    for url in ("/console/returns", f"/console/returns/{rma['number']}"):
        answer = browsers().get(url)
        assert (answer.status_code, answer.headers["location"]) == (303, "/console/sign-in")


def test_an_unknown_return_or_tab_is_the_404_page(sign_in, rma):
    browser = sign_in("agent")
    assert browser.get("/console/returns/RMA-999999-1").status_code == 404
    assert browser.get("/console/returns", params={"status": "bogus"}).status_code == 404
    forged = browser.get("/console/returns", params={"cursor": "forged"})
    assert forged.status_code == 200 and "start again" in forged.text


# -- the way of a return -------------------------------------------------------------------------------------------
def test_approve_receive_inspect_refund_and_close_from_the_console(sign_in, client, rma, order, stocked):
    agent, warehouse = sign_in("agent"), sign_in("fulfillment")
    done = post(agent, rma["number"], "approve")
    assert (done.status_code, done.headers["location"]) == (303, f"/console/returns/{rma['number']}?done=approve")
    assert "The return was approved." in agent.get(done.headers["location"]).text
    page = warehouse.get(f"/console/returns/{rma['number']}").text
    assert forms_of(page) == {"receive"} and 'value="WH-BER"' in page
    [line] = field(page, "line_id")
    received = post(warehouse, rma["number"], "receive", location="WH-BER", line_id=[line], quantity=["2"])
    assert received.status_code == 303
    assert status_of(client, rma) == "received"
    page = warehouse.get(f"/console/returns/{rma['number']}").text
    assert forms_of(page) == {"inspect"}
    inspected = post(warehouse, rma["number"], "inspect", line_id=[line], resellable=["1"], damaged=["1"])
    assert inspected.status_code == 303
    assert stocked.level("WH-BER", "MUG-1")["on_hand"] == 9  # 10 − 2 shipped + 1 resellable
    page = agent.get(f"/console/returns/{rma['number']}").text
    assert forms_of(page) == {"refund", "close"} and "Refund €60.00" in page
    above = post(agent, rma["number"], "refund")  # an agent refunds up to 50.00
    assert above.status_code == 422 and "60.00 EUR is above the agent limit of 50.00" in above.text
    assert 'id="refund-form-error">60.00' in above.text and status_of(client, rma) == "inspected"
    refunded = post(sign_in("admin"), rma["number"], "refund")
    assert refunded.status_code == 303, refunded.text
    assert status_of(client, rma) == "refunded"
    assert client.get(f"/api/v1/orders/{order['id']}/payments").json()["items"][0]["refunded"] == "60.00"
    assert post(agent, rma["number"], "close").status_code == 303 and status_of(client, rma) == "closed"
    assert forms_of(agent.get(f"/console/returns/{rma['number']}").text) == set()


def test_the_queue_tabs_follow_the_status(sign_in, client, rma):
    agent = sign_in("agent")
    post(agent, rma["number"], "approve")
    assert rma["number"] not in agent.get("/console/returns").text
    approved = agent.get("/console/returns", params={"status": "approved"}).text
    assert rma["number"] in approved and 'aria-current="page">Approved' in approved


def test_reject_needs_a_reason(sign_in, client, rma):
    agent = sign_in("agent")
    refused = post(agent, rma["number"], "reject", reason="")
    assert refused.status_code == 422 and 'id="reject-reason-error"' in refused.text
    assert status_of(client, rma) == "requested"
    assert post(agent, rma["number"], "reject", reason="Worn").status_code == 303
    assert status_of(client, rma) == "rejected" and "“Worn”" in agent.get(f"/console/returns/{rma['number']}").text


@pytest.mark.parametrize(("quantity", "location", "field_id", "message"), [
    ("-1", "WH-BER", "receive-quantity-", "cannot be negative."),
    ("0", "WH-BER", "receive-quantity-", "receive at least one unit."),
    ("1", "", "receive-location", "say at which location the units arrived."),
    ("1", "WH-MUC", "receive-location", "is not one of your locations."),
])
def test_a_bad_receipt_is_named_next_to_its_field_and_receives_nothing(sign_in, client, rma, quantity, location,
                                                                        field_id, message):
    post(sign_in("agent"), rma["number"], "approve")
    warehouse = sign_in("fulfillment")
    [line] = line_ids(client, rma)
    refused = post(warehouse, rma["number"], "receive", location=location, line_id=[line], quantity=[quantity])
    assert refused.status_code == 422
    error = re.search(rf'<p class="error" id="({field_id}[^"]*)-error" role="alert">([^<]+)</p>', refused.text)
    assert error and error.group(2) == message, refused.text
    assert status_of(client, rma) == "approved"


def test_more_units_than_asked_back_is_refused_on_the_form(sign_in, client, rma):
    agent = sign_in("agent")
    post(agent, rma["number"], "approve")
    [line] = line_ids(client, rma)
    refused = post(agent, rma["number"], "receive", location="WH-BER", line_id=[line], quantity=["3"])
    assert refused.status_code == 409 and "2 unit(s) of MUG-1 still expected; 3 given" in refused.text


def test_a_bad_inspection_is_named_next_to_its_field(sign_in, client, rma, stocked):
    agent = sign_in("agent")
    post(agent, rma["number"], "approve")
    [line] = line_ids(client, rma)
    post(agent, rma["number"], "receive", location="WH-BER", line_id=[line], quantity=["2"])
    refused = post(agent, rma["number"], "inspect", line_id=[line], resellable=["-2"], damaged=["0"])
    assert refused.status_code == 422 and f'id="inspect-resellable-{line}-error"' in refused.text
    assert status_of(client, rma) == "received" and stocked.level("WH-BER", "MUG-1")["on_hand"] == 8


def test_a_warehouse_user_cannot_see_a_return_received_at_another_location(sign_in, client, rma):
    post(sign_in("agent"), rma["number"], "approve")
    [line] = line_ids(client, rma)
    munich = sign_in("fulfillment", ("WH-MUC",))
    assert post(munich, rma["number"], "receive", location="WH-MUC", line_id=[line], quantity=["1"]).status_code == 303
    berlin = sign_in("fulfillment")
    assert berlin.get(f"/console/returns/{rma['number']}").status_code == 404
    assert rma["number"] not in berlin.get("/console/returns", params={"status": "received"}).text
    csrf = csrf_of(berlin.get("/console/").text)
    refused = berlin.post(f"/console/returns/{rma['number']}/inspect",
                          data={"csrf_token": csrf, "line_id": [line], "resellable": ["1"], "damaged": ["0"]})
    assert refused.status_code == 404 and status_of(client, rma) == "received"


def test_a_warehouse_user_posting_a_manager_action_anyway_gets_the_403_page(sign_in, client, rma):
    warehouse = sign_in("fulfillment")
    csrf = csrf_of(warehouse.get("/console/").text)
    refused = warehouse.post(f"/console/returns/{rma['number']}/approve", data={"csrf_token": csrf})
    assert refused.status_code == 403 and "returns.manage" in refused.text
    assert status_of(client, rma) == "requested"
