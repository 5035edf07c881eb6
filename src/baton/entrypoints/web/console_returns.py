"""The console's returns (issue 8): the queue by status (requested, approved, received, inspected), a return with
its lines, and its steps — approve, reject with a reason, receive units at a location, inspect them (resellable or
damaged), refund, close — each through `baton.returns.services` / `baton.returns.refunds`.

Managing a return (approve, reject, refund, close) needs returns.manage; receiving and inspecting need
returns.receive. A user of a location-scoped role sees returns not yet at a location and those at their own;
one received elsewhere is answered with the 404 page, as the services do."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from starlette.datastructures import URL

from baton.adapters.db.uow import Replay
from baton.bootstrap import Container
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.web import console_ops as ops
from baton.entrypoints.web.console import CONSOLE, CsrfChecked, PageRoute, SignedInDep, page, require, required_text
from baton.identity.console import SignedIn
from baton.identity.permissions import Action, allows, check_money
from baton.returns import exchange_services, queries, refunds, services
from baton.returns.model import Return, ReturnStatus
from baton.shared.actor import Actor
from baton.shared.errors import Forbidden, InvalidInput, NotFound
from baton.shared.ids import new_id
from baton.shared.money import format_money, reader_locale, to_decimal_string

router = APIRouter(prefix="/console", tags=["console"], route_class=PageRoute, include_in_schema=False)
TABS = ("requested", "approved", "received", "inspected")  # what still waits for someone
DONE = {"approve": "The return was approved.", "reject": "The return was rejected.",
        "receive": "The units were received.", "inspect": "The units were inspected.",
        "refund": "The refund was issued.", "close": "The return was closed."}
READERS = (Action.RETURNS_MANAGE, Action.RETURNS_RECEIVE)
S = ReturnStatus


# -- the queue ------------------------------------------------------------------------------------------------
@router.get("/returns", openapi_extra=CONSOLE)
def queue(request: Request, container: ContainerDep, signed: SignedInDep, status: str = "requested",
          cursor: str = "") -> Response:
    actor = require(signed, *READERS)
    if status not in TABS:
        raise NotFound(f"The returns queue has no tab {status[:20]}.")
    notice = ""
    with container.reads.connect() as conn:
        try:
            rows, next_cursor = queries.list_returns(conn, status, ops.PAGE_SIZE, cursor or None, actor.locations)
        except InvalidInput as bad:  # a cursor that is not ours
            rows, next_cursor, notice = [], None, bad.reason
    here = URL("/console/returns")
    return page(request, "console_returns.html", {
        "signed": signed, "status": status, "tabs": TABS, "notice": notice,
        "tab_urls": {tab: str(here.include_query_params(status=tab)) for tab in TABS},
        "rows": [{**row, "created": ops.when(row["created_at"])} for row in rows], "first_page": not cursor,
        "first_url": str(here.include_query_params(status=status)),
        "next_url": str(here.include_query_params(status=status, cursor=next_cursor)) if next_cursor else None})


# -- one return -----------------------------------------------------------------------------------------------
@router.get("/returns/{number}", openapi_extra=CONSOLE)
def return_page(number: str, request: Request, container: ContainerDep, signed: SignedInDep,
                done: str = "") -> Response:
    require(signed, *READERS)
    return _return_page(request, container, signed, number, done=DONE.get(done))


@router.post("/returns/{number}/approve", openapi_extra=CONSOLE)
def approve(number: str, request: Request, container: ContainerDep, signed: CsrfChecked) -> Response:
    actor = require(signed, Action.RETURNS_MANAGE)
    rid = _id(container, actor, number)
    return _act(request, container, signed, number, "approve", set(), {}, lambda: (
        services.approve(container.uow(actor=actor), rid)))


@router.post("/returns/{number}/reject", openapi_extra=CONSOLE)
def reject(number: str, request: Request, container: ContainerDep, signed: CsrfChecked,
           reason: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.RETURNS_MANAGE)
    rid = _id(container, actor, number)

    def rejected() -> None:
        services.reject(container.uow(actor=actor), rid, required_text("reason", reason))
        exchange_services.settle_replacement(lambda: container.uow(actor=actor), container.gateway, rid)

    return _act(request, container, signed, number, "reject", {"reason"}, {"reject.reason": reason}, rejected)


@router.post("/returns/{number}/receive", openapi_extra=CONSOLE)
def receive(number: str, request: Request, container: ContainerDep, signed: CsrfChecked,
            location: Annotated[str, Form()] = "", line_id: Annotated[list[str] | None, Form()] = None,
            quantity: Annotated[list[str] | None, Form()] = None, form_key: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.RETURNS_RECEIVE)
    rid = _id(container, actor, number)
    ids, counts = line_id or [], quantity or []
    typed = {"receive.location": location, **{f"receive.quantity.{i}": q for i, q in zip(ids, counts, strict=False)}}

    def arrived() -> None:
        where = ops.chosen_location(container.reads, actor, location, "say at which location the units arrived.")
        units = ops.units_per_line(ids, counts, "receive at least one unit.")
        key = ops.once(request, form_key, [location, ids, counts])
        with contextlib.suppress(Replay):  # a double-submitted form: the first one received
            services.receive(container.uow(key, actor), rid, units, where, actor, container.gateway)
        exchange_services.settle_replacement(lambda: container.uow(actor=actor), container.gateway, rid)

    fields = {"location", "form"} | {f"quantity.{i}" for i in ids}
    return _act(request, container, signed, number, "receive", fields, typed, arrived)


@router.post("/returns/{number}/inspect", openapi_extra=CONSOLE)
def inspect(number: str, request: Request, container: ContainerDep, signed: CsrfChecked,
            line_id: Annotated[list[str] | None, Form()] = None,
            resellable: Annotated[list[str] | None, Form()] = None,
            damaged: Annotated[list[str] | None, Form()] = None, form_key: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.RETURNS_RECEIVE)
    rid = _id(container, actor, number)
    ids, good, bad = line_id or [], resellable or [], damaged or []
    typed = {**{f"inspect.resellable.{i}": g for i, g in zip(ids, good, strict=False)},
             **{f"inspect.damaged.{i}": b for i, b in zip(ids, bad, strict=False)}}

    def judged() -> None:
        verdicts = _verdicts(ids, good, bad)
        key = ops.once(request, form_key, [ids, good, bad])
        with contextlib.suppress(Replay):  # a double-submitted form: the first one restocked
            services.inspect(container.uow(key, actor), rid, verdicts, actor)

    fields = {"form"} | {f"{kind}.{i}" for i in ids for kind in ("resellable", "damaged")}
    return _act(request, container, signed, number, "inspect", fields, typed, judged)


@router.post("/returns/{number}/refund", openapi_extra=CONSOLE)
def refund(number: str, request: Request, container: ContainerDep, signed: CsrfChecked,
           form_key: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.RETURNS_MANAGE)
    rid = _id(container, actor, number)

    def pay_back() -> None:
        rma, quoted = refunds.quote(container.reader(), rid)
        try:  # the role's money limit, said on the form
            check_money(actor.role, Action.REFUNDS_ISSUE, Decimal(to_decimal_string(quoted.amount, rma.currency)),
                        rma.currency)
        except Forbidden as above:
            raise InvalidInput("form", above.detail) from None
        key = ops.once(request, form_key, [])
        with contextlib.suppress(Replay):  # a double-submitted form: the first one refunded
            refunds.refund(container.uow(key, actor), lambda: container.uow(actor=actor), container.gateway, rid,
                           key.key if key else new_id("rfd"))

    return _act(request, container, signed, number, "refund", set(), {}, pay_back)


@router.post("/returns/{number}/close", openapi_extra=CONSOLE)
def close(number: str, request: Request, container: ContainerDep, signed: CsrfChecked) -> Response:
    actor = require(signed, Action.RETURNS_MANAGE)
    rid = _id(container, actor, number)
    return _act(request, container, signed, number, "close", set(), {}, lambda: (
        services.close(container.uow(actor=actor), rid)))


# -- helpers --------------------------------------------------------------------------------------------------
def _verdicts(ids: list[str], good: list[str], bad: list[str]) -> dict[str, tuple[int, int]]:
    """{return line id: (resellable, damaged)}; lines with neither are not part of it."""
    if not ids or not len(ids) == len(good) == len(bad):
        raise InvalidInput("form", "the form is incomplete; reload the page.")
    verdicts = {line: (ops.count(f"resellable.{line}", g), ops.count(f"damaged.{line}", b))
                for line, g, b in zip(ids, good, bad, strict=True)}
    verdicts = {line: v for line, v in verdicts.items() if sum(v)}
    if not verdicts:
        raise InvalidInput(f"resellable.{ids[0]}", "judge at least one unit.")
    return verdicts


def _id(container: Container, actor: Actor, number: str) -> str:
    """The id of the return the actor may see; one received at another location is as good as absent."""
    with container.reads.connect() as conn:
        found = queries.return_id(conn, number)
    if found is not None:
        with container.reader() as uow:
            rma = uow.returns.get(found)
        if rma is not None and (rma.location is None or actor.reaches(rma.location)):
            return found
    raise NotFound(f"There is no return {number[:40]}.")


def _act(request: Request, container: Container, signed: SignedIn, number: str, name: str, fields: set[str],
         typed: dict[str, str], change: Callable[[], object]) -> Response:
    return ops.act(name, fields, change, lambda errors, status: _return_page(
        request, container, signed, number, errors=errors, typed=typed, status=status),
        str(URL(f"/console/returns/{number}").include_query_params(done=name)))


def _return_page(request: Request, container: Container, signed: SignedIn, number: str, *, done: str | None = None,
                 errors: dict[str, str] | None = None, typed: dict[str, str] | None = None,
                 status: int = 200) -> Response:
    actor = signed.actor
    rid = _id(container, actor, number)
    with container.reader() as uow:
        rma = uow.returns.get(rid)
        order = uow.orders.get(rma.order_id) if rma else None
    assert rma is not None and order is not None, "a return never outlives its order"
    locale = reader_locale(request.headers.get("accept-language"))
    actions = _actions(actor, rma)
    quote = None
    if "refund" in actions:
        _rma, quoted = refunds.quote(container.reader(), rid)
        quote = {"amount": format_money(quoted.amount, rma.currency, locale),
                 "deductions": format_money(quoted.deductions, rma.currency, locale) if quoted.deductions else None}
    with container.reads.connect() as conn:
        choices = ops.locations(conn, actor)
    if rma.location is not None:
        choices = [loc for loc in choices if loc["code"] == rma.location]  # later units come where the first did
    return page(request, "console_return.html", {
        "signed": signed, "csrf_token": signed.csrf_token, "rma": _view(rma, order.number, locale),
        "actions": actions, "quote": quote, "locations": choices,
        "may_read_orders": allows(actor.role, Action.ORDERS_READ), "done": done, "errors": errors or {},
        "typed": typed or {}, "form_key": new_id("rtn")}, status=status)


def _actions(actor: Actor, rma: Return) -> set[str]:
    """The forms the page shows: what the role may do and the return's state allows."""
    manage, receive_ = allows(actor.role, Action.RETURNS_MANAGE), allows(actor.role, Action.RETURNS_RECEIVE)
    shown = set()
    if manage:
        shown |= {S.REQUESTED: {"approve", "reject"}, S.APPROVED: {"reject", "close"}, S.INSPECTED: {"refund", "close"},
                  S.REFUNDED: {"close"}, S.EXCHANGED: {"close"}}.get(rma.status, set())
    if receive_ and rma.status in (S.APPROVED, S.RECEIVED, S.INSPECTED) and any(line.outstanding for line in rma.lines):
        shown.add("receive")
    if receive_ and rma.status == S.RECEIVED and any(line.uninspected for line in rma.lines):
        shown.add("inspect")
    return shown


def _view(rma: Return, order_number: str, locale: str) -> dict[str, Any]:
    return {
        "id": rma.id, "number": rma.number, "order_number": order_number, "status": str(rma.status),
        "method": str(rma.method).replace("_", " "), "refund_to": str(rma.refund_to).replace("_", " "),
        "tracking_number": rma.tracking_number, "location": rma.location, "reject_reason": rma.reject_reason,
        "requested_by": rma.requested_by, "created": ops.when(rma.created_at),
        "refund_amount": format_money(rma.refund_amount, rma.currency, locale) if rma.refund_amount else None,
        "deductions": format_money(rma.deductions, rma.currency, locale) if rma.deductions else None,
        "lines": [{"id": line.id, "sku": line.sku, "reason": line.reason, "comment": line.comment,
                   "quantity": line.quantity, "received": line.received, "outstanding": line.outstanding,
                   "uninspected": line.uninspected, "resellable": line.resellable, "damaged": line.damaged,
                   "refunded": line.refunded} for line in rma.lines],
    }
