"""What the review of issue 6 found shown by no test yet, on both databases: a return keeps a reason and a comment
per line; one customer record gathers orders from every channel, matched by email whatever its case."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Shop
from tests.integration import test_returns as rt

stocked = rt.stocked  # A (30.00), B (20.00) and a final-sale F, 10 of each at WH-BER


def test_each_returned_line_keeps_its_own_reason_and_comment(client: TestClient, stocked: Shop) -> None:
    order = rt.delivered(stocked, [("A", 1), ("B", 1)])
    body = {"method": "ship_back", "tracking_number": "RET-9", "lines": [
        {"line_id": rt.line_of(order, "A")["id"], "quantity": 1, "reason": "too small", "comment": "size 40 fits"},
        {"line_id": rt.line_of(order, "B")["id"], "quantity": 1, "reason": "changed mind"}]}
    response = client.post(f"/api/v1/orders/{order['id']}/returns", json=body)
    assert response.status_code == 201, response.text
    lines = {line["sku"]: (line["reason"], line["comment"]) for line in response.json()["lines"]}
    assert lines == {"A": ("too small", "size 40 fits"), "B": ("changed mind", None)}
    assert response.json()["tracking_number"] == "RET-9"
    told = " ".join(rt.messages(client, order["id"]))
    assert "1 × A (too small)" in told and "1 × B (changed mind)" in told and "RET-9" in told


def test_one_customer_record_gathers_orders_of_every_channel_matched_by_email_in_any_case(
        client: TestClient, stocked: Shop) -> None:
    orders = [stocked.order([("A", 1)], channel=channel, customer={"email": email, "name": "Jane Doe"})
              for channel, email in (("web", "jane@example.com"), ("phone", "Jane@Example.COM"),
                                     ("marketplace", " JANE@example.com"), ("store", "jane@example.com"))]
    assert len({order["customer"]["id"] for order in orders}) == 1
    record = client.get(f"/api/v1/customers/{orders[0]['customer']['id']}").json()
    assert (record["email"], record["orders"]) == ("jane@example.com", 4)
    assert {o["number"] for o in record["recent_orders"]} == {o["number"] for o in orders}
    assert [c["email"] for c in client.get("/api/v1/customers", params={"q": "JANE@"}).json()["items"]] == [
        "jane@example.com"]
