"""Where one request's CPU goes: Baton's app driven in-process over raw ASGI calls, no network, no load generator.

    python -m bench.profile place --requests 500               # CPU ms per order placed, on PostgreSQL
    python -m bench.profile availability --profile cprofile    # plus the 30 costliest functions (cProfile)
    python -m bench.profile track --sqlite                     # on a fresh SQLite file instead

A fresh database (`baton_profile_<pid>` on the benchmark's PostgreSQL server, dropped afterwards) gets the benchmark
shop (`--skus`, `--locations`) and an integration token. The same request bodies as the load generator's are then
sent one at a time to the app, after `--warmup` unmeasured ones; the figure is process CPU time (every thread)
per request, the cost that the two cores of the benchmark machine have to pay for each one. The embedded event
worker does not run here: what it costs per order is measured apart (`--worker`).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from bench import catalogue
from bench.loadgen import Plan, Shop
from bench.processes import Postgres, baton_db_upgrade, baton_token
from bench.run import DEFAULT_PG

OPERATIONS = ("place", "availability", "track")


class AsgiClient:
    """Calls an ASGI app directly: one request, the whole body at once, the answer collected in memory."""

    def __init__(self, app: Any, token: str):
        self.app = app
        self.auth = f"Bearer {token}".encode()

    async def call(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
                   ) -> tuple[int, bytes]:
        path, _, query = path.partition("?")
        raw = [(b"host", b"bench"), (b"authorization", self.auth), (b"content-type", b"application/json"),
               *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items())]
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
                 "root_path": "", "headers": raw, "client": ("127.0.0.1", 5000), "server": ("bench", 80)}
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # the request is complete: nothing more will come
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


def requests_for(op: str, shop: Shop, client: AsgiClient, rnd: random.Random
                 ) -> Callable[[int], Awaitable[tuple[int, bytes]]]:
    if op == "place":
        return lambda i: client.call("POST", "/api/v1/orders", shop.bodies[i % len(shop.bodies)].body,
                                     {"Idempotency-Key": f"profile-{os.getpid()}-{i}"})
    if op == "availability":
        return lambda i: client.call("GET", shop.availability_urls[i % len(shop.availability_urls)])
    return lambda i: client.call("GET", f"/api/v1/track/{rnd.choice(shop.tracking_ids)}")


async def drive(op: str, app: Any, token: str, data: dict[str, Any], warmup: int, requests: int,
                profiler: cProfile.Profile | None) -> tuple[float, dict[int, int]]:
    client = AsgiClient(app, token)
    mix = {"place": 1.0 if op in ("place", "track") else 0.0, "availability": 1.0 if op == "availability" else 0.0}
    plan = Plan(base_url="http://127.0.0.1:1", levels=[1], duration=0, warmup=0, mix=mix, data=data, body_pool=2000)
    shop = Shop(plan)  # the load generator's own request bodies and URLs
    rnd = random.Random(3)
    if op == "track":  # something to track: place a few hundred orders first
        for i in range(300):
            status, answer = await client.call("POST", "/api/v1/orders", shop.bodies[i].body)
            if status == 201:
                shop.tracking_ids.append(orjson.loads(answer)["tracking_id"])
    request = requests_for(op, shop, client, rnd)
    statuses: dict[int, int] = {}
    for i in range(warmup):
        await request(i)
    if profiler:
        profiler.enable()
    started, wall = time.process_time(), time.perf_counter()
    for i in range(warmup, warmup + requests):
        status, _ = await request(i)
        statuses[status] = statuses.get(status, 0) + 1
    spent = time.process_time() - started
    print(f"wall {(time.perf_counter() - wall) * 1000 / requests:.3f} ms per request")
    if profiler:
        profiler.disable()
    return spent, statuses


def worker_cpu(container: Any, requests: int, profiler: cProfile.Profile | None) -> None:
    """The embedded worker's share: passes over everything the requests left in the outbox, until idle."""
    from baton.adapters.events import open_sink
    from baton.events import delivery, worker

    sink = open_sink(container.settings)
    if profiler:  # the worker's profile alone
        profiler.clear()
        profiler.enable()
    started = time.process_time()
    totals: dict[str, int] = {}
    with delivery.client() as client:
        while True:
            done = worker.run_once(container, client, worker.BATCH, sink)
            for name in ("fanned_out", "delivered", "failed", "notified", "streamed"):
                totals[name] = totals.get(name, 0) + getattr(done, name)
            if not done.busy:
                break
    spent = time.process_time() - started
    if profiler:
        profiler.disable()
    print(f"worker: {spent * 1000 / requests:.3f} ms CPU per request ({requests} requests); {totals}")


