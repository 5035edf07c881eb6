"""The composition root: settings in, wired services out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from baton.adapters.db.engine import make_engine, read_engine
from baton.adapters.db.uow import UnitOfWork
from baton.config import Settings
from baton.routing.model import RoutingStrategy, get_strategy
from baton.shared.idempotency import Idempotent


@dataclass
class Container:
    settings: Settings
    engine: Engine
    strategy: RoutingStrategy
    reads: Engine  # for single-statement reads (lists, availability, tracking): no transaction round trips

    def uow(self, idempotent: Idempotent | None = None) -> UnitOfWork:
        return UnitOfWork(self.engine, idempotent=idempotent)

    def reader(self) -> UnitOfWork:
        """A read-only unit of work: never takes SQLite's writer lock."""
        return UnitOfWork(self.engine, read_only=True)


def bootstrap(settings: Settings | None = None) -> Container:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size, echo=settings.echo_sql)
    return Container(settings, engine, get_strategy(settings.routing_strategy), read_engine(engine))
