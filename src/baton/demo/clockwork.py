"""The event queue of the simulation: steps run in time order, each under `frozen_at` its own moment."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

from baton.shared.clock import frozen_at


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def days(value: float) -> timedelta:
    return timedelta(days=value)


class Clockwork:
    """A priority queue of (moment, sequence, step). The sequence breaks ties, so equal moments keep the order
    they were scheduled in and a run is the same every time. Steps after `now` never run: that is the future."""

    def __init__(self, now: datetime):
        self.now = now
        self.moment = now
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._sequence = itertools.count()

    def at(self, moment: datetime, step: Callable[[], None]) -> bool:
        if moment > self.now:
            return False
        heapq.heappush(self._queue, (moment, next(self._sequence), step))
        return True

    def run(self) -> None:
        while self._queue:
            moment, _, step = heapq.heappop(self._queue)
            self.moment = moment
            with frozen_at(moment):
                step()
