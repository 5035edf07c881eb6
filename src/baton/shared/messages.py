"""Domain events (facts for other systems) and timeline entries (sentences for people).

Aggregates record both while they change; the unit of work persists them in the same
transaction as the change, so nothing is announced for a change that rolled back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from baton.shared.clock import utcnow
from baton.shared.ids import new_id


@dataclass(eq=False)
class DomainEvent:
    type: str  # past tense, e.g. "order.placed"
    order_id: str | None
    payload: dict[str, Any]
    id: str = field(default_factory=lambda: new_id("evt"))
    occurred_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class TimelineEntry:
    order_id: str
    actor: str
    kind: str  # what happened, machine-readable: "placed", "routed", "shipped" ...
    message: str  # the sentence a service agent reads
    data: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: new_id("tl"))
    at: datetime = field(default_factory=utcnow)


class Recorder:
    """Mixin for aggregates: collects events and timeline entries until the unit of work takes them.

    Stored in __dict__ lazily because ORM-loaded instances never run __init__."""

    def record(self, event: DomainEvent) -> None:
        self.__dict__.setdefault("_events", []).append(event)

    def note(self, entry: TimelineEntry) -> None:
        self.__dict__.setdefault("_timeline", []).append(entry)

    def pop_messages(self) -> tuple[list[DomainEvent], list[TimelineEntry]]:
        events = self.__dict__.pop("_events", [])
        timeline = self.__dict__.pop("_timeline", [])
        return events, timeline
