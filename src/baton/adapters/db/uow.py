"""The unit of work: one transaction, its repositories, and the messages its aggregates recorded."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from baton.adapters.db import repositories as r
from baton.adapters.db.care_repository import Annotations
from baton.adapters.db.catalog_repository import Locations, Products
from baton.adapters.db.customer_repository import CustomerRecords
from baton.adapters.db.engine import WRITE
from baton.adapters.db.exchange_repository import Claims, Exchanges
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


class UnitOfWork:
    products: Products
    locations: Locations
    stock: Stock
    orders: Orders
    customers: Customers
    customer_records: CustomerRecords
    idempotency: r.Idempotency
    messages: r.Messages
    audit_log: r.AuditLog
    tokens: Tokens
    payments: Payments
    refund_records: RefundRecords
    journal: Journal
    invoices: Invoices  # invoices and credit memos
    risk_rules: RiskRules
    tax_settings: TaxSettings
    exchange_rates: ExchangeRates
    users: Users
    console_sessions: ConsoleSessions
    shopper_codes: ShopperCodes
    mail: MailOutbox
    rate_limits: RateLimits
    returns: Returns  # return authorisations (RMA) and their lines
    return_policies: ReturnPolicies
    store_credit: StoreCredit
    gift_cards: GiftCards
    annotations: Annotations  # notes and tags of orders, customers' languages
    webhooks: Webhooks  # subscriptions, their deliveries and the fan-out of the outbox
    stream: StreamQueue  # events waiting to be published on the event stream
    exchanges: Exchanges  # returns swapped for replacement orders
    claims: Claims  # lost, damaged or wrong units replaced or refunded
    notifications: Notifications  # customer messages, their templates and preferences

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
        bind = engine if read_only else engine.execution_options(**WRITE)
        self._factory = sessionmaker(bind=bind, expire_on_commit=False)

    def __enter__(self) -> UnitOfWork:
        self.session = s = self._factory()
        self.products = Products(s)
        self.locations = Locations(s)
        self.stock = Stock(s)
        self.orders = Orders(s)
        self.customers = Customers(s)
        self.customer_records = CustomerRecords(s)
        self.idempotency = r.Idempotency(s)
        self.messages = r.Messages(s)
        self.tokens = Tokens(s)
        self.payments = Payments(s)
        self.refund_records = RefundRecords(s)
        self.journal = Journal(s)
        self.invoices = Invoices(s)
        self.risk_rules = RiskRules(s)
        self.tax_settings = TaxSettings(s)
        self.exchange_rates = ExchangeRates(s)
        self.users = Users(s)
        self.console_sessions = ConsoleSessions(s)
        self.shopper_codes = ShopperCodes(s)
        self.mail = MailOutbox(s)
        self.rate_limits = RateLimits(s)
        self.returns = Returns(s)
        self.return_policies = ReturnPolicies(s)
        self.store_credit = StoreCredit(s)
        self.gift_cards = GiftCards(s)
        self.annotations = Annotations(s)
        self.webhooks = Webhooks(s)
        self.stream = StreamQueue(s)
        self.exchanges = Exchanges(s)
        self.claims = Claims(s)
        self.notifications = Notifications(s)
        self.audit_log = r.AuditLog(s)
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
        """A new order: inserted with Core now (the capture hot path), its messages with it."""
        self.orders.insert_new(order)
        self.messages.add(*order.pop_messages())

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
