"""Shopper access: a signed link or a one-time code by mail opens one customer's own orders.

The three request routes answer the same whether or not the email or order exists; the order routes take the
shopper's access token (never an API token) and answer 404 for any order that is not the shopper's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, EmailStr, Field

from baton.customers import services
from baton.customers.access import ShopperKeys
from baton.customers.services import Portal
from baton.entrypoints.http import presenters
from baton.entrypoints.http.auth import public, request_id, source_of
from baton.entrypoints.http.deps import ContainerDep, IdempotencyKey
from baton.entrypoints.http.order_schemas import OrderList, OrderOut
from baton.entrypoints.http.payment_schemas import PaymentAdded, ShopperPaymentIn
from baton.entrypoints.http.payments import add_shopper_payment
from baton.entrypoints.http.problems import responses
from baton.entrypoints.http.schemas import In
from baton.shared.actor import Actor
from baton.shared.errors import Unauthenticated
from baton.shared.money import to_decimal_string

router = APIRouter(prefix="/api/v1/shopper", tags=["shopper"])
SHOPPER = {"x-permission": "shopper"}  # routes for the holder of a shopper access token
SENT = "If we hold orders for this address, a link is on its way."
CODE_SENT = "If this order belongs to this address, a code is on its way."

shopper_bearer = HTTPBearer(
    auto_error=False, scheme_name="ShopperAccess",
    description="A shopper access token (`shp_…`): the `access` value of a mailed link, or the `access_token` "
                "of POST /api/v1/shopper/sessions. API tokens are not accepted here.",
)
OrderNumber = Annotated[str, Field(min_length=1, max_length=32, examples=["BT-100042"])]


class LinkIn(In):
    email: EmailStr


class CodeIn(In):
    order_number: OrderNumber
    email: EmailStr


class SessionIn(In):
    order_number: OrderNumber
    email: EmailStr
    code: Annotated[str, Field(min_length=1, max_length=20, description="The six digits from the mail.")]


class Accepted(BaseModel):
    detail: str


class ShopperSession(BaseModel):
    access_token: str
    expires_at: datetime


def portal_of(request: Request) -> Portal:
    state = request.app.state
    portal: Portal | None = getattr(state, "shopper_portal", None)
    if portal is None:
        container = state.container
        settings = container.settings
        portal = Portal(ShopperKeys(container.secret_key, settings.shopper_link_hours), settings.public_url)
        state.shopper_portal = portal
    return portal


def visitor(request: Request) -> Actor:
    """Who asks for a link or code: nobody we know yet."""
    return Actor("shopper", "anonymous", "anonymous shopper", source=source_of(request),
                 request_id=request_id(request))


async def current_shopper(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(shopper_bearer)],
) -> Actor:
    # async like the API token check: one indexed read, cheaper than a thread hop
    if credentials is None:
        raise Unauthenticated("Send `Authorization: Bearer <access>` with the access value of a mailed link; ask "
                              "for one with POST /api/v1/shopper/links.")
    actor = services.authenticate_shopper(request.app.state.container.reads, portal_of(request).keys,
                                          credentials.credentials)
    return actor.at(source_of(request), request_id(request))


Shopper = Annotated[Actor, Depends(current_shopper)]


@router.post("/links", status_code=202, response_model=Accepted, responses=responses(429), openapi_extra=public())
def request_link(body: LinkIn, request: Request, container: ContainerDep) -> dict[str, Any]:
    """Mail a signed link to the customer's orders. The answer is the same whether or not we hold orders for
    the address."""
    services.request_link(container.uow(actor=visitor(request)), portal_of(request), str(body.email),
                          source_of(request))
    return {"detail": SENT}


@router.post("/codes", status_code=202, response_model=Accepted, responses=responses(429), openapi_extra=public())
def request_code(body: CodeIn, request: Request, container: ContainerDep) -> dict[str, Any]:
    """Mail a one-time code for an order. The answer is the same whether or not the order belongs to the
    address."""
    services.request_code(container.uow(actor=visitor(request)), portal_of(request), body.order_number,
                          str(body.email), source_of(request))
    return {"detail": CODE_SENT}


@router.post("/sessions", status_code=201, response_model=ShopperSession, responses=responses(401, 429),
             openapi_extra=public())
def create_session(body: SessionIn, request: Request, container: ContainerDep) -> dict[str, Any]:
    """Trade a one-time code for an access token to the customer's orders. Every failure answers the same 401;
    a code works once, within 15 minutes, and locks after 5 wrong tries."""
    grant = services.verify_code(container.uow(actor=visitor(request)), portal_of(request), body.order_number,
                                 str(body.email), body.code, source_of(request))
    return {"access_token": grant.token, "expires_at": grant.expires_at}


@router.get("/orders", response_model=OrderList, responses=responses(401), openapi_extra=SHOPPER)
def list_own_orders(container: ContainerDep, shopper: Shopper, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    cursor: Annotated[str | None, Query(max_length=500)] = None) -> dict[str, Any]:
    """The shopper's order history, newest first."""
    rows, next_cursor = services.order_history(container.reads, shopper, limit, cursor)
    for row in rows:
        row["total"] = to_decimal_string(row["total"], row["currency"])
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/orders/{order_number}", response_model=OrderOut, responses=responses(401, 404),
            openapi_extra=SHOPPER)
def get_own_order(order_number: str, container: ContainerDep, shopper: Shopper) -> dict[str, Any]:
    """One of the shopper's orders, in full but for the reasons of holds (staff only: `holds` is empty). Any other
    number answers 404, as if it did not exist."""
    return presenters.order(services.own_order(container.reader(), shopper, order_number), holds=False)


@router.post("/orders/{order_number}/payments", status_code=201, response_model=PaymentAdded,
             responses=responses(401, 404, 409, 422), openapi_extra=SHOPPER)
def pay_own_order(order_number: str, body: ShopperPaymentIn, request: Request, response: Response,
                  container: ContainerDep, shopper: Shopper, idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """Pay one of the shopper's orders again with another card, when its payment was refused (or a capture at
    shipment was): as POST /api/v1/orders/{id}/payments. Any other number answers 404."""
    return add_shopper_payment(container, shopper, order_number, body, request, response, idempotency_key)
