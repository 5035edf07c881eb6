"""The shopper portal: where the mailed link leads. Server-rendered; the shopper fixes their own orders here.

- GET /portal?access=<token> checks the link, puts the token in the `baton_shopper` cookie (HttpOnly, Secure,
  SameSite=Lax, Path=/portal, until the token expires) and redirects to /portal, so the token leaves the address
  bar and the browser history; a tampered or expired link gets a 401 page offering a new one;
- GET /portal lists the shopper's orders, GET /portal/orders/{number} shows one; someone else's number answers
  the same 404 page as an unknown one;
- on an order: change the shipping address before it is packed, cancel it before anything is picked, ask for a
  return of delivered units, each a form with the CSRF token below. The self-service and returns services decide;
  a refusal is said next to its field and changes nothing; a success redirects back to the order (POST/redirect/GET);
- without a cookie (or with a dead one) the portal offers the form that mails a new link (POST /portal/link),
  protected like console sign-in by a signed double-submit CSRF token; POST /portal/sign-out forgets the cookie.

A shopper token is signed, not stored: signing out forgets it in this browser, and the mailed link itself keeps
working until it expires."""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from pydantic import EmailStr, TypeAdapter, ValidationError

from baton.bootstrap import Container
from baton.customers import self_service, services
from baton.customers.access import BadShopperToken
from baton.customers.services import ShopperOrderNotFound
from baton.entrypoints.http.auth import public, request_id, source_of
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.shopper import SENT, SHOPPER, portal_of, visitor
from baton.entrypoints.web import order_forms as forms
from baton.entrypoints.web import portal_views as views
from baton.entrypoints.web.console import SECURITY_HEADERS, page
from baton.entrypoints.web.csrf import CsrfRejected, DoubleSubmit
from baton.orders.model import Order
from baton.payments import flows
from baton.returns import services as returns
from baton.shared.actor import Actor
from baton.shared.clock import utcnow
from baton.shared.errors import BatonError, Conflict, InvalidInput, RateLimited
from baton.shared.money import format_money, reader_locale

SHOPPER_COOKIE = "baton_shopper"
HOME = "/portal"
PAGE_SIZE = 20
MAX_NUMBER = 64  # longer than any order number; not worth a query
EXPIRED = "This link has expired or is not valid; ask for a new one."
_FORMS = DoubleSubmit("baton_portal_csrf", HOME, "baton.portal.forms")
_EMAIL = TypeAdapter(EmailStr)
DONE = {"address": "The new address is saved; the order goes there.",
        "cancel": "The order is cancelled. Any payment is given back to the way you paid.",
        "return": "Your return request is in. We will mail you once it is approved, with what to do next."}
RETURN_REASONS = ("Too small", "Too big", "Not as described", "Arrived damaged", "Wrong item sent",
                  "Changed my mind", "Other")
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
    locale = _locale(request)
    orders = [{"number": row["number"], "placed": views.day(row["placed_at"]), "status": views.label(row["status"]),
               "total": format_money(row["total"], row["currency"], locale)} for row in rows]
    return _signed_in_page(request, "portal_orders.html", {"orders": orders, "next_cursor": next_cursor,
                                                           "first_page": cursor is None})


@router.get("/orders/{number}", openapi_extra=SHOPPER)
def order(number: str, request: Request, container: ContainerDep, shopper: ShopperDep, done: str = "") -> Response:
    """One of the shopper's orders; someone else's number gets the same 404 page as an unknown one."""
    return _order_page(request, container, shopper, number, done=DONE.get(done))


@router.get("/orders/{number}/address", openapi_extra=SHOPPER)
def address_form(number: str, request: Request, container: ContainerDep, shopper: ShopperDep) -> Response:
    found = _own(container, shopper, number)
    typed = {key: str(value) for key, value in (found.shipping_address or {}).items()}
    return _signed_in_page(request, "portal_address.html", {"order": views.order_view(found, _locale(request)),
                                                            "typed": typed, "errors": {}})


@router.post("/orders/{number}/address", openapi_extra=SHOPPER)
async def change_address(number: str, request: Request, container: ContainerDep, shopper: ShopperDep) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items()}
    _check_form(request, container, form)
    return await run_in_threadpool(_change_address, request, container, shopper, number, form)


def _change_address(request: Request, container: Container, shopper: Actor, number: str,
                    form: dict[str, str]) -> Response:
    try:
        address = forms.address_from(form)
        self_service.change_address(container.uow(actor=shopper), shopper, _number(number), address)
    except (forms.FormErrors, InvalidInput, Conflict) as refused:
        found = _own(container, shopper, number)
        return _signed_in_page(request, "portal_address.html", {
            "order": views.order_view(found, _locale(request)), "typed": form, "errors": _errors(refused)},
            status=409 if isinstance(refused, Conflict) else 422)
    return _done(number, "address")


