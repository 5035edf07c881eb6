"""Routes of customer care on orders: internal notes and tags (`orders.annotate`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.schemas import In
from baton.identity.permissions import Action
from baton.orders import notes
from baton.orders.notes import MAX_NOTE, MAX_TAGS, Note
from baton.shared.actor import Actor

router = APIRouter(prefix="/api/v1", tags=["customer care"])
Annotator = Annotated[Actor, allow(Action.ORDERS_ANNOTATE)]


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
