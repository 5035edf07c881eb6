"""CSRF protection for server-rendered forms.

Forms shown before anyone is signed in (console sign-in, the shopper portal) use a signed double-submit token:
the same itsdangerous-signed, expiring value in a cookie and in the form's hidden `csrf_token` field. A form is
accepted when both are there, equal, and signed by this server not too long ago. A token still young is kept
when a form is shown again, so two tabs do not invalidate each other."""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

FIELD = "csrf_token"  # the hidden form field


class CsrfRejected(Exception):
    """A form without the right CSRF token: the route answers 403 and changes nothing."""


def same(given: str, expected: str) -> bool:
    """Constant-time comparison that also accepts non-ASCII input (which never matches our tokens)."""
    return secrets.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


class DoubleSubmit:
    """Signed double-submit tokens kept in the cookie `cookie` under `path`, valid for `max_age` seconds."""

    def __init__(self, cookie: str, path: str, salt: str, max_age: int = 2 * 3600):
        self.cookie, self.path, self.salt, self.max_age = cookie, path, salt, max_age

    def token(self, request: Request, secret: str) -> str:
        """The browser's token while it is younger than half its life, else a new one."""
        signer = self._signer(secret)
        token = request.cookies.get(self.cookie, "")
        try:
            signer.loads(token, max_age=self.max_age // 2)
        except BadSignature:
            token = str(signer.dumps(secrets.token_urlsafe(16)))
        return token

    def attach(self, response: Response, token: str) -> None:
        response.set_cookie(self.cookie, token, max_age=self.max_age, path=self.path, secure=True, httponly=True,
                            samesite="strict")

    def forget(self, response: Response) -> None:
        response.delete_cookie(self.cookie, path=self.path, secure=True, httponly=True, samesite="strict")

    def valid(self, request: Request, secret: str, field: str) -> bool:
        """Whether the form field matches the cookie and carries our signature, not older than max_age."""
        cookie = request.cookies.get(self.cookie, "")
        if not field or not cookie or not same(field, cookie):
            return False
        try:
            self._signer(secret).loads(field, max_age=self.max_age)
        except BadSignature:  # forged, or too old (SignatureExpired)
            return False
        return True

    def _signer(self, secret: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(secret, salt=self.salt)
