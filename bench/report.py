"""bench/RESULTS.md: one section per run, newest first; older sections are never touched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MARKER = "<!-- bench/run.py inserts each new run below this line; older runs stay below it for comparison. -->"

HEADER = f"""# Baton benchmark results

`make bench` (= `python -m bench.run`) writes a section here per run, newest first. Every figure is from a real
`baton serve` on PostgreSQL (and SQLite), driven over HTTP by `bench/loadgen.py` running in its own process on the
same machine. How it works, and every option: `python -m bench.run --help` and the docstrings in `bench/`.

## Where the time goes

_To be filled in by the optimisation work: profiles (pyinstrument) of order placement, availability and tracking,
EXPLAIN ANALYZE of the slow searches, and what was changed because of them._

{MARKER}
"""


def update(path: Path, section: str) -> None:
    """Insert `section` above every earlier run; create the file (with its header) when it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text() if path.exists() else HEADER
    if MARKER not in text:
        text = text.rstrip() + "\n\n" + MARKER + "\n"
    head, _, tail = text.partition(MARKER)
    path.write_text(f"{head}{MARKER}\n\n{section.strip()}\n\n{tail.lstrip()}".rstrip() + "\n")


# -- formatting ----------------------------------------------------------------------------------------------------
def _n(value: float) -> str:
    return f"{value:,.0f}"


def _ms(value: float) -> str:
    return f"{value:,.1f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _outcomes(outcomes: dict[str, int]) -> str:
    return ", ".join(f"{label} ×{count:,}" for label, count in sorted(outcomes.items(), key=lambda kv: -kv[1]))


