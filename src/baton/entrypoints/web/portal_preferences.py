"""The shopper's notification preferences in the portal (/portal/preferences): email updates on or off, and
consent to SMS updates, given or withdrawn. Signed in by the portal cookie like every portal page; the form is
protected by a signed double-submit CSRF token of its own; POST/redirect/GET."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.shopper import SHOPPER
from baton.entrypoints.web.console import page
from baton.entrypoints.web.csrf import CsrfRejected, DoubleSubmit
from baton.entrypoints.web.portal import PortalRoute, ShopperDep
from baton.notifications import services

HERE = "/portal/preferences"
_FORM = DoubleSubmit("baton_preferences_csrf", HERE, "baton.portal.preferences")
SAVED = "Your choices were saved."

router = APIRouter(prefix="/portal", tags=["portal"], route_class=PortalRoute, include_in_schema=False)


@router.get("/preferences", openapi_extra=SHOPPER)
def preferences_form(request: Request, container: ContainerDep, shopper: ShopperDep, done: str = "") -> Response:
    prefs = services.preferences(container.reader(), shopper.id)
    token = _FORM.token(request, container.secret_key)
    response = page(request, "portal_preferences.html", {"prefs": prefs, "csrf_token": token,
                                                          "done": SAVED if done == "saved" else None})
    _FORM.attach(response, token)
    return response


@router.post("/preferences", openapi_extra=SHOPPER)
def save_preferences(request: Request, container: ContainerDep, shopper: ShopperDep,
                     csrf_token: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
                     sms: Annotated[str, Form()] = "") -> Response:
    if not _FORM.valid(request, container.secret_key, csrf_token):
        raise CsrfRejected()
    services.set_preferences(container.uow(actor=shopper), shopper, shopper.id, email == "on", sms == "on")
    return RedirectResponse(f"{HERE}?done=saved", status_code=303)
