"""Routes for customer notifications: the templates (settings), an order's messages and resending one, a
customer's preferences (agents) and the shopper's own (self-service)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field

from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.problems import guarded, responses
from baton.entrypoints.http.schemas import In
from baton.entrypoints.http.shopper import SHOPPER, Shopper
from baton.identity.permissions import Action
from baton.notifications import services, templates
from baton.notifications.preferences import Preferences
from baton.notifications.template import MAX_LENGTH, Template
from baton.shared.actor import Actor

router = APIRouter(prefix="/api/v1", tags=["notifications"])
Manager = Annotated[Actor, allow(Action.SETTINGS_MANAGE)]
Reader = Annotated[Actor, allow(Action.ORDERS_READ)]
Agent = Annotated[Actor, allow(Action.ORDERS_ANNOTATE)]  # who may annotate an order may resend its messages
CustomerReader = Annotated[Actor, allow(Action.CUSTOMERS_READ)]
Id = Annotated[str, Path(min_length=1, max_length=40)]
MomentName = Annotated[str, Path(min_length=1, max_length=32, examples=["shipped"])]
Language = Annotated[str, Path(min_length=2, max_length=8, examples=["de"])]


class TemplateIn(In):
    subject: Annotated[str, Field(min_length=1, max_length=MAX_LENGTH["subject"])]
    body: Annotated[str, Field(min_length=1, max_length=MAX_LENGTH["body"], description="Plain text, Jinja2.")]
    sms: Annotated[str, Field(min_length=1, max_length=MAX_LENGTH["sms"])]


class TemplateText(BaseModel):
    subject: str
    body: str
    sms: str


class TemplateOut(TemplateText):
    moment: str
    language: str
    customised: bool = Field(description="An admin's version is in force (DELETE restores the built-in one).")
    updated_at: datetime | None
    updated_by: str | None
    default: TemplateText


class TemplateList(BaseModel):
    items: list[TemplateOut]
    next_cursor: str | None = None


class MessageOut(BaseModel):
    id: str
    order_id: str
    event_id: str | None
    moment: str
    channel: Literal["email", "sms"]
    language: str
    recipient: str
    subject: str | None
    body: str
    status: Literal["queued", "sent", "failed", "skipped"]
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None
    resend_of: str | None
    note: str | None = Field(None, description="Why a queued message has not gone yet.")


class MessageList(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None = None


class PreferencesIn(In):
    email: bool = Field(description="Order updates by email (false: the customer opted out).")
    sms: bool = Field(description="The customer agrees to SMS updates: true records the consent (who, when); "
                                  "false withdraws it.")


class PreferencesOut(BaseModel):
    customer_id: str
    email: bool
    sms: bool
    sms_consent_at: datetime | None
    sms_consent_by: str | None
    updated_at: datetime | None


# -- templates ------------------------------------------------------------------------------------------------
@router.get("/notification-templates", response_model=TemplateList, responses=guarded())
def list_templates(container: ContainerDep, _actor: Manager) -> dict[str, Any]:
    """Every moment in every language, with the text in force and the built-in default."""
    return {"items": templates.listed(container.reader()), "next_cursor": None}


@router.get("/notification-templates/{moment}/{language}", response_model=TemplateOut, responses=guarded(404))
def get_template(moment: MomentName, language: Language, container: ContainerDep, _actor: Manager) -> dict[str, Any]:
    return templates.one(container.reader(), moment, language)


@router.put("/notification-templates/{moment}/{language}", response_model=TemplateOut, responses=guarded(404, 422))
def put_template(moment: MomentName, language: Language, body: TemplateIn, container: ContainerDep,
                 actor: Manager) -> dict[str, Any]:
    """Replace the template (Jinja2, sandboxed). It is rendered against a sample order first: a syntax error or
    an unknown variable answers 422 naming the field, and nothing changes."""
    return templates.save(container.uow(actor=actor), actor, moment, language,
                          Template(body.subject, body.body, body.sms))


@router.delete("/notification-templates/{moment}/{language}", status_code=204, response_class=Response,
               responses=guarded(404))
def delete_template(moment: MomentName, language: Language, container: ContainerDep, actor: Manager) -> Response:
    """Restore the built-in template."""
    templates.reset(container.uow(actor=actor), moment, language)
    return Response(status_code=204)


# -- an order's messages --------------------------------------------------------------------------------------
@router.get("/orders/{order_id}/notifications", response_model=MessageList, responses=guarded(404))
def list_messages(order_id: Id, container: ContainerDep, _actor: Reader) -> dict[str, Any]:
    """Every message of the order, oldest first: queued, sent, failed, or skipped (opted out)."""
    return {"items": services.order_messages(container.reader(), order_id), "next_cursor": None}


@router.post("/orders/{order_id}/notifications/{message_id}/resend", status_code=202, response_model=MessageOut,
             responses=guarded(404, 409))
def resend(order_id: Id, message_id: Id, container: ContainerDep, actor: Agent) -> dict[str, Any]:
    """Queue the message again, as it was written (409 when the customer no longer wants that channel)."""
    return services.resend(container.uow(actor=actor), order_id, message_id)


# -- preferences ----------------------------------------------------------------------------------------------
@router.get("/customers/{customer_id}/notification-preferences", response_model=PreferencesOut,
            responses=guarded(404))
def get_preferences(customer_id: Id, container: ContainerDep, _actor: CustomerReader) -> dict[str, Any]:
    return services.preferences(container.reader(), customer_id).view()


@router.put("/customers/{customer_id}/notification-preferences", response_model=PreferencesOut,
            responses=guarded(404, 422))
def put_preferences(customer_id: Id, body: PreferencesIn, container: ContainerDep, actor: Agent) -> dict[str, Any]:
    """Record what the customer asked for (on the phone, by mail): the agent is recorded with an SMS consent."""
    return _set(container, actor, customer_id, body)


@router.get("/self-service/notification-preferences", response_model=PreferencesOut, responses=responses(401),
            openapi_extra=SHOPPER)
def get_own_preferences(container: ContainerDep, shopper: Shopper) -> dict[str, Any]:
    """The shopper's own notification preferences."""
    return services.preferences(container.reader(), shopper.id).view()


@router.put("/self-service/notification-preferences", response_model=PreferencesOut,
            responses=responses(401, 422), openapi_extra=SHOPPER)
def put_own_preferences(body: PreferencesIn, container: ContainerDep, shopper: Shopper) -> dict[str, Any]:
    """Opt out of (or back in to) email updates; agree to SMS updates or withdraw the consent."""
    return _set(container, shopper, shopper.id, body)


def _set(container: ContainerDep, actor: Actor, customer_id: str, body: PreferencesIn) -> dict[str, Any]:
    prefs: Preferences = services.set_preferences(container.uow(actor=actor), actor, customer_id, body.email,
                                                  body.sms)
    return prefs.view()
