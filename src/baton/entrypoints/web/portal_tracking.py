"""The public tracking page /track/{tracking_id} (issue 8): where the tracking link of every mail leads.

Whoever holds the link sees what GET /api/v1/track/{tracking_id} tells (order number, status, parcels with
carrier and tracking number, destination city) plus the items and an expected delivery: steps in plain words,
a link to the carrier's own tracking when Baton knows the carrier, and "Manage this order", which opens the
portal (signed in by a mailed link). No name, street, email, phone or money. A malformed or unknown id gets the
same friendly 404 page, so guessing teaches nothing."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from baton.entrypoints.http.auth import public
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.web.console import page
from baton.entrypoints.web.portal import PortalRoute
from baton.entrypoints.web.portal_views import tracking_view
from baton.orders.model import Order
from baton.shared.clock import utcnow

router = APIRouter(prefix="", include_in_schema=False, route_class=PortalRoute)
SHORTEST, LONGEST = 16, 64  # tracking ids are unguessable random strings within these lengths


@router.get("/track/{tracking_id}", openapi_extra=public())
def track(tracking_id: str, request: Request, container: ContainerDep) -> Response:
    found = _tracked(container, tracking_id)
    if found is None:
        return page(request, "tracking_missing.html", status=404)
    return page(request, "tracking.html", {"order": tracking_view(found, utcnow().date())})


def _tracked(container: Container, tracking_id: str) -> Order | None:
    if not SHORTEST <= len(tracking_id) <= LONGEST:
        return None
    with container.reads.connect() as conn:
        order_id = conn.scalar(select(t.orders.c.id).where(t.orders.c.tracking_id == tracking_id))
    if order_id is None:
        return None
    with container.reader() as uow:
        return uow.orders.get(order_id)
