"""Risk rules, and the few facts they count at order capture, with Core.

Every capture asks for the active rules, so each process keeps them for RULES_TTL seconds: a shop without active
rules captures an order with no extra statement at all. A change is seen at once by the process that made it
(the service calls `forget` after committing) and by every other process within RULES_TTL seconds."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, delete, func, literal, select, update

from baton.adapters.db import tables as t
from baton.adapters.db.sql import CoreRepository, insert_ignore
from baton.orders.model import Order
from baton.orders.risk import Fact, RiskFacts, RiskRule, RuleKind

RULES_TTL = 5.0  # seconds
_active: WeakKeyDictionary[Any, tuple[float, tuple[RiskRule, ...]]] = WeakKeyDictionary()  # pool -> (until, rules)
_R = t.risk_rules.c


def _rule(row: Any) -> RiskRule:
    return RiskRule(row.code, RuleKind(row.kind), dict(row.params), bool(row.active), row.updated_at)


class RiskRules(CoreRepository):
    # -- at capture ----------------------------------------------------------------------------------------
    def active(self) -> tuple[RiskRule, ...]:
        """The active rules, from this process's copy while it is fresh (one statement otherwise)."""
        pool = self.s.get_bind().engine.pool  # one engine, one copy; tests with a new engine start afresh
        now = time.monotonic()
        cached = _active.get(pool)
        if cached is not None and cached[0] > now:
            return cached[1]
        rules = tuple(_rule(row) for row in self.db.execute(select(t.risk_rules).where(_R.active).order_by(_R.code)))
        _active[pool] = (now + RULES_TTL, rules)
        return rules

    def forget(self) -> None:
        """Drop this process's copy (after a committed change)."""
        _active.pop(self.s.get_bind().engine.pool, None)

    def facts(self, order: Order, needed: frozenset[Fact]) -> RiskFacts:
        """Count what the rules need, in one statement; the order itself is not counted."""
        o = t.orders.c
        since = order.placed_at - timedelta(hours=1)
        counts: dict[str, ColumnElement[Any]] = {}
        if Fact.EARLIER_ORDERS in needed:
            counts["earlier_orders"] = _count(o.customer_id == order.customer_id, o.id != order.id)
        if Fact.EMAIL_LAST_HOUR in needed:
            counts["orders_by_email_last_hour"] = _count(
                o.customer_email == order.customer_email, o.placed_at >= since, o.id != order.id)
        address = order.shipping_address
        if Fact.ADDRESS_LAST_HOUR in needed and address:
            column = o.shipping_address
            counts["orders_by_address_last_hour"] = _count(
                o.placed_at >= since, o.id != order.id,
                column["country"].as_string() == str(address.get("country", "")),
                _street(column["line1"].as_string()) == _street(literal(str(address.get("line1", "")))),
                _postal(column["postal_code"].as_string()) == _postal(literal(str(address.get("postal_code") or ""))),
            )
        if not counts:
            return RiskFacts()
        row = self.db.execute(select(*(value.label(name) for name, value in counts.items()))).one()
        return RiskFacts(**{name: int(row._mapping[name] or 0) for name in counts})

    # -- settings ------------------------------------------------------------------------------------------
    def all(self) -> list[RiskRule]:
        return [_rule(row) for row in self.db.execute(select(t.risk_rules).order_by(_R.code))]

    def get(self, code: str, *, lock: bool = False) -> RiskRule | None:
        stmt = select(t.risk_rules).where(_R.code == code)
        row = self.db.execute(stmt.with_for_update() if lock else stmt).first()
        return _rule(row) if row else None

    def put(self, rule: RiskRule) -> None:
        """Create or replace the rule with this code (a concurrent creator of the same code is replaced)."""
        values = {"kind": str(rule.kind), "params": rule.params, "active": rule.active, "updated_at": rule.updated_at}
        if not insert_ignore(self.s, t.risk_rules, {"code": rule.code, **values}):
            self.db.execute(update(t.risk_rules).where(_R.code == rule.code).values(**values))

    def delete(self, code: str) -> bool:
        return bool(self.db.execute(delete(t.risk_rules).where(_R.code == code)).rowcount)


def _count(*conditions: ColumnElement[Any]) -> ColumnElement[Any]:
    return select(func.count()).select_from(t.orders).where(*conditions).scalar_subquery()


def _street(value: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.lower(func.trim(value))


def _postal(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """Postal codes compare without case or spaces ("sw1a 1aa" is "SW1A1AA")."""
    return func.replace(func.lower(func.coalesce(value, "")), " ", "")
