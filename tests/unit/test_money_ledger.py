"""The money ledger: balanced entries only, the posting scheme of an order's money, a zero trial balance."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from baton.finance import postings
from baton.finance.ledger import (
    Account,
    JournalEntry,
    Posting,
    Side,
    check_trial_balance,
    credit,
    currency_sums,
    debit,
    on_normal_side,
    trial_balance,
)
from baton.finance.postings import Amounts, Context
from baton.shared.errors import InvalidInput
from baton.tax.model import PricesInclude, TaxableLine, TaxableOrder, compute_tax
from baton.tax.rates import TaxRate, TaxTable

A = Account
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def context(currency: str = "EUR", order_id: str | None = "ord_1", memo: str = "test") -> Context:
    return Context(currency, order_id, NOW, memo)


def entry(*lines: Posting, currency: str = "EUR", memo: str = "test", at: datetime = NOW) -> JournalEntry:
    return JournalEntry("je_1", "ord_1", currency, at, memo, list(lines))


def balances_of(*entries: JournalEntry, currency: str = "EUR") -> dict[Account, int]:
    """Balances as finance reads them: positive on each account's normal side."""
    return {account: on_normal_side(account, balance)
            for (cur, account), balance in trial_balance(entries).items() if cur == currency}


# -- journal entries --------------------------------------------------------------------------------------------


def test_a_balanced_entry_is_kept_with_its_postings_as_a_tuple():
    made = entry(debit(A.GATEWAY_CLEARING, 1000), credit(A.CUSTOMER_RECEIVABLE, 1000))
    assert made.postings == (Posting(A.GATEWAY_CLEARING, debit=1000), Posting(A.CUSTOMER_RECEIVABLE, credit=1000))
    assert made.debits == made.credits == 1000


def test_an_unbalanced_entry_is_refused():
    with pytest.raises(InvalidInput) as error:
        entry(debit(A.GATEWAY_CLEARING, 1000), credit(A.CUSTOMER_RECEIVABLE, 999))
    assert error.value.code == "entry_unbalanced"


def test_an_empty_entry_is_refused():
    with pytest.raises(InvalidInput) as error:
        entry()
    assert error.value.code == "entry_empty"


@pytest.mark.parametrize(("bad", "field"), [
    (Posting(A.REVENUE, debit=-5, credit=0), "postings[1].debit"),
    (Posting(A.REVENUE, debit=0, credit=-5), "postings[1].credit"),
    (Posting(A.REVENUE, debit=5, credit=5), "postings[1]"),
    (Posting(A.REVENUE), "postings[1]"),
    (Posting("cash", credit=5), "postings[1].account"),  # type: ignore[arg-type]  # a string, not an Account
    (Posting(A.REVENUE, credit=True), "postings[1].credit"),
])
def test_a_posting_that_is_not_one_positive_amount_on_one_side_is_refused(bad, field):
    with pytest.raises(InvalidInput) as error:
        entry(debit(A.CUSTOMER_RECEIVABLE, 5), bad)
    assert error.value.field == field


@pytest.mark.parametrize(("changes", "field"), [
    ({"currency": "EURO"}, "currency"),
    ({"at": datetime(2025, 3, 1, 12, 0)}, "occurred_at"),  # naive: no time zone
    ({"memo": "  "}, "memo"),
])
def test_an_entry_without_a_known_currency_an_aware_time_or_a_memo_is_refused(changes, field):
    with pytest.raises(InvalidInput) as error:
        entry(debit(A.CUSTOMER_RECEIVABLE, 5), credit(A.REVENUE, 5), **changes)
    assert error.value.field == field


def test_the_trial_balance_keeps_currencies_apart_and_is_zero_in_each():
    eur = entry(debit(A.GATEWAY_CLEARING, 1000), credit(A.CUSTOMER_RECEIVABLE, 1000))
    jpy = entry(debit(A.GATEWAY_CLEARING, 500), credit(A.CUSTOMER_RECEIVABLE, 500), currency="JPY")
    balances = trial_balance([eur, jpy])
    assert balances[("EUR", A.GATEWAY_CLEARING)] == 1000 and balances[("JPY", A.GATEWAY_CLEARING)] == 500
    assert currency_sums(balances) == {"EUR": 0, "JPY": 0}
    check_trial_balance(balances)


def test_a_trial_balance_that_is_not_zero_is_reported_as_a_bug():
    with pytest.raises(AssertionError, match="KWD"):
        check_trial_balance({("KWD", A.REVENUE): -5, ("KWD", A.CUSTOMER_RECEIVABLE): 4})


def test_every_account_has_a_normal_side():
    assert A.CUSTOMER_RECEIVABLE.normal_side is Side.DEBIT and A.REFUNDS.normal_side is Side.DEBIT
    assert A.REVENUE.normal_side is Side.CREDIT and A.TAX_PAYABLE.normal_side is Side.CREDIT
    assert A.STORE_CREDIT.normal_side is Side.CREDIT
    assert {account.normal_side for account in Account} == {Side.DEBIT, Side.CREDIT}


