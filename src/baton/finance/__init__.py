"""Finance: the double-entry ledger of money and the postings of an order's money lifecycle."""
