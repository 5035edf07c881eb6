"""The demo shop: realistic, deterministic sample data (locations, catalog, stock, 90 days of orders),
created through the real services so that every quantity, stock level, ledger row, payment, invoice and timeline
entry agrees.

`baton seed` and `baton demo` call `baton.demo.seed.seed_demo`. The modules:
    data        static lists: locations, categories, names, cities, carriers
    catalog     products with USD and EUR prices, and the opening stock of every location
    people      customers with names, e-mails, phones and addresses near our locations
    orders      what customers buy: channel, delivery method, lines, discounts, shipping
    money       German VAT, tax-inclusive channels, daily USD/EUR rates, how each order is paid (cards,
                invoices, gift cards, store credit)
    stock       replenishment, transfers, purchase orders, preorder releases (all through the ledger),
                reorder points
    clockwork   the event queue: every step runs under `frozen_at` its own past moment
    lifecycle   accept, pack, ship, deliver, reject and re-route, cancel: one service call per step
    aftercare   after delivery: returns in every state, exchanges, lost-parcel claims, appeasements, notes and
                tags, manual holds
    simulation  the 90-day history, placed in time order
    seed        the entry points: seed_demo, is_seeded, SeedReport
"""
