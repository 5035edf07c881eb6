"""Routes for webhook subscriptions and their delivery log (settings, admin only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.problems import guarded
from baton.entrypoints.http.schemas import In
from baton.events import services
from baton.events.webhooks import Subscription
from baton.identity.permissions import Action
from baton.shared.actor import Actor

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
Manager = Annotated[Actor, allow(Action.SETTINGS_MANAGE)]
Id = Annotated[str, Path(min_length=1, max_length=40)]
EventType = Annotated[str, Field(min_length=1, max_length=64, examples=["order.placed", "*"])]


class WebhookIn(In):
    url: Annotated[str, Field(min_length=1, max_length=2000, examples=["https://example.com/baton-hooks"])]
    event_types: Annotated[list[EventType], Field(min_length=1, max_length=100,
                                                  description='Event types (docs/events.md), or ["*"] for all.')]
    description: Annotated[str, Field(max_length=200)] = ""


class WebhookOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    description: str
    status: Literal["active", "disabled", "removed"]
    created_at: datetime
    failing_since: datetime | None = None
    disabled_at: datetime | None = None


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Signs every payload (Baton-Signature). Shown this once: store it now.")


class WebhookList(BaseModel):
    items: list[WebhookOut]
    next_cursor: str | None = None


class AttemptOut(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None


class DeliveryOut(BaseModel):
    id: str
    event_id: str
    event_type: str
    order_id: str | None
    sequence: int | None
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    attempt_log: list[AttemptOut] = []


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None = None


def _webhook(s: Subscription) -> dict[str, Any]:
    return {"id": s.id, "url": s.url, "event_types": list(s.event_types), "description": s.description,
            "status": str(s.status), "created_at": s.created_at, "failing_since": s.failing_since,
            "disabled_at": s.disabled_at}


@router.post("", status_code=201, response_model=WebhookCreated, responses=guarded(422))
def create_webhook(body: WebhookIn, container: ContainerDep, actor: Manager) -> dict:
    """Subscribe a URL to event types. Events that occur from now on are POSTed to it, signed with the secret in
    this answer (the only time it is shown)."""
    subscription, secret = services.subscribe(container.uow(actor=actor), body.url, body.event_types,
                                              body.description)
    return {**_webhook(subscription), "secret": secret}


@router.get("", response_model=WebhookList, responses=guarded())
def list_webhooks(container: ContainerDep, _actor: Manager) -> dict:
    """Every subscription that was not removed, oldest first (without secrets)."""
    return {"items": [_webhook(s) for s in services.subscriptions(container.reader())], "next_cursor": None}


@router.delete("/{webhook_id}", status_code=204, response_class=Response, responses=guarded(404))
def delete_webhook(webhook_id: Id, container: ContainerDep, actor: Manager) -> Response:
    """Remove the subscription: nothing more is sent to it, pending deliveries included."""
    services.remove(container.uow(actor=actor), webhook_id)
    return Response(status_code=204)


@router.post("/{webhook_id}/enable", response_model=WebhookOut, responses=guarded(404, 422))
def enable_webhook(webhook_id: Id, container: ContainerDep, actor: Manager) -> dict:
    """Enable a subscription that was disabled after failing for days: it receives the events that occur from now
    on, and its pending deliveries are sent again at once. An active one is answered unchanged."""
    return _webhook(services.enable(container.uow(actor=actor), webhook_id))


@router.get("/{webhook_id}/deliveries", response_model=DeliveryList, responses=guarded(404, 422))
def list_deliveries(webhook_id: Id, container: ContainerDep, _actor: Manager,
                    status: Annotated[str | None, Query(max_length=16)] = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50, cursor: str | None = None) -> dict:
    """The delivery log, newest first: each delivery with every attempt (status code, latency, the start of the
    answer, the error)."""
    items, next_cursor = services.deliveries(container.reader(), webhook_id, status, limit, cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver", status_code=202, response_model=DeliveryOut,
             responses=guarded(404, 409))
def redeliver(webhook_id: Id, delivery_id: Id, container: ContainerDep, actor: Manager) -> dict:
    """Send this delivery again (delivered or dead-lettered alike) at the worker's next pass, with a fresh
    retry window."""
    return services.redeliver(container.uow(actor=actor), webhook_id, delivery_id)
