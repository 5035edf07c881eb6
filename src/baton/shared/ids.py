"""Identifiers: sortable opaque ids for objects, unguessable tokens for public links."""

from __future__ import annotations

import secrets
import threading
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]  # two digits per step: ids are made ~25 times per order


def _base32(value: int, length: int) -> str:
    """The low `length` (even) base32 digits of `value`."""
    pairs = []
    for _ in range(length // 2):
        value, pair = divmod(value, 1024)
        pairs.append(_PAIRS[pair])
    return "".join(reversed(pairs))


_lock = threading.Lock()
_last = (0, 0)


def new_id(prefix: str) -> str:
    """`prefix_` + 10 chars of milliseconds + 12 random chars: unique, and sorts by creation time.

    Monotonic within a process (as ULIDs are): ids made in the same millisecond, say the timeline entries of
    one transaction, still sort in the order they were made."""
    global _last
    with _lock:
        millis = int(time.time() * 1000)
        last_millis, last_random = _last
        if millis <= last_millis:
            millis, random = last_millis, last_random + 1
        else:
            random = secrets.randbits(59)  # headroom for increments within one millisecond
        _last = (millis, random)
    return f"{prefix}_{_base32(millis, 10)}{_base32(random, 12)}"


def new_tracking_id() -> str:
    """128 random bits: a public tracking link cannot be guessed from an order number or another link."""
    return secrets.token_urlsafe(16)
