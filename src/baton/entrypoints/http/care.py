"""Routes of customer care: internal notes and tags on orders (`orders.annotate`); gift cards (issued within the
role's money limit, `refunds.issue`; read with `customers.read`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from baton.adapters.db.returns_repository import GiftCard, GiftCardEntry
from baton.adapters.db.uow import Replay
from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep, IdempotencyKey, idempotent
from baton.entrypoints.http.payment_schemas import GiftCardIn, GiftCardIssued, GiftCardOut
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.schemas import In
from baton.identity.permissions import Action, check_money
from baton.orders import notes
from baton.orders.notes import MAX_NOTE, MAX_TAGS, Note
from baton.payments import gift_cards
from baton.shared.actor import Actor
from baton.shared.money import to_decimal_string, to_minor

router = APIRouter(prefix="/api/v1", tags=["customer care"])
Annotator = Annotated[Actor, allow(Action.ORDERS_ANNOTATE)]
Issuer = Annotated[Actor, allow(Action.REFUNDS_ISSUE)]


class NoteIn(In):
    text: Annotated[str, Field(min_length=1, max_length=MAX_NOTE,
                               description="Internal: agents, finance and admins read it; the customer never does.")]


class NoteOut(BaseModel):
    id: str
    order_id: str
    author: str
    text: str
    created_at: datetime


class NoteList(BaseModel):
    items: list[NoteOut]


class TagsIn(In):
    tags: Annotated[list[Annotated[str, Field(max_length=100)]], Field(
        max_length=100, examples=[["vip", "fragile"]],
        description=f"The order's tags from now on (at most {MAX_TAGS}): lower case a-z, digits, '-', '_', '.'; "
                    "up to 40 characters each. An empty list removes every tag.")]


class TagsOut(BaseModel):
    order_id: str
    tags: list[str]


def _note(note: Note) -> dict:
    return {"id": note.id, "order_id": note.order_id, "author": note.author, "text": note.text,
            "created_at": note.created_at}


@router.post("/orders/{order_id}/notes", status_code=201, response_model=NoteOut, responses=guarded(404, 422))
def add_note(order_id: str, body: NoteIn, container: ContainerDep, actor: Annotator) -> dict:
    """Write an internal note on the order; the timeline shows it as *Note by …: …*."""
    return _note(notes.add_note(container.uow(actor=actor), order_id, body.text, actor.label))


@router.get("/orders/{order_id}/notes", response_model=NoteList, responses=guarded(404))
def list_notes(order_id: str, container: ContainerDep, _actor: Annotator) -> dict:
    """The order's internal notes, oldest first."""
    return {"items": [_note(note) for note in notes.notes(container.reader(), order_id)]}


@router.get("/orders/{order_id}/tags", response_model=TagsOut, responses=guarded(404))
def get_tags(order_id: str, container: ContainerDep, _actor: Annotator) -> dict:
    return {"order_id": order_id, "tags": notes.tags(container.reader(), order_id)}


@router.put("/orders/{order_id}/tags", response_model=TagsOut, responses=guarded(404, 422))
def put_tags(order_id: str, body: TagsIn, container: ContainerDep, actor: Annotator) -> dict:
    """Set the order's tags (the whole set: read them first to add one). The timeline says what was added and
    removed (*Tagged vip, fragile.*); find tagged orders with GET /api/v1/orders?tag=vip."""
    return {"order_id": order_id, "tags": notes.set_tags(container.uow(actor=actor), order_id, body.tags,
                                                           actor.label)}


# -- gift cards --------------------------------------------------------------------------------------------------
def _gift_card(card: GiftCard, balance: int, entries: list[GiftCardEntry]) -> dict:
    money = lambda minor: to_decimal_string(minor, card.currency)  # noqa: E731
    return {"id": card.id, "last4": card.last4, "currency": card.currency, "balance": money(balance),
            "issued_by": card.issued_by, "created_at": card.created_at,
            "entries": [{"id": e.id, "amount": money(e.amount), "payment_id": e.payment_id, "memo": e.memo,
                         "created_at": e.created_at} for e in entries]}


@router.post("/gift-cards", status_code=201, response_model=GiftCardIssued, responses=guarded(403, 422))
def issue_gift_card(body: GiftCardIn, request: Request, response: Response, container: ContainerDep,
                    actor: Issuer, idempotency_key: IdempotencyKey = None) -> dict:
    """Issue a gift card with an opening balance (within the role's money limit, as a refund). The answer carries its
    code once (`code` is null on a replay of the same Idempotency-Key); pay with it as
    `{"method": "gift_card", "token": "<code>"}`. Its sale is booked in the money ledger."""
    amount = to_minor(body.amount, body.currency, "amount")
    check_money(actor.role, Action.REFUNDS_ISSUE, Decimal(body.amount), body.currency)
    try:
        issued = gift_cards.issue(container.uow(idempotent(request, idempotency_key, body), actor), body.currency,
                                  amount, body.note)
    except Replay as replay:
        assert replay.resource_id is not None
        response.headers["Idempotent-Replayed"] = "true"
        return {**_gift_card(*gift_cards.get(container.reader(), replay.resource_id)), "code": None}
    return {**_gift_card(*gift_cards.get(container.reader(), issued.card.id)), "code": issued.code}


@router.get("/gift-cards/{gift_card_id}", response_model=GiftCardOut, responses=guarded(404))
def get_gift_card(gift_card_id: str, container: ContainerDep,
                  _actor: Annotated[Actor, allow(Action.CUSTOMERS_READ)]) -> dict:
    """The card's balance and every movement of it (issue, payments held, released and refunded)."""
    return _gift_card(*gift_cards.get(container.reader(), gift_card_id))
