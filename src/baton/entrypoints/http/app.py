"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from baton import __version__
from baton.bootstrap import Container, bootstrap
from baton.entrypoints.http import (
    care,
    catalog,
    customers,
    fulfillment,
    identity,
    inventory,
    invoices,
    ledger,
    orders,
    payments,
    problems,
    public,
    reports,
    risk_rules,
    self_service,
    settings,
    shopper,
    webhooks,
)
from baton.entrypoints.http import edits as order_edits
from baton.entrypoints.http import exchanges as order_exchanges
from baton.entrypoints.http import returns as order_returns
from baton.entrypoints.http.auth import RequestScope, declare_permissions
from baton.entrypoints.web import console as web_console
from baton.entrypoints.web import console_orders, portal
from baton.shared.redaction import install_redaction


def create_app(container: Container | None = None) -> FastAPI:
    app = FastAPI(
        title="Baton", version=__version__,
        description="Baton order management: orders from every channel, stock across locations, routing and "
                    "fulfilment. Errors are application/problem+json (RFC 9457).",
    )
    install_redaction()
    app.state.container = container or bootstrap()
    problems.install(app)
    app.add_middleware(RequestScope)
    problems.document(app)
    for module in (public, catalog, inventory, orders, payments, fulfillment, identity, shopper, customers,
                   risk_rules, ledger, settings, reports, invoices, care, self_service):
        declare_permissions(module.router)
        app.include_router(module.router)
    declare_permissions(order_edits.router)  # order edits (issue 6)
    app.include_router(order_edits.router)
    declare_permissions(order_returns.router)  # returns (RMA, issue 6)
    app.include_router(order_returns.router)
    declare_permissions(order_exchanges.router)  # exchanges and claims (issue 6)
    app.include_router(order_exchanges.router)
    declare_permissions(webhooks.router)  # webhook subscriptions (issue 7)
    app.include_router(webhooks.router)
    declare_permissions(web_console.router)
    app.include_router(web_console.router)
    declare_permissions(console_orders.router)
    app.include_router(console_orders.router)
    declare_permissions(portal.router)
    app.include_router(portal.router)
    return app
