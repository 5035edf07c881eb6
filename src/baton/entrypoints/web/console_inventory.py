"""The console's inventory (issue 8): stock by SKU and location (search by SKU, one location, low stock only), a
SKU's page with its level at each location and its inventory ledger, and two changes: adjust on_hand with a reason
(through the ledger) and set a level's reorder point.

Everything goes through `baton.inventory.services`. A user of a location-scoped role sees and changes only the
stock of their own locations; another location is answered with the 404 page."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from sqlalchemy import Connection, select
from starlette.datastructures import URL

from baton.adapters.db import tables as t
from baton.adapters.db.uow import Replay
from baton.bootstrap import Container
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.web import console_ops as ops
from baton.entrypoints.web.console import CONSOLE, CsrfChecked, PageRoute, SignedInDep, page, require, required_text
from baton.identity.console import SignedIn
from baton.identity.permissions import Action, allows
from baton.inventory import listing, queries, services
from baton.inventory.model import MovementKind
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.ids import new_id

router = APIRouter(prefix="/console", tags=["console"], route_class=PageRoute, include_in_schema=False)
MAX_SKU = 64  # the products table's sku column
DONE = {"adjust": "The stock was adjusted.", "reorder": "The reorder point was saved."}


# -- the list -------------------------------------------------------------------------------------------------
@router.get("/inventory", openapi_extra=CONSOLE)
def stock(request: Request, container: ContainerDep, signed: SignedInDep, sku: str = "", location: str = "",
          low: str = "", cursor: str = "") -> Response:
    actor = require(signed, Action.INVENTORY_READ)
    form = {"sku": sku.strip()[:MAX_SKU], "location": location, "low": "1" if low else ""}
    here = URL("/console/inventory").include_query_params(**{k: v for k, v in form.items() if v})
    notice = ""
    with container.reads.connect() as conn:
        choices = ops.locations(conn, actor)
        if location:
            ops.location_or_404(conn, actor, location)
        wanted = listing.StockFilter(form["sku"] or None, location or None, bool(low), actor.locations)
        try:
            rows, next_cursor = listing.stock_levels(conn, wanted, ops.PAGE_SIZE, cursor or None)
        except InvalidInput as bad:  # a cursor that is not ours
            rows, next_cursor, notice = [], None, bad.reason
    return page(request, "console_inventory.html", {
        "signed": signed, "form": form, "locations": choices, "rows": [_row(row) for row in rows],
        "notice": notice, "first_page": not cursor, "first_url": str(here),
        "next_url": str(here.include_query_params(cursor=next_cursor)) if next_cursor else None})


def _row(row: dict[str, Any]) -> dict[str, Any]:
    point = row["reorder_point"]
    return {**row, "low": point is not None and row["available"] <= point}


# -- one SKU --------------------------------------------------------------------------------------------------
@router.get("/inventory/{sku}", openapi_extra=CONSOLE)
def sku_page(sku: str, request: Request, container: ContainerDep, signed: SignedInDep, done: str = "") -> Response:
    require(signed, Action.INVENTORY_READ)
    return _sku_page(request, container, signed, sku, done=DONE.get(done))


@router.post("/inventory/{sku}/adjust", openapi_extra=CONSOLE)
def adjust(sku: str, request: Request, container: ContainerDep, signed: CsrfChecked,
           location: Annotated[str, Form()] = "", quantity: Annotated[str, Form()] = "",
           reason: Annotated[str, Form()] = "", form_key: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.INVENTORY_WRITE)
    typed = {"adjust.location": location, "adjust.quantity": quantity, "adjust.reason": reason}

    def change() -> None:
        where = ops.chosen_location(container.reads, actor, location, "is required.")
        delta = _delta(quantity)
        why = required_text("reason", reason)
        key = ops.once(request, form_key, [location, quantity, reason])
        with contextlib.suppress(Replay):  # a double-submitted form: the first one adjusted
            services.move_stock(container.uow(key, actor), where, sku, MovementKind.ADJUSTMENT, delta, why,
                                actor.label)

    return _act(request, container, signed, sku, "adjust", {"location", "quantity", "reason"}, typed, change)


@router.post("/inventory/{sku}/reorder-point", openapi_extra=CONSOLE)
def reorder_point(sku: str, request: Request, container: ContainerDep, signed: CsrfChecked,
                  location: Annotated[str, Form()] = "", reorder_point: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.INVENTORY_WRITE)
    typed = {"reorder.location": location, "reorder.reorder_point": reorder_point}

    def change() -> None:
        where = ops.chosen_location(container.reads, actor, location, "is required.")
        point = ops.count("reorder_point", reorder_point) if reorder_point.strip() else None  # blank: no signal
        services.set_reorder_point(container.uow(actor=actor), where, sku, point)

    return _act(request, container, signed, sku, "reorder", {"location", "reorder_point"}, typed, change)


# -- helpers --------------------------------------------------------------------------------------------------
def _delta(typed: str) -> int:
    """Units to add (5, +5) or remove (-2)."""
    try:
        delta = int(typed.strip())
    except ValueError:
        raise InvalidInput("quantity", "is not a whole number; use e.g. 5 to add or -2 to remove.") from None
    if abs(delta) > 1_000_000:
        raise InvalidInput("quantity", "is too large.")
    return delta


def _act(request: Request, container: Container, signed: SignedIn, sku: str, name: str, fields: set[str],
         typed: dict[str, str], change: Callable[[], object]) -> Response:
    return ops.act(name, fields, change, lambda errors, status: _sku_page(
        request, container, signed, sku, errors=errors, typed=typed, status=status),
        str(URL(f"/console/inventory/{_quoted(sku)}").include_query_params(done=name)))


def _quoted(sku: str) -> str:
    return quote(sku, safe="")


def _product(conn: Connection, sku: str) -> dict[str, Any]:
    p = t.products.c
    row = conn.execute(select(p.sku, p.name, p.category, p.stock_policy).where(p.sku == sku[:MAX_SKU])).first()
    if row is None:
        raise NotFound(f"There is no product with SKU {sku[:MAX_SKU]}.")
    return dict(row._mapping)


def _sku_page(request: Request, container: Container, signed: SignedIn, sku: str, *, done: str | None = None,
              errors: dict[str, str] | None = None, typed: dict[str, str] | None = None,
              status: int = 200) -> Response:
    actor = signed.actor
    with container.reads.connect() as conn:
        product = _product(conn, sku)
        choices = ops.locations(conn, actor)
        levels = []
        for loc in choices:
            level = queries.stock_level(conn, loc["code"], product["sku"])
            if level is not None:
                levels.append(_row({**level, "name": loc["name"]}))
        ledger = listing.ledger_of_sku(conn, product["sku"], actor.locations)
    return page(request, "console_inventory_sku.html", {
        "signed": signed, "csrf_token": signed.csrf_token, "product": product, "levels": levels,
        "locations": choices, "may_write": allows(actor.role, Action.INVENTORY_WRITE),
        "ledger": [{**entry, "at": ops.when(entry["created_at"])} for entry in ledger], "done": done,
        "errors": errors or {}, "typed": typed or {}, "form_key": new_id("inv")}, status=status)
