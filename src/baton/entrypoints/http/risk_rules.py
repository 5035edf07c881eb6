"""Routes for the fraud and risk rules that screen every new order (settings, admin only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.risk_schemas import RiskRuleIn, RiskRuleList, RiskRuleOut
from baton.identity.permissions import Action
from baton.orders import risk_services
from baton.orders.risk import RiskRule
from baton.shared.actor import Actor

router = APIRouter(prefix="/api/v1/settings/risk-rules", tags=["settings"])
Manager = Annotated[Actor, allow(Action.SETTINGS_MANAGE)]
RuleCode = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                               description="Your name for the rule, e.g. `big-first-order`.")]


def _rule(rule: RiskRule) -> dict[str, Any]:
    return {"code": rule.code, "kind": str(rule.kind), "params": rule.params, "active": rule.active,
            "updated_at": rule.updated_at}


@router.get("", response_model=RiskRuleList, responses=guarded())
def list_risk_rules(container: ContainerDep, _actor: Manager) -> dict:
    """Every rule, active or not, by code. Each active rule screens every new order; a match puts it on hold."""
    return {"items": [_rule(rule) for rule in risk_services.list_rules(container.reader())], "next_cursor": None}


@router.put("/{code}", response_model=RiskRuleOut,
            responses={**guarded(422), 201: {"model": RiskRuleOut, "description": "Created"}})
def put_risk_rule(code: RuleCode, body: RiskRuleIn, response: Response, container: ContainerDep,
                  actor: Manager) -> dict:
    """Create (201) or replace (200) the rule with this code. Orders placed from now on are screened by it; every
    process sees the change within a few seconds."""
    rule, created = risk_services.set_rule(container.uow(actor=actor), code, body.kind,
                                           body.params.model_dump(), body.active)
    if created:
        response.status_code = 201
    return _rule(rule)


@router.delete("/{code}", status_code=204, response_class=Response, responses=guarded(404))
def delete_risk_rule(code: RuleCode, container: ContainerDep, actor: Manager) -> Response:
    """Delete the rule. Holds it placed stay on their orders until an agent releases them."""
    risk_services.delete_rule(container.uow(actor=actor), code)
    return Response(status_code=204)
