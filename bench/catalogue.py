"""The benchmark shop: locations, products and stock, generated deterministically and loaded in bulk.

PostgreSQL gets it through COPY, SQLite through SQLAlchemy Core executemany on Baton's own table
definitions. Every stock level gets exactly one `count` ledger row whose delta is its on_hand, so the
invariant "on_hand equals the sum of the ledger" holds from the first second.

Layout (the floor's pgbench script relies on it): SKU number k is always stocked, with plenty, at warehouse
`WH-{k % warehouses:02d}`; it is also held by two more warehouses and a handful of stores. Scarce SKUs
(`SCARCE-nn`) have 1-3 units in 1-2 warehouses and run out within seconds, which is the point.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CITIES: list[tuple[str, str, str, float, float]] = [
    ("New York", "NY", "10001", 40.71, -74.01), ("Newark", "NJ", "07102", 40.74, -74.17),
    ("Philadelphia", "PA", "19103", 39.95, -75.16), ("Boston", "MA", "02108", 42.36, -71.06),
    ("Chicago", "IL", "60601", 41.88, -87.63), ("Detroit", "MI", "48201", 42.33, -83.05),
    ("Atlanta", "GA", "30303", 33.75, -84.39), ("Miami", "FL", "33130", 25.76, -80.19),
    ("Dallas", "TX", "75201", 32.78, -96.80), ("Houston", "TX", "77002", 29.76, -95.37),
    ("Denver", "CO", "80202", 39.74, -104.99), ("Phoenix", "AZ", "85004", 33.45, -112.07),
    ("Los Angeles", "CA", "90012", 34.05, -118.24), ("San Francisco", "CA", "94103", 37.77, -122.42),
    ("Seattle", "WA", "98101", 47.61, -122.33), ("Portland", "OR", "97204", 45.52, -122.68),
    ("Minneapolis", "MN", "55401", 44.98, -93.27), ("St. Louis", "MO", "63101", 38.63, -90.20),
    ("Nashville", "TN", "37203", 36.16, -86.78), ("Charlotte", "NC", "28202", 35.23, -80.84),
]
CATEGORIES = ["apparel", "shoes", "home", "kitchen", "garden", "toys", "books", "electronics", "beauty", "sports",
              "outdoor", "office"]
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Dennis", "Radia",
         "John", "Sophie", "Tim", "Karen", "Linus", "Guido", "Anita", "Leslie", "Niklaus"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Ritchie",
        "Perlman", "Backus", "Wilson", "Berners-Lee", "Jones", "Torvalds", "van Rossum", "Borg", "Lamport", "Wirth"]

WAREHOUSES_PER_SKU = 3
STORES_PER_SKU = 5
SCARCE = 20


def sku_code(k: int) -> str:
    return f"SKU-{k:05d}"


def warehouse_code(i: int) -> str:
    return f"WH-{i:02d}"


def store_code(i: int) -> str:
    return f"ST-{i:02d}"


def warehouse_count(locations: int) -> int:
    return max(1, locations // 5)


def person(n: int) -> str:
    return f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"


def address(city_index: int, n: int, name: str | None = None) -> dict[str, Any]:
    city, region, postal, lat, lon = CITIES[city_index % len(CITIES)]
    body: dict[str, Any] = {"line1": f"{100 + n % 900} Bench Street", "city": city, "region": region,
                            "postal_code": postal, "country": "US", "latitude": lat, "longitude": lon}
    if name:
        body = {"name": name, **body}
    return body


@dataclass
class Catalogue:
    skus: int
    locations: int
    seed: int = 7
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    location_rows: list[dict[str, Any]] = field(default_factory=list)
    product_rows: list[dict[str, Any]] = field(default_factory=list)
    level_rows: list[dict[str, Any]] = field(default_factory=list)
    ledger_rows: list[dict[str, Any]] = field(default_factory=list)
    scarce_skus: list[str] = field(default_factory=list)
    backorder_skus: list[str] = field(default_factory=list)
    pickup_assortment: dict[str, list[str]] = field(default_factory=dict)  # pickup store -> SKUs it holds

    def summary(self) -> dict[str, int]:
        return {"products": len(self.product_rows), "locations": len(self.location_rows),
                "stock levels": len(self.level_rows), "ledger rows": len(self.ledger_rows),
                "scarce SKUs": len(self.scarce_skus), "backorder SKUs": len(self.backorder_skus),
                "pickup stores": len(self.pickup_assortment)}

    def loadgen_data(self) -> dict[str, Any]:
        """What the load generator needs to build its requests."""
        return {
            "skus": [sku_code(k) for k in range(self.skus)],
            "hot": [sku_code(k) for k in range(0, self.skus, max(1, self.skus // 200))],
            "scarce": self.scarce_skus,
            "pickup": self.pickup_assortment,
            "locations": [row["code"] for row in self.location_rows],
            "addresses": [address(i, i * 7, person(i)) for i in range(len(CITIES) * 5)],
        }


def build(skus: int, locations: int, seed: int = 7) -> Catalogue:
    rnd = random.Random(seed)
    cat = Catalogue(skus, locations, seed)
    now = cat.now
    warehouses = warehouse_count(locations)
    stores = locations - warehouses
    for i in range(warehouses):
        _, _, _, lat, lon = CITIES[(i * 3) % len(CITIES)]
        cat.location_rows.append(_location(warehouse_code(i), f"Bench warehouse {i}", "warehouse", i * 3,
                                           lat, lon, ships=True, pickup=False, priority=1 + i, now=now))
    for i in range(stores):
        _, _, _, lat, lon = CITIES[(i * 7 + 1) % len(CITIES)]
        pickup = i % 2 == 0 or stores == 1
        cat.location_rows.append(_location(store_code(i), f"Bench store {i}", "store", i * 7 + 1,
                                           lat + rnd.uniform(-0.2, 0.2), lon + rnd.uniform(-0.2, 0.2),
                                           ships=i % 4 != 0, pickup=pickup, priority=50 + i, now=now))
        if pickup:
            cat.pickup_assortment[store_code(i)] = []

    ledger_number = 0

    def level(location: str, sku: str, on_hand: int, safety: int = 0) -> None:
        nonlocal ledger_number
        ledger_number += 1
        cat.level_rows.append({"location": location, "sku": sku, "on_hand": on_hand, "reserved": 0,
                               "safety_stock": safety, "updated_at": now})
        cat.ledger_rows.append({"id": f"inv_bench{ledger_number:013d}", "location": location, "sku": sku,
                                "kind": "count", "delta": on_hand, "on_hand_after": on_hand,
                                "reason": "bench: initial count", "actor": "bench", "reference": None,
                                "created_at": now})

    wh_step = max(1, warehouses // WAREHOUSES_PER_SKU)
    st_per_sku = min(STORES_PER_SKU, stores)
    st_step = max(1, stores // max(1, st_per_sku))
    for k in range(skus):
        sku = sku_code(k)
        backorder = k % 50 == 49
        cat.product_rows.append(_product(sku, f"Bench product {k}", CATEGORIES[k % len(CATEGORIES)],
                                         "backorder" if backorder else "stocked", 599 + (k * 37) % 19400, now))
        if backorder:
            cat.backorder_skus.append(sku)
            level(warehouse_code(k % warehouses), sku, rnd.randint(0, 3))
            continue
        held = sorted({(k + j * wh_step) % warehouses for j in range(min(WAREHOUSES_PER_SKU, warehouses))})
        for w in held:
            level(warehouse_code(w), sku, rnd.randint(400, 2000) if w == k % warehouses else rnd.randint(50, 800))
        for s in sorted({(k + j * st_step) % stores for j in range(st_per_sku)}):
            code = store_code(s)
            level(code, sku, rnd.randint(20, 200), safety=2 if s % 5 == 0 else 0)
            if code in cat.pickup_assortment:
                cat.pickup_assortment[code].append(sku)
    for n in range(SCARCE):
        sku = f"SCARCE-{n:02d}"
        cat.scarce_skus.append(sku)
        cat.product_rows.append(_product(sku, f"Scarce bench product {n}", "limited", "stocked", 9999, now))
        for w in sorted({n % warehouses, (n * 3 + 1) % warehouses})[: 1 + n % 2]:
            level(warehouse_code(w), sku, 1 + n % 3)
    return cat


def _location(code: str, name: str, kind: str, city: int, lat: float, lon: float, *, ships: bool, pickup: bool,
              priority: int, now: datetime) -> dict[str, Any]:
    addr = address(city, priority)
    return {"code": code, "name": name, "type": kind, "address": addr, "latitude": round(lat, 4),
            "longitude": round(lon, 4), "ships": ships, "pickup": pickup, "priority": priority,
            "daily_capacity": None, "active": True, "created_at": now}


def _product(sku: str, name: str, category: str, policy: str, price: int, now: datetime) -> dict[str, Any]:
    return {"sku": sku, "name": name, "category": category, "stock_policy": policy, "prices": {"USD": price},
            "weight_grams": 100 + len(name) * 10, "tax_class": "standard", "active": True, "created_at": now,
            "updated_at": now}


TABLES = ("locations", "products", "stock_levels", "inventory_ledger")


def _rows(cat: Catalogue, table: str) -> list[dict[str, Any]]:
    return {"locations": cat.location_rows, "products": cat.product_rows, "stock_levels": cat.level_rows,
            "inventory_ledger": cat.ledger_rows}[table]


def load_postgres(conninfo: str, cat: Catalogue) -> None:
    """COPY the catalogue into an empty, migrated PostgreSQL database, then ANALYZE it."""
    import psycopg
    from psycopg.types.json import Json

    with psycopg.connect(conninfo) as conn:
        with conn.cursor() as cur:
            for table in TABLES:
                rows = _rows(cat, table)
                columns = list(rows[0])
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([Json(v) if isinstance(v, dict | list) else v for v in row.values()])
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE")


def load_sqlite(url: str, cat: Catalogue) -> None:
    """Insert the catalogue into an empty, migrated SQLite database through Baton's own table types."""
    from sqlalchemy import create_engine, insert

    from baton.adapters.db import tables as t

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for table in TABLES:
                conn.execute(insert(t.metadata.tables[table]), _rows(cat, table))
    finally:
        engine.dispose()
