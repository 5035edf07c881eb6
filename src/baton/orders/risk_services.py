"""Use cases of the fraud and risk rules: screening a new order at capture, and managing the rules."""

from __future__ import annotations

from typing import Any

from baton.adapters.db.uow import UnitOfWork
from baton.orders import risk
from baton.orders.holds import HoldKind
from baton.orders.model import Order
from baton.orders.risk import RiskRule
from baton.shared.errors import NotFound


def screen(uow: UnitOfWork, order: Order) -> None:
    """Inside the capture transaction: every active rule that matches puts the new order on hold, with its reason.
    Without active rules this runs no statement; facts are counted only when a rule needs them for this order."""
    rules = uow.risk_rules.active()
    if not rules:
        return
    needed = risk.needed_facts(rules, order)
    facts = uow.risk_rules.facts(order, needed) if needed else risk.RiskFacts()
    reasons = risk.assess(rules, order, facts)
    if reasons:
        order.hold(HoldKind.RISK, reasons, actor=risk.RISK_ACTOR)


def list_rules(uow: UnitOfWork) -> list[RiskRule]:
    with uow:
        return uow.risk_rules.all()


def set_rule(uow: UnitOfWork, code: str, kind: str, params: dict[str, Any] | None,
             active: bool = True) -> tuple[RiskRule, bool]:
    """Create or replace a rule; (the rule, whether it was created). Orders placed from now on are screened by it."""
    rule = RiskRule.configure(code, kind, params, active)
    with uow:
        before = uow.risk_rules.get(code, lock=True)
        uow.risk_rules.put(rule)
        uow.audit.record("risk_rule.create" if before is None else "risk_rule.update", "risk_rule", code,
                         _view(before), _view(rule))
        uow.commit()
        uow.risk_rules.forget()
    return rule, before is None


def delete_rule(uow: UnitOfWork, code: str) -> RiskRule:
    with uow:
        before = uow.risk_rules.get(code, lock=True)
        if before is None or not uow.risk_rules.delete(code):
            raise NotFound(f"No risk rule with code {code}.", code="risk_rule_not_found")
        uow.audit.record("risk_rule.delete", "risk_rule", code, _view(before), None)
        uow.commit()
        uow.risk_rules.forget()
    return before


def _view(rule: RiskRule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {"kind": str(rule.kind), "params": rule.params, "active": rule.active}
