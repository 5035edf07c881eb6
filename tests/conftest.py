"""Shared fixtures: a real database per backend (SQLite file, PostgreSQL database), the app, a small shop."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from baton.adapters.db.migrate import upgrade
from baton.adapters.db.tables import metadata
from baton.bootstrap import Container, bootstrap
from baton.config import Settings
from baton.entrypoints.http.app import create_app
from baton.identity.services import create_token

REQUIRE_ALL = os.environ.get("BATON_REQUIRE_ALL") == "1"
PG_SERVER = os.environ.get("BATON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def unavailable(reason: str) -> None:
    """Skip on a machine without the service; fail where everything is required (CI)."""
    if REQUIRE_ALL:
        pytest.fail(f"BATON_REQUIRE_ALL=1 but {reason}")
    pytest.skip(reason)


class PostgresServer:
    def __init__(self, url: str):
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)

    def reachable(self) -> bool:
        try:
            with self.admin.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def create(self) -> str:
        name = f"baton_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", autouse=True)
def production_password_hasher() -> Iterator[Any]:
    """argon2id at its lowest cost inside the test process: hundreds of console sign-ins would otherwise spend
    a quarter of a second each in the hash alone. Everything else about passwords runs as in production;
    servers started as processes keep the production cost, and test_console_sign_in holds it (this fixture's
    value: the hasher passwords.py makes at import)."""
    from argon2 import PasswordHasher

    from baton.identity import passwords

    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._dummy_hash.cache_clear()
    yield production
    passwords._hasher = production
    passwords._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    server = PostgresServer(PG_SERVER)
    yield server if server.reachable() else None
    server.admin.dispose()


def new_database(kind: str, tmp_dir: Path, server: PostgresServer | None) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_dir / f'baton-{uuid.uuid4().hex[:8]}.db'}"
    if server is None:
        unavailable(f"no PostgreSQL server at {make_url(PG_SERVER).render_as_string()} (set BATON_TEST_POSTGRES_URL)")
    assert server is not None
    return server.create()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 postgres_server: PostgresServer | None) -> Iterator[str]:
    """One migrated database per backend for the session; tests empty it before use."""
    url = new_database(request.param, tmp_path_factory.mktemp("db"), postgres_server)
    upgrade(url)
    yield url
    if request.param == "postgres" and postgres_server is not None:
        postgres_server.drop(url)


@pytest.fixture
def container(database_url: str, tmp_path: Path) -> Iterator[Container]:
    container = bootstrap(Settings(database_url=database_url, db_pool_size=20, webhooks_allow_private=True,
                                   events_file=str(tmp_path / "baton-events.jsonl")))
    empty(container)
    yield container
    container.engine.dispose()


def empty(container: Container) -> None:
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    with container.engine.begin() as conn:
        if container.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:  # the audit log and issued invoices refuse DELETE: lift their guards for the emptying only
            guards = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                       "AND tbl_name IN ('audit_log', 'invoices')")).all()
            for guard in guards:
                conn.execute(text(f"DROP TRIGGER {guard.name}"))
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
            for guard in guards:
                conn.execute(text(guard.sql))


def token(container: Container, role: str = "admin", locations: tuple[str, ...] = (), name: str = "") -> str:
    """A bearer token of `role`, made the way `baton tokens create` makes it."""
    _token, secret = create_token(container.uow(), role, name or f"test {role}", locations)
    return secret


def paid_and_captured(container: Container, order_id: str, amount: int, currency: str = "EUR") -> None:
    """A sandbox card payment of `amount` (minor units), authorised and captured in full by the payment services
    alone (no settlement flow: nothing is booked or told), each step as the services run it."""
    from baton.payments import services
    from baton.payments.services import PaymentRequest

    for step in (lambda uow: services.open_payments(uow, order_id, currency, amount,
                                                    [PaymentRequest("sandbox", token="tok_approve")]),
                 lambda uow: services.begin_captures(uow, order_id, amount, "shipment 1")):
        with container.uow() as uow:
            touched = step(uow)
            uow.commit()
        outcomes = services.call_gateways(container.gateway, touched)
        with container.uow() as uow:
            services.record(uow, outcomes)
            uow.commit()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def anonymous(container: Container) -> Iterator[TestClient]:
    """A client without credentials."""
    with TestClient(create_app(container), base_url="https://testserver", raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """A client holding an admin token, as an integrator's back office would."""
    with TestClient(create_app(container), base_url="https://testserver", raise_server_exceptions=False,
                    headers=bearer(token(container))) as test_client:
        yield test_client


