"""The demo shop (`baton seed`): realistic, consistent through the real services, and the same for the same seed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from baton.adapters.db import tables as t
from baton.bootstrap import Container
from baton.demo.seed import SeedReport, is_seeded, seed_demo
from baton.finance import queries as ledger
from baton.finance.ledger import check_trial_balance
from baton.finance.reports import sales_report
from baton.inventory.kpis import low_stock
from baton.inventory.queries import ledger_mismatches, reservation_mismatches
from baton.shared.errors import Conflict
from tests.conftest import empty

ORDERS = 120
STATUSES = {"placed", "processing", "partially_shipped", "shipped", "delivered", "on_hold", "cancelled"}
CHANNELS = {"web", "app", "marketplace", "store", "phone", "b2b"}


def orders_of(container: Container) -> list[tuple]:
    """Every order as a comparable row, in the order it was placed (numbers may not restart from one)."""
    o, ln = t.orders.c, t.order_lines.c
    with container.engine.connect() as conn:
        lines: dict[str, list[tuple]] = {}
        for row in conn.execute(select(ln.order_id, ln.sku, ln.quantity, ln.cancelled, ln.shipped, ln.delivered)
                                .order_by(ln.order_id, ln.position)):
            lines.setdefault(row[0], []).append(tuple(row[1:]))
        rows = conn.execute(select(o.id, o.channel, o.currency, o.status, o.fulfillment_status, o.delivery_method,
                                   o.pickup_location, o.customer_email, o.shipping, o.total).order_by(o.number))
        return [(*row[1:], tuple(lines[row[0]])) for row in rows]


def catalog_of(container: Container) -> tuple[list[tuple], list[tuple], list[tuple]]:
    p, loc, s = t.products.c, t.locations.c, t.stock_levels.c
    with container.engine.connect() as conn:
        return (
            [tuple(r) for r in conn.execute(select(p.sku, p.name, p.category, p.stock_policy, p.prices,
                                                   p.weight_grams).order_by(p.sku))],
            [tuple(r) for r in conn.execute(select(loc.code, loc.name, loc.type, loc.latitude, loc.longitude,
                                                   loc.ships, loc.pickup, loc.priority).order_by(loc.code))],
            [tuple(r) for r in conn.execute(select(s.location, s.sku, s.on_hand, s.reserved, s.safety_stock)
                                            .order_by(s.location, s.sku))],
        )


def test_the_demo_shop_is_realistic_consistent_and_loaded_once(container):
    # Given an empty database
    assert not is_seeded(container)
    # When the demo shop is seeded with a small history
    stages: dict[str, tuple[int, int]] = {}
    report = seed_demo(container, orders=ORDERS, progress=lambda stage, done, total: stages.update({
        stage: (done, total)}))
    # Then every stage reported its progress to the end
    assert {stage: done == total for stage, (done, total) in stages.items()} == {
        "Locations": True, "Products": True, "Stock": True, "Orders": True}
    # and the shop is realistic and consistent
    has_locations_in_two_countries_and_a_catalog_of_ten_categories(report, container)
    has_orders_in_every_status_through_the_real_services(report, container)
    has_stock_explained_by_the_ledger_and_held_by_open_fulfilment_orders(container)
    has_a_history_in_the_last_ninety_days_and_never_in_the_future(container)
    has_tax_payments_holds_and_invoices_that_add_up(report, container)
    has_returns_in_several_states_and_aftercare_that_balances(report, container)
    has_low_stock_below_reorder_points(report, container)
    assert str(report).startswith(f"{report.locations} locations in 2 countries")
    # and seeding it again is refused rather than doubling the shop
    with pytest.raises(Conflict) as refused:
        seed_demo(container, orders=1)
    assert refused.value.code == "already_seeded"


def has_locations_in_two_countries_and_a_catalog_of_ten_categories(seeded: SeedReport, container: Container) -> None:
    assert seeded.locations >= 8 and seeded.countries >= 2
    assert seeded.products >= 200 and seeded.categories >= 10
    with container.engine.connect() as conn:
        locations = conn.execute(select(t.locations.c.type, t.locations.c.pickup, t.locations.c.address)).all()
        policies = dict(conn.execute(select(t.products.c.stock_policy, func.count())
                                     .group_by(t.products.c.stock_policy)).all())
        banner = conn.execute(select(t.products.c.prices).where(t.products.c.sku == "APP-0001")).scalar_one()
        stocked_skus = conn.scalar(select(func.count(t.stock_levels.c.sku.distinct())))
    assert {loc.type for loc in locations} == {"warehouse", "store", "dropship"}
    assert {loc.address["country"] for loc in locations if loc.pickup} == {"US", "DE"}
    assert policies["stocked"] > policies["backorder"] > 0 and policies["preorder"] > 0
    assert set(banner) == {"USD", "EUR"}  # the demo banner's availability link works
    assert stocked_skus >= 200


def has_orders_in_every_status_through_the_real_services(seeded: SeedReport, container: Container) -> None:
    with container.engine.connect() as conn:  # exchanges and claims may place replacement orders of their own
        replacements = sum(conn.scalar(select(func.count()).select_from(table).where(
            table.c.replacement_order_id.is_not(None))) or 0 for table in (t.exchanges, t.claims))
    assert seeded.orders == ORDERS + replacements and is_seeded(container)
    assert seeded.refused == ()
    assert {status for status, n in seeded.statuses if n} == STATUSES
    o = t.orders.c
    with container.engine.connect() as conn:
        fulfillment = set(conn.scalars(select(o.fulfillment_status).distinct()))
        orders = conn.execute(select(o.channel, o.currency, o.delivery_method, o.shipping_address, o.discounts,
                                     o.shipping, o.customer_email)).all()
        kinds = set(conn.scalars(select(t.timeline.c.kind).distinct()))
    assert {"backordered", "ready_for_pickup", "allocated", "delivered", "cancelled"} <= fulfillment
    assert {order.channel for order in orders} == CHANNELS
    assert {"placed", "routed", "accepted", "packed", "shipped", "delivered", "rejected", "cancelled"} <= kinds
    for order in orders:
        if order.shipping_address:
            assert order.currency == {"US": "USD", "DE": "EUR"}[order.shipping_address["country"]]
        assert order.customer_email.endswith(("@example.com", "@example.org"))
    pickups = sum(order.delivery_method == "pickup" for order in orders)
    assert 0.04 * ORDERS <= pickups <= 0.25 * ORDERS
    assert any(order.discounts for order in orders) and any(order.shipping for order in orders)
    assert 20 <= len({order.customer_email for order in orders}) < ORDERS  # customers come back


def has_stock_explained_by_the_ledger_and_held_by_open_fulfilment_orders(container: Container) -> None:
    s, p = t.stock_levels.c, t.products.c
    with container.engine.connect() as conn:
        assert ledger_mismatches(conn) == []
        assert reservation_mismatches(conn) == []
        assert conn.scalar(select(func.count()).select_from(t.stock_levels).where(s.on_hand < 0)) == 0
        oversold = conn.scalar(select(func.count()).select_from(t.stock_levels.join(t.products, p.sku == s.sku))
                               .where(p.stock_policy == "stocked", s.reserved > s.on_hand))
        assert oversold == 0
        sold_out = conn.scalar(select(func.count()).select_from(t.stock_levels.join(t.products, p.sku == s.sku))
                               .where(p.stock_policy == "stocked", s.on_hand - s.reserved <= 0))
        kinds = set(conn.scalars(select(t.inventory_ledger.c.kind).distinct()))
    assert sold_out > 0  # some SKUs are out of stock somewhere
    assert {"count", "shipment", "receipt"} <= kinds


def has_a_history_in_the_last_ninety_days_and_never_in_the_future(container: Container) -> None:
    now = datetime.now(UTC)
    with container.engine.connect() as conn:
        first, last = conn.execute(select(func.min(t.orders.c.placed_at), func.max(t.orders.c.placed_at))).one()
        latest = [conn.scalar(select(func.max(column))) for column in (
            t.timeline.c.at, t.inventory_ledger.c.created_at, t.shipments.c.shipped_at, t.shipments.c.delivered_at,
            t.orders.c.updated_at, t.outbox.c.occurred_at)]
        delivered_after = conn.execute(
            select(t.orders.c.placed_at, t.shipments.c.shipped_at, t.shipments.c.delivered_at)
            .join_from(t.shipments, t.orders, t.orders.c.id == t.shipments.c.order_id)
            .where(t.shipments.c.delivered_at.is_not(None))).all()
    assert now - timedelta(days=91) <= first <= last <= now
    assert all(moment <= now for moment in latest)
    assert all(placed <= shipped <= delivered for placed, shipped, delivered in delivered_after)


def test_the_same_seed_gives_the_same_shop(container):
    # Given a shop seeded with seed 11, When the database is emptied and seeded again with 11
    first = seed_demo(container, orders=40, random_seed=11)
    orders, catalog = orders_of(container), catalog_of(container)
    empty(container)
    second = seed_demo(container, orders=40, random_seed=11)
    # Then the report, the catalog, the stock and every order with its lines and statuses are the same
    assert second == first
    assert orders_of(container) == orders
    assert catalog_of(container) == catalog



def has_tax_payments_holds_and_invoices_that_add_up(seeded: SeedReport, container: Container) -> None:
    o, p, tx, inv = t.orders.c, t.payments.c, t.payment_transactions.c, t.invoices.c
    with container.engine.connect() as conn:
        # the ledger balances in every currency, and the report's figures are the database's
        balances = ledger.trial_balance(conn)
        check_trial_balance(ledger.balances(balances))
        captured = dict(conn.execute(select(p.currency, func.sum(p.captured)).group_by(p.currency)).all())
        invoices = conn.execute(select(inv.order_id, inv.kind, inv.currency, inv.total, inv.document)).all()
        # every order that shipped something and was paid for it has an invoice, and its invoices less its credit
        # memos add up to what it kept: captured less refunded (to its payments or as store credit)
        credited = dict(conn.execute(select(t.store_credit.c.order_id, func.sum(t.store_credit.c.amount))
                                     .where(t.store_credit.c.return_id.is_not(None))
                                     .group_by(t.store_credit.c.order_id)).all())
        shipped_and_paid = dict(conn.execute(
            select(o.id, func.sum(p.captured - p.refunded)).join_from(t.orders, t.payments, p.order_id == o.id)
            .where(o.id.in_(select(t.order_lines.c.order_id).where(t.order_lines.c.shipped > 0)))
            .group_by(o.id).having(func.sum(p.captured) > 0)).all())
        refused = conn.execute(
            select(o.id, o.status, o.payment_status, tx.failure_code)
            .join_from(t.payment_transactions, t.payments, p.id == tx.payment_id)
            .join(t.orders, o.id == p.order_id)
            .where(tx.kind == "authorize", tx.status == "failed")).all()
        holds = {row.order_id: row.reasons for row in conn.execute(
            select(t.order_holds.c.order_id, t.order_holds.c.reasons)
            .where(t.order_holds.c.kind == "payment", t.order_holds.c.released_at.is_(None)))}
        methods = set(conn.scalars(select(p.method).distinct()))
        held_by_agents = conn.scalar(select(func.count(t.order_holds.c.order_id.distinct())).where(
            t.order_holds.c.kind == "manual", t.order_holds.c.released_at.is_(None)))
        ln, je, jp = t.order_lines.c, t.journal_entries.c, t.journal_postings.c
        paid_in_full = conn.execute(
            select(o.id, o.currency, o.shipping_tax + func.sum(ln.tax)).join_from(t.orders, t.order_lines)
            .where(o.payment_status == "captured").group_by(o.id, o.currency, o.shipping_tax)
            .having(func.sum(ln.cancelled) == 0)).all()
        tax_booked = dict(conn.execute(
            select(je.order_id, func.sum(jp.credit - jp.debit)).join_from(t.journal_postings, t.journal_entries)
            .where(jp.account == "tax_payable").group_by(je.order_id)).all())
        modes = dict(conn.execute(select(o.channel, o.prices_include).distinct()).all())
        us_tax = conn.scalar(select(func.count()).select_from(t.orders).where(o.currency == "USD", o.shipping_tax > 0))
        us_notes = conn.scalar(select(func.count()).select_from(t.timeline).where(
            t.timeline.c.message.like("%no tax charged: no tax rates are configured for US%")))
    assert seeded.captured == tuple(sorted((c, int(n)) for c, n in captured.items())) and len(seeded.captured) == 2
    assert seeded.invoices == sum(i.kind == "invoice" for i in invoices) > 0
    assert {"sandbox", "manual", "gift_card"} <= methods  # cards, B2B invoices, real gift cards
    assert methods <= {"sandbox", "manual", "gift_card", "store_credit", "external"}  # external: exchange credit
    by_order: dict[str, int] = {}
    for invoice in invoices:
        by_order[invoice.order_id] = by_order.get(invoice.order_id, 0) + (
            invoice.total if invoice.kind == "invoice" else -invoice.total)
    kept = {order: minor - credited.get(order, 0) for order, minor in shipped_and_paid.items()}
    assert kept and {order: by_order.get(order) for order in kept} == kept
    # declined cards: those orders wait on hold with the bank's reason, nothing of them shipped; agents hold others
    assert refused and len(refused) == len({r.id for r in refused})
    assert seeded.on_hold == len(refused) + held_by_agents and held_by_agents >= 1
    for order in refused:
        assert (order.status, order.payment_status) == ("on_hold", "failed")
        assert order.failure_code in ("declined", "insufficient_funds")
        assert any("was refused" in reason for reason in holds[order.id])
    # tax: German VAT in EUR, none in the US (not registered there); what is payable is what the invoices charged
    assert modes["web"] == modes["store"] == "tax_inclusive" and modes["b2b"] == "tax_exclusive"
    assert us_tax == 0 and us_notes > 0
    payable = {c.currency: -a.balance for c in balances for a in c.accounts if a.account == "tax_payable"}
    invoiced_tax: dict[str, int] = {}
    for invoice in invoices:
        sign = 1 if invoice.kind == "invoice" else -1
        invoiced_tax[invoice.currency] = invoiced_tax.get(invoice.currency, 0) + sign * invoice.document["totals"][
            "tax"]
    assert payable.get("EUR", 0) == invoiced_tax["EUR"] > 0 and payable.get("USD", 0) == invoiced_tax["USD"] == 0
    # an order paid in full owes exactly its own tax: lines and shipping
    assert {(order, currency, tax_booked.get(order, 0)) for order, currency, _tax in paid_in_full} == {
        (order, currency, tax) for order, currency, tax in paid_in_full}
    assert any(tax for _order, currency, tax in paid_in_full if currency == "EUR")
    # the sales report converts the USD sales with the demo's daily rates
    today = datetime.now(UTC).date()
    report = sales_report(container.reader(), "EUR", today - timedelta(days=91), today)
    assert {c.currency for c in report.currencies} == {"EUR", "USD"} and report.total.gross_sales > 0


def has_returns_in_several_states_and_aftercare_that_balances(seeded: SeedReport, container: Container) -> None:
    r, rl, o = t.returns.c, t.return_lines.c, t.orders.c
    with container.engine.connect() as conn:
        by_status = dict(conn.execute(select(r.status, func.count()).group_by(r.status)).all())
        reasons = set(conn.scalars(select(rl.reason).distinct()))
        refunded_to = set(conn.execute(select(r.refund_to).where(r.status.in_(("refunded", "closed")))).scalars())
        restocked = conn.scalar(select(func.count()).select_from(t.inventory_ledger)
                                .where(t.inventory_ledger.c.kind == "restock"))
        delivered = conn.scalar(select(func.count()).select_from(t.orders).where(o.status == "delivered"))
        kinds = set(conn.scalars(select(t.timeline.c.kind).distinct()))
        tagged = conn.scalar(select(func.count()).select_from(t.order_tags))
        noted = conn.scalar(select(func.count()).select_from(t.order_notes))
        balances = ledger.trial_balance(conn)
    # returns: a realistic share of delivered orders, in several states, with reasons
    assert seeded.returns == tuple((status, by_status.get(status, 0)) for status, _n in seeded.returns)
    assert 0.03 * delivered <= sum(by_status.values()) <= 0.25 * delivered
    assert {"approved", "received", "inspected", "refunded", "rejected", "closed"} <= set(by_status)
    assert len(reasons) >= 3 and refunded_to and restocked > 0
    assert {"return_requested", "return_approved", "return_received", "return_inspected"} <= kinds
    assert tagged > 0 and noted > 0 and seeded.gift_cards > 0
    # the money ledger still balances, refunds and appeasements included
    check_trial_balance(ledger.balances(balances))


def has_low_stock_below_reorder_points(seeded: SeedReport, container: Container) -> None:
    with container.engine.connect() as conn:
        rows, count = low_stock(conn)
        signals = conn.scalar(select(func.count()).select_from(t.outbox)
                              .where(t.outbox.c.type == "inventory.low_stock"))
    assert rows and count == seeded.low_stock > 0
    assert all(row.available <= row.reorder_point for row in rows)
    assert signals > 0  # integrators were told
