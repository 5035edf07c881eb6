"""Correctness after the load: plain SQL against the database, compared with what the clients were told.

Each check returns PASS or FAIL with the numbers behind it; a FAIL makes `python -m bench.run` exit non-zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, create_engine, text

from bench.processes import route


@dataclass
class Check:
    name: str
    passed: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def run_all(database_url: str, runs: list[dict[str, Any]], label: str = "") -> list[Check]:
    """`runs`: the load generator results that wrote to this database (acknowledged orders, retries, outcomes)."""
    acknowledged = [tuple(row) for run in runs for row in run["acknowledged"]]
    retries = [retry for run in runs for retry in run["retries"]]
    engine = create_engine(database_url)
    prefix = f"{label}: " if label else ""
    try:
        with engine.connect() as conn:
            checks = [
                no_oversell(conn),
                stock_matches_ledger(conn),
                reservations_match_fulfilment(conn),
                acknowledged_orders_exist(conn, acknowledged),
                one_order_per_key(conn, acknowledged, retries, _transport_failures(runs)),
            ]
    finally:
        engine.dispose()
    checks.append(no_server_errors(runs))
    checks.append(no_refused_credentials(runs))
    for check in checks:
        check.name = prefix + check.name
    return checks


def no_oversell(conn: Connection) -> Check:
    row = conn.execute(text("""
        SELECT COUNT(*) AS levels,
               SUM(CASE WHEN s.reserved > s.on_hand OR s.on_hand < 0 OR s.reserved < 0 THEN 1 ELSE 0 END) AS bad,
               SUM(s.reserved) AS reserved
        FROM stock_levels s JOIN products p ON p.sku = s.sku
        WHERE p.stock_policy = 'stocked'""")).one()
    bad = int(row.bad or 0)
    examples = ""
    if bad:
        rows = conn.execute(text("""
            SELECT s.location, s.sku, s.on_hand, s.reserved FROM stock_levels s JOIN products p ON p.sku = s.sku
            WHERE p.stock_policy = 'stocked' AND (s.reserved > s.on_hand OR s.on_hand < 0 OR s.reserved < 0)
            LIMIT 5""")).all()
        examples = "; e.g. " + ", ".join(f"{r.location}/{r.sku} on_hand={r.on_hand} reserved={r.reserved}"
                                         for r in rows)
    return Check("no oversell (stocked SKUs: 0 ≤ reserved ≤ on_hand)", bad == 0,
                 f"{row.levels} stocked levels, {bad} broken, {int(row.reserved or 0)} units reserved{examples}")


def stock_matches_ledger(conn: Connection) -> Check:
    rows = conn.execute(text("""
        SELECT s.location, s.sku, s.on_hand, COALESCE(l.total, 0) AS ledger
        FROM stock_levels s
        LEFT JOIN (SELECT location, sku, SUM(delta) AS total FROM inventory_ledger GROUP BY location, sku) l
          ON l.location = s.location AND l.sku = s.sku
        WHERE s.on_hand <> COALESCE(l.total, 0)""")).all()
    levels = conn.scalar(text("SELECT COUNT(*) FROM stock_levels"))
    entries = conn.scalar(text("SELECT COUNT(*) FROM inventory_ledger"))
    examples = ", ".join(f"{r.location}/{r.sku} on_hand={r.on_hand} ledger={r.ledger}" for r in rows[:5])
    return Check("every stock level equals the sum of its ledger", not rows,
                 f"{levels} levels, {entries} ledger rows, {len(rows)} mismatches" + (f": {examples}" if rows else ""))


def reservations_match_fulfilment(conn: Connection) -> Check:
    rows = conn.execute(text("""
        SELECT s.location, s.sku, s.reserved, COALESCE(h.held, 0) AS held
        FROM stock_levels s
        LEFT JOIN (SELECT fo.location, fl.sku, SUM(fl.quantity - fl.shipped - fl.cancelled) AS held
                   FROM fulfillment_lines fl JOIN fulfillment_orders fo ON fo.id = fl.fulfillment_order_id
                   WHERE fo.status IN ('open', 'accepted', 'packed') GROUP BY fo.location, fl.sku) h
          ON h.location = s.location AND h.sku = s.sku
        WHERE s.reserved <> COALESCE(h.held, 0)""")).all()
    examples = ", ".join(f"{r.location}/{r.sku} reserved={r.reserved} held={r.held}" for r in rows[:5])
    return Check("every reservation equals what open fulfilment orders hold", not rows,
                 f"{len(rows)} mismatches" + (f": {examples}" if rows else ""))


def acknowledged_orders_exist(conn: Connection, acknowledged: list[tuple[Any, ...]]) -> Check:
    """Every 201 the clients got names an order that is in the database, with its number and all its lines."""
    expected = {order_id: (number, lines) for _key, order_id, number, lines in acknowledged}
    found: dict[str, tuple[str, int]] = {}
    stmt = text("""
        SELECT o.id, o.number, COUNT(l.id) AS lines FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
        WHERE o.id IN :ids GROUP BY o.id, o.number""").bindparams(bindparam("ids", expanding=True))
    ids = list(expected)
    for start in range(0, len(ids), 1000):
        for row in conn.execute(stmt, {"ids": ids[start:start + 1000]}):
            found[row.id] = (row.number, int(row.lines))
    missing = [i for i in ids if i not in found]
    wrong = [i for i in ids if i in found and found[i] != expected[i]]
    detail = f"{len(ids)} acknowledged orders, {len(missing)} missing, {len(wrong)} with another number or line count"
    if missing or wrong:
        detail += ": " + ", ".join((missing + wrong)[:5])
    return Check("every order acknowledged with 201 exists with its lines", bool(ids) and not missing and not wrong,
                 detail)


def one_order_per_key(conn: Connection, acknowledged: list[tuple[Any, ...]], retries: list[dict[str, Any]],
                      transport_failures: int) -> Check:
    problems: list[str] = []
    ids_by_key: dict[str, set[str]] = defaultdict(set)
    for key, order_id, _number, _lines in acknowledged:
        ids_by_key[key].add(order_id)
    problems += [f"key {k} acknowledged with {len(v)} orders" for k, v in ids_by_key.items() if len(v) > 1]
    late = [r for r in retries if r["kind"] == "late"]
    twins = [r for r in retries if r["kind"] == "twins"]
    for r in late:
        if r["status"] == 201 and (r["got"] != r["expected"] or not r["replayed"]):
            problems.append(f"late retry of {r['key']} got {r['got']} (first {r['expected']}, "
                            f"replayed={r['replayed']})")
        elif r["status"] not in (201, 0):
            problems.append(f"late retry of {r['key']} answered {r['status']}")
    for r in twins:
        ids = {i for i, s in zip(r["ids"], r["statuses"], strict=True) if s == 201}
        if len(ids) > 1:
            problems.append(f"twins {r['key']} created {len(ids)} orders")
    per_key = conn.execute(text("""
        SELECT COUNT(*) FROM (SELECT resource_id FROM idempotency_keys WHERE scope = 'POST /api/v1/orders'
        AND resource_id IS NOT NULL GROUP BY resource_id HAVING COUNT(*) > 1) dup""")).scalar_one()
    if per_key:
        problems.append(f"{per_key} orders are claimed by more than one key")
    keyless = conn.execute(text("""
        SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys k
        WHERE k.scope = 'POST /api/v1/orders' AND k.resource_id = o.id)""")).scalar_one()
    if keyless:
        problems.append(f"{keyless} orders in the database have no idempotency key (every bench request sent one)")
    in_db = conn.execute(text("SELECT COUNT(*) FROM orders")).scalar_one()
    distinct = len({order_id for _k, order_id, _n, _l in acknowledged})
    extra = in_db - distinct
    if extra > transport_failures or extra < 0:
        problems.append(f"{in_db} orders in the database, {distinct} acknowledged")
    replayed_ok = sum(1 for r in late if r["status"] == 201 and r["got"] == r["expected"] and r["replayed"])
    detail = (f"{len(ids_by_key)} keys, {in_db} orders in the database, {distinct} acknowledged; "
              f"{len(late)} late retries ({replayed_ok} replayed the first order), {len(twins)} simultaneous twins")
    if problems:
        detail += "; " + "; ".join(problems[:5])
    return Check("no Idempotency-Key produced two orders; retries got the first order", not problems, detail)


def no_server_errors(runs: list[dict[str, Any]]) -> Check:
    count = sum(run["server_errors"] for run in runs)  # warm-up and measured windows alike
    where = ", ".join(f"{run.get('name', '?')} {run['server_errors']}" for run in runs if run["server_errors"])
    samples = list(dict.fromkeys(_sample(s) for run in runs for s in run["samples_5xx"]))[:5]
    detail = f"{count} answers with status 5xx" + (f" ({where}): " + " | ".join(samples) if count else "")
    return Check("no 5xx answers", count == 0, detail)


def no_refused_credentials(runs: list[dict[str, Any]]) -> Check:
    """The load generator's integration token works on every route it uses: a 401 or 403 would mean the
    benchmark measured refusals instead of work."""
    refused: dict[str, int] = {}
    for run in runs:
        for level in run["levels"]:
            for op, figures in level.get("ops", {}).items():
                for label, n in figures["outcomes"].items():
                    if label.startswith(("401", "403")):
                        refused[f"{op} {label}"] = refused.get(f"{op} {label}", 0) + n
    return Check("no request refused for its credentials (401/403)", not refused,
                 ", ".join(f"{k}: {v}" for k, v in refused.items()) or "0 refusals")


def _transport_failures(runs: list[dict[str, Any]]) -> int:
    return sum(run["place_exceptions"] for run in runs)


def _sample(text: str) -> str:
    """'GET /api/v1/track/abc -> 500: {...}' -> 'GET /api/v1/track/{…} → 500 internal'."""
    request, _, answer = text.partition(" -> ")
    method, _, path = request.partition(" ")
    status, _, body = answer.partition(": ")
    code = body.split('"code":"', 1)[1].split('"', 1)[0] if '"code":"' in body else "?"
    return f"{method} {route(path)} → {status} {code}"
