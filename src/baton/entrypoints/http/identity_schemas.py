"""Pydantic models of identity and access: API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from baton.entrypoints.http.schemas import Code, In

RoleName = Literal["admin", "agent", "fulfillment", "finance", "analyst", "integration"]


class TokenIn(In):
    name: Annotated[str, Field(min_length=1, max_length=120, description="Who or what uses the token.")]
    role: RoleName
    locations: Annotated[list[Code], Field(max_length=50)] = []
    expires_days: Annotated[int | None, Field(ge=1, le=3650)] = None


class TokenOut(BaseModel):
    id: str
    name: str
    role: str
    locations: list[str]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class NewToken(BaseModel):
    token: TokenOut
    secret: str = Field(description="The bearer token. Shown this once; Baton stores only its hash.")


class TokenList(BaseModel):
    items: list[TokenOut]
    next_cursor: str | None


class AuditEntryOut(BaseModel):
    id: str
    at: datetime
    actor_kind: str
    actor_id: str
    actor_name: str
    actor_role: str | None
    action: str
    target_type: str
    target_id: str
    before: dict[str, Any]
    after: dict[str, Any]
    source_address: str | None
    request_id: str | None


class AuditList(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None
