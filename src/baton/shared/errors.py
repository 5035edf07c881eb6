"""Errors the domain and services raise; entrypoints map each kind to one HTTP status."""

from __future__ import annotations

from typing import Any


class BatonError(Exception):
    """Base of every expected failure. `code` is stable and machine-readable."""

    code = "error"

    def __init__(self, detail: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.extra = extra or {}


class InvalidInput(BatonError):
    """The request is well-formed but a field's value cannot be accepted (HTTP 422)."""

    code = "invalid_input"

    def __init__(self, field: str, detail: str, *, code: str | None = None):
        super().__init__(f"{field}: {detail}", code=code)
        self.field = field
        self.reason = detail


class NotFound(BatonError):
    """The object does not exist (HTTP 404)."""

    code = "not_found"


class Conflict(BatonError):
    """The request clashes with the current state (HTTP 409)."""

    code = "conflict"


class Unauthenticated(BatonError):
    """No credentials, or credentials that are wrong, revoked or expired (HTTP 401)."""

    code = "unauthenticated"


class Forbidden(BatonError):
    """Valid credentials without the permission for this action (HTTP 403)."""

    code = "forbidden"


class RateLimited(BatonError):
    """Too many attempts from this source or for this subject; retry later (HTTP 429)."""

    code = "rate_limited"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after
