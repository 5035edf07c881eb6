"""The demo's way in: an admin with a fresh password, printed by `baton demo`."""

from __future__ import annotations

import secrets

from baton.bootstrap import Container
from baton.identity.console import create_user, set_password, user_with_email
from baton.identity.services import create_token, list_tokens, revoke_token
from baton.shared.errors import Conflict

DEMO_ADMIN_EMAIL = "admin@demo.baton"
DEMO_ADMIN_NAME = "Demo admin"


def ensure_demo_admin(container: Container) -> tuple[str, str]:
    """Create the demo admin, or give the existing one a new password (which also lifts a lock-out and ends its
    sessions); returns (email, password) for the console sign-in. The password is never stored in clear."""
    password = secrets.token_urlsafe(12)
    if user_with_email(container.reads, DEMO_ADMIN_EMAIL) is None:
        try:
            create_user(container.uow(), DEMO_ADMIN_EMAIL, DEMO_ADMIN_NAME, "admin", password)
            return DEMO_ADMIN_EMAIL, password
        except Conflict:  # another process created it a moment ago
            pass
    set_password(container.uow(), DEMO_ADMIN_EMAIL, password)
    return DEMO_ADMIN_EMAIL, password


DEMO_TOKEN_NAME = "demo admin"


def fresh_demo_token(container: Container) -> str:
    """An admin API token for the demo; the ones earlier demo runs printed are revoked, so one works at a time."""
    for token in list_tokens(container.reader(), 10_000, None):
        if token.name == DEMO_TOKEN_NAME and token.revoked_at is None:
            revoke_token(container.uow(), token.id)
    _token, secret = create_token(container.uow(), "admin", DEMO_TOKEN_NAME)
    return secret
