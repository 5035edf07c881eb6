"""Routes for API tokens and the audit log (admins)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.identity_schemas import AuditList, NewToken, TokenIn, TokenList, TokenOut
from baton.entrypoints.http.orders import _aware
from baton.entrypoints.http.problems import guarded
from baton.identity import queries, services
from baton.identity.permissions import Action
from baton.identity.tokens import ApiToken
from baton.shared import cursor as cursors
from baton.shared.actor import Actor

router = APIRouter(prefix="/api/v1", tags=["identity"])
Manager = Annotated[Actor, allow(Action.TOKENS_MANAGE)]


def _token(token: ApiToken) -> dict:
    out = asdict(token)
    out.pop("token_hash")
    return out


@router.post("/tokens", status_code=201, response_model=NewToken, responses=guarded(422))
def create_token(body: TokenIn, container: ContainerDep, actor: Manager) -> dict:
    """A new API token; `secret` is in this response only."""
    token, secret = services.create_token(container.uow(actor=actor), body.role, body.name, body.locations,
                                          body.expires_days)
    return {"token": _token(token), "secret": secret}


@router.get("/tokens", response_model=TokenList, responses=guarded(422))
def list_tokens(container: ContainerDep, _actor: Manager, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                cursor: str | None = None) -> dict:
    after = str(cursors.decode(cursor, 1)[0]) if cursor else None
    found = services.list_tokens(container.reader(), limit + 1, after)
    next_cursor = cursors.encode([found[limit - 1].id]) if len(found) > limit else None
    return {"items": [_token(t) for t in found[:limit]], "next_cursor": next_cursor}


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut, responses=guarded(404))
def revoke_token(token_id: str, container: ContainerDep, actor: Manager) -> dict:
    """The token stops working at once, in every process; revoking again changes nothing."""
    return _token(services.revoke_token(container.uow(actor=actor), token_id))


@router.get("/audit", response_model=AuditList, responses=guarded(422))
def audit_log(
    container: ContainerDep,
    _actor: Annotated[Actor, allow(Action.AUDIT_READ)],
    actor_id: Annotated[str | None, Query(max_length=120, description="A token, user or customer id.")] = None,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Annotated[str | None, Query(max_length=120)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    request_id: Annotated[str | None, Query(max_length=64)] = None,
    at_from: datetime | None = None,
    at_to: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: str | None = None,
) -> dict:
    """Who changed what, newest first; `at_from` inclusive, `at_to` exclusive. The log is append-only."""
    f = queries.AuditFilter(actor_id, target_type, target_id, action, request_id, _aware(at_from), _aware(at_to))
    with container.reads.connect() as conn:
        rows, next_cursor = queries.audit_log(conn, f, limit, cursor)
    return {"items": rows, "next_cursor": next_cursor}
