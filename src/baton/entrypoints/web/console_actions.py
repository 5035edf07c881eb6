"""The console's order page and its further actions (issue 8): edit an order with a preview of its new totals,
appease, start a return or an exchange, and place an order on a customer's behalf (channel `phone`, the agent
recorded as the actor).

/orders/new is declared before /orders/{number}, so the order page lives here. Every action checks the role
(403 page), runs the same service as the API, shows a refusal next to its field (422/409, nothing changes) and
redirects back to the order on success (POST/redirect/GET). The forms carry a key of their own, used as an
Idempotency-Key: a double-submitted form acts once."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from baton.adapters.db.uow import Replay
from baton.bootstrap import Container
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.payments import check_token
from baton.entrypoints.web import console_action_forms as commands
from baton.entrypoints.web import console_order_views as views
from baton.entrypoints.web import order_forms as forms
from baton.entrypoints.web.console import CONSOLE, CsrfChecked, SignedInDep, page, require, required_text
from baton.entrypoints.web.console_orders import (
    DONE,
    OrdersRoute,
    give_back,
    locale_of,
    order_id_of,
    order_page,
)
from baton.identity.console import SignedIn
from baton.identity.permissions import Action
from baton.orders import services
from baton.orders.edit_services import edit_order
from baton.orders.model import Order
from baton.payments import flows
from baton.payments.refunds import MoneyBack, Purpose
from baton.returns import exchange_services
from baton.returns import services as returns
from baton.shared.actor import Actor
from baton.shared.errors import BatonError, Forbidden, InvalidInput, NotFound
from baton.shared.idempotency import Idempotent, fingerprint
from baton.shared.ids import new_id
from baton.shared.money import to_minor

router = APIRouter(prefix="/console", tags=["console"], route_class=OrdersRoute, include_in_schema=False)
Refusal = BatonError | forms.FormErrors


# -- an order on the customer's behalf --------------------------------------------------------------------------
@router.get("/orders/new", openapi_extra=CONSOLE)
def new_order(request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    require(signed, Action.ORDERS_CREATE)
    return _new_order_page(request, container, signed, {"currency": "EUR", "delivery_method": "ship"}, {})


@router.post("/orders/new", openapi_extra=CONSOLE)
async def place_on_behalf(request: Request, container: ContainerDep, signed: CsrfChecked) -> Response:
    raw = await request.form()
    form = {key: str(value) for key, value in raw.items()}
    return await run_in_threadpool(_place, request, container, signed, form, _sku_rows(raw))


def _sku_rows(raw: Any) -> list[forms.Row]:
    return [(str(sku), str(quantity), "") for sku, quantity in zip(raw.getlist("sku"), raw.getlist("quantity"),
                                                                    strict=False)]


def _place(request: Request, container: Container, signed: SignedIn, form: dict[str, str],
           rows: list[forms.Row]) -> Response:
    actor = require(signed, Action.ORDERS_CREATE)
    sent: list[int] = []
    try:
        cmd, sent = commands.place_command(form, rows, actor.label)
        for payment in cmd.payments:  # an unconfigured gateway or a bad token places nothing
            check_token(container, payment, "payment_token")
        key = _key(request, form, cmd.order_id)
        try:
            order_id = services.place_order(container.uow(key, actor), cmd, container.strategy).id
        except Replay as replay:  # the same form again: the first submission placed it
            order_id = str(replay.resource_id)
        if cmd.payments:
            flows.settle_pending(lambda: container.uow(actor=actor), container.gateway, order_id)
    except (BatonError, forms.FormErrors) as refused:
        typed = {**form, **{f"lines-{row}-sku": sku for row, (sku, _q, _x) in enumerate(rows)},
                 **{f"lines-{row}-quantity": quantity for row, (_s, quantity, _x) in enumerate(rows)}}
        return _new_order_page(request, container, signed, typed, _errors(refused, sent, commands.field_of),
                               status=_status(refused))
    return _to_order(_number_of(container, order_id), "placed")


def _new_order_page(request: Request, container: Container, signed: SignedIn, typed: dict[str, str],
                    errors: dict[str, str], status: int = 200) -> Response:
    return page(request, "console_order_new.html", {
        "signed": signed, "csrf_token": signed.csrf_token, "typed": typed, "errors": errors,
        "rows": range(commands.NEW_LINES), "stores": _stores(container), "payments": commands.PAYMENTS,
        "form_key": new_id("frm")}, status=status)


# -- the order page ---------------------------------------------------------------------------------------------
@router.get("/orders/{number}", openapi_extra=CONSOLE)
def order(number: str, request: Request, container: ContainerDep, signed: SignedInDep, done: str = "") -> Response:
    require(signed, Action.ORDERS_READ)
    return order_page(request, container, signed, number, done=DONE.get(done))


@router.post("/orders/{number}/appeasements", openapi_extra=CONSOLE)
def appease(number: str, request: Request, container: ContainerDep, signed: CsrfChecked,
            amount: Annotated[str, Form()] = "", percent: Annotated[str, Form()] = "",
            reason: Annotated[str, Form()] = "", form_key: Annotated[str, Form()] = "") -> Response:
    """Goodwill without a return: an amount, or a percentage of what the shipped units cost the customer."""
    def ask(currency: str) -> MoneyBack:
        share = None
        if percent.strip():
            try:
                share = Decimal(percent.strip().rstrip("%").strip())
            except InvalidOperation:
                raise InvalidInput("percent", "is not a number.") from None
            if not share.is_finite() or not 0 < share <= 100 or share != share.quantize(Decimal("0.01")):
                raise InvalidInput("percent", "must be more than 0 and at most 100, with at most two decimals.")
        minor = to_minor(amount.strip(), currency, "amount") if amount.strip() else None
        return MoneyBack(Purpose.APPEASEMENT, required_text("reason", reason), minor, None, share)

    return give_back(request, container, signed, number, "appease", Action.APPEASEMENTS_ISSUE, form_key,
                     {"appease.amount": amount, "appease.percent": percent, "appease.reason": reason}, ask)


# -- edit --------------------------------------------------------------------------------------------------------
@router.get("/orders/{number}/edit", openapi_extra=CONSOLE)
def edit_form(number: str, request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    require(signed, Action.ORDERS_EDIT)
    found = _order(container, number)
    typed = {f"{commands.ADDRESS}{key}": str(value) for key, value in (found.shipping_address or {}).items()}
    typed |= {"delivery_method": str(found.delivery_method), "pickup_location": found.pickup_location or "",
              "version": str(found.version)}
    typed |= {f"lines-{row}-quantity": str(line.kept) for row, line in enumerate(found.lines)}
    return _edit_page(request, container, signed, found, typed, {})


@router.post("/orders/{number}/edit", openapi_extra=CONSOLE)
async def edit(number: str, request: Request, container: ContainerDep, signed: CsrfChecked) -> Response:
    """`intent=preview` shows the new totals and writes nothing; `intent=save` commits the same edit."""
    raw = await request.form()
    form = {key: str(value) for key, value in raw.items()}
    rows = [(str(i), str(q), "") for i, q in zip(raw.getlist("line_id"), raw.getlist("quantity"), strict=False)]
    return await run_in_threadpool(_edit, request, container, signed, number, form, rows)


def _edit(request: Request, container: Container, signed: SignedIn, number: str, form: dict[str, str],
          rows: list[forms.Row]) -> Response:
    actor = require(signed, Action.ORDERS_EDIT)
    found = _order(container, number)
    preview = form.get("intent") != "save"
    typed = {**form, **{f"lines-{row}-quantity": quantity for row, (_i, quantity, _x) in enumerate(rows)}}
    sent: list[int] = []
    try:
        cmd, sent = commands.edit_command(found, form, rows, actor.label, preview)
        present = partial(views.preview, locale=locale_of(request))
        if preview:
            shown = edit_order(container.uow(actor=actor), lambda: container.uow(actor=actor), container.gateway,
                               cmd, container.strategy, present)
            delta = views.signed_money(shown.amount_delta, found.currency, locale_of(request))
            return _edit_page(request, container, signed, found, typed, {}, preview={
                **shown.view, "delta": delta, "money": shown.money})
        with contextlib.suppress(Replay):  # the same form again: the first submission saved it
            edit_order(container.uow(_key(request, form), actor), lambda: container.uow(actor=actor),
                       container.gateway, cmd, container.strategy, present)
    except (BatonError, forms.FormErrors) as refused:
        return _edit_page(request, container, signed, found, typed, _errors(refused, sent, commands.field_of),
                          status=_status(refused))
    return _to_order(found.number, "edit")


def _edit_page(request: Request, container: Container, signed: SignedIn, found: Order, typed: dict[str, str],
               errors: dict[str, str], *, preview: dict[str, Any] | None = None, status: int = 200) -> Response:
    return page(request, "console_order_edit.html", {
        "signed": signed, "csrf_token": signed.csrf_token, "order": _summary(found, request),
        "lines": views.edit_lines(found), "typed": typed, "errors": errors, "preview": preview,
        "stores": _stores(container), "form_key": new_id("frm")}, status=status)


# -- returns and exchanges ---------------------------------------------------------------------------------------
@router.get("/orders/{number}/returns/new", openapi_extra=CONSOLE)
def return_form(number: str, request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    require(signed, Action.RETURNS_MANAGE)
    return _care_page(request, container, signed, _order(container, number), "return", {}, {})


@router.post("/orders/{number}/returns/new", openapi_extra=CONSOLE)
async def start_return(number: str, request: Request, container: ContainerDep, signed: CsrfChecked) -> Response:
    raw = await request.form()
    form = {key: str(value) for key, value in raw.items()}
    rows = forms.rows_of(raw)

    def open_return(actor: Actor, found: Order, sent: list[int]) -> None:
        cmd, rows_sent = forms.return_request(found.id, form, rows)
        sent.extend(rows_sent)
        returns.request_return(container.uow(_key(request, form), actor), cmd)

    return await run_in_threadpool(_care, request, container, signed, number, "return",
                                   forms.typed_rows(form, rows), open_return)


@router.get("/orders/{number}/exchanges/new", openapi_extra=CONSOLE)
def exchange_form(number: str, request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    require(signed, Action.RETURNS_MANAGE)
    return _care_page(request, container, signed, _order(container, number), "exchange", {}, {})


@router.post("/orders/{number}/exchanges/new", openapi_extra=CONSOLE)
async def start_exchange(number: str, request: Request, container: ContainerDep, signed: CsrfChecked) -> Response:
    raw = await request.form()
    form = {key: str(value) for key, value in raw.items()}
    typed = forms.typed_rows(form, forms.rows_of(raw))
    typed |= {f"lines-{row}-sku": str(sku) for row, sku in enumerate(raw.getlist("sku"))}

    def open_exchange(actor: Actor, found: Order, sent: list[int]) -> None:
        cmd, rows_sent = commands.exchange_command(found.id, raw)
        sent.extend(rows_sent)
        exchange = exchange_services.open_exchange(container.uow(_key(request, form), actor), cmd, container.gateway)
        if exchange.replacement_order_id:  # a dearer replacement is charged right after the commit
            flows.settle_pending(lambda: container.uow(actor=actor), container.gateway, exchange.replacement_order_id)

    return await run_in_threadpool(_care, request, container, signed, number, "exchange", typed, open_exchange)


def _care(request: Request, container: Container, signed: SignedIn, number: str, kind: str, typed: dict[str, str],
          run: Callable[[Actor, Order, list[int]], None]) -> Response:
    """Open a return or an exchange; `run` notes which form rows it sent, to name a service's error by row."""
    actor = require(signed, Action.RETURNS_MANAGE)
    found = _order(container, number)
    sent: list[int] = []
    try:
        run(actor, found, sent)
    except Replay:
        pass  # the same form again: the first submission opened it
    except BatonError as refused:
        return _care_page(request, container, signed, found, kind, typed, _errors(refused, sent, forms.indexed),
                          status=_status(refused))
    return _to_order(found.number, kind)


