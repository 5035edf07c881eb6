"""The demo shop's money: German VAT, tax-inclusive consumer channels, a daily USD/EUR rate, and how each
customer pays (a card most of the time, sometimes declined; an invoice for businesses; a real gift card or the
store credit of an earlier return, plus a card).

The shop is registered for VAT in Germany only: US orders carry no tax (no US rates are configured, so the order
says "no tax charged" on its timeline). B2B prices stay tax-exclusive (net prices, VAT on top)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from baton.bootstrap import Container
from baton.orders.commands import PlaceOrder
from baton.payments import gift_cards
from baton.payments.services import PaymentRequest
from baton.shared.money import to_minor
from baton.tax.services import add_exchange_rate, add_tax_rate, set_channel_mode

VAT_FROM = date(2020, 1, 1)
VAT = (("standard", "0.19"), ("reduced", "0.07"), ("shipping", "0.19"))  # Germany
TAX_INCLUSIVE = ("web", "app", "store", "marketplace", "phone")  # consumers see prices with VAT; b2b: net
EUR_PER_USD = Decimal("0.92")  # around which the demo's daily rate moves
GIFT_CARDS = (10, 20, 25, 50)  # face values, in the order's currency
# how a consumer pays: (kind, weight)
KINDS = (("card", 91), ("gift_card", 6), ("declined", 2), ("insufficient_funds", 1))
DECLINED = {"declined": "tok_decline", "insufficient_funds": "tok_insufficient_funds"}


def configure_tax(container: Container) -> None:
    """German rates before any order, and the consumer channels priced tax-inclusive."""
    for tax_class, rate in VAT:
        add_tax_rate(container.uow(), "DE", None, tax_class, rate, VAT_FROM)
    for channel in TAX_INCLUSIVE:
        set_channel_mode(container.uow(), channel, "tax_inclusive")


def exchange_rates(container: Container, rng: random.Random, first: date, last: date) -> int:
    """One rate a day from `first` to `last`, moving a little around 0.92 EUR per USD, so that sales reports
    convert to the base currency. A base other than EUR or USD gets none (the demo cannot know them)."""
    base = container.settings.base_currency
    if base not in ("EUR", "USD"):
        return 0
    rate = EUR_PER_USD
    added = 0
    day = first
    while day <= last:
        rate = min(max(rate + Decimal(rng.randint(-25, 25)) / 10000, Decimal("0.8950")), Decimal("0.9450"))
        currency, value = ("USD", rate) if base == "EUR" else ("EUR", (1 / rate).quantize(Decimal("0.0001")))
        add_exchange_rate(container.uow(), base, currency, str(value), day)
        added += 1
        day += timedelta(days=1)
    return added


@dataclass(frozen=True)
class Cashier:
    """Chooses how each order is paid, from its own random stream (the baskets do not depend on it)."""

    rng: random.Random

    def kind(self, business: bool) -> str:
        """invoice (businesses), card, gift_card (plus a card), or a card the bank refuses."""
        if business:
            return "invoice"
        return self.rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]

    def gift_card(self) -> int:
        return self.rng.choice(GIFT_CARDS)


def pay(command: PlaceOrder, kind: str, prepaid: list[PaymentRequest]) -> PlaceOrder:
    """The command with its payments: `prepaid` (a gift card, store credit) first, a card for the rest."""
    if kind == "invoice":
        payments = [PaymentRequest("manual", token="manual:invoice:net30")]
    elif kind in DECLINED:
        payments = [PaymentRequest("sandbox", token=DECLINED[kind])]
    else:
        payments = [*prepaid, PaymentRequest("sandbox", token="tok_approve")]
    return replace(command, payments=payments)


def gift_card_part(face: int, goods: int, currency: str) -> int:
    """What a gift card of `face` (whole units) pays of `goods` (minor units): at most half of them."""
    return min(to_minor(str(face), currency), goods // 2)


def issue_gift_card(container: Container, currency: str, face: int, email: str) -> str:
    """A gift card the customer was given (bought in a store or online): its code, to pay with."""
    issued = gift_cards.issue(container.uow(), currency, to_minor(str(face), currency),
                              f"bought as a present for {email}")
    return issued.code