# -- the posting scheme -----------------------------------------------------------------------------------------

SALE = Amounts(net=1527 + 1271 + 1520, shipping=412, tax=746)  # the EUR order of test_tax, 54.76 in all


def test_the_split_of_a_taxed_order_adds_up_to_its_total():
    table = TaxTable([TaxRate("DE", None, "standard", Decimal("0.19"), date(2020, 1, 1)),
                      TaxRate("DE", None, "shipping", Decimal("0.19"), date(2020, 1, 1))])
    for mode in PricesInclude:
        taxed = compute_tax(TaxableOrder("EUR", "DE", None, mode, (TaxableLine(1999, 2), TaxableLine(995, 1)),
                                         date(2025, 3, 1), discount=333, shipping=490), table)
        split = Amounts.of(taxed)
        assert split.gross == taxed.totals.total
        assert (split.net, split.shipping, split.tax) == (taxed.net, taxed.shipping.net, taxed.totals.tax)


def test_an_invoice_recognises_revenue_shipping_and_tax_and_the_capture_pays_it():
    invoice, capture = postings.invoiced_and_captured(SALE, context())
    assert balances_of(invoice) == {A.CUSTOMER_RECEIVABLE: 5476, A.REVENUE: 4318, A.SHIPPING_REVENUE: 412,
                                    A.TAX_PAYABLE: 746}
    assert balances_of(invoice, capture) == {A.CUSTOMER_RECEIVABLE: 0, A.GATEWAY_CLEARING: 5476, A.REVENUE: 4318,
                                             A.SHIPPING_REVENUE: 412, A.TAX_PAYABLE: 746}


def test_an_invoice_with_payment_terms_leaves_the_customer_owing_until_the_money_arrives():
    invoice = postings.invoice(SALE, context(memo="Invoice, net 30"))
    assert balances_of(invoice)[A.CUSTOMER_RECEIVABLE] == 5476
    paid = postings.capture(5476, context(memo="Bank transfer received"))
    assert balances_of(invoice, paid)[A.CUSTOMER_RECEIVABLE] == 0


def test_an_invoice_without_shipping_posts_no_empty_shipping_line():
    invoice = postings.invoice(Amounts(net=1000, tax=190), context())
    assert [posting.account for posting in invoice.postings] == [A.CUSTOMER_RECEIVABLE, A.REVENUE, A.TAX_PAYABLE]


def test_a_full_refund_takes_back_the_tax_and_the_money_and_books_the_goods_as_refunds():
    sold = postings.invoiced_and_captured(SALE, context())
    refunded = postings.credited_and_refunded(SALE, context(memo="Credit memo for return RMA-1"))
    balances = balances_of(*sold, *refunded)
    assert balances[A.TAX_PAYABLE] == 0 and balances[A.GATEWAY_CLEARING] == 0
    assert balances[A.CUSTOMER_RECEIVABLE] == 0
    assert balances[A.REFUNDS] == 4318 + 412  # revenue stays gross of sales; refunds is its contra account
    assert balances[A.REVENUE] - balances[A.REFUNDS] + balances[A.SHIPPING_REVENUE] == 0


def test_a_partial_refund_takes_back_exactly_its_own_tax():
    sold = postings.invoiced_and_captured(SALE, context())
    refunded = postings.credited_and_refunded(Amounts(net=1271, tax=89), context())
    balances = balances_of(*sold, *refunded)
    assert balances[A.TAX_PAYABLE] == 746 - 89
    assert balances[A.GATEWAY_CLEARING] == 5476 - 1360


def test_an_appeasement_is_booked_apart_from_refunds():
    sold = postings.invoiced_and_captured(SALE, context())
    goodwill = postings.appeasement(Amounts(net=420, tax=80), context(memo="Late delivery"))
    paid_back = postings.refund(500, context(memo="Late delivery"))
    balances = balances_of(*sold, goodwill, paid_back)
    assert balances[A.APPEASEMENTS] == 420 and A.REFUNDS not in balances
    assert balances[A.TAX_PAYABLE] == 746 - 80 and balances[A.CUSTOMER_RECEIVABLE] == 0


def test_a_refund_as_store_credit_is_owed_until_it_is_spent_on_another_order():
    sold = postings.invoiced_and_captured(SALE, context())
    memo = postings.credit_memo(Amounts(net=1271, tax=89), context())
    issued = postings.store_credit_issued(1360, context())
    assert balances_of(*sold, memo, issued)[A.STORE_CREDIT] == 1360
    next_sale = postings.invoice(Amounts(net=2000, tax=380), context(order_id="ord_2"))
    spent = postings.store_credit_used(1360, context(order_id="ord_2"))
    card = postings.capture(2380 - 1360, context(order_id="ord_2"))
    balances = balances_of(*sold, memo, issued, next_sale, spent, card)
    assert balances[A.STORE_CREDIT] == 0 and balances[A.CUSTOMER_RECEIVABLE] == 0
    check_trial_balance(trial_balance([*sold, memo, issued, next_sale, spent, card]))


