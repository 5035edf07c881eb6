"""The console's orders: search and list them, and act on one (hold/release, cancel, note, refund); the order's
page and the further actions (edit, appease, return, exchange, order on behalf) are in console_actions.py.

Each page and action checks the signed-in user's role against `baton.identity.permissions` (routes declare
`openapi_extra=CONSOLE`): the page hides what the role may not do, and the server refuses it with a 403 page
all the same. A mistake re-renders the order with a message next to the field (422/409), and nothing changes;
a success redirects back to the order (POST/redirect/GET, so a reload does not repeat it)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection, select
from starlette.datastructures import URL

from baton.adapters.db import tables as t
from baton.adapters.db.uow import Replay
from baton.bootstrap import Container
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.web import console_order_views as views
from baton.entrypoints.web.console import (
    CONSOLE,
    CsrfChecked,
    PageRoute,
    SignedInDep,
    page,
    require,
    required_text,
    templates,
)
from baton.identity.console import SignedIn
from baton.identity.permissions import Action, allows, check_money
from baton.orders import notes, queries, services
from baton.orders.holds import HoldKind
from baton.orders.model import Channel
from baton.orders.status import OrderStatus
from baton.payments import flows
from baton.payments.refunds import MoneyBack, Purpose
from baton.shared.errors import BatonError, Conflict, Forbidden, InvalidInput, NotFound
from baton.shared.idempotency import Idempotent, fingerprint
from baton.shared.ids import new_id
from baton.shared.money import reader_locale, to_decimal_string, to_minor

PAGE_SIZE = 25
MAX_TERM = 320  # an email address is the longest thing worth searching for
MAX_NUMBER = 32  # the orders table's number column
MAX_LOCATION = 32  # the locations table's code column
DONE = {"hold": "The order is on hold.", "release": "The order was released.", "cancel": "The order was cancelled.",
        "note": "The note was added.", "refund": "The refund was issued.", "appease": "The appeasement was issued.",
        "edit": "The order was changed.", "return": "The return was opened.", "exchange": "The exchange was opened.",
        "placed": "The order was placed on behalf of the customer."}
ACTIONS = {"hold": Action.ORDERS_HOLD, "release": Action.ORDERS_HOLD, "cancel": Action.ORDERS_CANCEL,
           "note": Action.ORDERS_ANNOTATE, "refund": Action.REFUNDS_ISSUE, "appease": Action.APPEASEMENTS_ISSUE,
           "edit": Action.ORDERS_EDIT, "returns": Action.RETURNS_MANAGE}


class OrdersRoute(PageRoute):
    """PageRoute for the order pages: their 404 page is headed "Order not found"."""

    not_found = "Order not found"


router = APIRouter(prefix="/console", tags=["console"], route_class=OrdersRoute, include_in_schema=False)
# templates ask `may(role, "orders.read")` to show only what the role may do (navigation, actions)
templates.env.globals["may"] = lambda role, action: allows(role, Action(action))


# -- the list -------------------------------------------------------------------------------------------------
@router.get("/orders", openapi_extra=CONSOLE)
def orders(request: Request, container: ContainerDep, signed: SignedInDep, q: str = "", status: str = "",
           channel: str = "", location: str = "", placed_from: str = "", placed_to: str = "",
           cursor: str = "") -> Response:
    require(signed, Action.ORDERS_READ)
    form = {"q": q[:MAX_TERM], "status": status, "channel": channel, "location": location[:MAX_LOCATION],
            "placed_from": placed_from, "placed_to": placed_to}
    context: dict[str, Any] = {"signed": signed, "form": form, "statuses": list(OrderStatus),
                               "channels": list(Channel), "locations": [], "errors": {}, "orders": [],
                               "customers": [], "next_url": None, "first_page": not cursor, "matched": "",
                               "first_url": str(URL("/console/orders").include_query_params(
                                   **{k: v for k, v in form.items() if v}))}
    try:
        with container.reads.connect() as conn:
            context["locations"] = _locations(conn)
            base = _filter(status, channel, form["location"], placed_from, placed_to, context["locations"])
            found = views.resolve(conn, form["q"], base)
            context["customers"], context["matched"] = found.customers, found.matched
            if found.filter is not None:
                rows, next_cursor = queries.list_orders(conn, found.filter, PAGE_SIZE, cursor or None)
                context["orders"] = views.order_rows(conn, rows, locale_of(request))
                if next_cursor:
                    context["next_url"] = str(URL("/console/orders").include_query_params(**form, cursor=next_cursor))
    except InvalidInput as bad:
        context["errors"] = {bad.field: bad.reason}
        return page(request, "console_orders.html", context, status=422)
    return page(request, "console_orders.html", context)


def _filter(status: str, channel: str, location: str, placed_from: str, placed_to: str,
            locations: list[dict[str, str]]) -> queries.OrderFilter:
    if status and status not in set(OrderStatus):
        raise InvalidInput("status", "is not an order status.")
    if channel and channel not in set(Channel):
        raise InvalidInput("channel", "is not a channel.")
    if location and location not in {loc["code"] for loc in locations}:
        raise InvalidInput("location", "is not a location.")
    start, end = views.day_range(views.day(placed_from, "placed_from"), views.day(placed_to, "placed_to"))
    return queries.OrderFilter(status=status or None, channel=channel or None, location=location or None,
                               placed_from=start, placed_to=end)


def _locations(conn: Connection) -> list[dict[str, str]]:
    """Every location, closed ones too: their orders are still worth finding."""
    c = t.locations.c
    return [{"code": row.code, "name": row.name}
            for row in conn.execute(select(c.code, c.name).order_by(c.priority, c.code))]


# -- actions on one order (its page is in console_actions.py, declared after /orders/new) ---------------------
@router.post("/orders/{number}/hold", openapi_extra=CONSOLE)
def hold(number: str, request: Request, container: ContainerDep, signed: CsrfChecked,
         reason: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.ORDERS_HOLD)
    return act(request, container, signed, number, "hold", {"hold.reason": reason}, lambda order_id: (
        services.hold_order(container.uow(actor=actor), order_id, HoldKind.MANUAL, [required_text("reason", reason)],
                            actor.label)))


@router.post("/orders/{number}/release", openapi_extra=CONSOLE)
def release(number: str, request: Request, container: ContainerDep, signed: CsrfChecked,
            note: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.ORDERS_HOLD)
    return act(request, container, signed, number, "release", {"release.note": note}, lambda order_id: (
        services.release_order(container.uow(actor=actor), order_id, None, required_text("note", note), actor.label)))


@router.post("/orders/{number}/cancel", openapi_extra=CONSOLE)
def cancel(number: str, request: Request, container: ContainerDep, signed: CsrfChecked,
           reason: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.ORDERS_CANCEL)

    def cancel_everything_open(order_id: str) -> None:
        services.cancel_order(container.uow(actor=actor), order_id, None, required_text("reason", reason), actor.label)
        flows.settle_pending(lambda: container.uow(actor=actor), container.gateway, order_id)  # void the rest

    return act(request, container, signed, number, "cancel", {"cancel.reason": reason}, cancel_everything_open)


@router.post("/orders/{number}/notes", openapi_extra=CONSOLE)
def add_note(number: str, request: Request, container: ContainerDep, signed: CsrfChecked,
             text: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.ORDERS_ANNOTATE)
    return act(request, container, signed, number, "note", {"note.text": text}, lambda order_id: (
        notes.add_note(container.uow(actor=actor), order_id, text, actor.label)))


@router.post("/orders/{number}/refunds", openapi_extra=CONSOLE)
def refund(number: str, request: Request, container: ContainerDep, signed: CsrfChecked,
           amount: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
           form_key: Annotated[str, Form()] = "") -> Response:
    def ask(currency: str) -> MoneyBack:
        if not amount.strip():
            raise InvalidInput("amount", "is required.")
        return MoneyBack(Purpose.REFUND, required_text("reason", reason), to_minor(amount.strip(), currency, "amount"))

    return give_back(request, container, signed, number, "refund", Action.REFUNDS_ISSUE, form_key,
                     {"refund.amount": amount, "refund.reason": reason}, ask)


def give_back(request: Request, container: Container, signed: SignedIn, number: str, name: str, action: Action,
              form_key: str, typed: dict[str, str], ask_of: Callable[[str], MoneyBack]) -> Response:
    """Money back to the order's payments (a refund or an appeasement) within the role's money limit, said next
    to the amount. The form's own key is its Idempotency-Key: a double-submitted form gives back once."""
    actor = require(signed, action)

    def run(order_id: str) -> None:
        currency = _currency(container, order_id)
        ask = ask_of(currency)

        def limit(minor: int) -> None:
            try:
                check_money(actor.role, action, Decimal(to_decimal_string(minor, currency)), currency)
            except Forbidden as above:
                raise InvalidInput("amount", above.detail) from None

        scope = f"POST {request.url.path}"
        key = Idempotent(scope, form_key[:64], fingerprint(scope, sorted(typed.items()))) if form_key else None
        with contextlib.suppress(Replay):  # a replay: the first submission gave it back
            flows.give_back(container.uow(key, actor), lambda: container.uow(actor=actor), container.gateway,
                            order_id, ask, key.key if key else new_id("rfd"), limit)

    return act(request, container, signed, number, name, typed, run)


