"""The composition root: settings in, wired services out."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from baton.adapters.db.engine import make_engine, read_engine
from baton.adapters.db.secrets import generated_secret
from baton.adapters.db.uow import UnitOfWork
from baton.adapters.payments import get_gateway
from baton.config import Settings
from baton.payments.gateway import PaymentGateway
from baton.routing.model import RoutingStrategy, get_strategy
from baton.shared.actor import SYSTEM, Actor
from baton.shared.errors import InvalidInput
from baton.shared.idempotency import Idempotent


@dataclass
class Container:
    settings: Settings
    engine: Engine
    strategy: RoutingStrategy
    reads: Engine  # for single-statement reads (lists, availability, tracking): no transaction round trips

    def uow(self, idempotent: Idempotent | None = None, actor: Actor = SYSTEM) -> UnitOfWork:
        return UnitOfWork(self.engine, idempotent=idempotent, actor=actor, settings=self.settings)

    def reader(self) -> UnitOfWork:
        """A read-only unit of work: never takes SQLite's writer lock."""
        return UnitOfWork(self.engine, read_only=True, settings=self.settings)

    def gateway(self, method: str) -> PaymentGateway:
        """The payment gateway of a payment method, configured from the settings."""
        if method == "stripe":
            if not self.settings.stripe_api_key:
                raise InvalidInput("payment.method", "Stripe is not configured here; set BATON_STRIPE_API_KEY.",
                                   code="gateway_not_configured")
            return get_gateway("stripe", api_key=self.settings.stripe_api_key, api_base=self.settings.stripe_api_base)
        return get_gateway(method)

    @cached_property
    def secret_key(self) -> str:
        """The configured secret, or in development one generated once per database (shared by every
        process through the database, never through memory alone)."""
        if self.settings.secret_key:
            return self.settings.secret_key
        if self.settings.production:
            raise RuntimeError("BATON_SECRET_KEY must be set in production")
        return generated_secret(self.engine, "secret_key")


def bootstrap(settings: Settings | None = None) -> Container:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size, echo=settings.echo_sql)
    return Container(settings, engine, get_strategy(settings.routing_strategy),
                     read_engine(engine, settings.db_pool_size))
