"""What routes share: the container, read connections, Idempotency-Key handling, the actor."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel

from baton.bootstrap import Container
from baton.shared.errors import InvalidInput
from baton.shared.idempotency import Idempotent, fingerprint


def fast_json(content: Any, status_code: int = 200) -> Response:
    """JSON for the hottest routes, serialised by orjson without Pydantic's re-validation of our own output.
    The route still declares its response_model for the OpenAPI document; schemathesis checks they agree."""
    return Response(orjson.dumps(content, option=orjson.OPT_UTC_Z), status_code, media_type="application/json")


async def get_container(request: Request) -> Container:
    # async: FastAPI would run a plain def in the thread pool, one more hop per request for nothing
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255,
           description="Retries with the same key and body return the first response and change nothing."),
]


def idempotent(request: Request, key: str | None, body: BaseModel | None,
               resource_id: str | None = None) -> Idempotent | None:
    if key is None:
        return None
    if not key.strip():
        raise InvalidInput("Idempotency-Key", "must not be blank.")
    payload: Any = body.model_dump(mode="json", exclude_unset=False) if body is not None else None
    scope = f"{request.method} {request.url.path}"
    return Idempotent(scope, key, fingerprint(scope, payload), resource_id)
