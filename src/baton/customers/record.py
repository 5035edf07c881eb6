"""The customer's record for an agent: who they are, what they ordered and returned, what they are worth, where
they receive parcels, and the language to write to them in (the one thing an agent changes here)."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from sqlalchemy import Connection, func, select

from baton.adapters.db import tables as t
from baton.adapters.db.uow import UnitOfWork
from baton.customers import queries
from baton.customers.privacy import CustomerNotFound
from baton.orders.status import OrderStatus
from baton.shared.errors import Conflict, InvalidInput
from baton.shared.money import to_decimal_string

RECENT_ORDERS = 10
ADDRESS_ORDERS = 200  # the addresses come from this many of the newest orders


def record(conn: Connection, customer_id: str) -> dict[str, Any]:
    c, o = t.customers.c, t.orders.c
    row = conn.execute(select(c.id, c.email, c.name, c.phone, c.created_at, c.erased_at, c.language)
                       .where(c.id == customer_id)).first()
    if row is None:
        raise CustomerNotFound(customer_id)
    recent, _cursor = queries.history(conn, customer_id, RECENT_ORDERS, None)
    for order in recent:
        order["total"] = to_decimal_string(order["total"], order["currency"])
    return {
        **row._mapping, "erased": row.erased_at is not None,
        "orders": int(conn.scalar(select(func.count()).select_from(t.orders).where(o.customer_id == customer_id))
                      or 0),
        "returns": returned_units(conn, customer_id),
        "lifetime_value": lifetime_value(conn, customer_id),
        "addresses": addresses(conn, customer_id),
        "recent_orders": recent,
    }


def lifetime_value(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    """Per currency, the sum of the totals of the orders not cancelled (a total already nets partial
    cancellations), largest first."""
    o = t.orders.c
    rows = conn.execute(select(o.currency, func.sum(o.total).label("total"), func.count().label("orders"))
                        .where(o.customer_id == customer_id, o.status != str(OrderStatus.CANCELLED))
                        .group_by(o.currency).order_by(func.sum(o.total).desc(), o.currency))
    return [{"currency": r.currency, "amount": to_decimal_string(int(r.total), r.currency), "orders": int(r.orders)}
            for r in rows]


def returned_units(conn: Connection, customer_id: str) -> int:
    """Units the customer sent back: the `returned` bucket of their order lines. (Returns are being built: once
    they exist this may count return authorisations instead.)"""
    lines, o = t.order_lines.c, t.orders.c
    found = conn.scalar(select(func.coalesce(func.sum(lines.returned), 0))
                        .select_from(t.order_lines.join(t.orders, lines.order_id == o.id))
                        .where(o.customer_id == customer_id))
    return int(found or 0)


def addresses(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    """The distinct shipping addresses of the customer's newest orders, newest first (coordinates left aside
    when comparing: the same street geocoded twice is one address)."""
    o = t.orders.c
    rows = conn.scalars(select(o.shipping_address).where(o.customer_id == customer_id, o.shipping_address.is_not(None))
                        .order_by(o.placed_at.desc(), o.id.desc()).limit(ADDRESS_ORDERS))
    seen: set[tuple] = set()
    found = []
    for address in rows:
        if not address:
            continue
        key = tuple(sorted((k, str(v).strip().lower()) for k, v in address.items()
                           if k not in ("latitude", "longitude") and v is not None))
        if key not in seen:
            seen.add(key)
            found.append(address)
    return found


def language_tag(value: str) -> str:
    """A BCP 47 tag Babel (CLDR) knows, in its canonical case: `de-de` → `de-DE`, `zh-hant-tw` → `zh-Hant-TW`."""
    raw = value.strip().replace("_", "-")
    try:
        locale = Locale.parse(raw, sep="-")
    except (ValueError, UnknownLocaleError):
        raise InvalidInput("language", f"'{value}' is not a language tag we know (BCP 47, e.g. en, de-DE, "
                                       "pt-BR).", code="unknown_language") from None
    return "-".join(part for part in (locale.language, locale.script, locale.territory, locale.variant) if part)


def set_language(uow: UnitOfWork, customer_id: str, language: str) -> dict[str, Any]:
    """The customer's preferred language from now on; the record as it is then."""
    tag = language_tag(language)
    with uow:
        found = uow.annotations.customer(customer_id, lock=True)
        if found is None:
            raise CustomerNotFound(customer_id)
        if found["erased_at"] is not None:
            raise Conflict("This customer was erased; their record no longer changes.", code="customer_erased")
        if found["language"] != tag:
            uow.annotations.set_language(customer_id, tag)
            uow.audit.record("customer.update", "customer", customer_id, {"language": found["language"]},
                             {"language": tag})
            uow.commit()
        return record(uow.session.connection(), customer_id)
