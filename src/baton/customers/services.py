"""Use cases of shopper access: ask for a link or a code, trade a code for a token, read one's own orders.

Every answer is the same whether or not the email or order exists: mail goes only to the address on file,
and only the audit log (admin-only) records that something was sent. Lookups count against rate limits kept
in the database, per source address and per email or order number, before anything is looked up, so a
limited caller learns nothing either; the counts are committed even when the attempt fails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import Engine

from baton.adapters.db.uow import UnitOfWork
from baton.customers import queries
from baton.customers.access import (
    CODE_TTL,
    BadShopperToken,
    Grant,
    OneTimeCode,
    ShopperKeys,
    WrongCode,
    new_code,
    normalise_email,
)
from baton.orders.model import Order
from baton.shared.actor import Actor
from baton.shared.clock import utcnow
from baton.shared.errors import NotFound, RateLimited
from baton.shared.ids import new_id

HOUR = 3600
# (bucket kind, hits per hour). Links and codes share the per-source budget; each email has its own.
LOOKUPS_PER_SOURCE = ("shopper.lookup.source", 30)
LINKS_PER_EMAIL = ("shopper.link.email", 5)
CODES_PER_EMAIL = ("shopper.code.email", 5)
VERIFICATIONS_PER_SOURCE = ("shopper.verify.source", 30)
VERIFICATIONS_PER_ORDER = ("shopper.verify.order", 10)


@dataclass(frozen=True)
class Portal:
    """What shopper access needs from the settings: the signing keys and where links point."""

    keys: ShopperKeys
    public_url: str

    def link(self, token: str) -> str:
        return f"{self.public_url}/portal?access={token}"


class ShopperOrderNotFound(NotFound):
    """One answer for an unknown number and for someone else's order."""

    def __init__(self) -> None:
        super().__init__("You have no order with this number.", code="order_not_found")


def shopper_actor(customer_id: str, source: str | None = None, request_id: str | None = None) -> Actor:
    return Actor("shopper", customer_id, "customer", source=source, request_id=request_id)


def request_link(uow: UnitOfWork, portal: Portal, email: str, source: str | None) -> None:
    """Mail a signed link to the customer's orders when this email has any; otherwise do nothing, silently."""
    email = normalise_email(email)
    with uow:
        _limit(uow, portal.keys, (LOOKUPS_PER_SOURCE, source or "unknown"), (LINKS_PER_EMAIL, email))
        found = queries.customer_with_orders(uow.session.connection(), email)
        if found is not None:
            grant = portal.keys.issue(found.id, found.email, utcnow())
            mail_id = uow.mail.add("shopper_link", found.email, "Your orders", _link_mail(portal, grant))
            uow.audit.record("shopper.link_requested", "customer", found.id, None, {"mail_id": mail_id})
        uow.commit()


def request_code(uow: UnitOfWork, portal: Portal, order_number: str, email: str, source: str | None) -> None:
    """Mail a one-time code when the order number belongs to this email; otherwise do nothing, silently.
    A new code retires the order's earlier ones."""
    email, number = normalise_email(email), _number(order_number)
    with uow:
        _limit(uow, portal.keys, (LOOKUPS_PER_SOURCE, source or "unknown"), (CODES_PER_EMAIL, email))
        found = queries.order_of(uow.session.connection(), number, email)
        if found is not None:
            order_id, customer = found
            now = utcnow()
            code, code_id = new_code(), new_id("shc")
            uow.shopper_codes.add(OneTimeCode(code_id, order_id, portal.keys.code_hash(code_id, code), 0, now,
                                              now + CODE_TTL))
            mail_id = uow.mail.add("shopper_code", customer.email, f"Your code for order {number}",
                                   _code_mail(number, code))
            uow.audit.record("shopper.code_requested", "customer", customer.id, None,
                             {"order_id": order_id, "mail_id": mail_id})
        uow.commit()


