"""Scale: a year of order history loaded in bulk, then the order list, search and order view timed over HTTP.

The rows are what Baton itself would have written for orders that were delivered, shipped or cancelled: existing
customers, `BT-<n>` numbers past the live sequence (which is then moved past them), unique tracking ids, JSON
addresses, line quantity buckets that add up, totals that match the lines. Orders and their lines go in through
COPY on two connections at once: a chunk of orders is committed before its lines follow, so foreign keys are
checked as usual and nothing is switched off.
"""

from __future__ import annotations

import asyncio
import queue
import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bench.catalogue import CITIES, address, person, sku_code
from bench.processes import first_row, scalar
from bench.stats import summarize

CHANNELS = ["web", "web", "web", "app", "app", "marketplace", "store", "phone", "b2b"]
STATUSES = [("delivered", 85), ("shipped", 8), ("cancelled", 7)]
CHUNK = 20_000  # orders per COPY transaction
SHIPPING = 499


@dataclass
class Samples:
    """Values to search for afterwards: taken from the loaded rows, so every query can find something."""

    ids: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None


class _Writer(threading.Thread):
    """Feeds COPY chunks to one connection, one transaction per chunk; `done[k]` is set once chunk k committed."""

    def __init__(self, conninfo: str, copy_sql: str, waits: list[threading.Event] | None = None):
        super().__init__(daemon=True)
        self.conninfo = conninfo
        self.copy_sql = copy_sql
        self.waits = waits
        self.chunks: queue.Queue[tuple[int, bytes] | None] = queue.Queue(maxsize=4)
        self.done: list[threading.Event] = []
        self.error: BaseException | None = None
        self.rows = 0

    def run(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.conninfo) as conn:
                conn.execute("SET synchronous_commit = off")
                while (item := self.chunks.get()) is not None:
                    index, data = item
                    if self.waits is not None:
                        self.waits[index].wait()
                    with conn.cursor().copy(self.copy_sql) as copy:
                        copy.write(data)
                    conn.commit()
                    self.done[index].set()
        except BaseException as exc:  # reported by put() and join()
            self.error = exc

    def put(self, index: int, data: bytes) -> None:
        while True:
            if self.error is not None:
                raise RuntimeError(f"COPY failed: {self.error}") from self.error
            try:
                self.chunks.put((index, data), timeout=0.5)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        self.chunks.put(None)
        self.join()
        if self.error is not None:
            raise RuntimeError(f"COPY failed: {self.error}") from self.error


def load(conninfo: str, orders: int, skus: int, seed: int = 11) -> dict[str, Any]:
    """Load `orders` orders (3 lines each on average) and their customers; returns counts, timings, samples."""
    import psycopg

    rnd = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=365)
    customers = max(50, orders // 10)
    t0 = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        sequence = scalar(conn, "SELECT pg_get_serial_sequence('order_number_seq', 'value')")
        last, called = first_row(conn, f"SELECT last_value, is_called FROM {sequence}")
        base = int(last) + 1 if called else int(last)
        stamp = start.isoformat()
        with conn.cursor().copy("COPY customers (id, email, name, phone, created_at) FROM STDIN") as copy:
            copy.write("".join(f"cus_scale{c:014d}\tcustomer{c}@scale.bench.example\t{person(c)}\t\\N\t{stamp}\n"
                               for c in range(customers)).encode())
        conn.commit()
    t_customers = time.perf_counter() - t0

    chunks = (orders + CHUNK - 1) // CHUNK
    order_writer = _Writer(conninfo, "COPY orders (id, number, tracking_id, channel, currency, customer_id, "
                           "customer_email, customer_name, customer_phone, shipping_address, billing_address, "
                           "delivery_method, pickup_location, shipping, discounts, status, fulfillment_status, total, "
                           "placed_at, updated_at, version) FROM STDIN")
    order_writer.done = [threading.Event() for _ in range(chunks)]
    line_writer = _Writer(conninfo, "COPY order_lines (id, order_id, position, sku, name, unit_price, quantity, "
                          "stock_policy, discount, cancelled, allocated, shipped, delivered, return_requested, "
                          "returned, written_off) FROM STDIN", waits=order_writer.done)
    line_writer.done = [threading.Event() for _ in range(chunks)]
    order_writer.start()
    line_writer.start()
    samples = Samples()
    lines_total = 0
    try:
        for index, (order_data, line_data, count) in enumerate(
                _chunks(rnd, orders, customers, skus, base, start, now, samples)):
            order_writer.put(index, order_data)
            line_writer.put(index, line_data)
            lines_total += count
    finally:
        order_writer.finish()
        line_writer.finish()
    t_rows = time.perf_counter() - t0 - t_customers

    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"SELECT setval('{sequence}', {base + orders}, true)")
        t1 = time.perf_counter()
        conn.execute("ANALYZE customers, orders, order_lines")
        t_analyze = time.perf_counter() - t1
    total = t_customers + t_rows
    return {
        "orders": orders, "lines": lines_total, "customers": customers,
        "seconds": total, "seconds_customers": t_customers, "seconds_orders_and_lines": t_rows,
        "seconds_analyze": t_analyze,
        "orders_per_s": orders / total if total else 0.0, "lines_per_s": lines_total / total if total else 0.0,
        "rows_per_s": (orders + lines_total + customers) / total if total else 0.0,
        "samples": {"ids": samples.ids, "numbers": samples.numbers, "emails": samples.emails,
                    "first": samples.first.isoformat() if samples.first else None,
                    "last": samples.last.isoformat() if samples.last else None},
    }


