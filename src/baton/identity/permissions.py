"""Who may do what: the one table of roles × actions, with money limits per role.

Every route declares the action it performs; the HTTP layer refuses (403) a caller whose role lacks it.
The README prints this table (`baton permissions` renders it)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from baton.shared.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"  # everything, including users, tokens, audit log and privacy requests
    AGENT = "agent"  # customer care: finds, places, cancels and refunds orders, within a money limit
    FULFILLMENT = "fulfillment"  # a warehouse or store associate: the queue and stock of their location(s)
    FINANCE = "finance"  # payments, refunds, invoices
    ANALYST = "analyst"  # read-only: orders, stock, reports
    INTEGRATION = "integration"  # other systems, API only (never signs in to the console)


class Action(StrEnum):
    CATALOG_READ = "catalog.read"
    CATALOG_WRITE = "catalog.write"
    INVENTORY_READ = "inventory.read"
    INVENTORY_WRITE = "inventory.write"
    ORDERS_READ = "orders.read"
    ORDERS_CREATE = "orders.create"
    ORDERS_CANCEL = "orders.cancel"
    ORDERS_HOLD = "orders.hold"  # put an order on hold and release it
    ORDERS_EDIT = "orders.edit"  # change quantities, lines, address or delivery method before shipment
    ORDERS_ANNOTATE = "orders.annotate"  # internal notes and tags
    RETURNS_MANAGE = "returns.manage"  # open, approve, reject, refund and close returns
    RETURNS_RECEIVE = "returns.receive"  # receive and inspect returned units at a location
    FULFILLMENT_READ = "fulfillment.read"
    FULFILLMENT_ACT = "fulfillment.act"
    REFUNDS_ISSUE = "refunds.issue"
    APPEASEMENTS_ISSUE = "appeasements.issue"
    LEDGER_READ = "ledger.read"  # the money ledger and its trial balance (finance data: not for analysts)
    INVOICES_READ = "invoices.read"  # invoices and credit memos (they hold personal data: not for analysts)
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_EXPORT = "customers.export"
    CUSTOMERS_ERASE = "customers.erase"
    TOKENS_MANAGE = "tokens.manage"
    USERS_MANAGE = "users.manage"
    AUDIT_READ = "audit.read"
    SETTINGS_MANAGE = "settings.manage"  # shop-wide settings such as the risk rules
    CONSOLE_SIGN_IN = "console.sign_in"


A = Action
_READ_ALL = {A.CATALOG_READ, A.INVENTORY_READ, A.ORDERS_READ, A.FULFILLMENT_READ, A.CUSTOMERS_READ}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.AGENT: frozenset(_READ_ALL | {A.ORDERS_CREATE, A.ORDERS_CANCEL, A.ORDERS_HOLD, A.ORDERS_EDIT,
                                       A.ORDERS_ANNOTATE, A.RETURNS_MANAGE, A.RETURNS_RECEIVE, A.REFUNDS_ISSUE,
                                       A.APPEASEMENTS_ISSUE, A.CUSTOMERS_EXPORT, A.INVOICES_READ,
                                       A.CONSOLE_SIGN_IN}),
    Role.FULFILLMENT: frozenset({A.CATALOG_READ, A.INVENTORY_READ, A.INVENTORY_WRITE, A.FULFILLMENT_READ,
                                 A.FULFILLMENT_ACT, A.RETURNS_RECEIVE, A.CONSOLE_SIGN_IN}),
    Role.FINANCE: frozenset(_READ_ALL | {A.ORDERS_HOLD, A.ORDERS_ANNOTATE, A.REFUNDS_ISSUE, A.APPEASEMENTS_ISSUE,
                                         A.LEDGER_READ, A.INVOICES_READ, A.CONSOLE_SIGN_IN}),
    Role.ANALYST: frozenset(_READ_ALL | {A.CONSOLE_SIGN_IN}),
    Role.INTEGRATION: frozenset(_READ_ALL | {A.CATALOG_WRITE, A.INVENTORY_WRITE, A.ORDERS_CREATE, A.ORDERS_CANCEL,
                                             A.FULFILLMENT_ACT}),
}

# The most one action may move without an admin, in major units of the order's currency; absent: no limit.
MONEY_LIMITS: dict[tuple[Role, Action], Decimal] = {
    (Role.AGENT, A.REFUNDS_ISSUE): Decimal("50.00"),
    (Role.AGENT, A.APPEASEMENTS_ISSUE): Decimal("50.00"),
    (Role.FINANCE, A.APPEASEMENTS_ISSUE): Decimal("500.00"),
}

# Roles whose members work for some locations only: they see and act on nothing elsewhere.
LOCATION_SCOPED = frozenset({Role.FULFILLMENT})


def allows(role: str | None, action: Action) -> bool:
    return role is not None and role in PERMISSIONS and action in PERMISSIONS[Role(role)]


def money_limit(role: str | None, action: Action) -> Decimal | None:
    """None when the role has no limit for this action."""
    return MONEY_LIMITS.get((Role(role), action)) if role in PERMISSIONS else Decimal(0)


def check_money(role: str | None, action: Action, amount: Decimal, currency: str) -> None:
    """Refuse an amount above the role's limit (the action itself must already be allowed)."""
    if not allows(role, action):
        raise Forbidden(f"The {role} role may not {action.value}.", code="permission_denied")
    limit = money_limit(role, action)
    if limit is not None and amount > limit:
        raise Forbidden(f"{amount} {currency} is above the {role} limit of {limit} for {action.value}; "
                        "ask an admin.", code="money_limit_exceeded")


def markdown_table() -> str:
    """The permission table as the README prints it."""
    roles = list(Role)
    lines = ["| action | " + " | ".join(r.value for r in roles) + " |",
             "|---|" + "---|" * len(roles)]
    for action in Action:
        cells = []
        for role in roles:
            limit = MONEY_LIMITS.get((role, action))
            cells.append((f"≤ {limit}" if limit is not None else "✓") if action in PERMISSIONS[role] else "")
        lines.append(f"| `{action.value}` | " + " | ".join(cells) + " |")
    scoped = ", ".join(r.value for r in sorted(LOCATION_SCOPED))
    lines.append("")
    lines.append(f"Location-scoped roles ({scoped}) see and act only on the fulfilment orders and stock of their "
                 "own locations; anything else answers 404.")
    return "\n".join(lines)
