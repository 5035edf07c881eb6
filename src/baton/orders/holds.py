"""Holds: while an order has an active hold, nothing of it is accepted, packed or shipped.

A hold is placed by the risk rules at capture, by a failed payment, or by an agent; it stays on the order as
history once released. Cancelling a held order is how an agent refuses it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from baton.shared.clock import utcnow
from baton.shared.ids import new_id


class HoldKind(enum.StrEnum):
    RISK = "risk"  # a fraud and risk rule matched when the order was placed
    PAYMENT = "payment"  # the payment could not be authorised
    MANUAL = "manual"  # an agent held it


@dataclass(eq=False)
class OrderHold:
    order_id: str
    kind: str  # a HoldKind
    reasons: list[str]  # sentences an agent understands
    placed_by: str
    id: str = field(default_factory=lambda: new_id("hold"))
    placed_at: datetime = field(default_factory=utcnow)
    released_at: datetime | None = None
    released_by: str | None = None
    release_note: str | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None

    @property
    def text(self) -> str:
        """The reasons as sentences: `The billing country (US) differs from the shipping country (DE).`"""
        return " ".join(_sentence(reason) for reason in self.reasons)

    def describe(self) -> str:
        """`risk: The billing country (US) differs from the shipping country (DE).`"""
        return f"{self.kind}: {self.text}"

    def release(self, actor: str, note: str) -> None:
        self.released_at = utcnow()
        self.released_by = actor
        self.release_note = note


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
