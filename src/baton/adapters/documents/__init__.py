"""Renderers of documents people download (invoices and credit memos as PDF)."""