def verify_code(uow: UnitOfWork, portal: Portal, order_number: str, email: str, code: str,
                source: str | None) -> Grant:
    """A shopper token for the right code, used once; WrongCode for every failure, whatever its reason.
    Each try counts against the code's attempts, and the count is kept even though the answer is 401."""
    email, number = normalise_email(email), _number(order_number)
    grant = None
    with uow:
        _limit(uow, portal.keys, (VERIFICATIONS_PER_SOURCE, source or "unknown"), (VERIFICATIONS_PER_ORDER, number))
        found = queries.order_of(uow.session.connection(), number, email)
        stored = uow.shopper_codes.latest(found[0]) if found else None
        now = utcnow()
        if (found and stored and uow.shopper_codes.spend_attempt(stored.id, now)
                and portal.keys.code_matches(stored, code) and uow.shopper_codes.use(stored.id, now)):
            order_id, customer = found
            grant = portal.keys.issue(customer.id, customer.email, now)
            uow.actor = shopper_actor(customer.id, uow.actor.source, uow.actor.request_id)  # proven now
            uow.audit.record("shopper.code_verified", "customer", customer.id, None, {"order_id": order_id})
        uow.commit()
    if grant is None:
        raise WrongCode()
    return grant


def authenticate_shopper(reads: Engine, keys: ShopperKeys, token: str) -> Actor:
    """The shopper behind a token; BadShopperToken when it is tampered with or expired, when the customer's
    email changed since it was signed, or when the customer was erased."""
    claims = keys.read(token, utcnow())
    with reads.connect() as conn:
        found = queries.customer(conn, claims.customer_id)
    if found is None or not found.active or not keys.same_email(claims, found.email):
        raise BadShopperToken()
    return shopper_actor(found.id)


def order_history(reads: Engine, shopper: Actor, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    with reads.connect() as conn:
        return queries.history(conn, _customer_id(shopper), limit, cursor)


def own_order(uow: UnitOfWork, shopper: Actor, order_number: str) -> Order:
    """One of the shopper's orders by number; someone else's answers exactly like one that does not exist."""
    with uow:
        order_id = queries.own_order_id(uow.session.connection(), _customer_id(shopper), _number(order_number))
        order = uow.orders.get(order_id) if order_id else None
        if order is None:
            raise ShopperOrderNotFound()
        return order


def _customer_id(shopper: Actor) -> str:
    if shopper.kind != "shopper":  # a programming error: routes authenticate shoppers before calling here
        raise BadShopperToken()
    return shopper.id


def _limit(uow: UnitOfWork, keys: ShopperKeys, *checks: tuple[tuple[str, int], str]) -> None:
    """Count a hit in each bucket (always in the same order, so concurrent requests cannot deadlock);
    RateLimited when any is over its hourly limit."""
    waits = [uow.rate_limits.hit(keys.bucket(kind, subject), HOUR, limit) for (kind, limit), subject in checks]
    retry_after = max((w for w in waits if w is not None), default=None)
    if retry_after is not None:
        raise RateLimited("Too many requests for shopper access; try again later.", retry_after)


def _number(order_number: str) -> str:
    return order_number.strip().upper()


def _link_mail(portal: Portal, grant: Grant) -> str:
    until = grant.expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "Hello,\n\n"
        "you asked to see your orders. To open them, click this link (or copy it into your browser's "
        "address bar):\n\n"
        f"{portal.link(grant.token)}\n\n"
        f"The link works until {until}; ask for a new one any time.\n\n"
        "Apps and scripts can send the same access value as `Authorization: Bearer <access>` to "
        f"{portal.public_url}/api/v1/shopper/orders.\n\n"
        "If you did not ask for this, ignore this mail: nobody can use the link without reading it.\n"
    )


def _code_mail(number: str, code: str) -> str:
    minutes = int(CODE_TTL.total_seconds() // 60)
    return (
        "Hello,\n\n"
        f"your code for order {number} is\n\n"
        f"    {code}\n\n"
        f"It works once, within {minutes} minutes. Enter it with your order number and email address.\n\n"
        "If you did not ask for this code, ignore this mail.\n"
    )
