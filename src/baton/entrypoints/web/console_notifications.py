"""The console's notification pages: the template editor (settings) and an order's messages with Resend.

- /console/settings/notifications lists every moment × language; each opens an editor (subject, body, SMS in
  textareas) with Preview (rendered for a sample order), Save (checked first: an error shows next to its field
  and nothing changes) and Restore the built-in one. Admins only (settings.manage).
- /console/orders/{number}/notifications lists the order's messages (orders.read); Resend needs orders.annotate.
Roles are checked on the server: a page or action the role may not use answers the 403 page."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.web.console import CONSOLE, CsrfChecked, PageRoute, SignedInDep, page, require
from baton.identity.console import SignedIn
from baton.identity.permissions import Action, allows
from baton.notifications import services, templates
from baton.notifications.moments import TITLES, Moment
from baton.notifications.template import LANGUAGES, VARIABLES, Template
from baton.shared.errors import BatonError, InvalidInput, NotFound

EDITOR = "/console/settings/notifications"
DONE = {"saved": "The template was saved.", "reset": "The built-in template is in force again.",
        "resent": "The message was queued again; the worker sends it shortly."}


router = APIRouter(prefix="/console", tags=["console"], route_class=PageRoute, include_in_schema=False)


# -- the template editor --------------------------------------------------------------------------------------
@router.get("/settings/notifications", openapi_extra=CONSOLE)
def template_list(request: Request, container: ContainerDep, signed: SignedInDep) -> Response:
    require(signed, Action.SETTINGS_MANAGE)
    rows = templates.listed(container.reader())
    by_moment = {moment: [row for row in rows if row["moment"] == moment] for moment in Moment}
    return page(request, "console_notifications.html", {
        "signed": signed, "by_moment": by_moment, "titles": TITLES, "languages": LANGUAGES,
        "smtp": container.settings.smtp_host, "sms_url": container.settings.sms_url})


@router.get("/settings/notifications/{moment}/{language}", openapi_extra=CONSOLE)
def template_form(request: Request, container: ContainerDep, signed: SignedInDep, moment: str, language: str,
                  done: str = "") -> Response:
    require(signed, Action.SETTINGS_MANAGE)
    row = templates.one(container.reader(), moment, language)
    return _editor(request, signed, row, {k: row[k] for k in ("subject", "body", "sms")}, done=DONE.get(done))


@router.post("/settings/notifications/{moment}/{language}", openapi_extra=CONSOLE)
def template_action(request: Request, container: ContainerDep, signed: CsrfChecked, moment: str, language: str,
                    subject: Annotated[str, Form()] = "", body: Annotated[str, Form()] = "",
                    sms: Annotated[str, Form()] = "", action: Annotated[str, Form()] = "preview") -> Response:
    actor = require(signed, Action.SETTINGS_MANAGE)
    row = templates.one(container.reader(), moment, language)
    form = {"subject": subject, "body": body, "sms": sms}
    here = f"{EDITOR}/{quote(row['moment'])}/{quote(row['language'])}"
    try:
        if action == "reset":
            templates.reset(container.uow(actor=actor), moment, language)
            return RedirectResponse(f"{here}?done=reset", status_code=303)
        template = Template(subject.replace("\r\n", "\n"), body.replace("\r\n", "\n"), sms.replace("\r\n", "\n"))
        if action == "save":
            templates.save(container.uow(actor=actor), actor, moment, language, template)
            return RedirectResponse(f"{here}?done=saved", status_code=303)
        settings = container.settings
        preview = templates.preview(settings.public_url, settings.seller_name, row["language"], template)
    except InvalidInput as bad:
        return _editor(request, signed, row, form, errors={bad.field: bad.reason}, status=422)
    return _editor(request, signed, row, form, preview=preview)


def _editor(request: Request, signed: SignedIn, row: dict[str, Any], form: dict[str, str], *,
            errors: dict[str, str] | None = None, preview: Any = None, done: str | None = None,
            status: int = 200) -> Response:
    return page(request, "console_notification_template.html", {
        "signed": signed, "csrf_token": signed.csrf_token, "row": row, "form": form, "errors": errors or {},
        "preview": preview, "done": done, "title": TITLES[Moment(row["moment"])],
        "language_name": LANGUAGES[row["language"]], "variables": VARIABLES}, status=status)


# -- an order's messages --------------------------------------------------------------------------------------
@router.get("/orders/{number}/notifications", openapi_extra=CONSOLE)
def order_messages(request: Request, container: ContainerDep, signed: SignedInDep, number: str,
                   done: str = "") -> Response:
    require(signed, Action.ORDERS_READ)
    return _messages(request, container, signed, number, done=DONE.get(done))


@router.post("/orders/{number}/notifications/{message_id}/resend", openapi_extra=CONSOLE)
def resend(request: Request, container: ContainerDep, signed: CsrfChecked, number: str,
           message_id: str) -> Response:
    actor = require(signed, Action.ORDERS_ANNOTATE)
    order_id = services.order_id_of(container.reader(), number)
    try:
        services.resend(container.uow(actor=actor), order_id, message_id)
    except NotFound:
        raise
    except BatonError as refused:
        return _messages(request, container, signed, number, error=refused.detail, status=409)
    return RedirectResponse(f"/console/orders/{quote(number)}/notifications?done=resent", status_code=303)


def _messages(request: Request, container: ContainerDep, signed: SignedIn, number: str, *, done: str | None = None,
              error: str | None = None, status: int = 200) -> Response:
    order_id = services.order_id_of(container.reader(), number)
    rows = services.order_messages(container.reader(), order_id)
    return page(request, "console_notification_messages.html", {
        "signed": signed, "csrf_token": signed.csrf_token, "number": number, "messages": rows, "titles": TITLES,
        "languages": LANGUAGES, "may_resend": allows(signed.actor.role, Action.ORDERS_ANNOTATE), "done": done,
        "error": error}, status=status)
