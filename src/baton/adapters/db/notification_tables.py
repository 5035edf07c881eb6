"""Tables of customer notifications. Re-exported from tables.py, like the other table modules."""

from __future__ import annotations

__all__: list[str] = []
