"""Many real clients at once against a real `baton serve --workers 2` on PostgreSQL.

Stock is never oversold, an order never keeps half a reservation, a retried request never creates a second
order, and racing warehouse and customer-service actions never corrupt the quantity buckets. Every request of a
scenario is held at a barrier until all clients are connected, so they reach the server together.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, func, select

from baton.adapters.db import tables as t
from baton.adapters.db.migrate import upgrade
from baton.bootstrap import bootstrap
from baton.config import Settings
from baton.inventory.queries import ledger_mismatches, reservation_mismatches
from tests.conftest import PostgresServer, Shop, bearer, paid_and_captured, unavailable
from tests.e2e.server import BatonServer

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("server")]

BUYERS = 60
TIMEOUT = 60.0


@dataclass
class Served:
    server: BatonServer
    db: Engine
    shop: Shop
    secret: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.base_url, timeout=TIMEOUT, headers=bearer(self.secret))


@pytest.fixture(scope="module")
def served(postgres_server: PostgresServer | None) -> Iterator[Served]:
    """A fresh PostgreSQL database, migrated, served by a real two-worker server; two warehouses in it."""
    if postgres_server is None:
        unavailable("no PostgreSQL server for the concurrency tests (set BATON_TEST_POSTGRES_URL)")
    assert postgres_server is not None
    url = postgres_server.create()
    db = create_engine(url)
    try:
        upgrade(url)
        # pools of 5 (at most 15 writers and 5 readers a worker): the 60 clients of a test still race, while the
        # server's connection slots are shared with the tests the other xdist worker runs meanwhile
        with BatonServer(url, workers=2, env={"BATON_DB_POOL_SIZE": "5"}) as server:
            secret = server.token()
            with httpx.Client(base_url=server.base_url, timeout=TIMEOUT, headers=bearer(secret)) as setup:
                shop = Shop(setup)  # type: ignore[arg-type]  # httpx.Client speaks the TestClient API
                shop.location("WH-BER")
                shop.location("WH-MUC")
                yield Served(server, db, shop, secret)
    finally:
        db.dispose()
        postgres_server.drop(url)


def together(served: Served, count: int, send: Callable[[httpx.Client, int], httpx.Response]) -> list[httpx.Response]:
    """`count` clients, each with its own connection, send their request at the same moment."""
    barrier = threading.Barrier(count)

    def client(index: int) -> httpx.Response:
        with served.client() as http:
            http.get("/healthz").raise_for_status()  # connected before the start signal
            barrier.wait(timeout=TIMEOUT)
            return send(http, index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(client, range(count)))


def no_server_errors(served: Served, responses: list[httpx.Response]) -> None:
    broken = [f"{r.request.method} {r.request.url.path} -> {r.status_code}: {r.text}"
              for r in responses if r.status_code >= 500]
    assert not broken, "\n".join(broken) + "\n--- server output ---\n" + served.server.output()[-8000:]
    assert not served.server.errors(), served.server.output()[-8000:]


def statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def books_balance(served: Served) -> None:
    """Every on_hand is the sum of its ledger; every reserved is what open fulfilment orders hold."""
    with served.db.connect() as conn:
        assert ledger_mismatches(conn) == []
        assert reservation_mismatches(conn) == []


def orders_with(served: Served, sku: str) -> int:
    with served.db.connect() as conn:
        return int(conn.scalar(select(func.count(func.distinct(t.order_lines.c.order_id)))
                               .where(t.order_lines.c.sku == sku)) or 0)


def stock(served: Served, sku: str) -> dict[str, int]:
    c = t.stock_levels.c
    with served.db.connect() as conn:
        row = conn.execute(select(func.sum(c.on_hand).label("on_hand"), func.sum(c.reserved).label("reserved"))
                           .where(c.sku == sku)).one()
    return {"on_hand": int(row.on_hand), "reserved": int(row.reserved)}


def available(served: Served, sku: str) -> int:
    response = served.shop.client.get("/api/v1/availability", params={"sku": sku})
    assert response.status_code == 200, response.text
    [item] = response.json()["items"]
    return int(item["available"])


def order_body(served: Served, lines: list[tuple[str, int]], email: str) -> dict[str, Any]:
    return served.shop.order_body(lines, customer={"email": email, "name": "Concurrent Buyer"})


def assert_out_of_stock(response: httpx.Response, skus: set[str]) -> None:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    problem = response.json()
    assert problem["code"] == "out_of_stock", problem
    assert problem["shortages"], problem
    assert {s["sku"] for s in problem["shortages"]} <= skus, problem


def test_sixty_buyers_of_the_last_ten_units_over_two_locations_get_exactly_ten_orders(served):
    # Given 10 units of a stocked SKU: 6 in Berlin, 4 in Munich
    served.shop.product("LAST-TEN")
    served.shop.stock("WH-BER", "LAST-TEN", 6)
    served.shop.stock("WH-MUC", "LAST-TEN", 4)

    # When 60 buyers each order one unit at the same moment
    responses = together(served, BUYERS, lambda http, i: http.post(
        "/api/v1/orders", json=order_body(served, [("LAST-TEN", 1)], f"buyer-{i}@example.com")))

    # Then exactly 10 get an order and the other 50 are told what is short; nothing breaks
    no_server_errors(served, responses)
    assert statuses(responses) == {201: 10, 409: BUYERS - 10}
    for response in responses:
        if response.status_code == 409:
            assert_out_of_stock(response, {"LAST-TEN"})
    placed = [r.json() for r in responses if r.status_code == 201]
    assert len({o["id"] for o in placed}) == len({o["number"] for o in placed}) == 10
    assert all(o["fulfillment_status"] == "allocated" for o in placed)
    # And every unit is reserved exactly once, by exactly the orders that exist
    assert stock(served, "LAST-TEN") == {"on_hand": 10, "reserved": 10}
    assert available(served, "LAST-TEN") == 0
    assert orders_with(served, "LAST-TEN") == 10
    books_balance(served)


def test_orders_of_two_skus_at_once_never_keep_half_a_reservation(served):
    # Given 10 units of A and only 7 of B, spread over both warehouses
    served.shop.product("PAIR-A")
    served.shop.product("PAIR-B")
    served.shop.stock("WH-BER", "PAIR-A", 6)
    served.shop.stock("WH-MUC", "PAIR-A", 4)
    served.shop.stock("WH-BER", "PAIR-B", 4)
    served.shop.stock("WH-MUC", "PAIR-B", 3)

    # When 60 orders of one A and one B arrive at once, all from the same busy customer
    responses = together(served, BUYERS, lambda http, _i: http.post(
        "/api/v1/orders", json=order_body(served, [("PAIR-A", 1), ("PAIR-B", 1)], "busy.buyer@example.com")))

    # Then B runs out after 7 orders, and the refused orders hold no A either
    no_server_errors(served, responses)
    assert statuses(responses) == {201: 7, 409: BUYERS - 7}
    for response in responses:
        if response.status_code == 409:
            assert_out_of_stock(response, {"PAIR-A", "PAIR-B"})
    assert stock(served, "PAIR-A") == {"on_hand": 10, "reserved": 7}
    assert stock(served, "PAIR-B") == {"on_hand": 7, "reserved": 7}
    assert available(served, "PAIR-A") == 3
    assert available(served, "PAIR-B") == 0
    assert orders_with(served, "PAIR-A") == orders_with(served, "PAIR-B") == 7
    books_balance(served)
    # And the customer exists once, however many of their orders raced to create them
    with served.db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.customers)
                           .where(t.customers.c.email == "busy.buyer@example.com")) == 1


def test_one_idempotency_key_sent_by_many_clients_at_once_places_one_order(served):
    # Given stock of a SKU
    served.shop.product("RETRIED")
    served.shop.stock("WH-BER", "RETRIED", 5)
    body = order_body(served, [("RETRIED", 2)], "double.clicker@example.com")

    # When the same order is sent 25 times at once under one Idempotency-Key
    responses = together(served, 25, lambda http, _i: http.post(
        "/api/v1/orders", json=body, headers={"Idempotency-Key": "checkout-7f3a-retry"}))

    # Then every client gets the same order, which exists once and reserved its units once
    no_server_errors(served, responses)
    assert statuses(responses) == {201: 25}
    assert len({r.json()["id"] for r in responses}) == 1
    assert orders_with(served, "RETRIED") == 1
    assert stock(served, "RETRIED") == {"on_hand": 5, "reserved": 2}
    books_balance(served)


def test_racing_ship_and_cancel_of_one_order_leave_consistent_quantities(served):
    # Given four orders of 3 units each, accepted by Berlin
    served.shop.product("RACE")
    served.shop.stock("WH-BER", "RACE", 12)
    orders = [served.shop.order([("RACE", 3)], customer={"email": f"racer-{i}@example.com"}) for i in range(4)]
    for order in orders:
        served.shop.act(order["fulfillment_orders"][0]["id"], "accept")

    # When for every order six warehouse clients ship it while six agents cancel it, all at once
    def send(http: httpx.Client, index: int) -> httpx.Response:
        order = orders[index % 4]
        if (index // 4) % 2 == 0:
            return http.post(f"/api/v1/fulfillment-orders/{order['fulfillment_orders'][0]['id']}/ship",
                             json={"carrier": "DHL", "tracking_number": f"RACE-{index}"})
        return http.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "customer changed their mind"})

    responses = together(served, 48, send)

    # Then each order was either shipped or cancelled, once; every other attempt was refused with a 409
    no_server_errors(served, responses)
    assert set(statuses(responses)) <= {200, 409}, statuses(responses)
    shipped_units = 0
    for order in orders:
        final = served.shop.get_order(order["id"])
        [line] = final["lines"]
        quantities = line["quantities"]
        assert quantities["shipped"] + quantities["cancelled"] == 3, quantities
        assert quantities["shipped"] in (0, 3), quantities
        assert final["status"] in ("shipped", "cancelled"), final["status"]
        shipped_units += quantities["shipped"]
        succeeded = [r for r in responses if r.status_code == 200
                     and order["id"] in (r.json().get("id"), r.json().get("order_id"))]
        assert len(succeeded) == 1, [r.text for r in succeeded]
    assert statuses(responses)[200] == 4
    # And stock left through the ledger only for what shipped; nothing stays reserved
    assert stock(served, "RACE") == {"on_hand": 12 - shipped_units, "reserved": 0}
    books_balance(served)


def test_twenty_agents_refunding_one_order_at_once_never_give_back_more_than_was_captured(served):
    # Given an order of 100.00 paid by a sandbox card and fully captured
    served.shop.product("REFUND-ME", price="100.00")
    served.shop.stock("WH-BER", "REFUND-ME", 5)
    order_id = served.shop.order([("REFUND-ME", 1)])["id"]
    container = bootstrap(Settings(database_url=served.server.database_url))
    try:
        paid_and_captured(container, order_id, 10_000)
    finally:
        container.engine.dispose()
    # When twenty clients each refund 7.00 at the same moment (140.00 asked, 100.00 captured)
    responses = together(served, 20, lambda http, i: http.post(
        f"/api/v1/orders/{order_id}/refunds", json={"amount": "7.00", "reason": f"agent {i}"}))
    # Then exactly fourteen went through, the rest were refused with what is left, and the books agree
    no_server_errors(served, responses)
    assert statuses(responses) == Counter({201: 14, 422: 6})
    with served.client() as http:
        [payment] = http.get(f"/api/v1/orders/{order_id}/payments").json()["items"]
    assert (payment["captured"], payment["refunded"]) == ("100.00", "98.00")
    assert sum(float(tx["amount"]) for tx in payment["transactions"]
               if tx["kind"] == "refund" and tx["status"] == "succeeded") == 98.0