@pytest.fixture
def browsers(container: Container) -> Iterator[Any]:
    """Make as many separate browsers (cookie jars) as a test needs, all on one app."""
    app = create_app(container)
    opened: list[TestClient] = []

    def browser() -> TestClient:
        client = TestClient(app, base_url="https://testserver", follow_redirects=False)
        opened.append(client)
        return client

    yield browser
    for client in opened:
        client.close()


@pytest.fixture
def backend(container: Container) -> str:
    return container.engine.dialect.name


# -- a small shop ---------------------------------------------------------------------------------
ADDRESS = {"line1": "1 Example Street", "city": "Berlin", "postal_code": "10115", "country": "DE"}
LOCATIONS: dict[str, dict[str, Any]] = {
    "WH-BER": {"type": "warehouse", "latitude": 52.52, "longitude": 13.40, "priority": 1},
    "WH-MUC": {"type": "warehouse", "latitude": 48.14, "longitude": 11.58, "priority": 2},
    "ST-HAM": {"type": "store", "latitude": 53.55, "longitude": 9.99, "priority": 3, "pickup": True},
}
HAMBURG = {"name": "Jane Doe", "line1": "Jungfernstieg 1", "city": "Hamburg", "postal_code": "20095",
           "country": "DE", "latitude": 53.55, "longitude": 9.99}


class Shop:
    """Builds catalog and stock through the public API, the way an integrator would."""

    def __init__(self, client: TestClient):
        self.client = client

    def location(self, code: str, **overrides: Any) -> dict:
        body = {"code": code, "name": f"Location {code}", "address": ADDRESS, **LOCATIONS.get(code, {}), **overrides}
        body.setdefault("type", "warehouse")
        response = self.client.post("/api/v1/locations", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def product(self, sku: str, price: str = "10.00", currency: str = "EUR", **overrides: Any) -> dict:
        body = {"sku": sku, "name": f"Product {sku}", "category": "test", "price": price, "currency": currency,
                **overrides}
        response = self.client.post("/api/v1/products", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def stock(self, location: str, sku: str, on_hand: int) -> dict:
        response = self.client.put(f"/api/v1/inventory/{location}/{sku}", json={"on_hand": on_hand, "reason": "count"})
        assert response.status_code == 200, response.text
        return response.json()

    def order_body(self, items: list[tuple[str, int]], **overrides: Any) -> dict:
        return {"channel": "web", "currency": "EUR", "customer": {"email": "jane@example.com", "name": "Jane Doe"},
                "shipping_address": HAMBURG, "lines": [{"sku": s, "quantity": q} for s, q in items], **overrides}

    def order(self, items: list[tuple[str, int]], **overrides: Any) -> dict:
        response = self.client.post("/api/v1/orders", json=self.order_body(items, **overrides))
        assert response.status_code == 201, response.text
        return response.json()

    def act(self, fo_id: str, action: str, body: dict | None = None, status: int = 200) -> dict:
        response = self.client.post(f"/api/v1/fulfillment-orders/{fo_id}/{action}", json=body)
        assert response.status_code == status, response.text
        return response.json()

    def ship_parcel(self, order: dict, sku: str | None = None, quantity: int = 1) -> None:
        """One parcel from the order's first fulfilment order (accepted first if need be): `quantity` of `sku`,
        or everything still open."""
        fo = self.get_order(order["id"])["fulfillment_orders"][0]
        if fo["status"] == "open":
            self.act(fo["id"], "accept")
        body: dict[str, Any] = {"carrier": "DHL"}
        if sku is not None:
            line = next(line["id"] for line in order["lines"] if line["sku"] == sku)
            body["lines"] = [{"line_id": line, "quantity": quantity}]
        self.act(fo["id"], "ship", body)

    def get_order(self, order_id: str) -> dict:
        response = self.client.get(f"/api/v1/orders/{order_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def level(self, location: str, sku: str) -> dict:
        response = self.client.get(f"/api/v1/inventory/{location}/{sku}")
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def shop(client: TestClient) -> Shop:
    shop = Shop(client)
    for code in LOCATIONS:
        shop.location(code)
    return shop
