"""Audit entries: who changed what, with the before and after of the changed fields.

Services record them on the unit of work, which writes them in the transaction of the change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from baton.shared.clock import utcnow
from baton.shared.ids import new_id


@dataclass(frozen=True)
class AuditEntry:
    action: str  # what was done, e.g. "order.cancel", "token.revoke"
    target_type: str  # "order", "product", "stock_level", "token" ...
    target_id: str
    before: dict[str, Any]  # only the fields that changed
    after: dict[str, Any]
    id: str = field(default_factory=lambda: new_id("aud"))
    at: datetime = field(default_factory=utcnow)


def changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields whose values differ, as (before, after); a creation has an empty before, a deletion an empty
    after."""
    before, after = before or {}, after or {}
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {k: before[k] for k in keys if k in before}, {k: after[k] for k in keys if k in after}


class AuditTrail:
    """Collects a unit of work's audit entries until it commits."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def record(self, action: str, target_type: str, target_id: str, before: dict[str, Any] | None = None,
               after: dict[str, Any] | None = None) -> None:
        old, new = changed(before, after)
        self.entries.append(AuditEntry(action, target_type, target_id, old, new))

    def pop(self) -> list[AuditEntry]:
        entries, self.entries = self.entries, []
        return entries


def view(obj: Any, *fields: str) -> dict[str, Any]:
    """Named attributes of an object as JSON-safe values, for before/after snapshots."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
