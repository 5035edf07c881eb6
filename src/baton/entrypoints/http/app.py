"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from baton import __version__
from baton.bootstrap import Container, bootstrap
from baton.entrypoints.http import catalog, fulfillment, inventory, orders, problems, public


def create_app(container: Container | None = None) -> FastAPI:
    app = FastAPI(
        title="Baton", version=__version__,
        description="Baton order management: orders from every channel, stock across locations, routing and "
                    "fulfilment. Errors are application/problem+json (RFC 9457).",
    )
    app.state.container = container or bootstrap()
    problems.install(app)
    problems.document(app)
    for module in (public, catalog, inventory, orders, fulfillment):
        app.include_router(module.router)
    return app
