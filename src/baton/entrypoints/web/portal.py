"""The shopper portal: where the mailed link leads. Server-rendered and read-only for now (address changes and
returns come later).

- GET /portal?access=<token> checks the link, puts the token in the `baton_shopper` cookie (HttpOnly, Secure,
  SameSite=Lax, Path=/portal, until the token expires) and redirects to /portal, so the token leaves the address
  bar and the browser history; a tampered or expired link gets a 401 page offering a new one;
- GET /portal lists the shopper's orders, GET /portal/orders/{number} shows one; someone else's number answers
  the same 404 page as an unknown one;
- without a cookie (or with a dead one) the portal offers the form that mails a new link (POST /portal/link),
  protected like console sign-in by a signed double-submit CSRF token; POST /portal/sign-out forgets the cookie.

A shopper token is signed, not stored: signing out forgets it in this browser, and the mailed link itself keeps
working until it expires."""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from pydantic import EmailStr, TypeAdapter, ValidationError

from baton.bootstrap import Container
from baton.customers import services
from baton.customers.access import BadShopperToken
from baton.customers.services import ShopperOrderNotFound
from baton.entrypoints.http.auth import public, request_id, source_of
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.shopper import SENT, SHOPPER, portal_of, visitor
from baton.entrypoints.web.console import SECURITY_HEADERS, page
from baton.entrypoints.web.csrf import CsrfRejected, DoubleSubmit
from baton.orders.model import Order
from baton.shared.actor import Actor
from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput, RateLimited
from baton.shared.money import format_money, reader_locale

SHOPPER_COOKIE = "baton_shopper"
HOME = "/portal"
PAGE_SIZE = 20
MAX_NUMBER = 64  # longer than any order number; not worth a query
EXPIRED = "This link has expired or is not valid; ask for a new one."
_FORMS = DoubleSubmit("baton_portal_csrf", HOME, "baton.portal.forms")
_EMAIL = TypeAdapter(EmailStr)
_LABELS = {  # statuses in the shopper's words
    "placed": "Placed", "processing": "Being prepared", "partially_shipped": "Partly shipped",
    "shipped": "Shipped", "delivered": "Delivered", "cancelled": "Cancelled", "in_transit": "On the way",
    "on_hold": "Being reviewed",
}
_MESSAGES = {  # (status, heading, text) of the one-message pages
    "sent": (200, "Check your mail", SENT),
    "not_found": (404, "Order not found", "You have no order with this number."),
    "refused": (403, "This form was not accepted",
                "The form has expired or did not come from this page, so nothing was changed."),
}


class LinkNeeded(Exception):
    """No usable shopper cookie: the route answers 401 with the page that mails a new link (`expired` when the
    browser had a cookie that no longer works)."""

    def __init__(self, expired: bool):
        super().__init__()
        self.expired = expired


class PortalRoute(APIRoute):
    """Portal routes answer in HTML: the ask-for-a-link page, 403/404/429 pages, hardened headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = await handler(request)
            except LinkNeeded as needed:
                response = await run_in_threadpool(partial(ask_page, request, expired=needed.expired,
                                                           forget=needed.expired, status=401))
            except CsrfRejected:
                response = message(request, "refused")
            except ShopperOrderNotFound:
                response = message(request, "not_found")
            except RateLimited as limited:
                minutes = math.ceil(limited.retry_after / 60)
                response = page(request, "portal_message.html", {
                    "heading": "Please wait a little",
                    "text": f"We have had many requests for links from here or for this address. Try again in "
                            f"{minutes} minute{'' if minutes == 1 else 's'}."}, status=429)
                response.headers["Retry-After"] = str(limited.retry_after)
            response.headers.update(SECURITY_HEADERS)
            return response

        return handle


router = APIRouter(prefix=HOME, tags=["portal"], route_class=PortalRoute, include_in_schema=False)


def current_shopper(request: Request) -> Actor:
    """The shopper whose token is in this browser's cookie; else LinkNeeded."""
    token = request.cookies.get(SHOPPER_COOKIE)
    if not token:
        raise LinkNeeded(expired=False)
    try:
        actor = services.authenticate_shopper(request.app.state.container.reads, portal_of(request).keys, token)
    except BadShopperToken:
        raise LinkNeeded(expired=True) from None
    return actor.at(source_of(request), request_id(request))


ShopperDep = Annotated[Actor, Depends(current_shopper)]


# -- routes ---------------------------------------------------------------------------------------------------
@router.get("", openapi_extra=public())
def home(request: Request, container: ContainerDep, access: str | None = None,
         cursor: str | None = None) -> Response:
    """With `access`: open the mailed link. Otherwise the shopper's orders, or the form that mails a link."""
    if access is not None:
        return _open_link(request, access)
    if not request.cookies.get(SHOPPER_COOKIE):
        return ask_page(request)
    shopper = current_shopper(request)
    try:
        rows, next_cursor = services.order_history(container.reads, shopper, PAGE_SIZE, cursor)
    except InvalidInput:  # a cursor we never gave out: start again
        return RedirectResponse(HOME, status_code=303)
    locale = reader_locale(request.headers.get("accept-language"))
    orders = [{"number": row["number"], "placed": _day(row["placed_at"]), "status": _label(row["status"]),
               "total": format_money(row["total"], row["currency"], locale)} for row in rows]
    return _signed_in_page(request, "portal_orders.html", {"orders": orders, "next_cursor": next_cursor,
                                                           "first_page": cursor is None})


