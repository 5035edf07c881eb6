"""Two reads in one round trip for the busiest authenticated route, GET /api/v1/availability
(entrypoints/http/fast_reads.py): the caller's token and the stock levels of the SKUs asked for.

On PostgreSQL one prepared statement returns the token's row with the stock beside it, aggregated into arrays;
a second round trip was a quarter of the route's CPU on the benchmark machine (bench/RESULTS.md). The stock is
read whatever the token turns out to allow and is dropped unless `authenticate` accepts the token: an unknown
hash returns no row at all. Elsewhere (SQLite, where a read costs no round trip) it is the two usual reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Connection, Integer, String
from sqlalchemy.types import TypeEngine

from baton.adapters.db.hot import HotRead
from baton.adapters.db.identity_repository import TOKEN_COLUMNS, token_by_hash, token_of
from baton.identity.tokens import ApiToken
from baton.inventory.queries import StockRow, stock_rows

_COLUMNS: dict[str, TypeEngine[Any]] = {
    **{c.name: c.type for c in TOKEN_COLUMNS},
    "skus": ARRAY(String()), "locations_held": ARRAY(String()), "available": ARRAY(Integer())}
_TOKEN_AND_STOCK = HotRead(
    f"SELECT {', '.join(f't.{c.name}' for c in TOKEN_COLUMNS)}, s.skus, s.locations_held, s.available "
    "FROM api_tokens t CROSS JOIN LATERAL ("
    "SELECT array_agg(sku ORDER BY sku, location) AS skus, array_agg(location ORDER BY sku, location) AS "
    "locations_held, array_agg(on_hand - reserved - safety_stock ORDER BY sku, location) AS available "
    "FROM stock_levels WHERE sku IN :skus) s "
    "WHERE t.token_hash = :token_hash", _COLUMNS, lists={"skus": String()})


def token_and_stock(conn: Connection, token_hash: str, skus: list[str]) -> tuple[ApiToken | None, list[StockRow]]:
    """The token with this hash (None: no such token, and no stock) and every stock level of `skus`, ordered by
    SKU and location, as `inventory.queries.stock_rows` reads them."""
    if conn.dialect.name != "postgresql":
        token = token_by_hash(conn, token_hash)
        return token, stock_rows(conn, skus) if token is not None else []
    row = _TOKEN_AND_STOCK.first(conn, token_hash=token_hash, skus=skus)
    if row is None:
        return None, []
    return token_of(row), list(zip(row.skus or (), row.locations_held or (), row.available or (), strict=True))
