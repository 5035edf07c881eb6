"""Error codes of identity and access."""

from __future__ import annotations

from baton.shared.errors import Forbidden, NotFound, Unauthenticated


class NotSignedIn(Unauthenticated):
    def __init__(self, detail: str = "Send `Authorization: Bearer <token>`; create a token with `baton tokens "
                                     "create`.") -> None:
        super().__init__(detail, code="unauthenticated")


class BadToken(Unauthenticated):
    def __init__(self) -> None:
        super().__init__("The token is wrong, revoked or expired.", code="invalid_token")


class PermissionDenied(Forbidden):
    def __init__(self, role: str | None, action: str) -> None:
        super().__init__(f"The {role} role may not do {action}.", code="permission_denied")


class TokenNotFound(NotFound):
    def __init__(self, token_id: str) -> None:
        super().__init__(f"No API token with id {token_id}.", code="token_not_found")
