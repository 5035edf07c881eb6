"""Settings, continued: console users (create, sign out everywhere), API tokens (create with the secret shown
once, revoke) and webhooks (subscribe with the signing secret shown once, remove, delivery log, redeliver).

The routes join console_settings' router (see the end of that module); the same rules hold: the section's own
permission, the API's model and service, errors next to the field, POST/redirect/GET on success. A new secret
is the one answer that is not a redirect: it is shown on the page that answers the form, and never again."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from baton.bootstrap import Container
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.identity_schemas import TokenIn
from baton.entrypoints.web.console import CONSOLE, CsrfChecked, PageRoute, SignedInDep
from baton.entrypoints.web.console_settings import (
    Fields,
    FormInvalid,
    allowed_to,
    checked,
    errors_of,
    settings_page,
    settle,
)
from baton.events import services as webhooks
from baton.events.catalogue import ALL, EVENT_TYPES
from baton.identity import console, services
from baton.identity.console import SignedIn
from baton.identity.permissions import Role
from baton.shared.errors import Conflict, InvalidInput, NotFound

router: APIRouter = APIRouter(prefix="/console", tags=["console"], route_class=PageRoute, include_in_schema=False)
USER_FIELDS = {"email", "name", "role", "password", "locations"}
TOKEN_FIELDS = {"name", "role", "locations", "expires_days"}
WEBHOOK_FIELDS = {"url", "event_types", "description"}
DELIVERIES = 50


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.split(",") if code.strip()]


def _shown_once(render: Callable[..., Response], create: Callable[[], dict[str, str]], typed: dict[str, str],
                fields: set[str]) -> Response:
    """Run a creation that answers a new secret ({"name", "secret"}): `render(errors, typed, status, new)` shows it
    on this answer (201) and nothing ever shows it again. A refusal re-renders the form with what was typed and
    the message next to its field (422)."""
    try:
        new = create()
    except (FormInvalid, InvalidInput) as refused:
        return render(errors_of(refused, fields), typed, 422, None)
    return render(None, None, 201, new)


# -- users ----------------------------------------------------------------------------------------------------
@router.get("/settings/users", openapi_extra=CONSOLE)
def users(request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    allowed_to(signed, "users")
    return _users_page(request, container, signed)


@router.post("/settings/users", openapi_extra=CONSOLE)
def create_user(request: Request, container: ContainerDep, signed: CsrfChecked, form: Fields) -> Response:
    allowed_to(signed, "users")

    def create() -> None:
        console.create_user(container.uow(actor=signed.actor), form.get("email", ""), form.get("name", ""),
                            form.get("role", ""), form.get("password", ""), _codes(form.get("locations", "")))

    typed = {key: value for key, value in form.items() if key != "password"}  # a password is never sent back
    return settle(lambda errors, status: _users_page(request, container, signed, errors, typed, status),
                  create, "/console/settings/users?done=user", USER_FIELDS)


@router.post("/settings/users/{user_id}/sign-out-everywhere", openapi_extra=CONSOLE)
def sign_out_user(user_id: str, container: ContainerDep, signed: CsrfChecked) -> Response:
    allowed_to(signed, "users")
    console.sign_out_everywhere(container.uow(actor=signed.actor), user_id)
    return RedirectResponse("/console/settings/users?done=sessions", status_code=303)


def _users_page(request: Request, container: Container, signed: SignedIn, errors: dict[str, str] | None = None,
                typed: dict[str, str] | None = None, status: int = 200) -> Response:
    return settings_page(request, signed, "users", {
        "users": console.list_users(container.reader(), 1000), "roles": _console_roles(), "errors": errors or {},
        "typed": typed if typed is not None else {"role": "agent"}}, status)


def _console_roles() -> list[str]:
    return [role.value for role in Role if role is not Role.INTEGRATION]


# -- API tokens -----------------------------------------------------------------------------------------------
@router.get("/settings/tokens", openapi_extra=CONSOLE)
def tokens(request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    allowed_to(signed, "tokens")
    return _tokens_page(request, container, signed)


@router.post("/settings/tokens", openapi_extra=CONSOLE)
def create_token(request: Request, container: ContainerDep, signed: CsrfChecked, form: Fields) -> Response:
    allowed_to(signed, "tokens")

    def create() -> dict[str, str]:
        body = checked(TokenIn, {**form, "locations": _codes(form.get("locations", ""))})
        token, secret = services.create_token(container.uow(actor=signed.actor), body.role, body.name,
                                              body.locations, body.expires_days)
        return {"name": token.name, "secret": secret}

    return _shown_once(partial(_tokens_page, request, container, signed), create, form, TOKEN_FIELDS)


@router.post("/settings/tokens/{token_id}/revoke", openapi_extra=CONSOLE)
def revoke_token(token_id: str, container: ContainerDep, signed: CsrfChecked) -> Response:
    allowed_to(signed, "tokens")
    services.revoke_token(container.uow(actor=signed.actor), token_id)  # TokenNotFound: the 404 page
    return RedirectResponse("/console/settings/tokens?done=token", status_code=303)


def _tokens_page(request: Request, container: Container, signed: SignedIn, errors: dict[str, str] | None = None,
                 typed: dict[str, str] | None = None, status: int = 200,
                 new: dict[str, str] | None = None) -> Response:
    return settings_page(request, signed, "tokens", {
        "tokens": services.list_tokens(container.reader(), 1000, None), "roles": [role.value for role in Role],
        "errors": errors or {}, "typed": typed if typed is not None else {"role": "integration"}, "new": new},
        status)


# -- webhooks -------------------------------------------------------------------------------------------------
@router.get("/settings/webhooks", openapi_extra=CONSOLE)
def webhook_list(request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    allowed_to(signed, "webhooks")
    return _webhooks_page(request, container, signed)


@router.post("/settings/webhooks", openapi_extra=CONSOLE)
def create_webhook(request: Request, container: ContainerDep, signed: CsrfChecked, form: Fields) -> Response:
    allowed_to(signed, "webhooks")
    if len(form.get("url", "")) > 2000 or len(form.get("description", "")) > 200:
        name = "url" if len(form.get("url", "")) > 2000 else "description"
        return _webhooks_page(request, container, signed, {name: "is too long."}, form, 422)

    def create() -> dict[str, str]:
        subscription, secret = webhooks.subscribe(container.uow(actor=signed.actor), form.get("url", ""),
                                                  _codes(form.get("event_types", "")), form.get("description", ""))
        return {"name": subscription.url, "secret": secret}

    return _shown_once(partial(_webhooks_page, request, container, signed), create, form, WEBHOOK_FIELDS)


@router.post("/settings/webhooks/{webhook_id}/remove", openapi_extra=CONSOLE)
def remove_webhook(webhook_id: str, container: ContainerDep, signed: CsrfChecked) -> Response:
    allowed_to(signed, "webhooks")
    webhooks.remove(container.uow(actor=signed.actor), webhook_id)  # unknown: the 404 page
    return RedirectResponse("/console/settings/webhooks?done=webhook", status_code=303)


@router.get("/settings/webhooks/{webhook_id}", openapi_extra=CONSOLE)
def webhook(webhook_id: str, request: Request, container: ContainerDep, signed: SignedInDep,
            status: str = "") -> Response:
    allowed_to(signed, "webhooks")
    return _deliveries_page(request, container, signed, webhook_id, status)


@router.post("/settings/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", openapi_extra=CONSOLE)
def redeliver(webhook_id: str, delivery_id: str, request: Request, container: ContainerDep,
              signed: CsrfChecked) -> Response:
    allowed_to(signed, "webhooks")
    try:
        webhooks.redeliver(container.uow(actor=signed.actor), webhook_id, delivery_id)
    except Conflict as refused:
        return _deliveries_page(request, container, signed, webhook_id, "", {"form": refused.detail}, 409)
    return RedirectResponse(f"/console/settings/webhooks/{webhook_id}?done=redeliver", status_code=303)


def _webhooks_page(request: Request, container: Container, signed: SignedIn, errors: dict[str, str] | None = None,
                   typed: dict[str, str] | None = None, status: int = 200,
                   new: dict[str, str] | None = None) -> Response:
    return settings_page(request, signed, "webhooks", {
        "webhooks": webhooks.subscriptions(container.reader()), "event_types": [ALL, *sorted(EVENT_TYPES)],
        "errors": errors or {}, "typed": typed if typed is not None else {"event_types": ALL}, "new": new}, status)


def _deliveries_page(request: Request, container: Container, signed: SignedIn, webhook_id: str, status: str,
                     errors: dict[str, str] | None = None, code: int = 200) -> Response:
    found = next((s for s in webhooks.subscriptions(container.reader()) if s.id == webhook_id), None)
    if found is None:
        raise NotFound(f"There is no webhook {webhook_id[:40]}.")
    errors = dict(errors or {})
    try:
        items, _next = webhooks.deliveries(container.reader(), webhook_id, status or None, DELIVERIES, None)
    except InvalidInput as bad:
        errors["status"], code = bad.reason, 422
        items, _next = webhooks.deliveries(container.reader(), webhook_id, None, DELIVERIES, None)
    context: dict[str, Any] = {"webhook": found, "deliveries": items, "status_filter": status, "errors": errors}
    return settings_page(request, signed, "webhooks", context, code, template="console_settings_webhook.html")
