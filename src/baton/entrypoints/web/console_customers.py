"""The console's customers: search them (email, name, phone or order number, `baton.customers.search`), open
one: who they are, lifetime value, orders and returns, language and addresses, with links to their orders.

customers.read sees the pages (admin, agent, finance, analyst); orders.annotate may also set the customer's
preferred language (as the API allows), with a mistake shown next to the field and nothing changed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import URL

from baton.bootstrap import Container
from baton.customers import history, record, search
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.web.console import CONSOLE, CsrfChecked, PageRoute, SignedInDep, page, require
from baton.identity.console import SignedIn
from baton.identity.permissions import Action, allows
from baton.shared.errors import Conflict, InvalidInput
from baton.shared.money import format_money, reader_locale, to_minor

PAGE_SIZE = 25
MAX_TERM = 320


router = APIRouter(prefix="/console", tags=["console"], route_class=PageRoute, include_in_schema=False)


@router.get("/customers", openapi_extra=CONSOLE)
def customers(request: Request, container: ContainerDep, signed: SignedInDep, q: str = "",
              cursor: str = "") -> Response:
    require(signed, Action.CUSTOMERS_READ)
    term = q.strip()[:MAX_TERM]
    context: dict[str, Any] = {"signed": signed, "q": term, "customers": [], "errors": {}, "next_url": None,
                               "first_page": not cursor}
    try:
        with container.reads.connect() as conn:
            found, next_cursor = search.search(conn, term or None, None, PAGE_SIZE, cursor or None)
    except InvalidInput as bad:
        context["errors"] = {bad.field: bad.reason}
        return page(request, "console_customers.html", context, status=422)
    context["customers"] = found
    if next_cursor:
        context["next_url"] = str(URL("/console/customers").include_query_params(q=term, cursor=next_cursor))
    return page(request, "console_customers.html", context)


@router.get("/customers/{customer_id}", openapi_extra=CONSOLE)
def customer(customer_id: str, request: Request, container: ContainerDep, signed: SignedInDep,
             cursor: str = "", done: str = "") -> Response:
    require(signed, Action.CUSTOMERS_READ)
    return _customer_page(request, container, signed, customer_id, cursor=cursor,
                          done="The language was saved." if done == "language" else None)


@router.post("/customers/{customer_id}/language", openapi_extra=CONSOLE)
def set_language(customer_id: str, request: Request, container: ContainerDep, signed: CsrfChecked,
                 language: Annotated[str, Form()] = "") -> Response:
    actor = require(signed, Action.ORDERS_ANNOTATE)
    try:
        if not language.strip():
            raise InvalidInput("language", "is required, e.g. en, de-DE, pt-BR.")
        record.set_language(container.uow(actor=actor), customer_id, language[:35])
    except InvalidInput as bad:
        return _customer_page(request, container, signed, customer_id, errors={"language": bad.reason},
                              typed=language, status=422)
    except Conflict as refused:
        return _customer_page(request, container, signed, customer_id, errors={"language": refused.detail},
                              typed=language, status=409)
    return RedirectResponse(f"/console/customers/{customer_id}?done=language", status_code=303)


def _customer_page(request: Request, container: Container, signed: SignedIn, customer_id: str, *, cursor: str = "",
                   done: str | None = None, errors: dict[str, str] | None = None, typed: str | None = None,
                   status: int = 200) -> Response:
    locale = reader_locale(request.headers.get("accept-language"))
    errors = dict(errors or {})
    with container.reads.connect() as conn:
        found = record.record(conn, customer_id)  # CustomerNotFound: the 404 page
        try:
            orders, next_cursor = history.orders(conn, customer_id, PAGE_SIZE, cursor or None)
        except InvalidInput as bad:
            errors["cursor"], status = bad.reason, 422
            orders, next_cursor = history.orders(conn, customer_id, PAGE_SIZE, None)
        returns = history.return_count(conn, customer_id)
    for order in orders:
        order["total_text"] = format_money(order["total"], order["currency"], locale)
    found["lifetime"] = [format_money(to_minor(v["amount"], v["currency"]), v["currency"], locale)
                         + f" ({v['orders']} order{'s' if v['orders'] != 1 else ''})" for v in found["lifetime_value"]]
    return page(request, "console_customer.html", {
        "signed": signed, "csrf_token": signed.csrf_token, "customer": found, "orders": orders, "rmas": returns,
        "next_url": str(URL(f"/console/customers/{customer_id}").include_query_params(cursor=next_cursor))
        if next_cursor else None,
        "first_page": not cursor, "done": done, "errors": errors, "typed": typed,
        "may_annotate": allows(signed.actor.role, Action.ORDERS_ANNOTATE),
        "may_orders": allows(signed.actor.role, Action.ORDERS_READ)}, status=status)
