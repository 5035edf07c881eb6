"""The public, unauthenticated surface: health and order tracking."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy import text
from starlette.types import Scope

from baton import __version__
from baton.entrypoints.http.auth import public, scope_read_connection
from baton.entrypoints.http.deps import ContainerDep, fast_json
from baton.entrypoints.http.order_schemas import Tracking
from baton.entrypoints.http.problems import responses
from baton.orders import queries
from baton.shared.errors import NotFound

router = APIRouter(tags=["public"])


class Health(BaseModel):
    status: str
    version: str


@router.get("/", include_in_schema=False, openapi_extra=public())
def home() -> RedirectResponse:
    return RedirectResponse("/docs")


@router.get("/healthz", response_model=Health, openapi_extra=public())
def healthz(container: ContainerDep) -> dict[str, str]:
    """Answers 200 when the database does."""
    with container.reads.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}


@router.get("/api/v1/track/{tracking_id}", response_model=Tracking, responses=responses(404), openapi_extra=public())
async def track(tracking_id: str, request: Request) -> Response:
    """Status and parcels of an order, for whoever holds its tracking link; no other personal data."""
    # async on purpose, like availability: short lock-free reads, cheaper on the event loop than in a thread.
    # A tracking id that is found is usually answered by fast_reads.py, which calls `tracked`.
    found = tracked(request.scope, tracking_id)
    if found is None:  # the same answer for malformed and unknown ids: nothing to learn by guessing
        raise NotFound("No order is tracked under this id.", code="tracking_not_found")
    return fast_json(found)


def tracked(scope: Scope, tracking_id: str) -> dict | None:
    """What the tracking of `tracking_id` shows, or None (unknown, or malformed: then not even looked up)."""
    if 16 <= len(tracking_id) <= 64:
        return queries.tracking(scope_read_connection(scope), tracking_id)
    return None
