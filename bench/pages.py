"""How long every console and portal page takes on the demo shop: `python -m bench.pages`.

Loads the demo shop (`baton seed --orders 2000`) into a fresh SQLite file in a temporary directory (and, with
--postgres, into a fresh PostgreSQL database), starts a real `baton serve`, creates one console user per role with
`baton users create`, signs each in through the sign-in form, opens a shopper's portal link, asks for three
returns through the API (the demo shop has none), and requests every page N times, round-robin. Each request is
timed from a client on the same machine over one keep-alive connection, so the figure is the server's time plus a
loopback round trip. The first request of each page (templates compiled, caches cold) is reported on its own and
counted in the maximum.

The table goes to bench/RESULTS.md under "Console and portal pages on the demo shop" (newest run first). A page
that answers anything but 200, or takes 1 s or more even once, is printed as a failure and the exit status is 1;
a step that breaks (seed, server, sign-in) exits with 2 and the end of every log.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import create_engine, func, select

from bench import machine
from bench.processes import (
    Postgres,
    Server,
    baton_command,
    baton_db_upgrade,
    baton_token,
    free_port,
    python_env,
)
from bench.stats import percentile

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Console and portal pages on the demo shop"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
LIMIT_MS = 1000.0
PASSWORD = "bench pages password"
ROLES = ("admin", "agent", "finance", "analyst", "fulfillment")
PERIODS = ("today", "7d", "30d", "90d")


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # a console role, "shopper" (the portal cookie) or "public"
    path: str


@dataclass
class Timing:
    page: Page
    statuses: list[int] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        values = sorted(self.ms)
        return {"name": self.page.name, "who": self.page.who, "path": self.page.path, "first": self.ms[0],
                "p50": percentile(values, 50), "p95": percentile(values, 95), "max": values[-1],
                "requests": len(values), "statuses": sorted(set(self.statuses))}


# -- an HTTP client with its own cookies ---------------------------------------------------------------------------
class Browser:
    """One keep-alive connection and the cookies the server set (Secure ones too: this is loopback HTTP)."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, float]:
        headers = {"Accept-Language": "en-GB"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode(errors="replace")
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("set-cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value.strip('"') and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response.status, text, elapsed

    def close(self) -> None:
        self.connection.close()


def sign_in(port: int, email: str) -> Browser:
    browser = Browser(port)
    status, html, _ = browser.request("GET", "/console/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if status != 200 or token is None:
        raise RuntimeError(f"the sign-in form answered {status}")
    status, html, _ = browser.request("POST", "/console/sign-in", {"email": email, "password": PASSWORD,
                                                                   "csrf_token": token.group(1)})
    if status != 303:
        raise RuntimeError(f"signing in {email} answered {status}: {html[:300]}")
    return browser


# -- the shop ------------------------------------------------------------------------------------------------------
def baton(database_url: str, log: Path, *args: str) -> str:
    """Run a `baton` CLI command against the database; its standard output."""
    with log.open("ab") as out:
        out.write(f"$ baton {' '.join(args)}\n".encode())
        out.flush()
        done = subprocess.run([*baton_command(), *args], env=python_env(BATON_DATABASE_URL=database_url),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=out, timeout=1800,
                              cwd=ROOT)
        out.write(done.stdout)
    if done.returncode != 0:
        raise RuntimeError(f"`baton {' '.join(args)}` failed ({done.returncode}); see {log}")
    return done.stdout.decode()


def load_shop(database_url: str, orders: int, log: Path) -> float:
    """Schema, demo shop; the seconds the seed took."""
    baton_db_upgrade(database_url, log)
    started = time.perf_counter()
    baton(database_url, log, "seed", "--orders", str(orders))
    return time.perf_counter() - started


def samples(database_url: str) -> dict[str, Any]:
    """The ids the pages need, chosen where the demo shop is busiest: the customer with the most orders, the
    location with the most fulfilment orders, the best-selling SKU."""
    from baton.adapters.db import tables as t
    from baton.adapters.db import webhook_tables as wt
    from baton.notifications.moments import Moment

    o, fo, ln, sh = t.orders.c, t.fulfillment_orders.c, t.order_lines.c, t.shipments.c
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            customer = conn.execute(select(o.customer_id, o.customer_email).group_by(o.customer_id, o.customer_email)
                                    .order_by(func.count().desc(), o.customer_id).limit(1)).one()
            shipped = select(sh.order_id).where(sh.order_id == o.id).exists()
            order = conn.execute(select(o.number, o.tracking_id).where(o.customer_id == customer.customer_id)
                                 .order_by(shipped.desc(), o.placed_at.desc()).limit(1)).one()
            open_order = conn.scalar(select(o.number).where(o.status.in_(("placed", "processing")))
                                     .order_by(o.placed_at.desc()).limit(1)) or order.number
            location = conn.scalar(select(fo.location).group_by(fo.location)
                                   .order_by(func.count().desc(), fo.location).limit(1))
            fo_id = conn.scalar(select(fo.id).where(fo.location == location)
                                .order_by((fo.status == "open").desc(), fo.created_at.desc()).limit(1))
            sku = conn.scalar(select(ln.sku).group_by(ln.sku).order_by(func.count().desc(), ln.sku).limit(1))
            webhook = conn.scalar(select(wt.webhook_subscriptions.c.id).limit(1))
    finally:
        engine.dispose()
    return {"customer_id": customer.customer_id, "email": customer.customer_email, "number": order.number,
            "tracking_id": order.tracking_id, "open_number": open_order, "location": location, "fo_id": fo_id,
            "sku": sku, "rma": None, "webhook": webhook, "moment": next(iter(Moment)).value}


def open_returns(port: int, database_url: str, log: Path, wanted: int = 3) -> str | None:
    """The demo shop has no returns: ask for a few on the newest delivered orders through the API (an admin token
    from `baton tokens create`), so the returns queue and a return's page have something to show. The newest RMA
    number, or None when every order refused (outside its return window)."""
    import json

    from baton.adapters.db import tables as t

    o, ln = t.orders.c, t.order_lines.c
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            delivered = conn.execute(select(o.id).where(o.status == "delivered")
                                     .order_by(o.placed_at.desc()).limit(wanted * 3)).scalars().all()
            lines = {order_id: conn.scalar(select(ln.id).where(ln.order_id == order_id).order_by(ln.position)
                                           .limit(1)) for order_id in delivered}
    finally:
        engine.dispose()
    secret = baton_token(database_url, log, role="admin", name="bench-pages")
    client, numbers = http.client.HTTPConnection("127.0.0.1", port, timeout=60), []
    try:
        for order_id, line_id in lines.items():
            body = {"lines": [{"line_id": line_id, "quantity": 1, "reason": "too small"}], "method": "ship_back"}
            client.request("POST", f"/api/v1/orders/{order_id}/returns", body=json.dumps(body),
                           headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
            response = client.getresponse()
            answer = response.read()
            if response.status == 201:
                numbers.append(json.loads(answer)["number"])
            if len(numbers) == wanted:
                break
    finally:
        client.close()
    return numbers[-1] if numbers else None


def create_users(database_url: str, location: str) -> None:
    """One console user per role, as `baton users create` makes them (its service, in this process: five CLI
    processes cost ten seconds of interpreter start-up)."""
    from baton.bootstrap import bootstrap
    from baton.config import Settings
    from baton.identity.console import create_user

    container = bootstrap(Settings(database_url=database_url))
    try:
        for role in ROLES:
            create_user(container.uow(), f"{role}@bench.example", f"Bench {role}", role, PASSWORD,
                        locations=(location,) if role == "fulfillment" else ())
    finally:
        container.engine.dispose()


def shopper_link(database_url: str, customer_id: str, email: str) -> str:
    """The portal link the shop would mail the customer, signed with the shop's own key (kept in its database)."""
    from baton.bootstrap import bootstrap
    from baton.config import Settings
    from baton.customers.access import ShopperKeys

    container = bootstrap(Settings(database_url=database_url))
    try:
        grant = ShopperKeys(container.secret_key, 24).issue(customer_id, email, datetime.now(UTC))
    finally:
        container.engine.dispose()
    return f"/portal?access={quote(grant.token)}"


def pages(s: dict[str, Any]) -> list[Page]:
    n, q = quote(s["number"]), quote
    found = [Page(f"dashboard ({period})", "analyst", f"/console/?period={period}") for period in PERIODS]
    found += [
        Page("dashboard (7d)", "finance", "/console/?period=7d"),
        Page("dashboard (7d)", "fulfillment", "/console/?period=7d"),
        Page("orders", "agent", "/console/orders"),
        Page("orders: search by email", "agent", f"/console/orders?q={q(s['email'])}"),
        Page("orders: location filter", "agent", f"/console/orders?location={q(s['location'])}"),
        Page("order", "agent", f"/console/orders/{n}"),
        Page("order: notifications", "agent", f"/console/orders/{n}/notifications"),
        Page("order: start a return", "agent", f"/console/orders/{n}/returns/new"),
        Page("order: start an exchange", "agent", f"/console/orders/{n}/exchanges/new"),
        Page("order: edit", "agent", f"/console/orders/{q(s['open_number'])}/edit"),
        Page("order on a customer's behalf", "agent", "/console/orders/new"),
        Page("fulfilment queue (every location)", "admin", "/console/fulfillment"),
        Page("fulfilment queue (own location)", "fulfillment", f"/console/fulfillment?location={q(s['location'])}"),
        Page("fulfilment order", "fulfillment", f"/console/fulfillment/{q(s['fo_id'])}"),
        Page("pick list (PDF)", "fulfillment", f"/console/fulfillment/{q(s['fo_id'])}/pick-list.pdf"),
        Page("packing slip (PDF)", "fulfillment", f"/console/fulfillment/{q(s['fo_id'])}/packing-slip.pdf"),
        Page("inventory", "fulfillment", "/console/inventory"),
        Page("inventory (every location)", "admin", "/console/inventory"),
        Page("inventory: SKU", "admin", f"/console/inventory/{q(s['sku'])}"),
        Page("returns", "agent", "/console/returns"),
        Page("customers", "agent", "/console/customers"),
        Page("customers: search", "agent", f"/console/customers?q={q(s['email'])}"),
        Page("customer", "agent", f"/console/customers/{q(s['customer_id'])}"),
        Page("settings", "admin", "/console/settings"),
        Page("settings: locations", "admin", "/console/settings/locations"),
        Page("settings: location", "admin", f"/console/settings/locations/{q(s['location'])}"),
        Page("settings: products", "admin", "/console/settings/products"),
        Page("settings: product", "admin", f"/console/settings/products/{q(s['sku'])}"),
        Page("settings: tax rates", "admin", "/console/settings/tax-rates"),
        Page("settings: users", "admin", "/console/settings/users"),
        Page("settings: tokens", "admin", "/console/settings/tokens"),
        Page("settings: webhooks", "admin", "/console/settings/webhooks"),
        Page("settings: notification templates", "admin", "/console/settings/notifications"),
        Page("settings: notification template", "admin", f"/console/settings/notifications/{s['moment']}/en"),
        Page("sign-in form", "public", "/console/sign-in"),
        Page("tracking page", "public", f"/track/{q(s['tracking_id'])}"),
        Page("portal: orders", "shopper", "/portal"),
        Page("portal: order", "shopper", f"/portal/orders/{n}"),
        Page("portal: notification preferences", "shopper", "/portal/preferences"),
    ]
    if s["rma"]:
        found.insert(found.index(Page("returns", "agent", "/console/returns")) + 1,
                     Page("return", "agent", f"/console/returns/{q(s['rma'])}"))
    if s["webhook"]:
        found.append(Page("settings: webhook", "admin", f"/console/settings/webhooks/{q(s['webhook'])}"))
    return found


# -- one database --------------------------------------------------------------------------------------------------
def measure(label: str, database_url: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    log = work / f"{label.lower()}.log"
    print(f"[{label}] loading the demo shop ({args.orders} orders)…", flush=True)
    seed_seconds = load_shop(database_url, args.orders, log)
    s = samples(database_url)
    create_users(database_url, s["location"])
    link = shopper_link(database_url, s["customer_id"], s["email"])
    port = free_port()
    command = [*baton_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"]
    print(f"[{label}] serving on port {port}; {args.requests} request(s) per page…", flush=True)
    with Server(command, port, work / f"{label.lower()}-serve.log",
                env=python_env(BATON_DATABASE_URL=database_url)):
        s["rma"] = open_returns(port, database_url, log)
        browsers = {role: sign_in(port, f"{role}@bench.example") for role in ROLES}
        browsers["public"] = Browser(port)
        browsers["shopper"] = Browser(port)
        status, _, _ = browsers["shopper"].request("GET", link)
        if status != 303:
            raise RuntimeError(f"the portal link answered {status}")
        timings = [Timing(page) for page in pages(s)]
        try:
            for _ in range(args.requests):
                for timing in timings:
                    status, _, ms = browsers[timing.page.who].request("GET", timing.page.path)
                    timing.statuses.append(status)
                    timing.ms.append(ms)
        finally:
            for browser in browsers.values():
                browser.close()
    return {"label": label, "seed_seconds": seed_seconds, "pages": [t.summary() for t in timings]}


# -- the report ----------------------------------------------------------------------------------------------------
def failures(results: list[dict[str, Any]]) -> list[str]:
    found = []
    for run in results:
        for p in run["pages"]:
            where = f"{run['label']}: {p['name']} as {p['who']} ({p['path']})"
            if p["statuses"] != [200]:
                found.append(f"{where} answered {', '.join(map(str, p['statuses']))}")
            if p["max"] >= LIMIT_MS:
                found.append(f"{where} took {p['max']:,.0f} ms (limit {LIMIT_MS:,.0f} ms)")
    return found


def section(results: list[dict[str, Any]], args: argparse.Namespace, argv: list[str], pg_version: str | None,
            failed: list[str]) -> str:
    lines = [f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "",
             f"Command: `python -m bench.pages {' '.join(argv)}`".replace("`python -m bench.pages `",
                                                                         "`python -m bench.pages`"),
             "", f"Demo shop: `baton seed --orders {args.orders}` plus 3 returns asked for through the API; "
             "`baton serve --no-worker` (one process); "
             f"{args.requests} request(s) per page, round-robin over the pages, one keep-alive client on the same "
             "machine. Times in ms, client-measured (server time plus a loopback round trip); *first* is the "
             "page's first request (cold) and counts in *max*.", "",
             "| machine | |", "|---|---|"]
    facts = machine.describe(pg_version)
    if not args.postgres:
        facts["PostgreSQL"] = "not used (no --postgres)"
    lines += [f"| {k} | {v} |" for k, v in facts.items()]
    for run in results:
        lines += ["", f"#### {run['label']} (seeded in {run['seed_seconds']:.0f} s)", "",
                  "| page | as | first | p50 | p95 | max | status |", "|---|---|---:|---:|---:|---:|---|"]
        for p in run["pages"]:
            slow = " **≥ 1 s**" if p["max"] >= LIMIT_MS else ""
            status = ", ".join(map(str, p["statuses"]))
            lines.append(f"| {p['name']} | {p['who']} | {p['first']:,.1f} | {p['p50']:,.1f} | {p['p95']:,.1f} | "
                         f"{p['max']:,.1f}{slow} | {status if status == '200' else f'**{status}**'} |")
        slowest = max(run["pages"], key=lambda p: p["max"])
        lines += ["", f"Slowest: {slowest['name']} ({slowest['max']:,.1f} ms at most)."]
    lines += ["", "**FAIL**: " + "; ".join(failed) if failed else "Every page answered 200 in under 1 s."]
    return "\n".join(lines)


def update(path: Path, text: str) -> None:
    """Newest run first under HEADING, which is appended at the end of the file the first time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    current = path.read_text() if path.exists() else ""
    if HEADING in current:
        head, _, tail = current.partition(HEADING)
        new = f"{head}{HEADING}\n\n{text.strip()}\n\n{tail.lstrip()}"
    else:
        new = f"{current.rstrip()}\n\n{HEADING}\n\n{text.strip()}\n" if current else f"{HEADING}\n\n{text.strip()}\n"
    path.write_text(new.rstrip() + "\n")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--orders", type=int, default=2000, help="baton seed --orders")
    p.add_argument("--requests", type=int, default=20, help="requests per page")
    p.add_argument("--postgres", action="store_true", help="measure on PostgreSQL too")
    p.add_argument("--pg-url", help=f"PostgreSQL server (default $BATON_BENCH_POSTGRES_URL, "
                                    f"$BATON_TEST_POSTGRES_URL or {DEFAULT_PG})")
    p.add_argument("--database", default="baton_bench_pages", help="PostgreSQL database, dropped and recreated")
    p.add_argument("--report", type=Path, default=ROOT / "bench" / "RESULTS.md", help="Markdown report to update")
    args = p.parse_args(argv)
    if args.orders < 1 or args.requests < 1:
        p.error("--orders and --requests must be at least 1")
    env = os.environ
    args.pg_url = args.pg_url or env.get("BATON_BENCH_POSTGRES_URL") or env.get("BATON_TEST_POSTGRES_URL") or DEFAULT_PG
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    results, pg_version = [], None
    with tempfile.TemporaryDirectory(prefix="baton-pages-") as tmp:
        work = Path(tmp)
        try:
            results.append(measure("SQLite", f"sqlite:///{work / 'demo.db'}", args, work))
            if args.postgres:
                pg = Postgres(args.pg_url, args.database)
                pg.recreate()
                pg_version = pg.version()
                try:
                    results.append(measure("PostgreSQL", pg.sqlalchemy_url, args, work))
                finally:
                    pg.drop()
        except Exception:  # a step broke: say where, with the logs, before the directory goes
            traceback.print_exc()
            for log in sorted(work.glob("*.log")):
                print(f"--- {log.name} (last lines) ---\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            return 2
    failed = failures(results)
    text = section(results, args, argv, pg_version, failed)
    update(args.report, text)
    print(text)
    print(f"\nWritten to {args.report}.")
    for failure in failed:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
