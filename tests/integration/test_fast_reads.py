"""The fast path of availability and tracking (entrypoints/http/fast_reads.py) answers exactly as the full
FastAPI app does, and leaves every refusal to it (a database failure on the way gets the app's own handler).

Two apps share one database: `fast` as served, `full` built with `fast_reads=False`. Each request goes to both
with the same X-Request-Id; status, headers and body must be identical. An outermost middleware records whether
FastAPI's router saw the request (the router marks the scope), so each test also proves which path answered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text, update

from baton.adapters.db import tables as t
from baton.entrypoints.http.app import create_app
from baton.identity.services import create_token, revoke_token
from baton.inventory.services import set_on_hand
from tests.conftest import Shop, bearer, token

RID = {"X-Request-Id": "fast-reads-test"}


class Routed:
    """Outermost test middleware: for each HTTP request, whether FastAPI's router handled it."""

    def __init__(self, app: Any, seen: list[bool]):
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                self.seen.append("router" in scope)


class Twins:
    """The served app and the FastAPI-only app, on one container."""

    def __init__(self, container: Any):
        self.routed: dict[str, list[bool]] = {"fast": [], "full": []}
        self.clients: dict[str, TestClient] = {}
        for name, fast_reads in (("fast", True), ("full", False)):
            app: FastAPI = create_app(container, fast_reads=fast_reads)
            app.add_middleware(Routed, seen=self.routed[name])
            self.clients[name] = TestClient(app, base_url="https://testserver", raise_server_exceptions=False,
                                            follow_redirects=False)

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET"
            ) -> tuple[Any, bool, bool]:
        """Ask both apps and assert they answer alike. Returns the answer and, for the served app and the
        FastAPI-only app, whether FastAPI's router handled the request."""
        answers = {name: client.request(method, path, headers={**RID, **(headers or {})})
                   for name, client in self.clients.items()}
        fast, full = answers["fast"], answers["full"]
        assert (fast.status_code, fast.headers.multi_items(), fast.content) == \
               (full.status_code, full.headers.multi_items(), full.content)
        return fast, self.routed["fast"][-1], self.routed["full"][-1]

    def served_fast(self, path: str, headers: dict[str, str] | None = None) -> Any:
        response, fast_routed, full_routed = self.get(path, headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-request-id"] == RID["X-Request-Id"]
        assert full_routed and not fast_routed, "the fast path should have answered"
        return response

    def served_by_app(self, path: str, status: int, headers: dict[str, str] | None = None,
                      method: str = "GET") -> Any:
        """The served app answered as the FastAPI-only app, and the same way (through the router or, for a NUL,
        refused before it)."""
        response, fast_routed, full_routed = self.get(path, headers, method)
        assert response.status_code == status, response.text
        assert fast_routed == full_routed, "the full app should have answered"
        return response

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


@pytest.fixture
def twins(container: Any) -> Iterator[Twins]:
    both = Twins(container)
    yield both
    both.close()


@pytest.fixture
def stocked(shop: Shop, container: Any) -> Shop:
    """A and B in stock at two warehouses and a store; C known but nowhere stocked; X-1/2 (a SKU with a slash,
    which the stock routes cannot address) counted by the service."""
    for sku in ("A", "B", "C", "X-1/2"):
        shop.product(sku)
    shop.stock("WH-BER", "A", 5)
    shop.stock("WH-MUC", "A", 3)
    shop.stock("ST-HAM", "A", 2)
    shop.stock("WH-MUC", "B", 7)
    set_on_hand(container.uow(), "WH-BER", "X-1/2", 4, "count", "test")
    shop.order([("A", 1)])  # a reservation: available is not on_hand
    return shop


def problem(response: Any, code: str) -> None:
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


# -- the happy path: same answers, from the fast path ---------------------------------------------------------
def test_availability_of_several_skus_is_answered_by_the_fast_path_as_the_app_answers_it(twins, stocked,
                                                                                          container):
    admin = bearer(token(container))
    items = twins.served_fast("/api/v1/availability?sku=A&sku=B&sku=C", admin).json()["items"]
    assert [(i["sku"], i["available"]) for i in items] == [("A", 9), ("B", 7), ("C", 0)]
    assert {loc["location"] for loc in items[0]["locations"]} == {"WH-BER", "WH-MUC", "ST-HAM"}


def test_repeated_and_unknown_skus_and_skus_with_a_slash_answer_alike(twins, stocked, container):
    admin = bearer(token(container))
    repeated = twins.served_fast("/api/v1/availability?sku=B&sku=A&sku=B&sku=A", admin).json()["items"]
    assert [i["sku"] for i in repeated] == ["B", "A"]
    unknown = twins.served_fast("/api/v1/availability?sku=NO-SUCH-SKU", admin).json()["items"]
    assert unknown == [{"sku": "NO-SUCH-SKU", "available": 0, "locations": []}]
    assert twins.served_fast("/api/v1/availability?sku=X-1/2", admin).json()["items"][0]["available"] == 4


def test_a_location_scoped_token_sees_only_its_locations_on_the_fast_path(twins, stocked, container):
    munich = bearer(token(container, "fulfillment", ("WH-MUC",)))
    items = twins.served_fast("/api/v1/availability?sku=A&sku=B", munich).json()["items"]
    assert [(i["sku"], i["available"], [loc["location"] for loc in i["locations"]]) for i in items] == \
           [("A", 3, ["WH-MUC"]), ("B", 7, ["WH-MUC"])]


def test_the_most_skus_the_route_takes_are_answered_by_the_fast_path(twins, stocked, container):
    query = "&".join(f"sku=S{i}" for i in range(200))
    assert len(twins.served_fast(f"/api/v1/availability?{query}", bearer(token(container))).json()["items"]) == 200


def test_a_tracked_order_is_answered_by_the_fast_path_as_the_app_answers_it(twins, stocked):
    order = stocked.order([("A", 1), ("B", 1)])
    tracking = f"/api/v1/track/{order['tracking_id']}"
    assert twins.served_fast(tracking).json()["shipments"] == []
    stocked.ship_parcel(order, "A")  # a parcel: timestamps and units in the body
    shipped = twins.served_fast(tracking).json()
    assert shipped["number"] == order["number"] and shipped["shipments"][0]["units"] == 1
    assert shipped["placed_at"].endswith("Z")


def test_the_fast_path_touches_the_token_as_authentication_does(twins, stocked, container):
    made, secret = create_token(container.uow(), "analyst", "fresh analyst")
    with container.uow() as uow:
        assert uow.tokens.get(made.id).last_used_at is None
    twins.served_fast("/api/v1/availability?sku=A", bearer(secret))
    with container.uow() as uow:
        assert uow.tokens.get(made.id).last_used_at is not None


# -- every error, and anything unusual, is the full app's --------------------------------------------------
def test_a_missing_or_wrong_token_is_refused_by_the_app(twins, stocked):
    problem(twins.served_by_app("/api/v1/availability?sku=A", 401), "unauthenticated")
    problem(twins.served_by_app("/api/v1/availability?sku=A", 401, {"Authorization": "Basic eDp5"}),
            "unauthenticated")
    problem(twins.served_by_app("/api/v1/availability?sku=A", 401, bearer("bt_not-a-token")), "invalid_token")


def test_a_revoked_token_stops_working_at_once(twins, stocked, container):
    made, secret = create_token(container.uow(), "integration", "soon revoked")
    twins.served_fast("/api/v1/availability?sku=A", bearer(secret))
    revoke_token(container.uow(), made.id)
    problem(twins.served_by_app("/api/v1/availability?sku=A", 401, bearer(secret)), "invalid_token")


def test_a_role_without_inventory_read_is_refused_by_the_app(twins, stocked, container):
    made, secret = create_token(container.uow(), "analyst", "of a retired role")
    with container.engine.begin() as conn:  # every role of today may read stock: a token of a role since removed
        conn.execute(update(t.api_tokens).where(t.api_tokens.c.id == made.id).values(role="auditor"))
    problem(twins.served_by_app("/api/v1/availability?sku=A", 403, bearer(secret)), "permission_denied")


@pytest.mark.parametrize("query", ["", "?other=1",
                                   "?" + "&".join(f"sku=S{i}" for i in range(201))])
def test_too_many_or_no_skus_are_refused_by_the_app(twins, stocked, container, query):
    response = twins.served_by_app(f"/api/v1/availability{query}", 422, bearer(token(container)))
    problem(response, "validation_failed")
    assert response.json()["errors"][0]["field"] == "sku"


@pytest.mark.parametrize("query", ["sku=", "sku=A&sku=", "sku=A&limit=3", "sku=A%2FB&sku=B", "sku=A+B",
                                   "sku=A;sku=B", "sku=A&&sku=B", "sku", "SKU=A&sku=B", "sku=%C3%A9"])
def test_queries_the_fast_path_does_not_parse_get_the_apps_answer(twins, stocked, container, query):
    twins.served_by_app(f"/api/v1/availability?{query}", 200, bearer(token(container)))


def test_a_nul_in_the_query_or_path_is_refused_by_the_app(twins, stocked, container):
    admin = bearer(token(container))
    problem(twins.served_by_app("/api/v1/availability?sku=A%00", 422, admin), "validation_failed")
    problem(twins.served_by_app("/api/v1/track/" + "a" * 20 + "%00", 422), "validation_failed")


def test_unknown_and_malformed_tracking_ids_are_the_apps_404(twins, stocked):
    problem(twins.served_by_app("/api/v1/track/" + "x" * 22, 404), "tracking_not_found")
    problem(twins.served_by_app("/api/v1/track/BT-100001", 404), "tracking_not_found")
    problem(twins.served_by_app("/api/v1/track/" + "x" * 65, 404), "tracking_not_found")


def test_head_other_paths_and_query_strings_are_the_apps(twins, stocked, container):
    order = stocked.order([("A", 1)])
    tracking = f"/api/v1/track/{order['tracking_id']}"
    twins.served_by_app(tracking, 405, method="HEAD")  # (FastAPI 0.165 routes no HEAD to a GET route)
    twins.served_by_app(f"{tracking}?utm_source=mail", 200)
    twins.served_by_app(f"{tracking}/", 307)  # FastAPI's trailing-slash redirect
    twins.served_by_app("/api/v1/availability?sku=A", 405, bearer(token(container)), method="HEAD")
    twins.served_by_app("/api/v1/availability/?sku=A", 307, bearer(token(container)))


def test_a_database_failure_on_the_fast_path_is_answered_as_the_app_answers_it(twins, stocked, container):
    admin = bearer(token(container))
    with container.engine.begin() as conn:  # a real failure of the availability statement: its table is gone
        conn.execute(text("ALTER TABLE stock_levels RENAME TO stock_levels_away"))
    try:
        response, fast_routed, _ = twins.get("/api/v1/availability?sku=A", admin)
    finally:
        with container.engine.begin() as conn:
            conn.execute(text("ALTER TABLE stock_levels_away RENAME TO stock_levels"))
    assert response.status_code == 500 and not fast_routed  # the fast path failed, the app's handler answered
    problem(response, "internal")
    twins.served_fast("/api/v1/availability?sku=A", admin)
