"""Internal notes and tags on orders: what agents write down for each other and how they group orders.

Neither changes the order itself (no version bump, no order change): they are annotations. Each is a sentence
on the order's timeline and an entry in the audit log, written in the same transaction. Shoppers never see
them (the portal and the shopper routes show neither the timeline nor notes)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from baton.shared.clock import utcnow
from baton.shared.errors import InvalidInput, NotFound
from baton.shared.ids import new_id
from baton.shared.messages import TimelineEntry

if TYPE_CHECKING:  # the unit of work imports the repository, which imports Note from here
    from baton.adapters.db.uow import UnitOfWork

MAX_NOTE = 5000  # characters
MAX_TAG = 40
MAX_TAGS = 20  # per order
TAG = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass(frozen=True)
class Note:
    order_id: str
    author: str  # the actor's label
    text: str
    id: str = field(default_factory=lambda: new_id("note"))
    created_at: datetime = field(default_factory=utcnow)


def note_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("text", "write something: a note cannot be empty.")
    if len(cleaned) > MAX_NOTE:
        raise InvalidInput("text", f"a note holds at most {MAX_NOTE} characters.")
    return cleaned


def tag_set(tags: list[str], field_name: str = "tags") -> list[str]:
    """Tags as stored: trimmed, lower case, each once, sorted; InvalidInput naming the first bad one."""
    found: set[str] = set()
    for index, raw in enumerate(tags):
        tag = raw.strip().lower()
        if not tag or len(tag) > MAX_TAG or not TAG.match(tag):
            raise InvalidInput(f"{field_name}[{index}]", f"a tag is 1 to {MAX_TAG} letters a-z, digits, '-', '_' or "
                               "'.', starting with a letter or digit.")
        found.add(tag)
    if len(found) > MAX_TAGS:
        raise InvalidInput(field_name, f"an order carries at most {MAX_TAGS} tags.")
    return sorted(found)


def tag_sentence(added: list[str], removed: list[str]) -> str:
    parts = ([f"Tagged {', '.join(added)}"] if added else []) + ([f"untagged {', '.join(removed)}"] if removed else [])
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "."


# -- use cases --------------------------------------------------------------------------------------------------
def add_note(uow: UnitOfWork, order_id: str, text: str, actor: str) -> Note:
    cleaned = note_text(text)
    with uow:
        _number(uow, order_id, lock=True)
        note = Note(order_id, actor, cleaned)
        uow.annotations.add_note(note)
        uow.messages.add([], [TimelineEntry(order_id, actor, "note", f"Note by {actor}: {cleaned}",
                                            {"note_id": note.id})])
        # the audit log holds no personal data, and a note may hold some: it records that a note was written
        uow.audit.record("order.note", "order", order_id, None, {"note_id": note.id, "characters": len(cleaned)})
        uow.commit()
        return note


def notes(uow: UnitOfWork, order_id: str) -> list[Note]:
    with uow:
        _number(uow, order_id)
        return uow.annotations.notes(order_id)


def set_tags(uow: UnitOfWork, order_id: str, tags: list[str], actor: str) -> list[str]:
    """Replace the order's tags with `tags`; the timeline names what was added and removed. The same set again
    changes nothing and tells the timeline nothing; the audit log still records the request, like every setting
    put through the API."""
    wanted = tag_set(tags)
    with uow:
        _number(uow, order_id, lock=True)
        current = uow.annotations.tags(order_id)
        added = [tag for tag in wanted if tag not in current]
        removed = [tag for tag in current if tag not in wanted]
        if added or removed:
            uow.annotations.change_tags(order_id, added, removed, actor, utcnow())
            uow.messages.add([], [TimelineEntry(order_id, actor, "tagged", tag_sentence(added, removed),
                                                {"added": added, "removed": removed})])
        uow.audit.record("order.tags", "order", order_id, {"tags": current}, {"tags": wanted})
        uow.commit()
        return wanted


def tags(uow: UnitOfWork, order_id: str) -> list[str]:
    with uow:
        _number(uow, order_id)
        return uow.annotations.tags(order_id)


def _number(uow: UnitOfWork, order_id: str, *, lock: bool = False) -> str:
    number = uow.annotations.order_number(order_id, lock=lock)
    if number is None:
        raise _not_found(order_id)
    return number


def _not_found(order_id: str) -> NotFound:
    return NotFound(f"No order with id {order_id}.", code="order_not_found")
