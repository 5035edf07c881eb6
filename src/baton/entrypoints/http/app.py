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
from baton.entrypoints.http import notifications as notification_routes
from baton.entrypoints.http import returns as order_returns
from baton.entrypoints.http.auth import RequestScope, declare_permissions
from baton.entrypoints.http.fast_reads import FastReads
from baton.entrypoints.web import console as web_console
from baton.entrypoints.web import (
    console_actions,
    console_customers,
    console_dashboard,
    console_fulfillment,
    console_inventory,
    console_notifications,
    console_orders,
    console_returns,
    console_settings,
    portal,
    portal_preferences,
    portal_tracking,
)
from baton.shared.redaction import install_redaction


def create_app(container: Container | None = None, *, fast_reads: bool = True) -> FastAPI:
    """`fast_reads=False` serves the hottest reads through FastAPI too (the reference fast_reads.py is tested
    against)."""
    app = FastAPI(
        title="Baton", version=__version__,
        description="Baton order management: orders from every channel, stock across locations, routing and "
                    "fulfilment. Errors are application/problem+json (RFC 9457).",
    )
    install_redaction()
    app.state.container = container or bootstrap()
    problems.install(app)
    if fast_reads:  # added before RequestScope, so it runs inside it (the last added is the outermost)
        app.add_middleware(FastReads)
    app.add_middleware(RequestScope)
    problems.document(app)
    # the busiest routes first (tracking, availability, placement): a request is matched against routes in order
    for module in (public, inventory, orders, fulfillment, catalog, payments, identity, shopper, customers,
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
    declare_permissions(notification_routes.router)  # notification templates, preferences (issue 7)
    app.include_router(notification_routes.router)
    for page_module in (web_console, console_dashboard, console_orders, console_actions, console_fulfillment,
                        console_inventory, console_returns, console_customers, console_settings,
                        console_notifications, portal, portal_preferences, portal_tracking):
        declare_permissions(page_module.router)
        app.include_router(page_module.router)
    return app