def _op_table(levels: list[dict[str, Any]]) -> list[str]:
    rows = ["| clients | operation | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | outcomes |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for level in levels:
        for name, op in level["ops"].items():
            rows.append(f"| {level['concurrency']} | {name} | {op['count']:,} | {_n(op['rps'])} | {_ms(op['p50'])} | "
                        f"{_ms(op['p95'])} | {_ms(op['p99'])} | {_ms(op['max'])} | {_outcomes(op['outcomes'])} |")
        outside = level.get("outside_window") or {}
        late = (f"; **outside the measured window: {_outcomes(outside)}** (slowest "
                f"{_ms(level.get('slowest_outside_ms', 0))} ms)" if outside else "")
        rows.append(f"| {level['concurrency']} | **all** | {sum(o['count'] for o in level['ops'].values()):,} | "
                    f"**{_n(level['total_rps'])}** | | | | | generator CPU {_pct(level['generator_cpu'])} of one "
                    f"core; machine busy {_pct(level.get('machine_busy'))}{late} |")
    return rows


def _op(levels: list[dict[str, Any]] | None, clients: int, name: str) -> dict[str, Any] | None:
    for level in levels or []:
        if level["concurrency"] == clients:
            return level["ops"].get(name)
    return None


def _floor_level(results: dict[str, Any], clients: int) -> dict[str, Any] | None:
    for level in (results.get("floor") or {}).get("levels", []):
        if level["clients"] == clients and "tps" in level:
            return level
    return None


def _mark(ok: bool | None) -> str:
    return "–" if ok is None else ("✅" if ok else "❌")


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met?) — None when the run did not measure it."""
    out: list[tuple[str, str, bool | None]] = []
    reference = 32
    placement = _op(results.get("pg_orders"), reference, "place_order") or _op(results.get("pg_mixed"), reference,
                                                                                "place_order")
    floor_level = _floor_level(results, reference)
    if placement and floor_level and floor_level["tps"]:
        share = placement["rps"] / floor_level["tps"]
        out.append(("order placement on PostgreSQL, 32 clients: ≥ 50 % of the floor and p99 ≤ 100 ms",
                    f"{_n(placement['rps'])} orders/s (placement-only run) = {100 * share:.1f} % of "
                    f"{_n(floor_level['tps'])} tps "
                    f"(floor at {floor_level['used']} clients); p99 {_ms(placement['p99'])} ms",
                    share >= 0.5 and placement["p99"] <= 100))
    else:
        out.append(("order placement on PostgreSQL, 32 clients: ≥ 50 % of the floor and p99 ≤ 100 ms",
                    "not measured (no 32-client level, or no floor)", None))
    for name, label in (("availability", "availability"), ("track", "tracking")):
        op = _op((results.get("pg_reads") or {}).get(name), reference, name)
        if op:
            out.append((f"{label} on PostgreSQL, 32 clients: ≥ 2,000 req/s and p99 ≤ 20 ms",
                        f"{_n(op['rps'])} req/s, p99 {_ms(op['p99'])} ms", op["rps"] >= 2000 and op["p99"] <= 20))
        else:
            out.append((f"{label}: ≥ 2,000 req/s and p99 ≤ 20 ms", "not measured", None))
    scale = results.get("scale")
    if scale:
        size = scale["load"]["orders"]
        note = "" if size >= 1_000_000 else f" (only {size:,} orders loaded: not the target's size)"
        queries = scale["queries"]
        searches = {k: v for k, v in queries.items() if not k.startswith("order view")}
        worst_name, worst = max(searches.items(), key=lambda kv: kv[1]["p99"])
        out.append(("every search and list on 1,000,000 orders: p99 ≤ 50 ms",
                    f"worst: {worst_name} p99 {_ms(worst['p99'])} ms{note}",
                    worst["p99"] <= 50 and size >= 1_000_000 and _all_ok(searches)))
        view = next((v for k, v in queries.items() if k.startswith("order view")), None)
        if view:
            out.append(("order view on 1,000,000 orders: p99 ≤ 50 ms", f"p99 {_ms(view['p99'])} ms{note}",
                        view["p99"] <= 50 and size >= 1_000_000 and _all_ok({"view": view})))
        out.append(("bulk load: ≥ 50,000 order lines/s", f"{_n(scale['load']['lines_per_s'])} lines/s{note}",
                    scale["load"]["lines_per_s"] >= 50_000))
    else:
        out.append(("search, order view and bulk load on 1,000,000 orders", "not measured", None))
    return out


def _all_ok(queries: dict[str, dict[str, Any]]) -> bool:
    return all(set(q["outcomes"]) == {"200"} for q in queries.values())


def section(results: dict[str, Any]) -> str:
    s = results["settings"]
    lines = [f"## {results['date']}{' — tiny smoke run (figures mean nothing)' if results['tiny'] else ''}", ""]
    lines += [f"- **Command:** `{results['command']}` (wall time {results['wall_seconds']:.0f} s)",
              f"- **Code:** git {results['git']}",
              f"- **Baton:** `baton serve --workers {s['workers']}` on PostgreSQL, "
              f"`BATON_DB_POOL_SIZE={s['pool_size']}` per worker, with its embedded event worker (the production "
              "default: it fans every event out to webhooks, customer notifications and the JSON-lines event stream "
              "while the load runs, on the same cores).",
              "- **One machine:** the load generator, Baton, PostgreSQL (and pgbench) share its cores; load average "
              f"(1 min) {results.get('load_before', '?')} before the run, {results.get('load_after', '?')} after "
              "(anything above 0 before the run is someone else's work, and it skews the figures).",
              f"- **Shop:** {_shop(results.get('shop'))}",
              f"- **Load:** {', '.join(map(str, s['levels']))} closed-loop clients; mixed load {s['duration']:g} s "
              f"per level (after {s['warmup']:g} s unmeasured warm-up) with "
              + ", ".join(f"{v} % {k}" for k, v in s["mix"].items())
              + f"; placement only {s['orders_duration']:g} s, availability only and tracking only "
              f"{s['reads_duration']:g} s per level.", *_drain(results.get("event_drain")), ""]
    lines += ["### Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in results.get("machine", {}).items()]
    lines += ["", "### Targets", "", "| target | measured | met |", "|---|---|:-:|"]
    lines += [f"| {t} | {m} | {_mark(ok)} |" for t, m, ok in targets(results)]
    lines += ["", "### Correctness checks", "", "| check | result | detail |", "|---|:-:|---|"]
    lines += [f"| {c['name']} | {'PASS' if c['passed'] else '**FAIL**'} | {c['detail']} |" for c in results["checks"]]
    lines += _ceiling(results)
    for key, title in (("pg_mixed", "PostgreSQL: mixed load"), ("pg_orders", "PostgreSQL: order placement only")):
        if results.get(key):
            lines += ["", f"### {title}", "", *_op_table(results[key])]
    if results.get("pg_reads"):
        lines += ["", "### PostgreSQL: availability only, tracking only", ""]
        lines += _op_table([lvl for levels in results["pg_reads"].values() for lvl in levels])
    lines += _floor(results)
    lines += _sqlite(results)
    lines += _scale(results)
    lines += _problems(results)
    lines += ["", "### Commands", "", "```sh", results["command"], *results["commands"], "```",
              "", "Step timings: " + ", ".join(f"{k} {v:g} s" for k, v in results["steps"].items()) + "."]
    return "\n".join(lines)


def _drain(drain: dict[str, Any] | None) -> list[str]:
    if not drain:
        return []
    return [f"- **Event worker:** after the placement runs it had {drain['backlog']:,} events left to fan out and "
            f"publish; it finished them in {drain['seconds']:.1f} s, before the read-only runs started "
            "(so those measure the reads, not the reads competing with a backlog)."]


def _shop(shop: dict[str, Any] | None) -> str:
    if not shop:
        return "not loaded"
    parts = [f"{v:,} {k}" for k, v in shop.items() if k != "load_seconds"]
    return ", ".join(parts) + f"; loaded with COPY in {shop['load_seconds']:.1f} s"


def _ceiling(results: dict[str, Any]) -> list[str]:
    levels = results.get("ceiling")
    if not levels:
        return []
    rows = ["", "### The load generator's own ceiling", "",
            "The same generator against a trivial HTTP server (`bench/ceiling.py`: a raw asyncio protocol on uvloop "
            "that answers every request with the same 15-byte JSON, no framework, no database). Baton has no "
            "database-free route (`/healthz` runs `SELECT 1`); a `GET /ping` would make this measurable against "
            "Baton's own stack.", "",
            "| clients | req/s | p50 ms | p99 ms | generator CPU (one core) | machine busy |",
            "|---:|---:|---:|---:|---:|---:|"]
    for level in levels:
        op = level["ops"].get("ping", {"rps": 0, "p50": 0, "p99": 0})
        rows.append(f"| {level['concurrency']} | {_n(op['rps'])} | {_ms(op['p50'])} | {_ms(op['p99'])} | "
                    f"{_pct(level['generator_cpu'])} | {_pct(level.get('machine_busy'))} |")
    return rows


def _floor(results: dict[str, Any]) -> list[str]:
    floor = results.get("floor")
    if floor is None:
        return []
    rows = ["", "### The floor: the same order capture as bare SQL (pgbench)", ""]
    if "skipped" in floor:
        return [*rows, f"Skipped: {floor['skipped']}."]
    rows += ["One transaction: an order row, 3 order lines, 3 guarded reservations "
             "(`UPDATE … SET reserved = reserved + 1 WHERE … AND on_hand - reserved - safety_stock >= 1`) on random "
             "non-scarce SKUs in SKU order, into `LIKE … INCLUDING ALL` copies of `orders`, `order_lines` and "
             "`stock_levels` (same indexes), `--protocol=prepared -j 2`. Baton does more per order (customer "
             "upsert, idempotency key, order number, routing, fulfilment orders, timeline, outbox), which is why "
             "the target is half of the floor.", "",
             "| clients | floor tps | p50 ms | p95 ms | p99 ms | failed | Baton orders/s (placement only) | "
             "Baton p99 ms | Baton / floor |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for level in floor.get("levels", []):
        clients = level["clients"]
        used = f"{clients}" if level["used"] == clients else f"{clients} → **{level['used']}**"
        if "error" in level:
            rows.append(f"| {used} | error: {level['error'][:200]} | | | | | | | |")
            continue
        baton = _op(results.get("pg_orders"), clients, "place_order") or _op(results.get("pg_mixed"), clients,
                                                                              "place_order")
        ratio = f"{100 * baton['rps'] / level['tps']:.1f} %" if baton and level["tps"] else "–"
        rows.append(f"| {used} | {_n(level['tps'])} | {_ms(level['p50'])} | {_ms(level['p95'])} | "
                    f"{_ms(level['p99'])} | {level['failed']} | {_n(baton['rps']) if baton else '–'} | "
                    f"{_ms(baton['p99']) if baton else '–'} | {ratio} |")
    if any(level.get("used") != level["clients"] for level in floor.get("levels", [])):
        rows += ["", "→ **n**: pgbench needs one server connection per client; the level was capped at what the "
                 "server's `max_connections` left free (raise it to 200 for the full 128)."]
    return rows


def _sqlite(results: dict[str, Any]) -> list[str]:
    sqlite = results.get("sqlite")
    if not sqlite:
        return []
    return ["", "### SQLite: order placement only (`baton serve --workers 1`)", "",
            f"Shop: {_shop(sqlite['shop']).replace('COPY', 'SQLAlchemy Core executemany')}.", "",
            *_op_table(sqlite["levels"])]


def _scale(results: dict[str, Any]) -> list[str]:
    scale = results.get("scale")
    if not scale:
        return []
    load = scale["load"]
    rows = ["", f"### Scale: {load['orders']:,} orders, {load['lines']:,} lines", "",
            f"Bulk load with COPY (orders and lines on two connections at once, foreign keys and every index in "
            f"place): {load['customers']:,} customers, {load['orders']:,} orders and {load['lines']:,} order lines in "
            f"{load['seconds']:.1f} s = **{_n(load['lines_per_s'])} order lines/s** ({_n(load['orders_per_s'])} "
            f"orders/s, {_n(load['rows_per_s'])} rows/s); ANALYZE afterwards {load['seconds_analyze']:.1f} s. "
            f"{scale['orders_in_database']:,} orders in the database in all.", "",
            f"Query timings over HTTP, {scale['requests']} requests per kind from {scale['concurrency']} concurrent "
            "clients (after a short unmeasured warm-up), parameters drawn from the loaded rows:", "",
            "| query | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | outcomes | empty lists |",
            "|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for name, q in scale["queries"].items():
        rows.append(f"| {name} | {q['count']} | {_n(q['rps'])} | {_ms(q['p50'])} | {_ms(q['p95'])} | {_ms(q['p99'])} | "
                    f"{_ms(q['max'])} | {_outcomes(q['outcomes'])} | {q['empty_lists']} |")
    return rows


def _problems(results: dict[str, Any]) -> list[str]:
    rows: list[str] = []
    if results.get("errors"):
        rows += ["", "### Steps that broke", ""]
        for error in results["errors"]:
            rows += [f"- **{error['step']}**: {error['error']}", "", "```", error["traceback"].strip(), "```"]
    for key, title in (("server_errors", "PostgreSQL server"), ("sqlite_server_errors", "SQLite server")):
        if results.get(key):
            rows += ["", f"### Errors in the {title}'s log (distinct lines, with counts)", "", "```", *results[key],
                     "```"]
    return rows