PACKAGES = ("sqlalchemy", "psycopg", "fastapi", "starlette", "pydantic", "jinja2", "babel", "baton", "bench")


def shares(stats: pstats.Stats) -> str:
    """Own CPU time per package: which layer the time goes to."""
    spent: dict[str, float] = {}
    for (path, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        package = next((p for p in PACKAGES if f"/{p}/" in path), "python and C built-ins")
        spent[package] = spent.get(package, 0.0) + own
    total = sum(spent.values()) or 1.0
    rows = sorted(spent.items(), key=lambda item: -item[1])
    return "own time by package: " + ", ".join(f"{name} {100 * t / total:.0f} %" for name, t in rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    p.add_argument("operation", choices=OPERATIONS)
    p.add_argument("--requests", type=int, default=500)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--skus", type=int, default=10_000)
    p.add_argument("--locations", type=int, default=50)
    p.add_argument("--sqlite", action="store_true", help="a fresh SQLite file instead of PostgreSQL")
    p.add_argument("--pg-url", default=os.environ.get("BATON_BENCH_POSTGRES_URL") or DEFAULT_PG)
    p.add_argument("--profile", choices=("cprofile",), help="print the costliest functions")
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--statements", action="store_true", help="print the SQL of the last request (SQLAlchemy's)")
    p.add_argument("--worker", action="store_true",
                   help="then run the event worker's passes until it is idle: its CPU per request measured")
    args = p.parse_args(argv)

    cat = catalogue.build(args.skus, args.locations)
    work = Path(tempfile.mkdtemp(prefix="baton-profile-"))
    pg = None
    if args.sqlite:
        url = f"sqlite:///{work / 'profile.db'}"
    else:
        pg = Postgres(args.pg_url, f"baton_profile_{os.getpid()}")  # runs side by side never share one
        pg.recreate()
        url = pg.sqlalchemy_url
    try:
        baton_db_upgrade(url, work / "setup.log")
        if pg:
            catalogue.load_postgres(pg.conninfo(), cat)
        else:
            catalogue.load_sqlite(url, cat)
        token = baton_token(url, work / "setup.log")
        os.environ["BATON_DATABASE_URL"] = url
        os.environ.setdefault("BATON_EVENTS_FILE", str(work / "events.jsonl"))
        from baton.entrypoints.http.app import create_app

        app = create_app()
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        if profiler:  # cProfile sees one thread: run sync endpoints inline instead of in the thread pool
            import fastapi.dependencies.utils
            import fastapi.routing

            async def inline(func: Callable[..., Any], *a: Any, **kw: Any) -> Any:
                return func(*a, **kw)

            fastapi.routing.run_in_threadpool = inline  # type: ignore[assignment]
            fastapi.dependencies.utils.run_in_threadpool = inline  # type: ignore[assignment]
        statements: list[str] = []
        if args.statements:
            from sqlalchemy import event

            @event.listens_for(app.state.container.engine, "before_cursor_execute")
            def _seen(conn: Any, cursor: Any, sql: str, *rest: Any) -> None:
                statements.append(" ".join(sql.split())[:160])
        spent, statuses = asyncio.run(drive(args.operation, app, token, cat.loadgen_data(), args.warmup,
                                            args.requests, profiler))
        if args.worker:
            worker_cpu(app.state.container, args.requests + args.warmup, profiler)
        app.state.container.engine.dispose()
    finally:
        if pg:
            pg.drop()
    print(f"{args.operation} on {'SQLite' if args.sqlite else 'PostgreSQL'}: {args.requests} requests, "
          f"{spent * 1000 / args.requests:.3f} ms CPU each; statuses {statuses}")
    if statements:
        per = len(statements) / (args.requests + args.warmup)
        print(f"{per:.1f} statements per request through SQLAlchemy; the last request's:")
        last = statements[-round(per):]
        print("\n".join(f"  {sql}" for sql in last))
    if profiler:
        print(shares(pstats.Stats(profiler)))
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