@router.post("/orders/{number}/cancel", openapi_extra=SHOPPER)
def cancel(number: str, request: Request, container: ContainerDep, shopper: ShopperDep,
           reason: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    """Cancel the whole order while nothing has been picked; the payment is voided or refunded."""
    _check_form(request, container, {"csrf_token": csrf_token})
    try:
        why = forms.text(reason, "cancel-reason", required=False)
        cancelled = self_service.cancel(container.uow(actor=shopper), shopper, _number(number), why or None)
    except (InvalidInput, Conflict) as refused:
        errors = _errors(refused, conflict_field="cancel-form")
        return _order_page(request, container, shopper, number, errors=errors, typed={"cancel-reason": reason},
                           status=409 if isinstance(refused, Conflict) else 422)
    flows.settle_pending(lambda: container.uow(actor=shopper), container.gateway, cancelled.id)
    return _done(number, "cancel")


@router.get("/orders/{number}/return", openapi_extra=SHOPPER)
def return_form(number: str, request: Request, container: ContainerDep, shopper: ShopperDep) -> Response:
    return _return_page(request, container, shopper, number, {}, {})


@router.post("/orders/{number}/return", openapi_extra=SHOPPER)
async def request_return(number: str, request: Request, container: ContainerDep, shopper: ShopperDep) -> Response:
    """Ask for a return of delivered units (quantities per line, a reason each, how they come back)."""
    raw = await request.form()
    form = {key: str(value) for key, value in raw.items()}
    _check_form(request, container, form)
    return await run_in_threadpool(_request_return, request, container, shopper, number, form, forms.rows_of(raw))


def _request_return(request: Request, container: Container, shopper: Actor, number: str, form: dict[str, str],
                    rows: list[forms.Row]) -> Response:
    found = _own(container, shopper, number)
    sent: list[int] = []
    try:
        cmd, sent = forms.return_request(found.id, form, rows)
        returns.request_return(container.uow(actor=shopper), cmd)
    except (InvalidInput, Conflict) as refused:
        errors = ({forms.indexed(refused, sent): refused.reason} if isinstance(refused, InvalidInput)
                  else {"form": refused.detail})
        return _return_page(request, container, shopper, number, forms.typed_rows(form, rows), errors,
                            status=409 if isinstance(refused, Conflict) else 422)
    return _done(number, "return")


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


def _signed_in_page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """A page for a signed-in shopper: carries the CSRF token of its forms (sign-out, the order's actions)."""
    token = _FORMS.token(request, request.app.state.container.secret_key)
    response = page(request, template, {**context, "csrf_token": token}, status=status)
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


# -- the order pages ------------------------------------------------------------------------------------------
def _order_page(request: Request, container: Container, shopper: Actor, number: str, *, done: str | None = None,
                errors: dict[str, str] | None = None, typed: dict[str, str] | None = None,
                status: int = 200) -> Response:
    found = _own(container, shopper, number)
    return _signed_in_page(request, "portal_order.html", {
        "order": views.order_view(found, _locale(request)), "done": done, "errors": errors or {},
        "typed": typed or {}}, status=status)


def _return_page(request: Request, container: Container, shopper: Actor, number: str, typed: dict[str, str],
                 errors: dict[str, str], status: int = 200) -> Response:
    found = _own(container, shopper, number)
    with container.reader() as uow:
        stores = [c.code for c in uow.locations.candidates() if c.pickup]
    return _signed_in_page(request, "portal_return.html", {
        "order": views.order_view(found, _locale(request)), "lines": views.returnable_lines(found),
        "stores": stores, "reasons": RETURN_REASONS, "typed": typed, "errors": errors}, status=status)


def _own(container: Container, shopper: Actor, number: str) -> Order:
    return services.own_order(container.reader(), shopper, _number(number))


def _number(number: str) -> str:
    if len(number) > MAX_NUMBER:
        raise ShopperOrderNotFound()
    return number


def _check_form(request: Request, container: Container, form: dict[str, str]) -> None:
    if not _FORMS.valid(request, container.secret_key, form.get("csrf_token", "")):
        raise CsrfRejected()


def _errors(refused: Exception, conflict_field: str = "form") -> dict[str, str]:
    if isinstance(refused, forms.FormErrors):
        return refused.errors
    if isinstance(refused, InvalidInput):
        return {refused.field.replace(".", "-"): refused.reason}
    assert isinstance(refused, BatonError)
    return {conflict_field: refused.detail}


def _done(number: str, what: str) -> Response:
    return RedirectResponse(f"{HOME}/orders/{quote(number, safe='')}?done={what}", status_code=303)


def _locale(request: Request) -> str:
    return reader_locale(request.headers.get("accept-language"))