def _chunks(rnd: random.Random, orders: int, customers: int, skus: int, base: int, start: datetime, now: datetime,
            samples: Samples) -> Iterator[tuple[bytes, bytes, int]]:
    """COPY text for orders and their lines, CHUNK orders at a time, in the order they were placed."""
    addresses = [address(i, i * 13) for i in range(len(CITIES) * 5)]
    address_json = [
        [_json({"name": person(c), **a}) for a in addresses] for c in range(len(CITIES) * 20)
    ]  # by customer name (person() repeats every 400) and address
    catalogue = []
    for k in range(skus):
        policy = "backorder" if k % 50 == 49 else "stocked"
        catalogue.append((f"{sku_code(k)}\tBench product {k}\t", 599 + (k * 37) % 19400, f"\t{policy}\t0\t"))
    buckets = {  # status -> quantity -> cancelled, allocated, shipped, delivered, return_requested, returned, w/o
        "delivered": {q: f"0\t0\t{q}\t{q}\t0\t0\t0\n" for q in (1, 2, 3)},
        "shipped": {q: f"0\t0\t{q}\t0\t0\t0\t0\n" for q in (1, 2, 3)},
        "cancelled": {q: f"{q}\t0\t0\t0\t0\t0\t0\n" for q in (1, 2, 3)},
    }
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    span = (now - start).total_seconds()
    step = span / max(1, orders)
    origin = start.timestamp()
    sample_every = max(1, orders // 1000)
    random_state = rnd.random
    for first in range(0, orders, CHUNK):
        order_rows: list[str] = []
        line_rows: list[str] = []
        for i in range(first, min(first + CHUNK, orders)):
            at = datetime.fromtimestamp(origin + (i + random_state()) * step, UTC)
            stamp = at.isoformat()
            customer = rnd.randrange(customers)
            status = statuses[rnd.randrange(100)]
            order_id = f"ord_s{i:021d}"
            subtotal = 0
            for position in range(1 + (i * 3) % 5):  # 1, 4, 2, 5, 3: three lines per order on average
                sku, price, policy = catalogue[rnd.randrange(skus)]
                quantity = 1 + rnd.randrange(3)
                subtotal += price * quantity
                line_rows.append(f"lin_s{i:018d}_{position}\t{order_id}\t{position}\t{sku}{price}\t{quantity}"
                                 f"{policy}{buckets[status][quantity]}")
            total = 0 if status == "cancelled" else subtotal + SHIPPING
            fulfillment = status
            name = person(customer)
            number = f"BT-{100000 + base + i}"
            order_rows.append(
                f"{order_id}\t{number}\t{secrets.token_urlsafe(16)}\t{CHANNELS[i % len(CHANNELS)]}\tUSD\t"
                f"cus_scale{customer:014d}\tcustomer{customer}@scale.bench.example\t{name}\t\\N\t"
                f"{address_json[customer % len(address_json)][customer % len(addresses)]}\t\\N\tship\t\\N\t"
                f"{SHIPPING}\t[]\t{status}\t{fulfillment}\t{total}\t{stamp}\t{stamp}\t3\n")
            if i % sample_every == 0:
                samples.ids.append(order_id)
                samples.numbers.append(number)
                samples.emails.append(f"customer{customer}@scale.bench.example")
                samples.first = samples.first or at
                samples.last = at
        yield "".join(order_rows).encode(), "".join(line_rows).encode(), len(line_rows)


def _json(value: dict[str, Any]) -> str:
    import json

    return json.dumps(value, separators=(", ", ": "))


# -- timing the read side ----------------------------------------------------------------------------------------
def queries(loaded: dict[str, Any], skus: int, requests: int, seed: int = 5) -> dict[str, list[str]]:
    """Request paths per query kind, drawn from the loaded rows."""
    rnd = random.Random(seed)
    samples = loaded["samples"]
    first = datetime.fromisoformat(samples["first"])
    last = datetime.fromisoformat(samples["last"])
    span_days = max(1, (last - first).days - 30)

    def window() -> str:
        frm = first + timedelta(days=rnd.randrange(span_days))
        to = frm + timedelta(days=30)
        status = rnd.choice(["delivered", "shipped", "cancelled"])
        return (f"/api/v1/orders?status={status}&placed_from={frm.strftime('%Y-%m-%dT%H:%M:%SZ')}"
                f"&placed_to={to.strftime('%Y-%m-%dT%H:%M:%SZ')}&limit=50")

    def pick(values: list[str]) -> str:
        return values[rnd.randrange(len(values))]

    return {
        "list newest (limit=50)": ["/api/v1/orders?limit=50"] * requests,
        "search ?email=": [f"/api/v1/orders?email={pick(samples['emails'])}&limit=50" for _ in range(requests)],
        "search ?sku=": [f"/api/v1/orders?sku={sku_code(rnd.randrange(skus))}&limit=50" for _ in range(requests)],
        "search ?status=&placed_from=&placed_to=": [window() for _ in range(requests)],
        "search ?number=": [f"/api/v1/orders?number={pick(samples['numbers'])}" for _ in range(requests)],
        "order view /orders/{id}": [f"/api/v1/orders/{pick(samples['ids'])}" for _ in range(requests)],
    }


async def _time(base_url: str, paths: list[str], concurrency: int, token: str) -> dict[str, Any]:
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    empty = 0
    pending = iter(paths)
    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60),
                                     headers=headers) as http:

        async def client() -> None:
            nonlocal empty
            for path in pending:
                t0 = time.perf_counter()
                async with http.get(base_url + path) as response:
                    data = await response.read()
                latencies.append((time.perf_counter() - t0) * 1000.0)
                outcomes[str(response.status)] += 1
                if data.startswith(b'{"items":[]'):
                    empty += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    return {"count": len(latencies), "rps": len(latencies) / elapsed if elapsed else 0.0,
            "outcomes": dict(outcomes), "empty_lists": empty, **summarize(latencies)}


def time_queries(base_url: str, paths: dict[str, list[str]], concurrency: int,
                 warm: int = 0, token: str = "") -> dict[str, dict[str, Any]]:
    """Per query kind: the first `warm` paths warm connections and caches unmeasured, the rest are timed."""

    async def all_kinds() -> dict[str, dict[str, Any]]:
        results = {}
        for name, kind_paths in paths.items():
            if warm:
                await _time(base_url, kind_paths[:warm], concurrency, token)
            results[name] = await _time(base_url, kind_paths[warm:], concurrency, token)
        return results

    return asyncio.run(all_kinds())
