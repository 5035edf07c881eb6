"""Routes for stock levels, movements, the ledger and availability."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import Connection

from baton.adapters.db.uow import Replay
from baton.entrypoints.http.auth import allow, read_connection
from baton.entrypoints.http.deps import ContainerDep, IdempotencyKey, fast_json, idempotent
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.schemas import (
    AvailabilityList,
    CountIn,
    LedgerList,
    MovementIn,
    ReorderPointIn,
    StockLevelOut,
)
from baton.identity.permissions import Action
from baton.inventory import queries, services
from baton.inventory.model import MovementKind
from baton.shared.actor import Actor
from baton.shared.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["inventory"])
Reader = Annotated[Actor, allow(Action.INVENTORY_READ)]
Writer = Annotated[Actor, allow(Action.INVENTORY_WRITE)]
SKUS_PER_REQUEST = 200  # the most `sku` parameters one availability request may repeat (fast_reads.py too)


# First in the router (and the router early in the app): routes are matched in order, one by one, and this
# is the busiest authenticated read. Its happy path is usually answered by fast_reads.py, which calls `available`.
@router.get("/availability", response_model=AvailabilityList, responses=guarded(422))
async def availability(request: Request, actor: Annotated[Actor, allow(Action.INVENTORY_READ, share=True)],
                 sku: Annotated[list[str], Query(min_length=1, max_length=SKUS_PER_REQUEST,
                                                 description="Repeat for several.")]
                 ) -> Response:
    """Available units per SKU, in total and per location (on_hand − reserved − safety_stock, never below 0)."""
    # async on purpose: one indexed read that never waits on a lock (autocommit MVCC read, or a WAL reader on
    # SQLite) is cheaper run on the event loop than handed to a thread; see bench/RESULTS.md.
    return available(read_connection(request), sku, actor)


def available(conn: Connection, skus: list[str], actor: Actor) -> Response:
    """The answer of GET /availability for valid `skus` (repeats allowed) and an actor allowed inventory.read."""
    return fast_json({"items": queries.availability(conn, list(dict.fromkeys(skus)), actor.locations)})


def available_in(rows: list[queries.StockRow], skus: list[str], actor: Actor) -> Response:
    """`available`'s answer from the stock rows of `skus` already read (fast_reads.py)."""
    return fast_json({"items": queries.availability_of(rows, list(dict.fromkeys(skus)), actor.locations)})


def _level(container: ContainerDep, actor: Actor, location_code: str, sku: str) -> dict:
    level = None
    if actor.reaches(location_code):  # another location's stock is as good as absent for a scoped actor
        with container.reads.connect() as conn:
            level = queries.stock_level(conn, location_code, sku)
    if level is None:
        raise NotFound(f"No stock level for {sku} at {location_code}.", code="stock_level_not_found")
    return level


@router.put("/inventory/{location_code}/{sku}", response_model=StockLevelOut, responses=guarded(404, 422))
def count_stock(location_code: str, sku: str, body: CountIn, container: ContainerDep, actor: Writer) -> dict:
    """Set the counted quantity: on_hand becomes `on_hand`, the difference goes to the ledger."""
    services.set_on_hand(container.uow(actor=actor), location_code, sku, body.on_hand, body.reason, actor.label,
                         body.safety_stock)
    return _level(container, actor, location_code, sku)


@router.put("/inventory/{location_code}/{sku}/reorder-point", response_model=StockLevelOut,
            responses=guarded(404, 422))
def set_reorder_point(location_code: str, sku: str, body: ReorderPointIn, container: ContainerDep,
                      actor: Writer) -> dict:
    """Set (or with null remove) the reorder point: inventory.low_stock is announced once when available falls
    to or below it, and again only after it rose above."""
    services.set_reorder_point(container.uow(actor=actor), location_code, sku, body.reorder_point)
    return _level(container, actor, location_code, sku)


@router.post("/inventory/{location_code}/{sku}/movements", status_code=201, response_model=StockLevelOut,
             responses=guarded(404, 422))
def move_stock(location_code: str, sku: str, body: MovementIn, request: Request, response: Response,
               container: ContainerDep,
               actor: Writer, idempotency_key: IdempotencyKey = None) -> dict:
    """A receipt (adds) or an adjustment (adds or removes), with its reason, through the ledger."""
    uow = container.uow(idempotent(request, idempotency_key, body), actor)
    try:
        services.move_stock(uow, location_code, sku, MovementKind(body.kind), body.quantity, body.reason,
                            actor.label, body.reference)
    except Replay:  # a retry: answer with the current state, change nothing
        response.headers["Idempotent-Replayed"] = "true"
    return _level(container, actor, location_code, sku)


@router.get("/inventory/{location_code}/{sku}", response_model=StockLevelOut, responses=guarded(404))
def get_stock_level(location_code: str, sku: str, container: ContainerDep, actor: Reader) -> dict:
    return _level(container, actor, location_code, sku)


@router.get("/inventory/{location_code}/{sku}/ledger", response_model=LedgerList, responses=guarded(404))
def get_ledger(location_code: str, sku: str, container: ContainerDep, actor: Reader,
               limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict:
    _level(container, actor, location_code, sku)
    with container.reads.connect() as conn:
        return {"items": queries.ledger(conn, location_code, sku, limit), "next_cursor": None}
