"""Opaque cursors for keyset pagination: the last row's sort key, base64-encoded JSON."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from baton.shared.errors import InvalidInput


def encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode(cursor: str, size: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise InvalidInput("cursor", "is not a cursor this list gave out; start again without it.")
    return values


def encode_keyset(at: datetime, last_id: str) -> str:
    return encode([at.isoformat(), last_id])


def decode_keyset(cursor: str) -> tuple[datetime, str]:
    """A (timestamp, id) cursor as given out by `encode_keyset`."""
    at, last_id = decode(cursor, 2)
    try:
        moment = datetime.fromisoformat(at)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None:  # we only give out aware UTC times; anything else is forged
        raise InvalidInput("cursor", "is not a cursor this list gave out; start again without it.")
    return moment, str(last_id)
