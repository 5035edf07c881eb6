"""Stock levels, the ledger, availability and the CSV import."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from baton.entrypoints.cli.main import app as cli
from baton.inventory import queries


def test_counts_receipts_and_adjustments_go_through_the_ledger(shop, client, container):
    shop.product("A")
    shop.stock("WH-BER", "A", 10)
    receipt = client.post("/api/v1/inventory/WH-BER/A/movements",
                          json={"kind": "receipt", "quantity": 5, "reason": "PO-77 arrived"})
    assert receipt.status_code == 201 and receipt.json()["on_hand"] == 15
    adjust = client.post("/api/v1/inventory/WH-BER/A/movements",
                         json={"kind": "adjustment", "quantity": -2, "reason": "water damage"})
    assert adjust.json()["on_hand"] == 13
    ledger = client.get("/api/v1/inventory/WH-BER/A/ledger").json()["items"]
    assert [(e["kind"], e["delta"], e["on_hand_after"]) for e in ledger] == [
        ("adjustment", -2, 13), ("receipt", 5, 15), ("count", 10, 10)]
    assert ledger[0]["reason"] == "water damage" and ledger[0]["actor"] == "test admin (admin)"
    with container.engine.connect() as conn:
        assert queries.ledger_mismatches(conn) == []


def test_stock_cannot_go_below_zero_on_hand(shop, client):
    shop.product("A")
    shop.stock("WH-BER", "A", 1)
    response = client.post("/api/v1/inventory/WH-BER/A/movements",
                           json={"kind": "adjustment", "quantity": -2, "reason": "oops"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "quantity"
    assert shop.level("WH-BER", "A")["on_hand"] == 1


def test_a_movement_retried_with_its_idempotency_key_moves_stock_once(shop, client):
    shop.product("A")
    body = {"kind": "receipt", "quantity": 5, "reason": "PO-1"}
    for _ in range(3):
        response = client.post("/api/v1/inventory/WH-BER/A/movements", json=body, headers={"Idempotency-Key": "po-1"})
        assert response.status_code == 201
    assert shop.level("WH-BER", "A")["on_hand"] == 5


def test_availability_subtracts_reservations_and_safety_stock_per_location(shop, client):
    shop.product("A")
    shop.stock("WH-BER", "A", 10)
    shop.stock("WH-MUC", "A", 4)
    client.put("/api/v1/inventory/WH-MUC/A", json={"on_hand": 4, "reason": "count", "safety_stock": 1})
    shop.order([("A", 3)], shipping_address={**shop.order_body([])["shipping_address"], "city": "Berlin",
                                             "latitude": 52.5, "longitude": 13.4})
    items = client.get("/api/v1/availability", params={"sku": ["A", "NONE"]}).json()["items"]
    assert items[0] == {"sku": "A", "available": 10, "locations": [
        {"location": "WH-BER", "available": 7}, {"location": "WH-MUC", "available": 3}]}
    assert items[1] == {"sku": "NONE", "available": 0, "locations": []}


def test_unknown_location_or_sku_is_404(shop, client):
    shop.product("A")
    assert client.put("/api/v1/inventory/NOWHERE/A", json={"on_hand": 1}).status_code == 404
    assert client.put("/api/v1/inventory/WH-BER/NOPE", json={"on_hand": 1}).status_code == 404


def test_the_csv_import_is_all_or_nothing_and_reports_bad_rows(shop, client, container, tmp_path: Path, monkeypatch):
    shop.product("A")
    shop.product("B")
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    bad = tmp_path / "bad.csv"
    bad.write_text("location,sku,on_hand\nWH-BER,A,5\nWH-XXX,A,1\nWH-BER,ZZZ,2\nWH-BER,B,many\n")
    result = CliRunner().invoke(cli, ["inventory", "import", str(bad)])
    assert result.exit_code == 1
    for expected in ("line 3: unknown location 'WH-XXX'", "line 4: unknown SKU 'ZZZ'", "line 5"):
        assert expected in result.output
    assert client.get("/api/v1/inventory/WH-BER/A").status_code == 404  # nothing half-imported
    good = tmp_path / "good.csv"
    good.write_text("location,sku,on_hand,safety_stock\nWH-BER,A,5,1\nWH-MUC,B,7,\n")
    result = CliRunner().invoke(cli, ["inventory", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert shop.level("WH-BER", "A")["available"] == 4
    assert shop.level("WH-MUC", "B")["on_hand"] == 7


def test_inventory_check_finds_and_repairs_a_drifted_reservation(shop, client, container, monkeypatch):
    from sqlalchemy import text

    shop.product("A")
    shop.stock("WH-BER", "A", 5)
    shop.order([("A", 2)])
    monkeypatch.setenv("BATON_DATABASE_URL", container.settings.database_url)
    assert CliRunner().invoke(cli, ["inventory", "check"]).exit_code == 0
    with container.engine.begin() as conn:  # simulate drift from some past bug
        conn.execute(text("UPDATE stock_levels SET reserved = 7 WHERE sku = 'A'"))
    found = CliRunner().invoke(cli, ["inventory", "check"])
    assert found.exit_code == 1 and "counter 7, held 2" in found.output
    assert CliRunner().invoke(cli, ["inventory", "check", "--repair"]).exit_code == 0
    assert shop.level("WH-BER", "A")["reserved"] == 2
