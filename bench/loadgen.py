"""The load generator: one process, one uvloop event loop, N closed-loop virtual clients on keep-alive connections.

    python -m bench.loadgen PLAN.json RESULT.json

PLAN names the base URL, the concurrency levels, the seconds per level, the operation mix (weights of `place`,
`availability`, `track`, `fulfil`, `ping`) and the shop's data (SKUs, scarce SKUs, pickup stores' assortments,
addresses). Each level runs `warmup` seconds unmeasured, then `duration` seconds measured: only requests that
complete inside the measured window count. Each client has its own HTTP/1.1 connection (bench/http_client.py, a
lean client: request bytes prepared ahead, answers parsed by httptools), plus a second one for a moment when it
sends twins. Request bodies are built and serialised before the clock starts; response bodies are parsed (orjson)
only where the next step needs them: the ids of created orders, fulfilment orders and problem codes. A request
without a complete answer (dropped connection, timeout) counts as `exc <error>` and the client reconnects.

RESULT holds, per level, every operation's count, throughput, latency percentiles and outcomes (HTTP status and
problem code; `409 out_of_stock (expected)` when the order asked for a scarce SKU), the generator's own CPU use,
and across the run every acknowledged order (Idempotency-Key, id, number, line count) plus the outcome of every
deliberate retry, for the checks that follow.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import sys
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.http_client import Connection, Requests, Response, request_line
from bench.machine import busy_share, cpu_times
from bench.stats import summarize

CHANNELS = ["web", "web", "web", "app", "app", "marketplace", "store", "phone", "b2b"]
CARRIERS = ["UPS", "FedEx", "USPS", "DHL"]
LINE_COUNTS = [1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5]  # 1-5 lines, mostly small
QUANTITIES = [1, 1, 1, 1, 1, 1, 1, 2, 2, 3]
OK_LABELS = ("200", "201", "409 out_of_stock (expected)")
NO_ANSWER = Response(0, b"", False)


@dataclass
class OrderBody:
    body: bytes
    scarce: bool
    lines: int


@dataclass
class Plan:
    base_url: str
    levels: list[int]
    duration: float
    warmup: float
    mix: dict[str, float]
    data: dict[str, Any]
    run_id: str = "bench"
    seed: int = 1
    retry_share: float = 0.02  # of placements: half re-send an acknowledged key+body later, half send twins at once
    scarce_share: float = 0.04  # of ship orders: one line asks for a scarce SKU
    pickup_share: float = 0.10
    body_pool: int = 4000
    timeout: float = 60.0
    token: str = ""  # bearer token for the authenticated routes (an integration token)

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        return cls(**json.loads(Path(path).read_text()))


@dataclass
class Recorder:
    """Latencies and outcomes per operation, for requests that complete inside the measured window."""

    start: float = 0.0
    end: float = float("inf")
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    outside: Counter[str] = field(default_factory=Counter)  # failures in the warm-up or finishing after the end
    slowest_outside: float = 0.0

    def add(self, op: str, t0: float, t1: float, label: str) -> None:
        if self.start <= t1 <= self.end:
            self.outcomes[op][label] += 1
            if not label.startswith("exc "):
                self.latencies[op].append((t1 - t0) * 1000.0)
            return
        self.slowest_outside = max(self.slowest_outside, (t1 - t0) * 1000.0)
        if label not in OK_LABELS:
            self.outside[f"{op}: {label}"] += 1

    def result(self, elapsed: float) -> dict[str, Any]:
        ops = {}
        for op in sorted(self.outcomes):
            outcomes = self.outcomes[op]
            count = sum(outcomes.values())
            ok = sum(n for label, n in outcomes.items() if label in OK_LABELS)
            ops[op] = {"count": count, "rps": count / elapsed if elapsed else 0.0, "ok": ok,
                       "errors": count - ok, "outcomes": dict(outcomes), **summarize(self.latencies[op])}
        return ops


class Shop:
    """Pre-built requests and what the run has learned: created orders, fulfilment orders to work."""

    def __init__(self, plan: Plan):
        self.plan = plan
        rnd = random.Random(plan.seed)
        data = plan.data
        self.rnd = rnd
        self.skus: list[str] = data["skus"]
        self.hot: list[str] = data["hot"]
        self.scarce: list[str] = data["scarce"]
        self.pickup: dict[str, list[str]] = {k: v for k, v in data["pickup"].items() if v}
        self.locations: list[str] = data["locations"]
        self.addresses: list[dict[str, Any]] = data["addresses"]
        uses = {op for op, weight in plan.mix.items() if weight > 0}
        ordering = bool(uses & {"place", "track"})  # tracking falls back to placing while nothing is tracked yet
        self.bodies = [self._order_body(rnd) for _ in range(plan.body_pool)] if ordering else []
        self.availability_urls = [self._availability_url(rnd) for _ in range(2000)] if "availability" in uses else []
        self.requests = Requests(plan.base_url, plan.token)  # request bytes, encoded before the clock starts
        self.availability_requests = [self.requests.get(url) for url in self.availability_urls]
        self.ping_request = self.requests.get("/ping")
        self.ship_bodies = [orjson.dumps({"carrier": CARRIERS[i % len(CARRIERS)], "tracking_number":
                                          f"1ZBENCH{i:08d}", "service": "ground"}) for i in range(1000)]
        self.tracking_ids: list[str] = list(data.get("tracking", []))  # of orders created in this run (or before)
        self.work: deque[tuple[str, str, bool]] = deque()  # (fulfilment order id, next action, pickup?)
        self.known_fos: set[str] = set()
        self.acknowledged: list[tuple[str, str, str, int]] = []  # (key, order id, number, lines)
        self.replayable: deque[tuple[str, bytes, str]] = deque(maxlen=500)  # (key, body, order id)
        self.retries: list[dict[str, Any]] = []
        self.samples_5xx: list[str] = []
        self.server_errors = 0  # 5xx answers over the whole run, warm-up included
        self.place_exceptions = 0  # placements without an answer (timeouts, dropped connections)
        self.sequence = 0

    # -- request building (before the clock starts) -----------------------------------------------------
    def _pick_skus(self, rnd: random.Random, count: int, pool: list[str]) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < min(count, len(pool)):
            sku = rnd.choice(self.hot) if pool is self.skus and rnd.random() < 0.1 else rnd.choice(pool)
            if sku not in chosen:
                chosen.append(sku)
        return chosen

    def _order_body(self, rnd: random.Random) -> OrderBody:
        n = rnd.randrange(1_000_000)
        name = f"Bench Buyer {n}"
        body: dict[str, Any] = {
            "channel": rnd.choice(CHANNELS), "currency": "USD",
            "customer": {"email": f"buyer{n % 20000}@bench.example", "name": name},
        }
        scarce = False
        if self.pickup and rnd.random() < self.plan.pickup_share:
            store = rnd.choice(sorted(self.pickup))
            skus = self._pick_skus(rnd, min(rnd.choice(LINE_COUNTS), 3), self.pickup[store])
            body.update(delivery_method="pickup", pickup_location=store,
                        billing_address=rnd.choice(self.addresses))
            lines = [{"sku": sku, "quantity": 1} for sku in skus]
        else:
            skus = self._pick_skus(rnd, rnd.choice(LINE_COUNTS), self.skus)
            lines = [{"sku": sku, "quantity": rnd.choice(QUANTITIES)} for sku in skus]
            if self.scarce and rnd.random() < self.plan.scarce_share:
                lines[-1] = {"sku": rnd.choice(self.scarce), "quantity": 1}
                scarce = True
            body["shipping_address"] = {**rnd.choice(self.addresses), "name": name}
            body["shipping"] = rnd.choice(["0", "4.99", "9.99"])
        if rnd.random() < 0.1:
            body["discounts"] = [{"code": "BENCH1", "amount": "1.00"}]
        body["lines"] = lines
        return OrderBody(orjson.dumps(body), scarce, len(lines))

    def _availability_url(self, rnd: random.Random) -> str:
        count = rnd.choice([1, 1, 2, 3])
        skus = [rnd.choice(self.scarce) if self.scarce and rnd.random() < 0.05 else rnd.choice(self.skus)
                for _ in range(count)]
        return "/api/v1/availability?" + "&".join(f"sku={sku}" for sku in skus)

    def next_key(self, client: int) -> str:
        self.sequence += 1
        return f"{self.plan.run_id}-{client}-{self.sequence}"

    def connection(self) -> Connection:
        return Connection(self.requests.host, self.requests.port, self.plan.timeout)

    # -- what responses teach us ---------------------------------------------------------------------------
    def learn_order(self, key: str, body: bytes, data: bytes, replay: bool) -> str | None:
        order = orjson.loads(data)
        if not replay:
            self.acknowledged.append((key, order["id"], order["number"], len(order["lines"])))
            self.replayable.append((key, body, order["id"]))
            self.tracking_ids.append(order["tracking_id"])
            pickup = order["delivery_method"] == "pickup"
            for fo in order["fulfillment_orders"]:
                self.offer(fo, pickup)
        return str(order["id"])

    def offer(self, fo: dict[str, Any], pickup: bool) -> None:
        """A fulfilment order worth working: open, not yet known, every unit in stock."""
        if fo["status"] != "open" or fo["id"] in self.known_fos:
            return
        if any(line.get("awaiting_stock") for line in fo["lines"]):
            return
        self.known_fos.add(fo["id"])
        if len(self.work) < 20000:
            self.work.append((fo["id"], "accept", pickup))


class Client:
    """One virtual client: picks an operation by weight, sends it, waits for the answer, repeats."""

    def __init__(self, index: int, shop: Shop, http: Connection, recorder: Recorder, seed: int):
        self.index = index
        self.shop = shop
        self.http = http
        self.rec = recorder
        self.rnd = random.Random(seed)
        mix = shop.plan.mix
        self.ops = [op for op, weight in mix.items() if weight > 0]
        self.cum_weights = list(itertools.accumulate(mix[op] for op in self.ops))  # what choices() would sum
        self.requests = shop.requests

    async def run(self, stop_at: float) -> None:
        while time.perf_counter() < stop_at:
            op = self.rnd.choices(self.ops, cum_weights=self.cum_weights)[0]
            await getattr(self, op)()

    async def _send(self, op: str, wire: bytes) -> Response:
        t0 = time.perf_counter()
        try:
            response = await self.http.request(wire)
        except OSError as exc:  # no complete answer: refused, reset, closed, timed out, unparseable
            self.rec.add(op, t0, time.perf_counter(), f"exc {type(exc).__name__}")
            return NO_ANSWER
        t1 = time.perf_counter()
        status = response.status
        label = str(status)
        if status >= 400:
            label = f"{status} {_code(response.body)}"
            if status >= 500:
                self._server_error(request_line(wire), status, response.body)
        self.rec.add(op, t0, t1, label)
        return response

    def _server_error(self, what: str, status: int, data: bytes) -> None:
        self.shop.server_errors += 1
        if len(self.shop.samples_5xx) < 10:
            self.shop.samples_5xx.append(f"{what} -> {status}: {data[:500].decode(errors='replace')}")

    # -- operations -----------------------------------------------------------------------------------------
    async def place(self) -> None:
        shop = self.shop
        roll = self.rnd.random()
        if roll < shop.plan.retry_share / 2 and shop.replayable:
            await self._late_retry()
            return
        if roll < shop.plan.retry_share:
            await self._twins()
            return
        order = self.rnd.choice(shop.bodies)
        key = shop.next_key(self.index)
        await self._place(order, key, "place_order")

    async def _place(self, order: OrderBody, key: str, op: str,
                     http: Connection | None = None) -> tuple[int, str | None, bool]:
        wire = self.requests.post("/api/v1/orders", order.body, b"Idempotency-Key: %s\r\n" % key.encode())
        t0 = time.perf_counter()
        try:
            response = await (http or self.http).request(wire)
        except OSError as exc:  # as in _send; the order may exist all the same, which the checks allow for
            self.shop.place_exceptions += 1
            self.rec.add(op, t0, time.perf_counter(), f"exc {type(exc).__name__}")
            return 0, None, False
        t1 = time.perf_counter()
        status, data, replayed = response
        order_id = None
        if status == 201:
            label = "201"
            order_id = self.shop.learn_order(key, order.body, data, replayed)
        else:
            code = _code(data)
            if status == 409 and code == "out_of_stock":
                label = "409 out_of_stock (expected)" if order.scarce else "409 out_of_stock (UNEXPECTED)"
            else:
                label = f"{status} {code}"
            if status >= 500:
                self._server_error("POST /api/v1/orders", status, data)
        self.rec.add(op, t0, t1, label)
        return status, order_id, replayed

    async def _late_retry(self) -> None:
        """Re-send an acknowledged request, key and body as before: the same order must come back."""
        key, body, first_id = self.rnd.choice(self.shop.replayable)
        status, order_id, replayed = await self._place(OrderBody(body, False, 0), key, "place_order (retry)")
        self.shop.retries.append({"kind": "late", "key": key, "expected": first_id, "status": status,
                                  "got": order_id, "replayed": replayed})

    async def _twins(self) -> None:
        """The same request twice at once (a double click): at most one order, both answers agree."""
        order = self.rnd.choice(self.shop.bodies)
        key = self.shop.next_key(self.index) + "-twin"
        second = self.shop.connection()
        with contextlib.suppress(OSError):  # connected first so both leave together; a failure shows in its answer
            await second.open()
        try:
            (s1, id1, r1), (s2, id2, r2) = await asyncio.gather(
                self._place(order, key, "place_order"), self._place(order, key, "place_order (retry)", second))
        finally:
            second.close()
        self.shop.retries.append({"kind": "twins", "key": key, "statuses": [s1, s2], "ids": [id1, id2],
                                  "replayed": [r1, r2]})

    async def availability(self) -> None:
        await self._send("availability", self.rnd.choice(self.shop.availability_requests))

    async def track(self) -> None:
        ids = self.shop.tracking_ids
        if not ids:
            await self.place()
            return
        await self._send("track", self.requests.get(f"/api/v1/track/{ids[self.rnd.randrange(len(ids))]}"))

    async def fulfil(self) -> None:
        shop = self.shop
        if not shop.work:
            location = self.rnd.choice(shop.locations)
            status, data, _ = await self._send("fulfil: queue", self.requests.get(
                f"/api/v1/fulfillment-orders?location={location}&status=open&limit=20"))
            if status == 200:
                for item in orjson.loads(data)["items"]:
                    shop.offer(item, item["delivery_method"] == "pickup")
            return
        fo_id, action, pickup = shop.work.popleft()
        path = f"/api/v1/fulfillment-orders/{fo_id}/{action}"
        if action == "ship":
            await self._send("fulfil: ship", self.requests.post(path, self.rnd.choice(shop.ship_bodies)))
            return
        status, _, _ = await self._send(f"fulfil: {action}", self.requests.post(path))
        following = {"accept": "pack" if pickup else "ship", "pack": "deliver"}.get(action)
        if status == 200 and following:  # finish what was started before opening more
            shop.work.appendleft((fo_id, following, pickup))

    async def ping(self) -> None:
        await self._send("ping", self.shop.ping_request)


def _code(data: bytes) -> str:
    try:
        return str(orjson.loads(data).get("code", "?"))
    except (orjson.JSONDecodeError, AttributeError):
        return "?"


async def run_level(shop: Shop, concurrency: int, level_index: int) -> dict[str, Any]:
    plan = shop.plan
    recorder = Recorder()
    now = time.perf_counter()
    recorder.start = now + plan.warmup
    recorder.end = recorder.start + plan.duration
    clients = [Client(i, shop, shop.connection(), recorder, seed=plan.seed * 100_003 + level_index * 1009 + i)
               for i in range(concurrency)]
    try:
        tasks = [asyncio.create_task(c.run(recorder.end)) for c in clients]
        await asyncio.sleep(max(0.0, recorder.start - time.perf_counter()))
        cpu0, machine0 = time.process_time(), cpu_times()
        await asyncio.sleep(max(0.0, recorder.end - time.perf_counter()))
        cpu1, machine1 = time.process_time(), cpu_times()
        await asyncio.gather(*tasks)
    finally:
        for client in clients:
            client.http.close()
    ops = recorder.result(plan.duration)
    total = sum(op["count"] for op in ops.values())
    return {
        "concurrency": concurrency, "duration": plan.duration, "ops": ops, "total_rps": total / plan.duration,
        "outside_window": dict(recorder.outside), "slowest_outside_ms": recorder.slowest_outside,
        "generator_cpu": (cpu1 - cpu0) / plan.duration, "machine_busy": busy_share(machine0, machine1),
    }


async def main_async(plan: Plan) -> dict[str, Any]:
    shop = Shop(plan)
    levels = [await run_level(shop, concurrency, index) for index, concurrency in enumerate(plan.levels)]
    return {
        "levels": levels,
        "acknowledged": shop.acknowledged,
        "retries": shop.retries,
        "tracking_sample": random.Random(plan.seed).sample(shop.tracking_ids, min(5000, len(shop.tracking_ids))),
        "samples_5xx": shop.samples_5xx,
        "server_errors": shop.server_errors,
        "place_exceptions": shop.place_exceptions,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m bench.loadgen PLAN.json RESULT.json", file=sys.stderr)
        return 2
    plan = Plan.load(args[0])
    try:
        import uvloop

        result = uvloop.run(main_async(plan))
    except ImportError:  # uvloop comes with uvicorn[standard]; plain asyncio still works, slower
        result = asyncio.run(main_async(plan))
    Path(args[1]).write_bytes(orjson.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
