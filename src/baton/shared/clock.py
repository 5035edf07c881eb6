"""The one place that reads the time, so tests and the demo seeder can move it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_frozen: ContextVar[datetime | None] = ContextVar("baton_frozen_now", default=None)


def utcnow() -> datetime:
    return _frozen.get() or datetime.now(UTC)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Everything inside happens at `moment` (an aware datetime): for seeding history and for tests."""
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