@router.get("/orders/{number}", openapi_extra=SHOPPER)
def order(number: str, request: Request, container: ContainerDep, shopper: ShopperDep) -> Response:
    """One of the shopper's orders; someone else's number gets the same 404 page as an unknown one."""
    if len(number) > MAX_NUMBER:
        raise ShopperOrderNotFound()
    found = services.own_order(container.reader(), shopper, number)
    locale = reader_locale(request.headers.get("accept-language"))
    return _signed_in_page(request, "portal_order.html", {"order": _order_view(found, locale)})


@router.post("/link", openapi_extra=public())
def request_link(request: Request, container: ContainerDep, email: Annotated[str, Form()] = "",
                 csrf_token: Annotated[str, Form()] = "") -> Response:
    """Mail a link to the customer's orders; the same page follows whether or not we hold any for the address."""
    if not _FORMS.valid(request, container.secret_key, csrf_token):
        raise CsrfRejected()
    try:
        address = str(_EMAIL.validate_python(email.strip()))
    except ValidationError:
        return ask_page(request, error="Enter the email address you ordered with.", email=email, status=422)
    services.request_link(container.uow(actor=visitor(request)), portal_of(request), address, source_of(request))
    return message(request, "sent")


@router.post("/sign-out", openapi_extra=public())  # anyone may make their own browser forget its link
def sign_out(request: Request, container: ContainerDep, csrf_token: Annotated[str, Form()] = "") -> Response:
    if not _FORMS.valid(request, container.secret_key, csrf_token):
        raise CsrfRejected()
    response = RedirectResponse(HOME, status_code=303)
    _forget_shopper(response)
    return response


# -- pages ----------------------------------------------------------------------------------------------------
def ask_page(request: Request, *, expired: bool = False, forget: bool = False, error: str | None = None,
             email: str = "", status: int = 200) -> Response:
    """The form that mails a link, with its CSRF token. `expired` says the link or cookie is no good; `forget`
    makes the browser drop its shopper cookie."""
    container: Container = request.app.state.container
    token = _FORMS.token(request, container.secret_key)
    response = page(request, "portal_ask.html", {"expired": expired, "expired_text": EXPIRED, "error": error,
                                                 "email": email[:320], "csrf_token": token}, status=status)
    _FORMS.attach(response, token)
    if forget and SHOPPER_COOKIE in request.cookies:
        _forget_shopper(response)
    return response


def message(request: Request, kind: str) -> Response:
    status, heading, text = _MESSAGES[kind]
    return page(request, "portal_message.html", {"heading": heading, "text": text}, status=status)


def _signed_in_page(request: Request, template: str, context: dict[str, Any]) -> Response:
    """A page for a signed-in shopper: carries the CSRF token of its sign-out form."""
    token = _FORMS.token(request, request.app.state.container.secret_key)
    response = page(request, template, {**context, "csrf_token": token})
    _FORMS.attach(response, token)
    return response


def _open_link(request: Request, access: str) -> Response:
    """Trade the link's token for the cookie and send the browser to /portal; a 401 page for a bad link."""
    keys = portal_of(request).keys
    try:
        services.authenticate_shopper(request.app.state.container.reads, keys, access)
        expires_at = keys.read(access, utcnow()).expires_at
    except BadShopperToken:
        return ask_page(request, expired=True, status=401)  # a cookie from an earlier link is left alone
    response = RedirectResponse(HOME, status_code=303)
    max_age = max(1, int((expires_at - utcnow()).total_seconds()))
    response.set_cookie(SHOPPER_COOKIE, access, max_age=max_age, path=HOME, secure=True, httponly=True,
                        samesite="lax")
    return response


def _forget_shopper(response: Response) -> None:
    response.delete_cookie(SHOPPER_COOKIE, path=HOME, secure=True, httponly=True, samesite="lax")


# -- what the templates show ----------------------------------------------------------------------------------
def _order_view(o: Order, locale: str) -> dict[str, Any]:
    money = partial(format_money, currency=o.currency, locale=locale)
    names = {line.id: line.name for line in o.lines}
    lines = [{"name": line.name, "sku": line.sku, "quantity": line.quantity, "unit_price": money(line.unit_price),
              "total": money(o.value_of(line, line.kept)), "state": _line_state(line.buckets())} for line in o.lines]
    shipments = [{"carrier": s.carrier, "service": s.service, "tracking_number": s.tracking_number,
                  "status": _label(str(s.status)), "shipped": _day(s.shipped_at),
                  "delivered": _day(s.delivered_at) if s.delivered_at else None,
                  "contents": [f"{item['quantity']} × {names.get(item['line_id'], item['sku'])}" for item in s.lines]}
                 for fo in o.fulfillment_orders for s in fo.shipments]
    totals = o.totals
    return {"number": o.number, "placed": _day(o.placed_at), "status": _label(str(o.status)),
            "delivery_method": str(o.delivery_method), "pickup_location": o.pickup_location,
            "address": o.shipping_address or {}, "lines": lines, "shipments": shipments,
            "totals": {"subtotal": money(totals.subtotal), "discount": money(totals.discount),
                       "shipping": money(totals.shipping), "tax": money(totals.tax), "total": money(totals.total)},
            "discounted": totals.discount > 0, "tax_included": not o.tax_added}


def _line_state(quantities: dict[str, int]) -> str:
    """Where the units of a line are, in words: `1 delivered · 1 being prepared`."""
    on_the_way = quantities["shipped"] - quantities["delivered"]
    preparing = quantities["ordered"] - quantities["cancelled"] - quantities["shipped"]
    parts = [(quantities["delivered"], "delivered"), (on_the_way, "on the way"), (preparing, "being prepared"),
             (quantities["cancelled"], "cancelled"), (quantities["returned"], "returned")]
    return " · ".join(f"{count} {what}" for count, what in parts if count)


def _label(status: str) -> str:
    return _LABELS.get(status, status.replace("_", " ").capitalize())


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")
