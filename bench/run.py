"""Run Baton's benchmark end to end and write the report.

    python -m bench.run                 # the full run behind `make bench` (about 8 minutes on 2 cores)
    python -m bench.run --tiny          # seconds-long smoke run; report to a temporary file
    python -m bench.run --help          # every duration, size and step can be changed

Steps: a fresh PostgreSQL database with the benchmark shop (COPY); the load generator's own ceiling against a
trivial server; `baton serve --workers N` on it; the mixed load at each concurrency level, then placement-only,
availability-only and tracking-only runs; the correctness checks (plain SQL); a year of order history in bulk and
the search/list/view timings over it; the bare-SQL floor with pgbench; placement on SQLite. The report section is
inserted at the top of bench/RESULTS.md (older runs stay below it); results.json beside the logs in bench/out/ has
every figure. The exit status is 1 when a correctness check failed or a step broke.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import catalogue, checks, floor, machine, report, scale
from bench.loadgen import Plan
from bench.processes import (
    ROOT,
    Postgres,
    Server,
    baton_db_upgrade,
    baton_server,
    baton_token,
    ceiling_server,
    run_loadgen,
    scalar,
)

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MIXED = {"place": 60, "availability": 25, "track": 10, "fulfil": 5}


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--tiny", action="store_true",
                   help="seconds-long smoke run: small shop, one level, report to a temporary file unless --report")
    p.add_argument("--report", type=Path, help="Markdown report to update (default bench/RESULTS.md)")
    p.add_argument("--work-dir", type=Path, help="logs, plans and results.json (default bench/out)")
    p.add_argument("--pg-url", help="PostgreSQL server (any database on it; default: $BATON_BENCH_POSTGRES_URL, "
                   f"$BATON_TEST_POSTGRES_URL or {DEFAULT_PG}); the benchmark database is created on it")
    p.add_argument("--database", help="benchmark database, dropped and recreated (default baton_bench)")
    p.add_argument("--drop-database", action="store_true", help="drop the benchmark database at the end")
    p.add_argument("--workers", type=int, default=2, help="baton serve --workers on PostgreSQL")
    p.add_argument("--pool-size", type=int, default=10, help="BATON_DB_POOL_SIZE per worker")
    p.add_argument("--levels", default="8,32,128", help="concurrent clients, comma-separated")
    p.add_argument("--duration", type=float, default=20, help="measured seconds per level, mixed load")
    p.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each level")
    p.add_argument("--orders-duration", type=float, default=15, help="seconds per level, placement only (0: skip)")
    p.add_argument("--reads-duration", type=float, default=8,
                   help="seconds per level, availability only and tracking only (0: skip)")
    p.add_argument("--ceiling-duration", type=float, default=5, help="seconds per level against the trivial server")
    p.add_argument("--floor-duration", type=int, default=15, help="pgbench -T per level (0: skip)")
    p.add_argument("--skus", type=int, default=10_000)
    p.add_argument("--locations", type=int, default=50)
    p.add_argument("--sqlite-levels", default="8,32")
    p.add_argument("--sqlite-duration", type=float, default=15, help="seconds per level on SQLite (0: skip)")
    p.add_argument("--sqlite-skus", type=int, help="SKUs in the SQLite shop (default: --skus)")
    p.add_argument("--sqlite-locations", type=int, help="locations in the SQLite shop (default: --locations)")
    p.add_argument("--scale-orders", type=int, default=1_000_000, help="orders to bulk-load (0: skip the step)")
    p.add_argument("--scale-requests", type=int, default=1000, help="timed requests per query kind")
    p.add_argument("--scale-concurrency", type=int, default=4, help="concurrent clients for the query timings")
    args = p.parse_args(argv)
    if args.tiny:
        for name, value in dict(levels="8", duration=2, warmup=0.5, orders_duration=1, reads_duration=1,
                                ceiling_duration=1, floor_duration=2, skus=200, locations=5, sqlite_levels="8",
                                sqlite_duration=2, scale_orders=2000, scale_requests=20,
                                scale_concurrency=2).items():
            if getattr(args, name) == p.get_default(name):
                setattr(args, name, value)
    env = os.environ
    args.pg_url = args.pg_url or env.get("BATON_BENCH_POSTGRES_URL") or env.get("BATON_TEST_POSTGRES_URL") or DEFAULT_PG
    args.database = args.database or (f"baton_bench_tiny_{os.getpid()}" if args.tiny else "baton_bench")
    args.drop_database = args.drop_database or args.tiny
    args.work_dir = (args.work_dir or ROOT / "bench" / "out").resolve()
    if args.report is None:
        args.report = (Path(tempfile.mkdtemp(prefix="baton-bench-")) / "RESULTS.md" if args.tiny
                       else ROOT / "bench" / "RESULTS.md")
    args.level_list = [int(v) for v in str(args.levels).split(",") if v.strip()]
    args.sqlite_level_list = [int(v) for v in str(args.sqlite_levels).split(",") if v.strip()]
    return args


class Run:
    def __init__(self, args: argparse.Namespace, argv: list[str]):
        self.args = args
        self.out: Path = args.work_dir
        self.out.mkdir(parents=True, exist_ok=True)
        for pattern in ("*.log", "plan-*.json", "loadgen-*.json", "results.json"):  # nothing from an earlier run
            for old in self.out.glob(pattern):
                old.unlink()
        self.started = time.monotonic()
        self.results: dict[str, Any] = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": shlex.join([_relative(Path(sys.executable)), "-m", "bench.run", *_masked(argv)]),
            "tiny": args.tiny, "git": _git(), "settings": _settings(args), "steps": {}, "errors": [],
            "commands": [], "checks": [], "load_before": _load_average(),
        }
        self.pg = Postgres(args.pg_url, args.database)
        self.server: Server | None = None
        self.token = ""  # the integration token of the database being measured

    # -- plumbing -----------------------------------------------------------------------------------------------
    def step(self, name: str, action: Callable[[], Any]) -> Any:
        print(f"[bench] {name} ...", flush=True)
        t0 = time.monotonic()
        try:
            value = action()
        except Exception as exc:
            print(f"[bench] {name} FAILED: {exc}", flush=True)
            self.results["errors"].append({"step": name, "error": f"{type(exc).__name__}: {exc}",
                                           "traceback": traceback.format_exc()[-3000:]})
            value = None
        seconds = time.monotonic() - t0
        self.results["steps"][name] = round(seconds, 1)
        print(f"[bench] {name}: {seconds:.1f} s", flush=True)
        return value

    def loadgen(self, name: str, base_url: str, levels: list[int], duration: float, mix: Mapping[str, float],
                data: dict[str, Any], warmup: float | None = None, seed: int = 1, token: str = "") -> dict[str, Any]:
        warm = self.args.warmup if warmup is None else warmup
        plan = Plan(base_url=base_url, levels=levels, duration=duration, warmup=warm, mix=dict(mix), data=data,
                    run_id=f"{name}-{int(time.time())}", seed=seed, token=token or self.token)
        plan_path, result_path = self.out / f"plan-{name}.json", self.out / f"loadgen-{name}.json"
        plan_path.write_text(json.dumps(plan.__dict__))
        self.results["commands"].append(f"{_relative(Path(sys.executable))} -m bench.loadgen "
                                        f"{_relative(plan_path)} {_relative(result_path)}   # {name}: clients "
                                        f"{', '.join(map(str, levels))}, {duration:g} s each, mix {mix}")
        run_loadgen(plan_path, result_path, self.out / f"loadgen-{name}.log",
                    timeout=len(levels) * (duration + warm + 60) + 120)
        return {"name": name, **json.loads(result_path.read_text())}

    # -- the steps ------------------------------------------------------------------------------------------------
    def execute(self) -> int:
        args = self.args
        self.results["machine"] = machine.describe(self.pg.version())
        cat = self.step("build the shop", lambda: catalogue.build(args.skus, args.locations))
        loaded = cat is not None and self.step("PostgreSQL: database, migrations, shop", lambda: self.prepare_pg(cat))
        self.step("generator ceiling", self.ceiling)
        pg_runs: list[dict[str, Any]] = []
        if loaded:
            try:
                self.server = self.step("PostgreSQL: start baton serve", self.start_pg_server)
                if self.server is not None:
                    pg_runs = self.pg_load(cat)
                    self.results["checks"] += [c.as_dict() for c in self.step(
                        "PostgreSQL: checks", lambda: checks.run_all(self.pg.sqlalchemy_url, pg_runs)) or []]
                    if args.scale_orders > 0:
                        self.step("scale: bulk load and query timings", lambda: self.scale(cat))
            finally:
                if self.server is not None:
                    self.server.stop()
                    self.results["server_errors"] = self.server.error_summary()
            if args.floor_duration > 0:
                self.step("floor: pgbench", lambda: self.floor(cat))
            if args.drop_database:
                self.step("PostgreSQL: drop the benchmark database", self.pg.drop)
        if args.sqlite_duration > 0:
            self.step("SQLite: placement", self.sqlite)
        return self.finish()

    def prepare_pg(self, cat: catalogue.Catalogue) -> bool:
        self.pg.recreate()
        baton_db_upgrade(self.pg.sqlalchemy_url, self.out / "migrate.log")
        t0 = time.perf_counter()
        catalogue.load_postgres(self.pg.conninfo(), cat)
        self.results["shop"] = {**cat.summary(), "load_seconds": round(time.perf_counter() - t0, 2)}
        return True

    def ceiling(self) -> None:
        args = self.args
        with ceiling_server(self.out / "ceiling-server.log") as server:
            result = self.loadgen("ceiling", server.base_url, args.level_list, args.ceiling_duration, {"ping": 1},
                                  {"skus": [], "hot": [], "scarce": [], "pickup": {}, "locations": [],
                                   "addresses": []}, warmup=min(1.0, args.warmup))
        self.results["ceiling"] = result["levels"]

    def start_pg_server(self) -> Server:
        server = baton_server(self.pg.sqlalchemy_url, self.args.workers, self.args.pool_size,
                              self.out / "server-postgres.log")
        self.results["commands"].insert(0, f"BATON_DATABASE_URL={self.pg.url.render_as_string(hide_password=True)} "
                                        f"BATON_DB_POOL_SIZE={self.args.pool_size} {shlex.join(server.command)}")
        self.token = baton_token(self.pg.sqlalchemy_url, self.out / "tokens.log")
        return server.start()

    def pg_load(self, cat: catalogue.Catalogue) -> list[dict[str, Any]]:
        args, server, data = self.args, self.server, cat.loadgen_data()
        assert server is not None
        runs: list[dict[str, Any]] = []
        mixed = self.step("PostgreSQL: mixed load", lambda: self.loadgen("pg-mixed", server.base_url,
                                                                         args.level_list, args.duration, MIXED, data))
        if mixed:
            runs.append(mixed)
            self.results["pg_mixed"] = mixed["levels"]
        if args.orders_duration > 0:
            orders = self.step("PostgreSQL: placement only", lambda: self.loadgen(
                "pg-orders", server.base_url, args.level_list, args.orders_duration, {"place": 1}, data, seed=2))
            if orders:
                runs.append(orders)
                self.results["pg_orders"] = orders["levels"]
        if args.reads_duration > 0:
            self.step("PostgreSQL: event worker drains the backlog", self.drain_events)
            tracking = [t for run in runs for t in run.get("tracking_sample", [])]
            reads = self.step("PostgreSQL: availability only, tracking only", lambda: {
                "availability": self.loadgen("pg-availability", server.base_url, args.level_list,
                                             args.reads_duration, {"availability": 1}, data, seed=3),
                "track": self.loadgen("pg-track", server.base_url, args.level_list, args.reads_duration,
                                      {"track": 1}, {**data, "tracking": tracking}, seed=4),
            })
            if reads:
                runs += list(reads.values())
                self.results["pg_reads"] = {name: run["levels"] for name, run in reads.items()}
        return runs

    def drain_events(self, limit: float = 300.0) -> None:
        """Wait (bounded) until the embedded event worker has fanned out every event the placement runs left and
        published the stream: the read-only runs then measure the reads, not the reads competing with a backlog.
        How long it took is a figure of its own (the worker's pace behind a burst of orders)."""
        backlog = ("SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL) "
                   "+ (SELECT count(*) FROM stream_queue)")
        started = time.monotonic()
        with self.pg.admin_of_bench() as conn:
            first = left = int(scalar(conn, backlog))
            while left and time.monotonic() - started < limit:
                time.sleep(0.5)  # polling another process's progress: nothing to wait on but the database
                left = int(scalar(conn, backlog))
        self.results["event_drain"] = {"backlog": first, "left": left, "seconds": time.monotonic() - started}
        if left:
            raise RuntimeError(f"the event worker still had {left} of {first} events after {limit:g} s")

    def scale(self, cat: catalogue.Catalogue) -> None:
        args, server = self.args, self.server
        assert server is not None
        loaded = scale.load(self.pg.conninfo(), args.scale_orders, cat.skus)
        warm = 5 * args.scale_concurrency
        paths = scale.queries(loaded, cat.skus, args.scale_requests + warm)
        timings = scale.time_queries(server.base_url, paths, args.scale_concurrency, warm=warm, token=self.token)
        loaded.pop("samples")
        total_orders = self._count("SELECT COUNT(*) FROM orders")
        self.results["scale"] = {"load": loaded, "queries": timings, "orders_in_database": total_orders,
                                 "concurrency": args.scale_concurrency, "requests": args.scale_requests}

    def floor(self, cat: catalogue.Catalogue) -> None:
        args = self.args
        self.results["floor"] = floor.run(self.pg, skus=cat.skus, warehouses=catalogue.warehouse_count(cat.locations),
                                          levels=args.level_list, seconds=args.floor_duration, threads=2,
                                          work_dir=self.out / "floor")
        for level in self.results["floor"].get("levels", []):
            if "command" in level:
                self.results["commands"].append(f"{level['command']}   # floor, {level['used']} clients")

    def sqlite(self) -> None:
        args = self.args
        skus, locations = args.sqlite_skus or args.skus, args.sqlite_locations or args.locations
        cat = catalogue.build(skus, locations)
        path = self.out / "sqlite" / "baton-bench.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        baton_db_upgrade(url, self.out / "migrate.log")
        t0 = time.perf_counter()
        catalogue.load_sqlite(url, cat)
        load_seconds = time.perf_counter() - t0
        server = baton_server(url, 1, args.pool_size, self.out / "server-sqlite.log")
        self.token = baton_token(url, self.out / "tokens.log")
        self.results["commands"].append(f"BATON_DATABASE_URL=sqlite:///{_relative(path)} {shlex.join(server.command)}")
        with server:
            run = self.loadgen("sqlite-orders", server.base_url, args.sqlite_level_list, args.sqlite_duration,
                               {"place": 1}, cat.loadgen_data(), seed=5)
            self.results["sqlite_server_errors"] = server.error_summary()
        self.results["sqlite"] = {"levels": run["levels"], "shop": {**cat.summary(), "load_seconds":
                                                                    round(load_seconds, 2)}}
        self.results["checks"] += [c.as_dict() for c in checks.run_all(url, [run], label="SQLite")]

    def _count(self, sql: str) -> int:
        import psycopg

        with psycopg.connect(self.pg.conninfo()) as conn:
            return int(scalar(conn, sql))

    def finish(self) -> int:
        self.results["wall_seconds"] = round(time.monotonic() - self.started, 1)
        self.results["load_after"] = _load_average()
        for error in self.results["errors"]:
            self.results["checks"].append({"name": f"step '{error['step']}' ran", "passed": False,
                                           "detail": error["error"].splitlines()[0][:300]})
        (self.out / "results.json").write_text(json.dumps(self.results, indent=1, default=str))
        section = report.section(self.results)
        report.update(self.args.report, section)
        print(section)
        print(f"[bench] report: {self.args.report}; figures: {self.out / 'results.json'}")
        failed = [c for c in self.results["checks"] if not c["passed"]]
        for check in self.results["checks"]:
            print(f"[bench] {'PASS' if check['passed'] else 'FAIL'}  {check['name']}: {check['detail']}")
        print(f"[bench] wall time {self.results['wall_seconds']:.0f} s")
        return 1 if failed or not self.results["checks"] else 0


def _relative(path: Path) -> str:
    try:
        return str(Path(os.path.abspath(path)).relative_to(ROOT))  # keep symlinks: .venv/bin/python, not its target
    except ValueError:
        return str(path)


def _masked(argv: list[str]) -> list[str]:
    """The command line as the report shows it: database passwords hidden."""
    from sqlalchemy.engine import make_url

    def hide(value: str) -> str:
        option, equals, url = value.partition("=") if value.startswith("--") else ("", "", value)
        try:
            return option + equals + make_url(url).render_as_string(hide_password=True)
        except Exception:
            return value

    return [hide(arg) if "://" in arg else arg for arg in argv]


def _load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def _git() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], capture_output=True, text=True,
                               cwd=ROOT, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' + uncommitted changes in src/' if dirty else ''}" if head else "unknown"


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {"workers": args.workers, "pool_size": args.pool_size, "levels": args.level_list,
            "duration": args.duration, "warmup": args.warmup, "orders_duration": args.orders_duration,
            "reads_duration": args.reads_duration, "ceiling_duration": args.ceiling_duration,
            "floor_duration": args.floor_duration, "skus": args.skus, "locations": args.locations,
            "sqlite_levels": args.sqlite_level_list, "sqlite_duration": args.sqlite_duration,
            "scale_orders": args.scale_orders, "scale_requests": args.scale_requests,
            "scale_concurrency": args.scale_concurrency, "mix": MIXED}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return Run(parse_args(argv), argv).execute()


if __name__ == "__main__":
    sys.exit(main())