# -- helpers --------------------------------------------------------------------------------------------------
def act(request: Request, container: Container, signed: SignedIn, number: str, name: str, typed: dict[str, str],
        change: Callable[[str], object]) -> Response:
    """Run one action on the order; a refusal re-renders the order with the message next to the field."""
    order_id = order_id_of(container, number)
    try:
        change(order_id)
    except (InvalidInput, Conflict) as refused:
        field = f"{name}.{refused.field}" if isinstance(refused, InvalidInput) else f"{name}.form"
        message = refused.reason if isinstance(refused, InvalidInput) else refused.detail
        status = 422 if isinstance(refused, InvalidInput) else 409
        return order_page(request, container, signed, number, errors={field: message}, typed=typed, status=status)
    except BatonError as refused:
        if isinstance(refused, Forbidden | NotFound):
            raise
        return order_page(request, container, signed, number, errors={f"{name}.form": refused.detail},
                          typed=typed, status=409)
    return RedirectResponse(f"/console/orders/{number}?done={name}", status_code=303)


def order_page(request: Request, container: Container, signed: SignedIn, number: str, *, done: str | None = None,
               errors: dict[str, str] | None = None, typed: dict[str, str] | None = None,
               status: int = 200) -> Response:
    order_id = order_id_of(container, number)
    role = signed.actor.role
    allowed = {name: allows(role, action) for name, action in ACTIONS.items()}
    with container.reader() as uow:
        found = uow.orders.get(order_id)
        if found is None:
            raise NotFound(f"There is no order {number}.")
        payments = uow.payments.of_order(order_id)
        returns = uow.returns.of_order(order_id)
    order_notes = notes.notes(container.reader(), order_id) if allowed["note"] else None
    with container.reads.connect() as conn:
        timeline = queries.timeline(conn, order_id)
    detail = views.order_detail(found, payments, returns, order_notes, timeline, locale_of(request))
    return page(request, "console_order.html", {
        "signed": signed, "csrf_token": signed.csrf_token, "order": detail, "allowed": allowed, "done": done,
        "possible": views.may_change(found),
        "errors": errors or {}, "typed": typed or {}, "form_key": new_id("rfd")}, status=status)


def order_id_of(container: Container, number: str) -> str:
    if len(number) > MAX_NUMBER:
        raise NotFound(f"There is no order {number[:MAX_NUMBER]}….")
    with container.reads.connect() as conn:
        rows, _ = queries.list_orders(conn, queries.OrderFilter(number=number), 1, None)
    if not rows:
        raise NotFound(f"There is no order {number}.")
    return str(rows[0]["id"])


def _currency(container: Container, order_id: str) -> str:
    with container.reader() as uow:
        found = uow.orders.get(order_id)
        if found is None:
            raise NotFound("The order is gone.")
        return found.currency


def locale_of(request: Request) -> str:
    return reader_locale(request.headers.get("accept-language"))