@pytest.mark.parametrize("amount", [0, -1])
def test_a_movement_of_no_or_negative_money_is_refused(amount):
    with pytest.raises(InvalidInput) as error:
        postings.capture(amount, context())
    assert error.value.field == "amount"


@pytest.mark.parametrize(("split", "field"), [
    ({"net": -1, "tax": 5}, "net"), ({"net": 5, "shipping": -1}, "shipping"), ({"net": 5, "tax": -1}, "tax"),
    ({"net": 0}, "amount"),
])
def test_a_split_with_negative_parts_or_no_money_is_refused(split, field):
    with pytest.raises(InvalidInput) as error:
        Amounts(**split)
    assert error.value.field == field


def test_an_entry_id_can_be_chosen_so_a_retried_capture_books_under_the_same_id():
    assert postings.capture(100, context(), entry_id="je_capture_cap_1").id == "je_capture_cap_1"
    assert postings.capture(100, context()).id.startswith("je_")


# -- properties -------------------------------------------------------------------------------------------------

CURRENCIES = ["USD", "EUR", "JPY", "KWD"]
parts = st.tuples(st.integers(0, 10**9), st.integers(0, 10**6), st.integers(0, 10**8))  # net, shipping, tax
splits = parts.filter(lambda p: sum(p) > 0).map(lambda p: Amounts(*p))


class CapturesAndRefunds(RuleBasedStateMachine):
    """Orders in several currencies are captured (invoice + capture) and refunded, never beyond what each
    captured, to the card or as store credit; the ledger must balance after every step."""

    @initialize()
    def start(self) -> None:
        self.entries: list[JournalEntry] = []
        self.refundable: dict[tuple[str, str], tuple[int, int, int]] = {}  # (currency, order) -> net, shipping, tax
        self.expected: dict[tuple[str, Account], int] = {}  # debit-positive balances the scheme must produce

    def book(self, *made: JournalEntry) -> None:
        for made_entry in made:
            assert made_entry.debits == made_entry.credits > 0
        self.entries.extend(made)

    def expect(self, currency: str, account: Account, change: int) -> None:
        self.expected[(currency, account)] = self.expected.get((currency, account), 0) + change

    @rule(currency=st.sampled_from(CURRENCIES), order=st.sampled_from(["ord_1", "ord_2"]), split=splits)
    def capture(self, currency: str, order: str, split: Amounts) -> None:
        self.book(*postings.invoiced_and_captured(split, context(currency, order)))
        net, shipping, tax = self.refundable.get((currency, order), (0, 0, 0))
        self.refundable[(currency, order)] = (net + split.net, shipping + split.shipping, tax + split.tax)
        self.expect(currency, A.TAX_PAYABLE, -split.tax)
        self.expect(currency, A.GATEWAY_CLEARING, split.gross)

    @rule(data=st.data(), as_store_credit=st.booleans())
    def refund(self, data: st.DataObject, as_store_credit: bool) -> None:
        if not self.refundable:
            return
        currency, order = data.draw(st.sampled_from(sorted(self.refundable)))
        left = self.refundable[(currency, order)]
        back = tuple(data.draw(st.integers(0, part)) for part in left)
        if sum(back) == 0:
            return
        split = Amounts(*back)
        pay_back = postings.store_credit_issued if as_store_credit else postings.refund
        where = context(currency, order)
        self.book(postings.credit_memo(split, where), pay_back(split.gross, where))
        self.refundable[(currency, order)] = (left[0] - back[0], left[1] - back[1], left[2] - back[2])
        self.expect(currency, A.TAX_PAYABLE, split.tax)
        self.expect(currency, A.STORE_CREDIT if as_store_credit else A.GATEWAY_CLEARING, -split.gross)

    @invariant()
    def the_trial_balance_is_zero_per_currency(self) -> None:
        check_trial_balance(trial_balance(self.entries))

    @invariant()
    def tax_clearing_and_store_credit_hold_what_was_captured_less_what_was_refunded(self) -> None:
        balances = trial_balance(self.entries)
        for key, balance in self.expected.items():
            assert balances.get(key, 0) == balance
        assert all(balance == 0 for (_, account), balance in balances.items() if account is A.CUSTOMER_RECEIVABLE)


CapturesAndRefunds.TestCase.settings = settings(max_examples=60, stateful_step_count=20, deadline=None)
test_random_captures_and_refunds_always_balance_per_currency = CapturesAndRefunds.TestCase


@given(st.lists(st.tuples(st.sampled_from(CURRENCIES), splits, st.integers(0, 100)), min_size=1, max_size=10))
def test_every_entry_of_a_capture_and_a_refund_within_it_balances(sales):
    entries: list[JournalEntry] = []
    for currency, split, percent in sales:
        entries.extend(postings.invoiced_and_captured(split, context(currency)))
        back = [part * percent // 100 for part in (split.net, split.shipping, split.tax)]
        if sum(back):
            entries.extend(postings.credited_and_refunded(Amounts(*back), context(currency)))
    assert all(made.debits == made.credits for made in entries)
    assert set(currency_sums(trial_balance(entries)).values()) == {0}
