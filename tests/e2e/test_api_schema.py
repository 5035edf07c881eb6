"""schemathesis drives every operation of the served OpenAPI document against a real `baton serve`.

The server runs on a freshly migrated database (SQLite, and PostgreSQL where one is reachable) with a small
shop in it, and path parameters and order lines are often swapped for objects that exist, so requests reach
the domain instead of stopping at 404 or 422. For every generated
request (valid and invalid ones), the server must not fail (no 5xx) and must answer exactly as documented:
a documented status code, the documented content type and a body that matches the documented schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from baton.adapters.db.migrate import upgrade
from baton.bootstrap import bootstrap
from baton.config import Settings
from baton.entrypoints.http.app import create_app
from baton.identity.services import create_token
from tests.conftest import PostgresServer, Shop, bearer, new_database
from tests.e2e.server import BatonServer

pytestmark = pytest.mark.xdist_group("server")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 30


def seed(shop: Shop) -> dict[str, list[str]]:
    """A couple of locations, products, stock levels and orders; returns real values per path parameter."""
    for code in ("WH-BER", "WH-MUC", "ST-HAM"):
        shop.location(code)
    shop.product("SHIRT")
    shop.product("MUG", price="5.50")
    shop.stock("WH-BER", "SHIRT", 40)
    shop.stock("WH-MUC", "SHIRT", 10)
    shop.stock("WH-BER", "MUG", 40)
    shop.stock("ST-HAM", "MUG", 5)
    shipped = shop.order([("SHIRT", 1), ("MUG", 2)])
    open_order = shop.order([("SHIRT", 2)])
    pickup = shop.order([("MUG", 1)], delivery_method="pickup", pickup_location="ST-HAM", shipping_address=None)
    fo = shipped["fulfillment_orders"][0]["id"]
    shop.act(fo, "accept")
    shop.act(fo, "ship", {"carrier": "DHL", "tracking_number": "00340434"})
    orders = [shipped, open_order, pickup]
    return {
        "line_id": [line["id"] for o in orders for line in o["lines"]],
        "code": ["WH-BER", "ST-HAM"],
        "location_code": ["WH-BER", "WH-MUC", "ST-HAM"],
        "sku": ["SHIRT", "MUG"],
        "order_id": [o["id"] for o in orders],
        "fo_id": [fo["id"] for o in orders for fo in o["fulfillment_orders"]],
        "tracking_id": [o["tracking_id"] for o in orders],
        "customer_id": [o["customer"]["id"] for o in orders],
        "order_number": [o["number"] for o in orders],
    }


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           postgres_server: PostgresServer | None) -> Iterator[tuple[BatonServer, dict[str, list[str]]]]:
    """A real server on a fresh database of each backend, with the small shop in it."""
    url = new_database(request.param, tmp_path_factory.mktemp("schema"), postgres_server)
    try:
        upgrade(url)
        container = bootstrap(Settings(database_url=url))
        _token, secret = create_token(container.uow(), "admin", "schemathesis")
        container.engine.dispose()
        with BatonServer(url) as server, httpx.Client(base_url=server.base_url, timeout=30,
                                                      headers=bearer(secret)) as http:
            known = seed(Shop(http))  # type: ignore[arg-type]  # httpx.Client speaks the TestClient API
            KNOWN.update(known)
            TOKEN[server.base_url] = secret
            yield server, known
            KNOWN.clear()
    finally:
        if request.param == "postgres" and postgres_server is not None:
            postgres_server.drop(url)


def openapi_document() -> dict[str, Any]:
    """The document `baton serve` serves, built without a database (nothing connects at import)."""
    return create_app(bootstrap(Settings(database_url="sqlite://"))).openapi()


# Built at import so every operation becomes its own test; `test_the_server_serves_this_document` proves that
# it is the document the real server serves. (schemathesis.pytest.from_fixture would load it from the server,
# but its lazy loader breaks on pytest 9: it writes Node._nodeid, which pytest 9 no longer has.)
schema = schemathesis.openapi.from_dict(openapi_document(), config=schemathesis.Config())
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES)
KNOWN: dict[str, list[str]] = {}  # path parameter -> ids of real objects, filled by the `served` fixture
TOKEN: dict[str, str] = {}  # server -> its admin token
MUTATING = ("POST", "PUT", "PATCH", "DELETE")  # server -> "METHOD path request-id" of every change it acknowledged


def test_the_server_serves_this_document(served) -> None:
    server, _known = served
    response = httpx.get(f"{server.base_url}/openapi.json")
    assert response.status_code == 200
    assert response.json() == openapi_document()


def test_the_seeded_shop_is_reachable(served) -> None:
    """The harness itself: the real objects the fuzzer aims at exist."""
    server, known = served
    with httpx.Client(base_url=server.base_url, headers=bearer(TOKEN[server.base_url])) as http:
        for order_id in known["order_id"]:
            assert http.get(f"/api/v1/orders/{order_id}").status_code == 200
        for fo_id in known["fo_id"]:
            assert http.get(f"/api/v1/fulfillment-orders/{fo_id}").status_code == 200
        assert http.get(f"/api/v1/track/{known['tracking_id'][0]}").status_code == 200


@schema.hook
def flatmap_path_parameters(_context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
    """As generated, or with every parameter that names a real object pointing at one."""
    real = {name: st.sampled_from(KNOWN[name]) for name in path_parameters or {} if KNOWN.get(name)}
    if not real:
        return st.just(path_parameters)
    generated = {name: st.just(value) for name, value in (path_parameters or {}).items()}  # e.g. a message id
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries({**generated, **real}))


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy:
    """As generated, or with order lines that name real SKUs and cancel or ship lines that name real lines."""
    lines = body.get("lines") if isinstance(body, dict) else None
    if not KNOWN or not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines) or not lines:
        return st.just(body)
    field = "sku" if context.operation.path == "/api/v1/orders" else "line_id"
    real_lines = st.tuples(*(st.sampled_from(KNOWN[field]).map(lambda v, line=line: {**line, field: v})
                             for line in lines))
    return st.one_of(st.just(body), real_lines.map(lambda new: {**body, "lines": list(new)}))


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented_and_never_fails(case: schemathesis.Case, served) -> None:
    server, _known = served
    mark = server.mark()
    try:
        response = case.call_and_validate(base_url=server.base_url, checks=CHECKS, timeout=30,
                                          headers=bearer(TOKEN[server.base_url]))
    except (Exception, BaseExceptionGroup) as failure:  # schemathesis reports a BaseExceptionGroup
        failure.add_note("--- server output during this request ---\n" + server.output(since=mark)[-6000:])
        raise
    replayed = response.headers.get("idempotent-replayed") == ["true"]
    by_token = case.operation.definition.raw.get("x-permission") not in ("public", "shopper")
    if case.method.upper() in MUTATING and response.status_code < 300 and by_token and not replayed:
        audited(server, f"{case.method.upper()} {case.formatted_path}", response.headers["x-request-id"][0])


def audited(server: BatonServer, what: str, request_id: str) -> None:
    """Every change the fuzzer got acknowledged with its API token left an audit entry naming that token.
    (Shopper requests answer 202 whether or not anything happened, so that nothing is learnt about who is a
    customer; their audit is tested in test_shopper_access. A replay changed nothing.)"""
    with httpx.Client(base_url=server.base_url, headers=bearer(TOKEN[server.base_url])) as http:
        entries = http.get("/api/v1/audit", params={"request_id": request_id}).json()["items"]
    assert entries, f"{what} (request {request_id}) changed something but left no audit entry"
    assert all(e["actor_name"] == "schemathesis" and e["actor_kind"] == "token" for e in entries), entries
