"""The floor: Baton's order-capture transaction as bare SQL, driven by pgbench (a C client) at the same concurrency.

One transaction inserts an order row and three order lines and reserves one unit of each of three random
non-scarce SKUs with a guarded update (`... WHERE on_hand - reserved - safety_stock >= 1`), in SKU order as Baton
locks them, so concurrent clients never deadlock. It runs on throwaway copies of the real tables, made with
`CREATE TABLE ... (LIKE ... INCLUDING ALL)` so every index Baton pays for is paid here too, and the real tables
(and so the correctness checks) stay untouched.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from bench.catalogue import warehouse_code
from bench.machine import pgbench_path
from bench.processes import Postgres, scalar
from bench.stats import summarize

SETUP = """
DROP TABLE IF EXISTS floor_order_lines, floor_orders, floor_customers, floor_stock_levels;
DROP SEQUENCE IF EXISTS floor_seq;
CREATE TABLE floor_customers (LIKE customers INCLUDING ALL);
CREATE TABLE floor_orders (LIKE orders INCLUDING ALL);
CREATE TABLE floor_order_lines (LIKE order_lines INCLUDING ALL);
CREATE TABLE floor_stock_levels (LIKE stock_levels INCLUDING ALL);
ALTER TABLE floor_orders ADD FOREIGN KEY (customer_id) REFERENCES floor_customers (id);
ALTER TABLE floor_order_lines ADD FOREIGN KEY (order_id) REFERENCES floor_orders (id);
INSERT INTO floor_customers VALUES ('cus_floor', 'floor@bench.example', 'Floor Client', NULL, now());
INSERT INTO floor_stock_levels SELECT * FROM stock_levels;
CREATE SEQUENCE floor_seq;
ANALYZE floor_stock_levels;
"""

TEARDOWN = """
DROP TABLE IF EXISTS floor_order_lines, floor_orders, floor_customers, floor_stock_levels;
DROP SEQUENCE IF EXISTS floor_seq;
"""

ADDRESS = ('{"name": "Floor Client", "line1": "1 Bench Street", "city": "Philadelphia", "region": "PA", '
           '"postal_code": "19103", "country": "US", "latitude": 39.95, "longitude": -75.16}')


def script(warehouses: int) -> str:
    """The pgbench transaction. :nskus comes from -D; SKU k is always held at warehouse k % warehouses."""
    wh = warehouse_code(0)[:-2]  # "WH-"

    def loc(var: str) -> str:
        return f"'{wh}' || lpad((:{var} % {warehouses})::text, 2, '0')"

    def sku(var: str) -> str:
        return f"'SKU-' || lpad(:{var}::text, 5, '0')"

    def line(pos: int, var: str) -> str:
        return (f"('fll_' || :n || '_{pos}', 'flo_' || :n, {pos}, {sku(var)}, 'Bench product', 1999, 1, 'stocked', "
                "0, 0, 1, 0, 0, 0, 0, 0)")

    def reserve(var: str) -> str:
        return (f"UPDATE floor_stock_levels SET reserved = reserved + 1, updated_at = now() "
                f"WHERE location = {loc(var)} AND sku = {sku(var)} AND on_hand - reserved - safety_stock >= 1;")

    return "\n".join([
        "\\set a random(0, :nskus - 1)",
        "\\set b random(0, :nskus - 1)",
        "\\set c random(0, :nskus - 1)",
        "\\set s1 least(:a, :b, :c)",
        "\\set s3 greatest(:a, :b, :c)",
        "\\set s2 :a + :b + :c - :s1 - :s3",
        "BEGIN;",
        "SELECT nextval('floor_seq') AS n \\gset",
        "INSERT INTO floor_orders (id, number, tracking_id, channel, currency, customer_id, customer_email, "
        "customer_name, customer_phone, shipping_address, billing_address, delivery_method, pickup_location, "
        "shipping, discounts, status, fulfillment_status, total, placed_at, updated_at, version) VALUES "
        "('flo_' || :n, 'FL-' || :n, md5('floor' || :n), 'web', 'USD', 'cus_floor', 'floor@bench.example', "
        f"'Floor Client', NULL, '{ADDRESS}', NULL, 'ship', NULL, 499, '[]', 'placed', 'allocated', 6496, "
        "now(), now(), 1);",
        "INSERT INTO floor_order_lines (id, order_id, position, sku, name, unit_price, quantity, stock_policy, "
        "discount, cancelled, allocated, shipped, delivered, return_requested, returned, written_off) VALUES "
        + ", ".join(line(i, v) for i, v in enumerate(["s1", "s2", "s3"])) + ";",
        reserve("s1"),
        reserve("s2"),
        reserve("s3"),
        "COMMIT;",
        "",
    ])


def connection_budget(pg: Postgres) -> int:
    """How many more client connections the server takes now, keeping a few for everyone else."""
    with pg.admin() as conn:
        max_connections = int(scalar(conn, "SHOW max_connections"))
        reserved = int(scalar(conn, "SHOW superuser_reserved_connections"))
        used = int(scalar(conn, "SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"))
    return max(1, max_connections - reserved - used - 5)


def run(pg: Postgres, *, skus: int, warehouses: int, levels: list[int], seconds: int, threads: int,
        work_dir: Path) -> dict[str, Any]:
    """Run the floor at each level; returns per-level tps and latency percentiles, or why it was skipped."""
    path = pgbench_path()
    if path is None:
        return {"skipped": "pgbench is not installed on this machine (it comes with the PostgreSQL client)"}
    work_dir.mkdir(parents=True, exist_ok=True)
    script_path = work_dir / "floor.sql"
    script_path.write_text(script(warehouses))
    import psycopg

    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        conn.execute(SETUP)
    results = []
    try:
        for clients in levels:
            budget = connection_budget(pg)
            used = min(clients, budget)
            prefix = work_dir / f"floor_c{clients}"
            for old in work_dir.glob(f"floor_c{clients}.*"):
                old.unlink()
            command = [path, "--no-vacuum", "--protocol=prepared", "-f", str(script_path), "-c", str(used),
                       "-j", str(min(threads, used)), "-T", str(seconds), "-D", f"nskus={skus}", "-l",
                       f"--log-prefix={prefix}"]
            done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120,
                                  env={**_base_env(), **pg.libpq_env()}, cwd=work_dir)
            (work_dir / f"floor_c{clients}.out").write_text(done.stdout + done.stderr)
            if done.returncode != 0:
                results.append({"clients": clients, "used": used, "error": (done.stderr or done.stdout)[-2000:]})
                continue
            latencies = _logged_latencies(work_dir, f"floor_c{clients}.")
            tps = _tps(done.stdout)
            failed = _failed(done.stdout)
            results.append({"clients": clients, "used": used, "tps": tps, "transactions": len(latencies),
                            "failed": failed, "command": " ".join(command[:1] + [c for c in command[1:]
                                                                                  if not c.startswith("--log")]),
                            **summarize(latencies)})
    finally:
        with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
            conn.execute(TEARDOWN)
    return {"levels": results, "script": script_path.read_text()}


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _tps(stdout: str) -> float:
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", stdout) or \
        re.search(r"tps = ([\d.]+)", stdout)
    return float(match.group(1)) if match else 0.0


def _failed(stdout: str) -> int:
    match = re.search(r"number of failed transactions: (\d+)", stdout)
    return int(match.group(1)) if match else 0


def _logged_latencies(work_dir: Path, prefix: str) -> list[float]:
    """Per-transaction latencies (ms) from pgbench's -l logs: `client txno time_us script epoch epoch_us`."""
    values: list[float] = []
    for log in work_dir.glob(prefix + "*"):
        if log.suffix in (".out", ".sql"):
            continue
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2].isdigit():
                values.append(int(parts[2]) / 1000.0)
        log.unlink()
    return values
