"""The unit of work: one transaction, its repositories, and the messages its aggregates recorded."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from baton.adapters.db import repositories as r
from baton.adapters.db.care_repository import Annotations
from baton.adapters.db.catalog_repository import Locations, Products
from baton.adapters.db.customer_repository import CustomerRecords
from baton.adapters.db.engine import WRITE
from baton.adapters.db.exchange_repository import Claims, Exchanges
from baton.adapters.db.hot import pipelined
from baton.adapters.db.identity_repository import Tokens
from baton.adapters.db.invoice_repository import Invoices
from baton.adapters.db.journal_repository import Journal
from baton.adapters.db.mapping import start_mappers
from baton.adapters.db.notification_repository import Notifications
from baton.adapters.db.order_repository import Customers, Orders
from baton.adapters.db.payment_repository import Payments
from baton.adapters.db.refund_repository import RefundRecords
from baton.adapters.db.returns_repository import GiftCards, ReturnPolicies, Returns, StoreCredit
from baton.adapters.db.risk_repository import RiskRules
from baton.adapters.db.settings_repository import ExchangeRates, TaxSettings
from baton.adapters.db.shopper_repository import MailOutbox, RateLimits, ShopperCodes
from baton.adapters.db.stock_repository import Stock
from baton.adapters.db.stream_repository import StreamQueue
from baton.adapters.db.user_repository import ConsoleSessions, Users
from baton.adapters.db.webhook_repository import Webhooks
from baton.config import Settings
from baton.orders.model import Order
from baton.shared.actor import SYSTEM, Actor
from baton.shared.audit import AuditTrail
from baton.shared.errors import InvalidInput
from baton.shared.idempotency import Idempotent
from baton.shared.messages import Recorder


class Replay(Exception):
    """This Idempotency-Key was already used with the same request: answer as the first time, do nothing."""

    def __init__(self, resource_id: str | None):
        super().__init__(resource_id)
        self.resource_id = resource_id


class IdempotencyKeyReused(InvalidInput):
    def __init__(self) -> None:
        super().__init__("Idempotency-Key", "this key was used with a different request; use a new key for a new "
                         "request.", code="idempotency_key_reused")


R = TypeVar("R")


class _Repository(Generic[R]):
    """A repository made on first use in a unit of work, on its session: a use case touches a few of them."""

    def __init__(self, factory: Callable[[Session], R]):
        self.factory = factory

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        _REPOSITORIES.append(name)

    def __get__(self, uow: Any, owner: type | None = None) -> R:
        repository = self.factory(uow.session)
        uow.__dict__[self.name] = repository  # found there from now on (this descriptor defines no __set__)
        return repository


_REPOSITORIES: list[str] = []
_SESSIONS: WeakKeyDictionary[Engine, dict[bool, sessionmaker[Session]]] = WeakKeyDictionary()


def _sessions(engine: Engine, read_only: bool) -> sessionmaker[Session]:
    """One session factory per engine and mode: making one builds a Session subclass and its event hooks."""
    per_mode = _SESSIONS.setdefault(engine, {})
    if read_only not in per_mode:
        bind = engine if read_only else engine.execution_options(**WRITE)
        per_mode[read_only] = sessionmaker(bind=bind, expire_on_commit=False)
    return per_mode[read_only]


class UnitOfWork:
    products = _Repository(Products)
    locations = _Repository(Locations)
    stock = _Repository(Stock)
    orders = _Repository(Orders)
    customers = _Repository(Customers)
    customer_records = _Repository(CustomerRecords)
    idempotency = _Repository(r.Idempotency)
    messages = _Repository(r.Messages)
    audit_log = _Repository(r.AuditLog)
    tokens = _Repository(Tokens)
    payments = _Repository(Payments)
    refund_records = _Repository(RefundRecords)
    journal = _Repository(Journal)
    invoices = _Repository(Invoices)  # invoices and credit memos
    risk_rules = _Repository(RiskRules)
    tax_settings = _Repository(TaxSettings)
    exchange_rates = _Repository(ExchangeRates)
    users = _Repository(Users)
    console_sessions = _Repository(ConsoleSessions)
    shopper_codes = _Repository(ShopperCodes)
    mail = _Repository(MailOutbox)
    rate_limits = _Repository(RateLimits)
    returns = _Repository(Returns)  # return authorisations (RMA) and their lines
    return_policies = _Repository(ReturnPolicies)
    store_credit = _Repository(StoreCredit)
    gift_cards = _Repository(GiftCards)
    annotations = _Repository(Annotations)  # notes and tags of orders, customers' languages
    webhooks = _Repository(Webhooks)  # subscriptions, their deliveries and the fan-out of the outbox
    stream = _Repository(StreamQueue)  # events waiting to be published on the event stream
    exchanges = _Repository(Exchanges)  # returns swapped for replacement orders
    claims = _Repository(Claims)  # lost, damaged or wrong units replaced or refunded
    notifications = _Repository(Notifications)  # customer messages, their templates and preferences

    def __init__(self, engine: Engine, *, read_only: bool = False, idempotent: Idempotent | None = None,
                 actor: Actor = SYSTEM, settings: Settings | None = None):
        """With `idempotent`, entering claims the key in this transaction (raising Replay when it was
        used before) and committing stores what was created, so key and change land together.
        `actor` is who the audit log names for every change this unit of work commits."""
        start_mappers()
        self.read_only = read_only
        self.actor = actor
        self.settings = settings or Settings.from_env()  # what use cases read of the shop's configuration
        self.audit = AuditTrail()
        self.idempotent = idempotent
        self.created_id: str | None = None
        self._factory = _sessions(engine, read_only)

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        for name in _REPOSITORIES:  # made again on first use, on this session
            self.__dict__.pop(name, None)
        self.audit.pop()  # a unit of work entered again starts a fresh trail
        if self.idempotent:
            try:
                self._claim(self.idempotent)
            except BaseException:
                self.session.rollback()
                self.session.close()
                raise
        return self

    def _claim(self, key: Idempotent) -> None:
        claimed, fingerprint, resource_id = self.idempotency.claim(key.scope, key.key, key.fingerprint,
                                                                   key.resource_id)
        if not claimed:
            if fingerprint != key.fingerprint:
                raise IdempotencyKeyReused()
            raise Replay(resource_id)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.read_only:
            self.session.rollback()  # a no-op after commit; otherwise nothing half-done survives
        self.session.close()  # loaded objects stay readable, detached

    def add_order(self, order: Order) -> None:
        """A new order: inserted with Core now (the capture hot path), its messages with it, all in one round trip
        on PostgreSQL (none of these statements returns anything)."""
        with pipelined(self.orders.db):
            self.orders.insert_new(order)
            self.messages.add(*order.pop_messages(), new_order=order.id)

    def commit(self) -> None:
        self.stock.flush()
        self._collect_messages()
        self.audit_log.add(self.audit.pop(), self.actor)
        key = self.idempotent
        if key and self.created_id and self.created_id != key.resource_id:  # else the claim already holds it
            self.idempotency.complete(key.scope, key.key, self.created_id)
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def _collect_messages(self) -> None:
        self.session.flush()  # the rows the messages refer to exist first
        for obj in list(self.session.identity_map.values()):
            if isinstance(obj, Recorder):
                events, timeline = obj.pop_messages()
                self.messages.add(events, timeline)
