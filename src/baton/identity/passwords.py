"""Passwords of console users: argon2id (argon2-cffi, RFC 9106 parameters) and the password policy.

Low-entropy secrets get a slow, memory-hard hash; API tokens do not need one (see tokens.py)."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from baton.shared.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 1024  # long enough for any pass phrase, short enough that nobody makes us hash megabytes

_hasher = PasswordHasher()  # argon2id with the library's current recommended cost


def check_policy(password: str) -> None:
    """Refuse a password that is too short or absurdly long (InvalidInput naming `password`)."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput("password", f"must be at least {MIN_LENGTH} characters long; a few unrelated words "
                                       "make a good one.", code="password_too_short")
    if len(password) > MAX_LENGTH:
        raise InvalidInput("password", f"must be at most {MAX_LENGTH} characters long.", code="password_too_long")


def hash_password(password: str) -> str:
    """The argon2id hash (`$argon2id$…`) of a password that meets the policy."""
    check_policy(password)
    return _hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    """Whether `password` matches; False for a damaged hash too (never raises on a wrong password)."""
    if len(password) > MAX_LENGTH:
        _hasher.verify(_dummy_hash(), "x")  # the same time as a real check, and no huge input hashed
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_nothing(password: str) -> bool:
    """Spend the time of a real check against a hash nobody knows the password of, so an unknown email or a
    locked account answers as slowly as a wrong password; always False."""
    verify(_dummy_hash(), password)
    return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's; re-hash on the next sign-in."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@cache
def _dummy_hash() -> str:
    # Made once per process with the current parameters, so checking it costs what a real check costs.
    return _hasher.hash(secrets.token_urlsafe(32))
