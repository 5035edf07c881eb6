"""Invoices and credit memos: the financial documents of captured and refunded money."""
