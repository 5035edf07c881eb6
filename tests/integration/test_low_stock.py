"""inventory.low_stock: announced once when available falls to a stock level's reorder point, on both databases."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from tests.conftest import Shop


def low_stock_events(container: Container) -> list[dict]:
    with container.reader() as uow:
        rows = uow.session.connection().execute(
            select(t.outbox.c.payload, t.outbox.c.order_id).where(t.outbox.c.type == "inventory.low_stock")
            .order_by(t.outbox.c.occurred_at, t.outbox.c.id)).all()
    assert all(row.order_id is None for row in rows)
    return [row.payload for row in rows]


def reorder_point(client: TestClient, location: str, sku: str, units: int | None) -> dict:
    response = client.put(f"/api/v1/inventory/{location}/{sku}/reorder-point", json={"reorder_point": units})
    assert response.status_code == 200, response.text
    return response.json()


def test_placement_that_takes_available_to_the_reorder_point_announces_low_stock_once(
        container: Container, client: TestClient, shop: Shop) -> None:
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 10)
    level = reorder_point(client, "WH-BER", "SKU-1", 3)
    assert level["reorder_point"] == 3 and level["available"] == 10
    assert low_stock_events(container) == []  # 10 is above 3: nothing yet

    shop.order([("SKU-1", 6)])  # available 4: still above
    assert low_stock_events(container) == []
    shop.order([("SKU-1", 1)])  # available 3: at the reorder point
    assert low_stock_events(container) == [
        {"sku": "SKU-1", "location_id": "WH-BER", "available": 3, "reorder_point": 3}]
    shop.order([("SKU-1", 2)])  # still low: not again
    assert len(low_stock_events(container)) == 1

    shop.stock("WH-BER", "SKU-1", 20)  # back above (available 11)
    shop.order([("SKU-1", 9)])  # available 2: falls again
    assert [e["available"] for e in low_stock_events(container)] == [3, 2]
    assert shop.level("WH-BER", "SKU-1")["reorder_point"] == 3


def test_a_level_without_a_reorder_point_never_announces_low_stock(
        container: Container, client: TestClient, shop: Shop) -> None:
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 2)
    reorder_point(client, "WH-BER", "SKU-1", 1)
    reorder_point(client, "WH-BER", "SKU-1", None)
    shop.order([("SKU-1", 2)])
    assert low_stock_events(container) == []
    assert shop.level("WH-BER", "SKU-1")["reorder_point"] is None


def test_raising_the_reorder_point_above_what_is_available_announces_it_and_is_audited(
        container: Container, client: TestClient, shop: Shop) -> None:
    shop.product("SKU-1")
    shop.stock("ST-HAM", "SKU-1", 4)
    reorder_point(client, "ST-HAM", "SKU-1", 5)
    assert low_stock_events(container) == [
        {"sku": "SKU-1", "location_id": "ST-HAM", "available": 4, "reorder_point": 5}]
    audit = client.get("/api/v1/audit", params={"action": "stock.reorder_point"}).json()["items"]
    assert [(a["target_id"], a["before"], a["after"]) for a in audit] == [
        ("ST-HAM/SKU-1", {"reorder_point": None}, {"reorder_point": 5})]


def test_a_bad_reorder_point_is_refused_naming_the_field_and_changes_nothing(
        container: Container, client: TestClient, shop: Shop) -> None:
    shop.product("SKU-1")
    shop.stock("WH-BER", "SKU-1", 4)
    for body in ({"reorder_point": -1}, {"reorder_point": "many"}, {}):
        response = client.put("/api/v1/inventory/WH-BER/SKU-1/reorder-point", json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "reorder_point" in response.text
    missing = client.put("/api/v1/inventory/WH-XXX/SKU-1/reorder-point", json={"reorder_point": 1})
    assert missing.status_code == 404 and missing.json()["code"] == "location_not_found"
    assert shop.level("WH-BER", "SKU-1")["reorder_point"] is None
    assert low_stock_events(container) == []


def test_the_cli_sets_and_clears_a_reorder_point(
        container: Container, client: TestClient, shop: Shop, monkeypatch) -> None:
    from typer.testing import CliRunner

    from baton.entrypoints.cli.main import app as cli

    shop.product("SKU-1")
    shop.stock("WH-MUC", "SKU-1", 8)
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    done = CliRunner().invoke(cli, ["inventory", "reorder-point", "WH-MUC", "SKU-1", "8"])
    assert done.exit_code == 0, done.output
    assert "reorder point 8, available 8" in done.output
    assert [e["available"] for e in low_stock_events(container)] == [8]
    assert shop.level("WH-MUC", "SKU-1")["reorder_point"] == 8
    cleared = CliRunner().invoke(cli, ["inventory", "reorder-point", "WH-MUC", "SKU-1", "--clear"])
    assert cleared.exit_code == 0 and shop.level("WH-MUC", "SKU-1")["reorder_point"] is None
    unknown = CliRunner().invoke(cli, ["inventory", "reorder-point", "WH-XXX", "SKU-1", "3"])
    assert unknown.exit_code == 2 and "No location with code WH-XXX" in unknown.output
    neither = CliRunner().invoke(cli, ["inventory", "reorder-point", "WH-MUC", "SKU-1"])
    assert neither.exit_code == 2