def _care_page(request: Request, container: Container, signed: SignedIn, found: Order, kind: str,
               typed: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    return page(request, f"console_order_{kind}.html", {
        "signed": signed, "csrf_token": signed.csrf_token, "order": _summary(found, request),
        "lines": views.returnable_lines(found), "stores": _stores(container), "typed": typed, "errors": errors,
        "form_key": new_id("frm")}, status=status)


# -- helpers ------------------------------------------------------------------------------------------------------
def _order(container: Container, number: str) -> Order:
    order_id = order_id_of(container, number)
    with container.reader() as uow:
        found = uow.orders.get(order_id)
    if found is None:
        raise NotFound(f"There is no order {number}.")
    return found


def _summary(found: Order, request: Request) -> dict[str, Any]:
    return {"number": found.number, "currency": found.currency, "status": str(found.status),
            **views.preview(found, locale_of(request))}


def _number_of(container: Container, order_id: str) -> str:
    with container.reader() as uow:
        found = uow.orders.get(order_id)
    if found is None:
        raise NotFound("The order is gone.")
    return found.number


def _stores(container: Container) -> list[str]:
    with container.reader() as uow:
        return [location.code for location in uow.locations.candidates() if location.pickup]


def _key(request: Request, form: dict[str, str], resource_id: str | None = None) -> Idempotent | None:
    """The form's own key as an Idempotency-Key of this route; another body under the same key is refused."""
    key = form.get("form_key", "")[:64]
    if not key:
        return None
    scope = f"POST {request.url.path}"
    body = sorted((k, v) for k, v in form.items() if k not in ("csrf_token", "intent"))
    return Idempotent(scope, key, fingerprint(scope, body), resource_id)


def _errors(refused: Refusal, sent: list[int], field_of: Callable[[InvalidInput, list[int]], str]) -> dict[str, str]:
    """Where the page says what went wrong; a refused role or a missing order keeps its own page (403/404)."""
    if isinstance(refused, Forbidden | NotFound):
        raise refused
    if isinstance(refused, forms.FormErrors):
        return refused.errors
    if isinstance(refused, InvalidInput):
        return {field_of(refused, sent): refused.reason}
    return {"form": refused.detail}


def _status(refused: Refusal) -> int:
    return 422 if isinstance(refused, InvalidInput | forms.FormErrors) else 409


def _to_order(number: str, done: str) -> Response:
    return RedirectResponse(f"/console/orders/{quote(number, safe='')}?done={done}", status_code=303)
